"""Rich renderables built from query results: what a person sees on a terminal.

The only module that imports Rich (it is imported only when a table is drawn
or an index is built on a terminal). The functions are pure: they take
results and return renderables; `output.TableOutput` prints them. Every string
from a store or a user becomes `safe` Text, so data never becomes markup or an
escape sequence.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from .query import match_spans
from .store import ENTITY_FIELDS, Event, date_range
from .text import plural, visible

if TYPE_CHECKING:
    from .categories import Classification
    from .discover import UnknownName
    from .lookup import Match
    from .query import AgencySummary
    from .registry import Entity

Label = Callable[[str], str]  # the display name of an entity id


def console(stream: IO[str]) -> Console:
    return Console(file=stream, markup=False, emoji=False, highlight=False)


def safe(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text: never parsed as markup, controls made visible."""
    return Text(visible(text), style=style)


def _table(columns: tuple[str, ...], title: str | None) -> Table:
    # box.SIMPLE_HEAD draws no vertical lines: Chinese prose is full of East Asian
    # "ambiguous" characters (“”·—) that some terminals draw two cells wide,
    # which would push vertical borders out of line.
    table = Table(box=box.SIMPLE_HEAD, title=safe(title) if title else None, title_justify="left", header_style="bold")
    for name in columns:
        table.add_column(name, no_wrap=name in ("id", "date"), overflow="fold")
    return table


def _fields_table() -> Table:
    """Two columns without borders: a bold field name and its value."""
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def events(events: Iterable[Event], highlight: list[str] | None = None, title: str | None = None) -> Table:
    """Events as rows of id, date and text, with the matched parts of the text highlighted."""
    table = _table(("id", "date", "event"), title)
    for e in events:
        text = safe(e["text"])
        if highlight and visible(e["text"]) == e["text"]:
            for start, end in match_spans(e["text"], highlight):
                text.stylize("bold reverse", start, end)
        table.add_row(safe(e["id"]), safe(date_range(e)), text)
    return table


def month_chart(counts: list[tuple[str, int]], width: int = 40) -> Table:
    """Events per month as a bar chart (one row a month)."""
    table = Table(box=None, show_header=False, padding=(0, 1), title="events per month", title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column(no_wrap=True, style="cyan")
    most = max((n for _, n in counts), default=0) or 1
    for month, n in counts:
        table.add_row(safe(month), safe(str(n)), "█" * max(1, round(n * width / most)) if n else "")
    return table


def timeline(groups: list[tuple[str, list[Event]]]) -> list[RenderableType]:
    """The chart of events per month, then the events under a row for each month."""
    table = _table(("id", "date", "event"), title=None)
    for month, month_events in groups:
        table.add_row(safe(month), "", safe(plural(len(month_events), "event")), style="bold")
        for e in month_events:
            table.add_row(safe(e["id"]), safe(date_range(e)), safe(e["text"]))
    return [month_chart([(m, len(month_events)) for m, month_events in groups]), table]


def who(query: str, matches: list[Match], suggestions: list[Match], best_events: list[Event]) -> list[RenderableType]:
    """The matches of a name and, dimmed, the close names that are not matches; then the best match's note and events."""
    table = _table(("id", "kind", "中文", "English", "score", "matched"), title=f"who {query}")
    for m in [*matches, *suggestions]:
        kind = m.entity.kind + (f" · {m.entity.subtype}" if m.entity.subtype else "")
        matched = m.name if m.accepted else "suggestion, not a match"
        table.add_row(
            safe(m.entity.id),
            safe(kind),
            safe(m.entity.name_zh),
            safe(m.entity.name_en),
            safe(f"{m.score:g}"),
            safe(matched),
            style=None if m.accepted else "dim",
        )
    shown: list[RenderableType] = [table]
    best = matches[0].entity
    if best.note:
        shown.append(safe(f"note: {best.note}", style="dim"))
    shown.append(events(best_events, [], f"{plural(len(best_events), 'event')} of {best.name_zh} ({best.name_en})"))
    return shown


def agencies(rows: list[tuple[Entity, int]]) -> Table:
    """Every agency with its number of events."""
    table = _table(("id", "中文", "English", "class", "events"), title="agencies")
    table.columns[-1].justify = "right"
    for e, n in rows:
        table.add_row(safe(e.id), safe(e.name_zh), safe(e.name_en), safe(e.subtype), safe(str(n)))
    return table


def agency(summary: AgencySummary, label: Label) -> list[RenderableType]:
    """One agency: its counts, a chart by month, its people, vehicles and partners, its events."""
    from rich.columns import Columns

    s = summary
    head = Table(show_header=False, box=None, padding=(0, 1))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("id", safe(s.entity.id))
    head.add_row("events", safe(str(len(s.events))))
    head.add_row("first", safe(s.first or "-"))
    head.add_row("last", safe(s.last or "-"))

    def counter_table(title: str, counter: Any, name: Label) -> Table:
        table = _table((title, "n"), title=None)
        for key, n in counter.most_common():
            table.add_row(safe(name(key)), safe(str(n)))
        return table

    counters = Columns(
        [
            counter_table("category", s.by_category, str),
            counter_table("people", s.people, label),
            counter_table("vehicles", s.vehicles, label),
            counter_table("with agencies", s.partners, label),
        ]
    )
    title = safe(f"{s.entity.name_zh} · {s.entity.name_en}", style="bold")
    return [title, head, month_chart(sorted(s.by_month.items())), counters, events(s.events, [], plural(len(s.events), "event"))]


def event_detail(event: Event, label: Label) -> Table:
    """One event, field by field, its entities named in Chinese and English."""
    table = _fields_table()
    table.add_row("id", safe(event["id"]))
    table.add_row("date", safe(date_range(event)))
    table.add_row("categories", safe(", ".join(event["categories"])))
    for field in ENTITY_FIELDS:
        names = [safe(label(i)) for i in event[field]]
        table.add_row(field, Text("\n").join(names) if names else "-")
    table.add_row("text", safe(event["text"]))
    return table


def unknown(records: list[UnknownName]) -> Table:
    """Names the registry lacks, with their events, other spellings and the entity they may be."""
    table = _table(("name", "kind", "events", "variants", "like"), title=f"{plural(len(records), 'name')} not in the registry")
    for r in records:
        table.add_row(safe(r.name), safe(r.kind), safe(", ".join(r.events)), safe(", ".join(r.variants)), safe(r.like or ""))
    return table


def why(result: Classification) -> Table:
    """Which words decided each category (dim: the cues set aside, and why)."""
    table = _table(("category", "words", "counts?"), title="why these categories")
    for category, found in result.why().items():
        for words in found or ["-"]:
            table.add_row(safe(category), safe(words), safe("yes" if words != "-" else "nothing else applies"))
    for cue in result.rejected():
        table.add_row(safe(cue.category), safe(cue.words), safe(f"no: {cue.rejected}"), style="dim")
    return table


def progress_bar() -> Callable[[int, int], None] | None:
    """A progress bar on stderr while an index is built, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("indexing the store", total=1)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()

    return update
