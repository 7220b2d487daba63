"""Results as lines for programs: tsv, csv (and excel: csv with a BOM and CRLF), json and jsonl.

Every string from a store or a user passes through `text.visible` (tsv, csv)
or the JSON encoder plus `text.safe_json_line` before it is written, so data
never becomes an escape sequence on a terminal. json and jsonl of events copy
the store's own lines: what a store holds is what comes out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, islice
from typing import IO, TYPE_CHECKING, Any

from .fields import DEFAULT_FIELDS, EVENT_FIELDS, EventFields, choose_fields
from .store import ENTITY_FIELDS, Event
from .text import is_safe, safe_json_line, visible

if TYPE_CHECKING:
    from .categories import Classification
    from .discover import UnknownName
    from .lookup import Match
    from .query import AgencySummary, EventSource
    from .registry import Entity, Registry

LINE_FORMATS = ("tsv", "csv", "excel", "json", "jsonl")


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text, UTF-8 unescaped, but with what a terminal would obey escaped (text.safe_json_line)."""
    return safe_json_line(json.dumps(value, ensure_ascii=False, indent=indent).encode("utf-8")).decode("utf-8")


def match_record(match: Match, event_ids: list[str]) -> dict:
    return {**suggestion_record(match), "events": event_ids}


def suggestion_record(match: Match) -> dict:
    return {**match.entity.record(), "score": match.score}


def agency_count_record(entity: Entity, event_ids: list[str]) -> dict:
    return {"id": entity.id, "name_zh": entity.name_zh, "name_en": entity.name_en, "events": event_ids}


def safe_store_parts(source: EventSource, numbers: list[int]) -> list[Callable[[], Iterable[bytes]]]:
    """The store lines of these events in parts (see `EventSource.store_text_parts`), with terminal-unsafe
    characters as JSON escapes (the same JSON value)."""
    parts = source.store_text_parts(numbers)
    unsafe = source.unsafe_lines(numbers)
    return parts if unsafe is not None and not unsafe else [partial(_safe_blocks, part) for part in parts]


def _safe_blocks(part: Callable[[], Iterable[bytes]]) -> Iterable[bytes]:
    return map(safe_json_line, part())


