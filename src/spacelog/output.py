"""Where results go, in the format chosen once: tables for a person, lines for a program.

`choose_output` picks a `TableOutput` (Rich tables, built by `render`) or a
`lines.LineOutput` (tsv, csv, excel, json, jsonl; `exports.ExportOutput` adds
markdown, html and chronicle); all have the methods of `Output`,
so a command hands over its results without asking which format is in use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from functools import cached_property
from itertools import islice
from types import ModuleType
from typing import IO, TYPE_CHECKING, Protocol

from .errors import UsageError

if TYPE_CHECKING:
    from .categories import Classification
    from .discover import UnknownName
    from .lookup import Match
    from .query import AgencySummary, EventSource
    from .registry import Entity, Registry
    from .render import Console
    from .store import Event

FORMATS = ("table", "tsv", "csv", "excel", "json", "jsonl", "markdown", "html", "chronicle")
COLORS = ("auto", "always", "never")
_paged: list = []  # the pager streams opened by choose_output, closed by finish()
LISTING_PART = 500  # events of a terminal listing drawn at a time


class Output(Protocol):
    """What a command can print; each method takes query results, never runs a query."""

    def listing(self, source: EventSource, numbers: list[int], registry: Registry, highlight: list[str] | None = None) -> None: ...

    # the listed events by month; `every`: all the matches in date order, when --limit cut the listing
    def timeline(self, source: EventSource, groups: list[tuple[str, list[int]]], registry: Registry, *, every: list[int] | None = None) -> None: ...

    # the matches of a name, the close names that are not matches, and for each match the numbers of its events
    def who(self, query: str, matches: list[Match], suggestions: list[Match], numbers: list[list[int]], source: EventSource) -> None: ...

    # every agency, person or vehicle (`kind`) with its events
    def entities(self, kind: str, rows: list[tuple[Entity, list[int]]], source: EventSource) -> None: ...

    def agency(self, summary: AgencySummary, registry: Registry) -> None: ...

    # one event, and the events related to it (with the ids of the entities they share)
    def event(self, event: Event, registry: Registry, *, related: list[tuple[Event, list[str]]] | None = None) -> None: ...

    def unknown(self, records: list[UnknownName], registry: Registry) -> None: ...  # toml: registry entries to review

    # an event with the words that decided each category, and the cues set aside
    def event_why(self, event: Event, registry: Registry, result: Classification) -> None: ...

    def count(self, n: int) -> None: ...  # --count: the number alone, in every format

    # events counted by one or two keys (stats.tally's rows)
    def stats(self, keys: tuple[str, ...], rows: list[tuple[tuple[str, ...], int]], registry: Registry) -> None: ...


def choose_output(
    fmt: str | None,
    stream: IO[str] | None = None,
    *,
    fields: list[str] | None = None,
    header: bool = True,
    color: str = "auto",
    page: bool = False,
    formats: tuple[str, ...] = FORMATS,
) -> Output:
    """The output for `--format`: by default a table on a terminal, tsv in a pipe (and with `--fields`).

    With `page`, output to a terminal goes through the pager once it is longer
    than the screen (the pager module is imported only for a terminal).
    """
    if (fmt is not None and fmt not in formats) or color not in COLORS:
        from .suggest import check_choice

        check_choice("format", fmt or formats[0], formats)
        check_choice("--color value", color, COLORS)
    if fields and fmt == "table":
        raise UsageError("--fields chooses the columns of tsv, csv, excel, markdown, html, json and jsonl, not of a table; add --format tsv")
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    tty = bool(isatty and isatty())
    fmt = fmt or ("table" if tty and not fields else "tsv")
    if tty and page:
        from .pager import paged

        stream = paged(stream)
        _paged.append(stream)
    if fmt == "table":
        return TableOutput(stream, table_style(color, tty))
    if fmt in ("markdown", "html", "chronicle"):  # imported only for them: piped start-up stays as it was
        from .exports import ExportOutput

        return ExportOutput(fmt, stream, fields, header)
    from .lines import LineOutput

    return LineOutput(fmt, stream, fields, header)


def finish() -> None:
    """Hand the pager the end of the output and wait until the user leaves it (as git does)."""
    while _paged:
        stream = _paged.pop()
        close = getattr(stream, "close_pager", None)
        if close is not None:
            close()


PLAIN, ATTRIBUTES, COLOURS = "plain", "attributes", "colours"


def table_style(color: str, tty: bool) -> str:
    """What a table may use: nothing (a pipe, --color never), attributes only (bold, reverse:
    NO_COLOR, TERM=dumb, so that matches stay visible), or colours too. FORCE_COLOR and
    CLICOLOR_FORCE style a table that goes to a pipe; --color beats every variable."""
    if color != "auto":
        return COLOURS if color == "always" else PLAIN
    forced = any(os.environ.get(name, "") not in ("", "0") for name in ("FORCE_COLOR", "CLICOLOR_FORCE"))
    if not (tty or forced):
        return PLAIN
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return ATTRIBUTES
    return COLOURS


class TableOutput:
    """Results as Rich tables, for a person at a terminal (Rich is imported only here, through `render`)."""

    def __init__(self, stream: IO[str], style: str = COLOURS) -> None:
        self.stream, self.style = stream, style

    @cached_property
    def render(self) -> ModuleType:  # imported when a table is drawn: an error alone needs no Rich
        from . import render

        return render

    @cached_property
    def console(self) -> Console:
        return self.render.console(self.stream, self.style)

    def listing(self, source: EventSource, numbers: list[int], registry: Registry, highlight: list[str] | None = None, title: str | None = None) -> None:
        if len(numbers) <= LISTING_PART:
            self.console.print(self.render.events([source.event(i) for i in numbers], highlight, title))
            return
        # A long listing is drawn a part at a time, as git log feeds its pager: the first
        # screen comes at once, and memory holds one part whatever the number of events.
        id_cells = max(map(len, map(source.event_id, numbers)))
        for start in range(0, len(numbers), LISTING_PART):
            part = source.decoded(numbers[start : start + LISTING_PART])
            self.console.print(self.render.events(part, highlight, title if not start else None, id_cells=id_cells, header=not start))

    def timeline(self, source: EventSource, groups: list[tuple[str, list[int]]], registry: Registry, *, every: list[int] | None = None) -> None:
        from .query import month_counts

        totals = {} if every is None else month_counts(source, every, [month for month, _ in groups])  # each listed month's matches
        if sum(len(numbers) for _, numbers in groups) <= LISTING_PART:
            for shown in self.render.timeline([(month, [source.event(i) for i in numbers]) for month, numbers in groups], totals):
                self.console.print(shown)
            return
        for shown in self.render.month_chart([(month, totals.get(month, len(numbers))) for month, numbers in groups]):
            self.console.print(shown)
        id_cells = max(len(source.event_id(i)) for _, numbers in groups for i in numbers)
        for k, part in enumerate(_parts(groups, LISTING_PART, totals)):  # as `listing` draws a long list
            events = iter(source.decoded([i for _, _, numbers in part for i in numbers]))
            shown = [(month, count, list(islice(events, len(numbers)))) for month, count, numbers in part]
            self.console.print(self.render.timeline_table(shown, id_cells=id_cells, header=not k))

    def who(self, query: str, matches: list[Match], suggestions: list[Match], numbers: list[list[int]], source: EventSource) -> None:
        for shown in self.render.who(query, matches, suggestions, [source.event(i) for i in numbers[0]]):
            self.console.print(shown)

    def entities(self, kind: str, rows: list[tuple[Entity, list[int]]], source: EventSource) -> None:
        self.console.print(self.render.entities(kind, [(entity, len(numbers)) for entity, numbers in rows]))

    def agency(self, summary: AgencySummary, registry: Registry) -> None:
        for shown in self.render.agency(summary, registry.label):
            self.console.print(shown)
        self.listing(summary.source, summary.listed, registry, title=self.render.events_title(len(summary.numbers)))

    def event(self, event: Event, registry: Registry, *, related: list[tuple[Event, list[str]]] | None = None) -> None:
        self.console.print(self.render.event_detail(event, registry.label))
        if related:
            self.console.print()
            self.console.print(self.render.related(related, registry.label))

    def unknown(self, records: list[UnknownName], registry: Registry) -> None:
        if records:
            self.console.print(self.render.unknown(records))

    def stats(self, keys: tuple[str, ...], rows: list[tuple[tuple[str, ...], int]], registry: Registry) -> None:
        self.console.print(self.render.stats(keys, rows, registry.label))

    def event_why(self, event: Event, registry: Registry, result: Classification) -> None:
        self.console.print(self.render.event_detail(event, registry.label))
        self.console.print(self.render.why(result))

    def count(self, n: int) -> None:
        self.stream.write(f"{n}\n")


def _parts(groups: list[tuple[str, list[int]]], size: int, totals: dict[str, int]) -> Iterator[list[tuple[str, tuple[int, int] | None, list[int]]]]:
    """The months' events `size` at a time: (month, the number of its events listed and of all of them
    (`totals`, else the same), or None where it goes on from the part before, events)."""
    part: list[tuple[str, tuple[int, int] | None, list[int]]] = []
    room = size
    for month, numbers in groups:
        at = 0
        while at < len(numbers):
            taken = numbers[at : at + room]
            part.append((month, None if at else (len(numbers), totals.get(month, len(numbers))), taken))
            at, room = at + len(taken), room - len(taken)
            if not room:
                yield part
                part, room = [], size
    if part:
        yield part
