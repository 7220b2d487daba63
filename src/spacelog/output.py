"""Rendering: Rich tables for a terminal, tsv/csv/json/jsonl lines for pipes.

Every string from a store or a user passes through `text.visible` (tables,
tsv, csv) or the JSON encoder plus `text.safe_json_line` before it is printed, so data
never becomes markup or an escape sequence. Rich is imported only when a
table is drawn.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

from .store import Event
from .text import safe_json_line, visible

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from .discover import UnknownName
    from .lookup import Match
    from .query import AgencySummary, EventFilter, EventSource
    from .registry import Entity, Registry

FORMATS = ("table", "tsv", "csv", "json", "jsonl")
EVENT_COLUMNS = ("id", "date", "end", "text")


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text, UTF-8 unescaped, but with what a terminal would obey escaped (text.safe_json_line)."""
    return safe_json_line(json.dumps(value, ensure_ascii=False, indent=indent).encode("utf-8")).decode("utf-8")


class Output:
    """Where results go and in which form: a table on a terminal, tsv on a pipe."""

    def __init__(self, fmt: str | None = None, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.is_tty = bool(isatty and isatty())
        self.format = fmt or ("table" if self.is_tty else "tsv")
        self._console: Console | None = None

    # -------------------------------------------------------------- plumbing
    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, markup=False, emoji=False, highlight=False)
        return self._console

    def line(self, text: str) -> None:
        self.stream.write(text + "\n")

    def rows(self, header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        """tsv (no header: one record per line for grep/sort/cut) or csv (header, for spreadsheets)."""
        if self.format == "csv":
            writer = csv.writer(self.stream, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([visible(_cell(v)) for v in row])
        else:
            for row in rows:
                self.line("\t".join(visible(_cell(v)) for v in row))

    def json_document(self, value: Any) -> None:
        self.line(dumps(value, indent=2 if self.is_tty else None))

    def json_lines(self, values: Iterable[Any]) -> None:
        for value in values:
            self.line(dumps(value))

    # -------------------------------------------------------------- events
    def event_lines(self, lines: Iterable[bytes]) -> None:
        """Events as store lines, one a line (jsonl) or one array (json).

        The lines come from `EventSource.lines`, which has escaped what could act
        on a terminal (text.safe_json_line).
        """
        if self.format == "json" and self.is_tty:  # a person reads it: indent
            self.json_document([json.loads(line) for line in lines])
            return
        write = self._bytes_writer()
        if self.format == "jsonl":
            lines = iter(lines)
            while batch := list(islice(lines, 4096)):  # one write per 4096 lines
                write(b"\n".join(batch) + b"\n")
        else:
            write(b"[")
            for i, line in enumerate(lines):
                write((b",\n" if i else b"\n") + line)
            write(b"\n]\n")

    def _bytes_writer(self) -> Any:
        buffer = getattr(self.stream, "buffer", None)
        if buffer is None:
            return lambda data: self.stream.write(data.decode("utf-8"))
        self.stream.flush()
        return buffer.write

    def listing(self, source: EventSource, numbers: list[int], *, highlight: list[str] | None = None) -> None:
        """Events of a source by number: json/jsonl print store lines, other formats decode."""
        if self.format in ("jsonl", "json"):
            self.event_lines(source.lines(numbers))
        else:  # decoded one at a time: tsv of a million events holds one in memory
            self.events((source.event(i) for i in numbers), highlight=highlight)

    def events(self, events: Iterable[Event], *, highlight: list[str] | None = None, title: str | None = None) -> None:
        if self.format in ("jsonl", "json"):
            self.event_lines(safe_json_line((getattr(e, "line", None) or dumps(e)).encode("utf-8")) for e in events)
        elif self.format in ("tsv", "csv"):
            self.rows(EVENT_COLUMNS, ((e["id"], e["date"], e["end"], e["text"]) for e in events))
        else:
            self.console.print(event_table(list(events), highlight or [], title))

    def timeline(self, source: EventSource, groups: list[tuple[str, list[int]]]) -> None:
        if self.format != "table":
            self.listing(source, [i for _, month in groups for i in month])
            return
        self.console.print(month_chart([(m, len(numbers)) for m, numbers in groups]))
        table = _table(("id", "date", "event"), title=None)
        for month, numbers in groups:
            table.add_row(_safe(month), "", _safe(f"{len(numbers)} event{'s' if len(numbers) > 1 else ''}"), style="bold")
            for e in (source.event(i) for i in numbers):
                table.add_row(_safe(e["id"]), _safe(date_range(e)), _safe(e["text"]))
        self.console.print(table)

    def event_detail(self, event: Event, registry: Registry) -> None:
        if self.format in ("json", "jsonl"):
            detailed = dict(event)
            detailed["entities"] = [_entity_json(registry, i) for f in ("agencies", "people", "vehicles") for i in event.get(f, [])]
            self.line(dumps(detailed, indent=2 if self.format == "json" and self.is_tty else None))
            return
        if self.format in ("tsv", "csv"):
            self.events([event])
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=False, box=None, padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        table.add_row("id", _safe(event["id"]))
        table.add_row("date", _safe(date_range(event)))
        table.add_row("categories", _safe(", ".join(event["categories"])))
        for field in ("agencies", "people", "vehicles"):
            names = [_safe(_entity_label(registry, i)) for i in event[field]]
            table.add_row(field, Text("\n").join(names) if names else "-")
        table.add_row("text", _safe(event["text"]))
        self.console.print(table)

    # -------------------------------------------------------------- who
    def who(self, query: str, matches: list[Match], source: EventSource, event_filter: EventFilter | None = None) -> None:
        from .query import tagged_with

        numbers = {m.entity.id: tagged_with(source, m.entity, event_filter) for m in matches}

        def events_of(m: Match) -> list[str]:
            return [source.event_id(i) for i in numbers[m.entity.id]]

        if self.format in ("json", "jsonl"):
            records = [
                {"id": m.entity.id, "kind": m.entity.kind, "name_zh": m.entity.name_zh, "name_en": m.entity.name_en, "score": m.score, "events": events_of(m)}
                for m in matches
            ]
            if self.format == "json":
                self.json_document({"query": query, "matches": records})
            else:
                self.json_lines(records)
        elif self.format in ("tsv", "csv"):
            header = ("id", "kind", "name_zh", "name_en", "score", "events")
            self.rows(header, ((m.entity.id, m.entity.kind, m.entity.name_zh, m.entity.name_en, m.score, ",".join(events_of(m))) for m in matches))
        else:
            table = _table(("id", "kind", "中文", "English", "score", "matched"), title=f"who {query}")
            for m in matches:
                kind = m.entity.kind + (f" · {m.entity.cls}" if m.entity.cls else "")
                table.add_row(_safe(m.entity.id), _safe(kind), _safe(m.entity.name_zh), _safe(m.entity.name_en), _safe(f"{m.score:g}"), _safe(m.name))
            self.console.print(table)
            best = matches[0].entity
            if best.note:
                self.console.print(_safe(f"note: {best.note}"), style="dim")
            mine = [source.event(i) for i in numbers[best.id]]
            self.console.print(event_table(mine, [], f"{len(mine)} events of {best.name_zh} ({best.name_en})"))

    # -------------------------------------------------------------- unknown
    def unknown(self, records: list[UnknownName], registry: Registry) -> None:
        """Names the registry lacks: one record a line, a table, or registry entries (toml)."""
        if self.format == "toml":
            if records:
                self.stream.write(registry_entries(records, registry))
        elif self.format in ("json", "jsonl"):
            dicts = [r.as_dict() for r in records]
            self.json_document(dicts) if self.format == "json" else self.json_lines(dicts)
        elif self.format in ("tsv", "csv"):
            header = ("name", "kind", "events", "variants", "like")
            self.rows(header, ((r.name, r.kind, ",".join(r.events), ",".join(r.variants), r.like) for r in records))
        elif records:
            table = _table(("name", "kind", "events", "variants", "like"), title=f"{len(records)} name{'s' if len(records) > 1 else ''} not in the registry")
            for r in records:
                table.add_row(_safe(r.name), _safe(r.kind), _safe(", ".join(r.events)), _safe(", ".join(r.variants)), _safe(r.like or ""))
            self.console.print(table)

    # -------------------------------------------------------------- agency
    def agency_list(self, rows: list[tuple[Entity, list[int]]], source: EventSource) -> None:
        if self.format in ("json", "jsonl"):
            records = [{"id": e.id, "name_zh": e.name_zh, "name_en": e.name_en, "events": [source.event_id(i) for i in numbers]} for e, numbers in rows]
            self.json_document(records) if self.format == "json" else self.json_lines(records)
        elif self.format in ("tsv", "csv"):
            self.rows(("id", "name_zh", "name_en", "events"), ((e.id, e.name_zh, e.name_en, len(numbers)) for e, numbers in rows))
        else:
            table = _table(("id", "中文", "English", "class", "events"), title="agencies")
            table.columns[-1].justify = "right"
            for e, numbers in rows:
                table.add_row(_safe(e.id), _safe(e.name_zh), _safe(e.name_en), _safe(e.cls), _safe(str(len(numbers))))
            self.console.print(table)

    def agency_summary(self, s: AgencySummary, registry: Registry) -> None:
        """The summary as json or Rich tables (other formats list the events: see `listing`)."""
        if self.format == "json":
            self.json_document(
                {
                    "id": s.entity.id, "name_zh": s.entity.name_zh, "name_en": s.entity.name_en,
                    "count": len(s.events), "first": s.first, "last": s.last,
                    "by_month": dict(sorted(s.by_month.items())), "by_category": dict(s.by_category.most_common()),
                    "people": dict(s.people.most_common()), "vehicles": dict(s.vehicles.most_common()),
                    "partners": dict(s.partners.most_common()), "events": s.events,
                }
            )  # fmt: skip
            return
        from rich.columns import Columns
        from rich.table import Table

        self.console.print(_safe(f"{s.entity.name_zh} · {s.entity.name_en}"), style="bold")
        head = Table(show_header=False, box=None, padding=(0, 1))
        head.add_column(style="bold")
        head.add_column()
        head.add_row("id", _safe(s.entity.id))
        head.add_row("events", _safe(str(len(s.events))))
        head.add_row("first", _safe(s.first or "-"))
        head.add_row("last", _safe(s.last or "-"))
        self.console.print(head)
        self.console.print(month_chart(sorted(s.by_month.items())))

        def counter_table(title: str, counter: Any, label: Any) -> Table:
            table = _table((title, "n"), title=None)
            for key, n in counter.most_common():
                table.add_row(_safe(label(key)), _safe(str(n)))
            return table

        self.console.print(
            Columns(
                [
                    counter_table("category", s.by_category, str),
                    counter_table("people", s.people, lambda i: _entity_label(registry, i)),
                    counter_table("vehicles", s.vehicles, lambda i: _entity_label(registry, i)),
                    counter_table("with agencies", s.partners, lambda i: _entity_label(registry, i)),
                ]
            )
        )
        self.console.print(event_table(s.events, [], f"{len(s.events)} events"))


# ------------------------------------------------------------------ helpers
def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _safe(text: str) -> Text:
    """Untrusted text as a Rich Text: never parsed as markup, controls made visible."""
    from rich.text import Text

    return Text(visible(text))


def _names(event: Event, entity_id: str) -> bool:
    return any(entity_id in event.get(f, ()) for f in ("agencies", "people", "vehicles"))


def _entity_label(registry: Registry, entity_id: str) -> str:
    entity = registry.get(entity_id)
    return f"{entity.name_zh} ({entity.name_en})" if entity else entity_id


def _entity_json(registry: Registry, entity_id: str) -> dict:
    entity = registry.get(entity_id)
    if entity is None:
        return {"id": entity_id}
    return {"id": entity.id, "kind": entity.kind, "name_zh": entity.name_zh, "name_en": entity.name_en}


def date_range(event: Event) -> str:
    return f"{event['date']}—{event['end']}" if event.get("end") else event["date"]


def _table(columns: tuple[str, ...], title: str | None) -> Any:
    # box.SIMPLE_HEAD draws no vertical lines: Chinese prose is full of East Asian
    # "ambiguous" characters (“”·—) that some terminals draw two cells wide,
    # which would push vertical borders out of line.
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=_safe(title) if title else None, title_justify="left", header_style="bold")
    for name in columns:
        table.add_column(name, no_wrap=name in ("id", "date"), overflow="fold")
    return table


def event_table(events: list[Event], highlight: list[str], title: str | None) -> Any:
    from .query import match_spans

    table = _table(("id", "date", "event"), title)
    for e in events:
        text = _safe(e["text"])
        if highlight and visible(e["text"]) == e["text"]:
            for start, end in match_spans(e["text"], highlight):
                text.stylize("bold reverse", start, end)
        table.add_row(_safe(e["id"]), _safe(date_range(e)), text)
    return table


def month_chart(counts: list[tuple[str, int]], width: int = 40) -> Any:
    """Events per month as a bar chart (one row a month)."""
    from rich.table import Table

    table = Table(box=None, show_header=False, padding=(0, 1), title="events per month", title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column(no_wrap=True, style="cyan")
    most = max((n for _, n in counts), default=0) or 1
    for month, n in counts:
        table.add_row(_safe(month), _safe(str(n)), "█" * max(1, round(n * width / most)) if n else "")
    return table


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