class LineOutput:
    """Results written as tsv (no header: one record a line for grep, sort, cut), csv (a header, for
    spreadsheets; excel: the same with a BOM and CRLF line ends, which Excel needs to read UTF-8),
    jsonl (one record a line) or json (one document, indented when a person reads it).

    `fields` (`--fields`) chooses the columns of a table and the keys of records;
    `header` False (`--no-header`) drops the header row of csv and excel.
    """

    def __init__(self, fmt: str, stream: IO[str], fields: list[str] | None = None, header: bool = True) -> None:
        self.format, self.stream, self.fields, self.header = fmt, stream, fields, header
        isatty = getattr(stream, "isatty", None)
        self.indent = 2 if isatty and isatty() else None

    # -------------------------------------------------------------- writers
    def line(self, text: str) -> None:
        self.stream.write(text + "\n")

    def rows(self, header: tuple[str, ...], rows: Iterable[tuple[Any, ...] | list[Any]], chosen: bool = False) -> None:
        """A table: `header` names the columns; unless `chosen`, `--fields` picks some of them."""
        if not chosen and self.fields:
            picked = choose_fields(self.fields, header)
            where = [header.index(f) for f in picked]
            header, rows = picked, ([row[i] for i in where] for row in rows)
        self.table(header, map(_visible_cells, rows))

    def table(self, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
        """Write safe cells (already through `visible`) in the format's table syntax."""
        if self.format in ("csv", "excel"):
            excel = self.format == "excel"
            writer = csv.writer(self.stream, lineterminator="\r\n" if excel else "\n")
            for i, row in enumerate(rows if not self.header else _with_first(header, rows)):
                if excel and i == 0:
                    self.stream.write("\ufeff")  # the BOM: Excel reads the file as UTF-8, not the locale's code page
                writer.writerow(row)
        else:
            lines = map("\t".join, rows)
            while batch := list(islice(lines, 1024)):  # one write per 1024 rows
                self.stream.write("\n".join(batch) + "\n")

    def table_parts(self, header: tuple[str, ...], parts: list[Callable[[], Iterable[list[str]]]]) -> None:
        """`table` of the rows of the parts, in order: three parts or more to a file or a pipe are made by
        two processes (parallel.in_turn), each part's rows written as one text; the header, and excel's BOM,
        first, from this process."""
        buffer = self._file_buffer() if self.format in ("tsv", "csv", "excel") and len(parts) >= 3 else None
        if buffer is not None:
            from . import parallel

            if parallel.available():
                encoding, errors = getattr(self.stream, "encoding", "utf-8"), getattr(self.stream, "errors", "strict")
                self.stream.write(self._rows_text([list(header)] if self.header and self.format != "tsv" else [], with_bom=True))
                self.stream.flush()
                blocks = [partial(self._rows_blocks, part, encoding, errors) for part in parts]
                parallel.in_turn(blocks, buffer.write, buffer.flush)
                return
        self.table(header, chain.from_iterable(part() for part in parts))

    def _rows_blocks(self, part: Callable[[], Iterable[list[str]]], encoding: str, errors: str) -> Iterator[bytes]:
        """The part's rows as `table` writes them, encoded as the stream encodes, 1024 rows a block."""
        rows = iter(part())
        while batch := list(islice(rows, 1024)):
            yield self._rows_text(batch).encode(encoding, errors)

    def _rows_text(self, rows: list[list[str]], with_bom: bool = False) -> str:
        """Rows in tsv or csv syntax, as `table` writes them; `with_bom`: led by excel's BOM."""
        if self.format == "tsv":
            return "".join(f"{line}\n" for line in map("\t".join, rows))
        text = io.StringIO()
        if with_bom and self.format == "excel":
            text.write("\ufeff")  # before the first row, as `table` writes it
        csv.writer(text, lineterminator="\r\n" if self.format == "excel" else "\n").writerows(rows)
        return text.getvalue()

    def records(self, records: list[dict], document: Any = None) -> None:
        """jsonl: one record a line; json: `document` (default: the list of records)."""
        if self.fields and records:
            available = tuple(records[0])
            picked = choose_fields(self.fields, available)
            for i, record in enumerate(records):
                records[i] = {f: record[f] for f in picked}
        if self.format == "jsonl":
            for record in records:
                self.line(dumps(record))
        else:
            self.line(dumps(records if document is None else document, indent=self.indent))

    def event_lines(self, parts: list[Callable[[], Iterable[bytes]]]) -> None:
        """Events as their store lines (given in parts, each blocks of lines ended by a newline), one a line (jsonl) or
        one array (json). Three parts or more of jsonl to a file or pipe are made by two processes (parallel.in_turn)."""
        blocks = chain.from_iterable(part() for part in parts)
        if self.format == "json" and self.indent:  # a person reads it: indent
            self.line(dumps([json.loads(line) for block in blocks for line in block.split(b"\n")[:-1]], indent=self.indent))
            return
        write = self._bytes_writer()
        if self.format == "jsonl":
            if len(parts) >= 3 and (buffer := self._file_buffer()) is not None:
                from . import parallel

                if parallel.available():
                    parallel.in_turn(parts, buffer.write, buffer.flush)
                    return
            for block in blocks:
                write(block)
            return
        write(b"[")
        separator = b"\n"
        for block in blocks:
            if block:
                write(separator + block[:-1].replace(b"\n", b",\n"))
                separator = b",\n"
        write(b"\n]\n")

    def _file_buffer(self) -> Any:
        """The binary buffer of a stream written to a file descriptor (not held in memory), or None."""
        buffer = getattr(self.stream, "buffer", None)
        try:
            buffer.fileno()  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            return None
        return buffer

    def _bytes_writer(self) -> Any:
        buffer = getattr(self.stream, "buffer", None)
        if buffer is None:
            return lambda data: self.stream.write(data.decode("utf-8"))
        self.stream.flush()
        return buffer.write

    # -------------------------------------------------------------- results
    def listing(self, source: EventSource, numbers: list[int], registry: Registry, highlight: list[str] | None = None) -> None:
        """Events by number: json/jsonl copy store lines (or give `--fields`), tables decode one at a time
        (a million hold one in memory)."""
        fields = self.event_fields(registry)
        if self.format in ("json", "jsonl"):
            if self.fields:
                self.records([fields.record(source.event(i)) for i in numbers])
            else:
                self.event_lines(safe_store_parts(source, numbers))
        else:
            self.table_parts(fields.fields, [partial(_event_rows, fields, part) for part in source.decoded_parts(numbers)])

    def event_fields(self, registry: Registry) -> EventFields:
        return EventFields(choose_fields(self.fields, EVENT_FIELDS, DEFAULT_FIELDS), registry)

    def timeline(self, source: EventSource, groups: list[tuple[str, list[int]]], registry: Registry, *, every: list[int] | None = None) -> None:
        self.listing(source, [i for _, month in groups for i in month], registry)

    def who(self, query: str, matches: list[Match], suggestions: list[Match], numbers: list[list[int]], source: EventSource) -> None:
        """The matches (a program gets no guesses), each with its events' ids; json adds
        "suggestions", the close names that are not matches, only when there are any."""
        found = [(m, [source.event_id(i) for i in ns]) for m, ns in zip(matches, numbers, strict=True)]
        if self.format in ("json", "jsonl"):
            records = [match_record(m, event_ids) for m, event_ids in found]
            document: dict[str, Any] = {"query": query, "matches": records}
            if suggestions:
                document["suggestions"] = [suggestion_record(m) for m in suggestions]
            self.records(records, document=document)
        else:
            header = ("id", "kind", "name_zh", "name_en", "score", "events")
            self.rows(header, ((m.entity.id, m.entity.kind, m.entity.name_zh, m.entity.name_en, m.score, ",".join(ids)) for m, ids in found))

    def entities(self, kind: str, rows: list[tuple[Entity, list[int]]], source: EventSource) -> None:
        if self.format in ("json", "jsonl"):
            self.records([agency_count_record(e, [source.event_id(i) for i in numbers]) for e, numbers in rows])
        else:
            self.rows(("id", "name_zh", "name_en", "events"), ((e.id, e.name_zh, e.name_en, len(numbers)) for e, numbers in rows))

    def agency(self, summary: AgencySummary, registry: Registry) -> None:
        """json: the summary as one document; the line formats: the agency's events, one a line."""
        if self.format == "json":
            self.line(dumps(summary.record(), indent=self.indent))
        else:
            self.listing(summary.source, summary.listed, registry)

    def event(self, event: Event, registry: Registry, extra: dict | None = None, *, related: list[tuple[Event, list[str]]] | None = None) -> None:
        """One event; json and jsonl add its entities' names, the related events (and `extra` fields); tsv and
        csv print the event's row alone, so that `show ID | cut -f1` is its id."""
        if related is not None:
            extra = {**(extra or {}), "related": [{"id": e["id"], "date": e["date"], "end": e["end"], "shared": ids} for e, ids in related]}
        fields = self.event_fields(registry)
        if self.format in ("json", "jsonl") and self.fields:
            self.line(dumps(fields.record(event), indent=self.indent if self.format == "json" else None))
        elif self.format in ("json", "jsonl"):
            detailed = dict(event)
            detailed["entities"] = [registry.record(i) for field in ENTITY_FIELDS for i in event.get(field, [])]
            detailed.update(extra or {})
            self.line(dumps(detailed, indent=self.indent if self.format == "json" else None))
        else:
            self.rows(fields.fields, [fields.cells(event)], chosen=True)

    def unknown(self, records: list[UnknownName], registry: Registry) -> None:
        """Names the registry lacks: one a line, events and variants joined by commas in tsv and csv; toml: entries to review."""
        if self.format == "toml":
            self.stream.write(registry_entries(records, registry))
        elif self.format in ("json", "jsonl"):
            self.records([r.as_dict() for r in records])
        else:
            header = ("name", "kind", "events", "variants", "like")
            self.rows(header, ((r.name, r.kind, ",".join(r.events), ",".join(r.variants), r.like) for r in records))

    def event_why(self, event: Event, registry: Registry, result: Classification) -> None:
        """json/jsonl: the event with `why` and `set_aside`; tsv/csv: one line a category and the words that decided it."""
        why = result.why()
        if self.format in ("json", "jsonl"):
            set_aside = [{"category": c.category, "words": c.words, "reason": c.rejected} for c in result.rejected()]
            self.event(event, registry, {"why": why, "set_aside": set_aside})
        else:
            self.rows(("category", "words"), [(category, words) for category, found in why.items() for words in found or ["-"]])

    def count(self, n: int) -> None:
        self.line(str(n))

    def stats(self, keys: tuple[str, ...], rows: list[tuple[tuple[str, ...], int]], registry: Registry) -> None:
        """One row a value (or pair of values): the values (month YYYY-MM, category, entity id; "" for none), then the count."""
        header = (*keys, "events")
        if self.format in ("json", "jsonl"):
            self.records([dict(zip(header, (*values, n), strict=True)) for values, n in rows])
        else:
            self.rows(header, ((*values, n) for values, n in rows))


def _event_rows(fields: EventFields, part: Callable[[], Iterable[Event]]) -> Iterable[list[str]]:
    """The cells of each event of the part, control and bidi characters escaped."""
    return map(_visible_text, map(fields.cells, part()))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _visible_cells(row: Iterable[Any]) -> list[str]:
    """The row's values as text, control and bidi characters escaped."""
    return _visible_text(list(map(_cell, row)))


def _visible_text(cells: list[str]) -> list[str]:
    """Cells with control and bidi characters escaped: one search for the usual safe row."""
    return cells if is_safe("".join(cells)) else list(map(visible, cells))


def _with_first(first: Any, rest: Iterable[Any]) -> Iterable[Any]:
    yield first
    yield from rest


def registry_entries(records: list[UnknownName], registry: Registry) -> str:
    """TOML [[entity]] tables for names to review; a name that is `like` a known entity
    gets a commented entry that would add its spellings to that entity instead."""
    from .discover import romanise, suggest_id

    used = set(registry.entities)
    parts = ["# Names the events mention that the registry lacks. Review each entry (name_en,\n"
             "# aliases), then add it to your registry file.\n"]  # fmt: skip
    for r in records:
        spellings = [r.name, *r.variants]
        about = visible(f"{r.name}: {r.kind}; events {', '.join(r.events)}")
        known = registry.get(r.like) if r.like else None
        if known is not None:
            parts.append(
                f"\n# {about}\n# may be a new spelling of {visible(known.name_zh)} ({visible(known.name_en)}); if it is, uncomment:\n"
                f"# [[entity]]\n# id = {_toml_str(known.id)}\n# aliases = {_toml_list(spellings)}\n"
            )
            continue
        entity_id = suggest_id(r.name, r.kind, used)
        used.add(entity_id)
        parts.append(
            f"\n# {about}\n[[entity]]\nid = {_toml_str(entity_id)}\nkind = {_toml_str(r.kind)}\n"
            f"name_zh = {_toml_str(r.name)}\nname_en = {_toml_str(romanise(r.name, r.kind))}\naliases = {_toml_list(spellings)}\n"
        )
    return "".join(parts)


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's), with terminal-unsafe characters escaped."""
    return dumps(value)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"
