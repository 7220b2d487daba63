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

    def _bar_width(self) -> int:
        """Cells for the bars of a month chart: 40, less on a narrow terminal."""
        return max(4, min(40, self.console.width - 20))

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
        from rich.text import Text

        self.console.print(month_chart([(m, len(numbers)) for m, numbers in groups], self._bar_width()))
        self.console.print()
        table = _event_layout(None)
        for month, numbers in groups:
            heading = _t("{month} · {count}").format(month=month_label(month), count=_events(len(numbers)))
            table.add_heading(Text(visible(heading), style="bold"))
            for e in (source.event(i) for i in numbers):
                table.add_row(_safe(e["id"]), date_cell(e), _prose(e["text"]))
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

        from .i18n import category_name
        from .typeset import Prose

        table = Table(show_header=False, box=None, padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_row(_t("id"), _safe(event["id"]))
        table.add_row(_t("date"), _safe(date_range(event)))
        table.add_row(_t("categories"), _prose(_t(", ").join(category_name(c) for c in event["categories"])))
        for field, label in (("agencies", _t("agencies")), ("people", _t("people")), ("vehicles", _t("vehicles"))):
            names = [_safe(_entity_label(registry, i)) for i in event[field]]
            table.add_row(label, Prose(Text("\n").join(names)) if names else "-")
        table.add_row(_t("text"), _prose(event["text"]))
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
            from .typeset import Column, FittedTable

            columns = (
                Column(_t("id")),
                Column(_t("kind")),
                Column(_t("中文"), "name"),
                Column(_t("English"), "name"),
                Column(_t("score"), justify="right"),
                Column(_t("matched"), "name"),
            )
            table = FittedTable(columns, title=_safe(_t("who {query}").format(query=query)))
            for m in matches:
                kind = _t(m.entity.kind) + (f" · {m.entity.cls}" if m.entity.cls else "")
                table.add_row(
                    _safe(m.entity.id),
                    _safe(kind),
                    _prose(m.entity.name_zh, balanced=True),
                    _prose(m.entity.name_en, balanced=True),
                    _safe(f"{m.score:g}"),
                    _prose(m.name, balanced=True),
                )
            self.console.print(table)
            best = matches[0].entity
            if best.note:
                self.console.print(_safe(_t("note: {note}").format(note=best.note)), style="dim")
            mine = [source.event(i) for i in numbers[best.id]]
            title = _t("{count} of {name}").format(count=_events(len(mine)), name=f"{best.name_zh} ({best.name_en})")
            self.console.print()
            self.console.print(event_table(mine, [], title))

    # -------------------------------------------------------------- agency
    def agency_list(self, rows: list[tuple[Entity, list[int]]], source: EventSource) -> None:
        if self.format in ("json", "jsonl"):
            records = [{"id": e.id, "name_zh": e.name_zh, "name_en": e.name_en, "events": [source.event_id(i) for i in numbers]} for e, numbers in rows]
            self.json_document(records) if self.format == "json" else self.json_lines(records)
        elif self.format in ("tsv", "csv"):
            self.rows(("id", "name_zh", "name_en", "events"), ((e.id, e.name_zh, e.name_en, len(numbers)) for e, numbers in rows))
        else:
            from .typeset import Column, FittedTable

            columns = (Column(_t("id")), Column(_t("中文"), "name"), Column(_t("English"), "name"), Column(_t("class")), Column(_t("events"), justify="right"))
            table = FittedTable(columns, title=_safe(_t("agencies")))
            for e, numbers in rows:
                table.add_row(_safe(e.id), _prose(e.name_zh, balanced=True), _prose(e.name_en, balanced=True), _safe(e.cls), _safe(str(len(numbers))))
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

        from .i18n import category_name

        self.console.print(_safe(f"{s.entity.name_zh} · {s.entity.name_en}"), style="bold")
        head = Table(show_header=False, box=None, padding=(0, 1))
        head.add_column(style="bold")
        head.add_column()
        head.add_row(_t("id"), _safe(s.entity.id))
        head.add_row(_t("events"), _safe(str(len(s.events))))
        head.add_row(_t("first"), _safe(s.first or "-"))
        head.add_row(_t("last"), _safe(s.last or "-"))
        self.console.print(head)
        self.console.print(month_chart(sorted(s.by_month.items()), self._bar_width()))

        def counter_table(title: str, counter: Any, label: Any) -> Table:
            table = _table((title, _t("n")), title=None)
            for key, n in counter.most_common():
                table.add_row(_prose(label(key), balanced=True), _safe(str(n)))
            return table

        self.console.print(
            Columns(
                [
                    counter_table(_t("category"), s.by_category, category_name),
                    counter_table(_t("people"), s.people, lambda i: _entity_label(registry, i)),
                    counter_table(_t("vehicles"), s.vehicles, lambda i: _entity_label(registry, i)),
                    counter_table(_t("with agencies"), s.partners, lambda i: _entity_label(registry, i)),
                ]
            )
        )
        self.console.print(event_table(s.events, [], _events(len(s.events))))


# ------------------------------------------------------------------ helpers
def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _safe(text: str) -> Text:
    """Untrusted text as a Rich Text: never parsed as markup, controls made visible."""
    from rich.text import Text

    return Text(visible(text))


# ------------------------------------------------------------------ the interface's language (tables only)
def _t(message: str) -> str:
    """A table's word in the interface's language (i18n), loaded only when a table is drawn."""
    from .i18n import _

    return _(message)


def _events(n: int) -> str:
    from .i18n import ngettext

    return ngettext("{n} event", "{n} events", n).format(n=n)


def month_label(month: str) -> str:
    from .i18n import month_label as label

    return label(month)


def _prose(text: str, balanced: bool = False) -> Any:
    """Untrusted text that wraps by the rules of Chinese text layout (typeset.Prose); names `balanced`."""
    from .typeset import Prose

    return Prose(_safe(text), balanced)


def date_cell(event: Event) -> Text:
    """A date, or a range as its start over a compact end (—09-30), so one range does not widen every row."""
    from rich.text import Text

    end = event.get("end")
    if not end:
        return _safe(event["date"])
    same_year = end[:5] == event["date"][:5]
    return Text("\n").join([_safe(event["date"]), _safe(f"—{end[5:] if same_year else end}")])


def _event_layout(title: str | None) -> Any:
    from .typeset import Column, FittedTable

    return FittedTable((Column(_t("id")), Column(_t("date")), Column(_t("event"), "text")), title=_safe(title) if title else None)


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
    from .typeset import Prose

    table = _event_layout(title)
    for e in events:
        text = _safe(e["text"])
        if highlight and visible(e["text"]) == e["text"]:
            for start, end in match_spans(e["text"], highlight):
                text.stylize("bold reverse", start, end)
        table.add_row(_safe(e["id"]), date_cell(e), Prose(text))
    return table


def month_chart(counts: list[tuple[str, int]], width: int = 40) -> Any:
    """Events per month as a bar chart (one row a month)."""
    from rich.table import Table

    table = Table(box=None, show_header=False, padding=(0, 1), title=_t("events per month"), title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column(no_wrap=True, style="cyan")
    most = max((n for _, n in counts), default=0) or 1
    for month, n in counts:
        table.add_row(_safe(month_label(month)), _safe(str(n)), "█" * max(1, round(n * width / most)) if n else "")
    return table
