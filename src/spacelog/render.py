"""Rich renderables built from query results: what a person sees on a terminal.

The only module that imports Rich (it is imported only when a table is drawn
or an index is built on a terminal). The functions are pure: they take
results and return renderables; `output.TableOutput` prints them. Every string
from a store or a user becomes `safe` Text, so data never becomes markup or an
escape sequence.

Text and names are wrapped by the rules of Chinese text layout (`Prose`, on
`linebreak`), in tables whose columns fit their content (`FittedTable`); the
words of the interface are in the locale's language (`i18n`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len, get_character_cell_size
from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from . import linebreak
from .i18n import _, category_name, month_label, ngettext
from .query import match_spans
from .store import ENTITY_FIELDS, Event, date_range
from .text import visible

if TYPE_CHECKING:
    from .categories import Classification
    from .discover import UnknownName
    from .lookup import Match
    from .query import AgencySummary
    from .registry import Entity

Label = Callable[[str], str]  # the display name of an entity id


def cell_size(ch: str) -> int:
    """Rich's width of a character in cells, without its table search for the characters of Chinese text.

    Rich bisects a table of ranges for each new character (5 ms for the 940 of the
    shipped store); tests/test_typeset.py checks these ranges give Rich's answers.
    """
    if " " <= ch <= "~":
        return 1
    if "\u4e00" <= ch <= "\u9fff" or "\uff01" <= ch <= "\uff60" or "\u3001" <= ch <= "\u3029" or "\u3030" <= ch <= "\u303e":
        return 2
    return get_character_cell_size(ch)


MIN_WIDTH = 40  # below this Rich drops or crushes columns of the event tables


class SafeConsole(Console):
    """Rich's console with two changes: a reader that went away raises BrokenPipeError
    (Rich exits with status 1; the CLI makes it 0, as for every other format), and below
    MIN_WIDTH every table is printed one field a line (`id: …`) with nothing cut, however
    narrow: a value too long for the line wraps instead of ending in `…`."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.width >= MIN_WIDTH or not any(isinstance(o, Table | Columns | FittedTable | MonthChart) for o in objects):
            super().print(*objects, **kwargs)
            return
        for o in objects:
            for line in field_lines(o):
                super().print(line, soft_wrap=True)


def field_lines(renderable: Any) -> list[Any]:
    """A table as lines of `header: value`, a blank line between rows; other renderables as they are."""
    if isinstance(renderable, Columns):
        return [line for r in renderable.renderables for line in field_lines(r)]
    if isinstance(renderable, MonthChart):
        return [Text(_("events per month")), *(Text(f"{month_label(month)}: {n}") for month, n in renderable.counts)]
    if isinstance(renderable, FittedTable):
        headers = [col.header for col in renderable.columns]
        rows, headings, show_header = renderable.rows, renderable.headings, renderable.show_header
    elif isinstance(renderable, Table):
        headers = [str(c.header) for c in renderable.columns]
        columns = [c._cells for c in renderable.columns]
        rows = [tuple(column[r] if r < len(column) else "" for column in columns) for r in range(renderable.row_count)]
        headings, show_header = {}, renderable.show_header
    else:
        return [renderable]
    lines: list[Any] = [Text(_plain(renderable.title))] if renderable.title else []
    for n, row in enumerate(rows):
        if n in headings:
            lines.append(Text(_plain(headings[n])))
        values = [_plain(cell).replace("\n", "\n  ") for cell in row]  # a cell's own lines, indented under it
        if show_header and any(headers):
            lines.extend(Text(f"{h}: {v}") for h, v in zip(headers, values, strict=True))
            lines.append(Text(""))
        else:
            lines.append(Text(": ".join(values[:2]) + "".join(f" {v}" for v in values[2:])))
    return lines


def _plain(cell: Any) -> str:
    if isinstance(cell, Prose):
        return cell.text.plain
    return cell.plain if isinstance(cell, Text) else str(cell)


def console(stream: IO[str], style: str = "colours") -> Console:
    """A console for data (no markup, emoji or highlighting) drawing the styles output.table_style allows."""
    if style == "plain":
        return SafeConsole(file=stream, markup=False, emoji=False, highlight=False, color_system=None)
    dumb = os.environ.get("TERM") == "dumb"  # Rich would draw nothing there: bold and reverse still show
    return SafeConsole(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        force_terminal=True,
        color_system="standard" if dumb else "auto",
        no_color=style != "colours",
    )


def safe(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text: never parsed as markup, controls made visible."""
    return Text(visible(text), style=style)


def prose(text: str, balanced: bool = False) -> Prose:
    """Untrusted text wrapped by the rules of Chinese text layout; names `balanced`."""
    return Prose(safe(text), balanced)


def events_title(n: int) -> str:
    """A count of events in the interface's language: 1 event, 2 events, 2 条."""
    return ngettext("{n} event", "{n} events", n).format(n=n)


def date_cell(event: Event) -> Text:
    """A date, or a range as its start over a compact end (—09-30), so one range does not widen every row."""
    end = event.get("end")
    if not end:
        return safe(event["date"])
    same_year = end[:5] == event["date"][:5]
    return Text("\n").join([safe(event["date"]), safe(f"—{end[5:] if same_year else end}")])


DATE_CELLS = 11  # the widest date cell: a range's end in another year, —YYYY-MM-DD


def _event_table(title: str | None, id_cells: int = 0, header: bool = True) -> FittedTable:
    """The id, date and text of events; `id_cells` set, the id and date columns are as wide as any event's can be."""
    columns = (Column(_("id"), least=id_cells), Column(_("date"), least=DATE_CELLS if id_cells else 0), Column(_("event"), "text"))
    return FittedTable(columns, title=safe(title) if title else None, show_header=header)


def _table(columns: tuple[str, ...], title: str | None) -> Table:
    # box.SIMPLE_HEAD draws no vertical lines: Chinese prose is full of East Asian
    # "ambiguous" characters (“”·—) that some terminals draw two cells wide,
    # which would push vertical borders out of line.
    table = Table(box=box.SIMPLE_HEAD, title=safe(title) if title else None, title_justify="left", header_style="bold")
    for name in columns:
        table.add_column(name, no_wrap=name in ("id", "date"), overflow="fold")
    return table


def _fields_table() -> Table:
    """Two columns without borders: a bold field name and its value (wrapped by `Prose`)."""
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


def events(events: Iterable[Event], highlight: list[str] | None = None, title: str | None = None, *, id_cells: int = 0, header: bool = True) -> FittedTable:
    """Events as rows of id, date and text, with the matched parts of the text highlighted.

    A part of a long listing gives `id_cells`, the widest id of all its events, so the parts line up."""
    table = _event_table(title, id_cells, header)
    for e in events:
        text = safe(e["text"])
        if highlight and visible(e["text"]) == e["text"]:
            for start, end in match_spans(e["text"], highlight):
                text.stylize("bold reverse", start, end)
        table.add_row(safe(e["id"]), date_cell(e), Prose(text))
    return table


class MonthChart:
    """Events per month as a bar chart (one row a month), the bars 40 cells or less on a narrow terminal."""

    def __init__(self, counts: list[tuple[str, int]]) -> None:
        from .stats import months_with_zeros

        self.counts = months_with_zeros(counts)  # a month without events is a row without a bar, not a gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(4, min(40, options.max_width - 20))
        table = Table(box=None, show_header=False, padding=(0, 1), title=_("events per month"), title_justify="left")
        table.add_column(no_wrap=True)
        table.add_column(justify="right")
        table.add_column(no_wrap=True, style="cyan")
        most = max((n for _month, n in self.counts), default=0) or 1
        for month, n in self.counts:
            table.add_row(safe(month_label(month)), safe(str(n)), "█" * max(1, round(n * width / most)) if n else "")
        yield table


def timeline(groups: list[tuple[str, list[Event]]], totals: dict[str, int]) -> list[RenderableType]:
    """The chart of events per month, then the events under a heading for each month (2017-03 · 6 events);
    `totals`, the number of all the matches of each month listed, when --limit cut the listing
    (2017-03 · 2 of 6 events)."""
    counts = [(month, totals.get(month, len(month_events))) for month, month_events in groups]
    shown: list[tuple[str, tuple[int, int] | None, list[Event]]] = [
        (month, (len(month_events), n), month_events) for (month, n), (_, month_events) in zip(counts, groups, strict=True)
    ]
    return [*month_chart(counts), timeline_table(shown)]


def month_chart(counts: list[tuple[str, int]]) -> list[RenderableType]:
    return [MonthChart(counts), Text()]


def timeline_table(groups: list[tuple[str, tuple[int, int] | None, list[Event]]], *, id_cells: int = 0, header: bool = True) -> FittedTable:
    """Events under a heading for each month that gives its number of events (listed, and in all: fewer
    are listed under --limit); a month whose numbers are None goes on from the part of a long timeline
    before (see `events` for `id_cells`)."""
    table = _event_table(None, id_cells, header)
    for month, counts, month_events in groups:
        if counts is not None:
            listed, count = counts
            if listed == count:
                heading = _("{month} · {count}").format(month=month_label(month), count=events_title(count))
            else:
                heading = _("{month} · {listed} of {count}").format(month=month_label(month), listed=listed, count=events_title(count))
            table.add_heading(Text(visible(heading), style="bold"))
        for e in month_events:
            table.add_row(safe(e["id"]), date_cell(e), prose(e["text"]))
    return table


def who(query: str, matches: list[Match], suggestions: list[Match], best_events: list[Event]) -> list[RenderableType]:
    """The matches of a name and, dimmed, the close names that are not matches; then the best match's note and events."""
    columns = (
        Column(_("id")),
        Column(_("kind")),
        Column(_("中文"), "name"),
        Column(_("English"), "name"),
        Column(_("score"), justify="right"),
        Column(_("matched"), "name"),
    )
    table = FittedTable(columns, title=safe(_("who {query}").format(query=query)))
    for m in [*matches, *suggestions]:
        kind = _(m.entity.kind) + (f" · {m.entity.subtype}" if m.entity.subtype else "")
        matched = m.name if m.accepted else _("suggestion, not a match")
        names = (prose(m.entity.name_zh, balanced=True), prose(m.entity.name_en, balanced=True))
        table.add_row(safe(m.entity.id), safe(kind), *names, safe(f"{m.score:g}"), prose(matched, balanced=True), style=None if m.accepted else "dim")
    shown: list[RenderableType] = [table]
    best = matches[0].entity
    if best.note:
        shown.append(safe(_("note: {note}").format(note=best.note), style="dim"))
    title = _("{count} of {name}").format(count=events_title(len(best_events)), name=f"{best.name_zh} ({best.name_en})")
    shown += [Text(), events(best_events, [], title)]
    return shown


def entities(kind: str, rows: list[tuple[Entity, int]]) -> FittedTable:
    """Every agency, person or vehicle with its number of events; a class column when any has one."""
    classes = any(e.subtype for e, _n in rows)
    columns = (Column(_("id")), Column(_("中文"), "name"), Column(_("English"), "name"), *([Column(_("class"))] if classes else []))
    table = FittedTable(
        (*columns, Column(_("events"), justify="right")), title=safe(_({"agency": "agencies", "person": "people", "vehicle": "vehicles"}[kind]))
    )
    for e, n in rows:
        names = (prose(e.name_zh, balanced=True), prose(e.name_en, balanced=True))
        table.add_row(safe(e.id), *names, *([safe(e.subtype)] if classes else []), safe(str(n)))
    return table


def agency(summary: AgencySummary, label: Label) -> list[RenderableType]:
    """One agency: its counts, a chart by month, its people, vehicles and partners, its events."""
    from rich.columns import Columns

    s = summary
    head = Table(show_header=False, box=None, padding=(0, 1))
    head.add_column(style="bold")
    head.add_column()
    head.add_row(_("id"), safe(s.entity.id))
    head.add_row(_("events"), safe(str(len(s.numbers))))
    head.add_row(_("first"), safe(s.first or "-"))
    head.add_row(_("last"), safe(s.last or "-"))

    def counter_table(title: str, counter: Any, name: Label) -> Table:
        table = _table((title, _("n")), title=None)
        for key, n in counter.most_common():
            table.add_row(prose(name(key), balanced=True), safe(str(n)))
        return table

    counters = Columns(
        [
            counter_table(_("category"), s.by_category, category_name),
            counter_table(_("people"), s.people, label),
            counter_table(_("vehicles"), s.vehicles, label),
            counter_table(_("with agencies"), s.partners, label),
        ]
    )
    title = safe(f"{s.entity.name_zh} · {s.entity.name_en}", style="bold")
    return [title, head, MonthChart(sorted(s.by_month.items())), counters]  # then its events, listed as search lists them


def stats(keys: tuple[str, ...], rows: list[tuple[tuple[str, ...], int]], label: Label) -> FittedTable:
    """Counts by one or two keys, each with a bar (as a frequency table); a month without events has an empty bar."""
    most = max((n for _values, n in rows), default=0) or 1

    def shown(key: str, value: str, n: int) -> Any:
        if not value:
            return safe("-" if n else "")
        if key == "month":
            return safe(month_label(value))
        return prose(category_name(value) if key == "category" else label(value), balanced=True)

    columns = [*(Column(_(key), "name") for key in keys), Column(_("events"), justify="right"), Column("", "fixed")]
    table = FittedTable(columns)
    for values, n in rows:
        bar = Text("█" * max(1, round(n * STATS_BAR / most)) if n else "", style="cyan")
        table.add_row(*(shown(k, v, n) for k, v in zip(keys, values, strict=True)), safe(str(n)), bar)
    return table


def event_detail(event: Event, label: Label) -> Table:
    """One event, field by field, its entities named in Chinese and English."""
    table = _fields_table()
    table.add_row(_("id"), safe(event["id"]))
    table.add_row(_("date"), safe(date_range(event)))
    table.add_row(_("categories"), prose(_(", ").join(category_name(c) for c in event["categories"])))
    for entity_field in ENTITY_FIELDS:
        names = [safe(label(i)) for i in event[entity_field]]
        table.add_row(_(entity_field), Prose(Text("\n").join(names)) if names else "-")
    table.add_row(_("text"), prose(event["text"]))
    return table


def related(rows: list[tuple[Event, list[str]]], label: Label) -> FittedTable:
    """The events that name the same people or vehicles, with what they share (spacelog show ID prints one)."""
    table = FittedTable((Column(_("id")), Column(_("date")), Column(_("shares"), "name")), title=safe(_("related events"), style="bold"))
    for e, shared in rows:
        table.add_row(safe(e["id"]), date_cell(e), Prose(Text("\n").join(safe(label(i)) for i in shared)))
    return table


def unknown(records: list[UnknownName]) -> FittedTable:
    """Names the registry lacks, with their events, other spellings and the entity they may be."""
    columns = (Column(_("name"), "name"), Column(_("kind")), Column(_("events"), "name"), Column(_("variants"), "name"), Column(_("like"), "name"))
    title = ngettext("{n} name not in the registry", "{n} names not in the registry", len(records)).format(n=len(records))
    table = FittedTable(columns, title=safe(title))
    for r in records:
        table.add_row(prose(r.name), safe(_(r.kind)), prose(", ".join(r.events)), prose(", ".join(r.variants)), prose(r.like or ""))
    return table


def why(result: Classification) -> FittedTable:
    """Which words decided each category (dim: the cues set aside, and why)."""
    table = FittedTable((Column(_("category")), Column(_("words"), "name"), Column(_("counts?"), "text")), title=safe(_("why these categories")))
    for category, found in result.why().items():
        for words in found or ["-"]:
            table.add_row(safe(category_name(category)), prose(words), prose(_("yes") if words != "-" else _("nothing else applies")))
    for cue in result.rejected():
        table.add_row(safe(category_name(cue.category)), prose(cue.words), prose(_("no: {reason}").format(reason=cue.rejected)), style="dim")
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


TEXT_MIN = 24  # the narrowest text column worth reading (12 Chinese characters)
NAME_MIN = 12  # names up to 6 Chinese characters wrap only when the table cannot fit otherwise
STATS_BAR = 30  # the longest bar of stats, in cells
NAME_LEAST = 6  # below 3 Chinese characters a name column is worse than one field a line


# ------------------------------------------------------------------ Chinese text layout
class Prose:
    """A Text wrapped by Chinese line-breaking rules; styles and highlights are kept."""

    def __init__(self, text: Text, balanced: bool = False) -> None:
        self.text = text
        self.balanced = balanced  # lines of even length (names): no one-character orphan
        self._pieces: list | None = None
        self._widths: tuple[int, int] | None = None

    @property
    def pieces(self) -> list:
        if self._pieces is None:
            self._pieces = linebreak.atoms(self.text.plain, cell_size)
        return self._pieces

    def widths(self) -> tuple[int, int]:
        """(narrowest width that cuts no word, width on one line): kept, as Rich's Columns measures a cell several times."""
        if self._widths is None:
            lines = self.text.plain.split("\n")
            if len(lines) > 1:
                parts = [linebreak.atoms(line, cell_size) for line in lines]
                self._widths = max(linebreak.min_width(p) for p in parts), max(linebreak.full_width(p) for p in parts)
            else:
                self._widths = linebreak.min_width(self.pieces), linebreak.full_width(self.pieces)
        return self._widths

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        low, high = self.widths()
        return Measurement(max(low, 1), max(high, 1)).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for i, line in enumerate(self.lines(console, options.max_width)):
            if i:
                yield Segment.line()
            yield from line

    def wrapped(self, width: int) -> list[tuple[int, int]]:
        """The (start, end) of each line at `width` cells."""
        plain = self.text.plain
        pieces = None if "\n" in plain else self.pieces
        lines = linebreak.wrap(plain, width, cell_size, pieces)
        if self.balanced and len(lines) > 1:
            lines = _balanced(plain, width, pieces, len(lines))
        return lines

    def lines(self, console: Console, width: int, pad: bool = False) -> list[list[Segment]]:
        """The wrapped lines at `width` cells, as segments (without their line ends); `pad`: each
        padded with spaces to `width` (cut if longer), as Rich pads a cell."""
        lines = self.wrapped(width)
        parts = self.text.divide([o for line in lines for o in line])  # parts[2i+1] is line i; the others are dropped spaces
        rendered = [list(parts[2 * i + 1].render(console, end="")) for i in range(len(lines))]
        if not pad:
            return rendered
        plain, padded = self.text.plain, []
        for (start, end), line in zip(lines, rendered, strict=True):
            gap = width - sum(map(cell_size, plain[start:end]))
            padded.append([*line, Segment(" " * gap)] if gap > 0 else line if gap == 0 else Segment.adjust_line_length(line, width))
        return padded


def _balanced(plain: str, width: int, pieces: list | None, count: int) -> list[tuple[int, int]]:
    """The wrap in `count` lines at the narrowest width that still needs only `count` lines."""
    best = linebreak.wrap(plain, width, cell_size, pieces)
    while width > 1:
        narrower = linebreak.wrap(plain, width - 1, cell_size, pieces)
        if len(narrower) > count:
            break
        best, width = narrower, width - 1
    return best


def _cell_width(cell: Any) -> int:
    """Width of a cell that never wraps (its widest line)."""
    if isinstance(cell, Text):
        return max((Text(line).cell_len for line in cell.plain.split("\n")), default=0) if "\n" in cell.plain else cell.cell_len
    return Text(str(cell)).cell_len


@dataclass
class Column:
    header: str
    kind: str = "fixed"  # fixed (never wraps), name (wraps if it must), text (takes the rest)
    justify: str = "left"
    least: int = 0  # cells of content at least: every part of a listing printed in parts lines up


@dataclass
class FittedTable:
    """A table whose columns fit their content, or one field a line when the width is too small."""

    columns: Sequence[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    title: Text | None = None
    show_header: bool = True
    row_styles: list[str | None] = field(default_factory=list)
    headings: dict[int, Text] = field(default_factory=dict)  # row index -> a heading line drawn before it
    _measured: list[tuple[int, int]] | None = field(default=None, repr=False)

    def add_row(self, *cells: Any, style: str | None = None) -> None:
        self.rows.append(cells)
        self.row_styles.append(style)

    def add_heading(self, heading: Text) -> None:
        """A line across the table before the next row (a month in the timeline)."""
        self.headings[len(self.rows)] = heading

    def _content(self) -> list[tuple[int, int]]:
        """(widest word, widest line) of each column's header and cells: measured once."""
        if self._measured is None:
            self._measured = []
            for i, col in enumerate(self.columns):
                header = Text(col.header).cell_len if self.show_header else 0
                cells = [row[i] for row in self.rows]
                if col.kind == "fixed":
                    widest = max([header, col.least, *(_cell_width(c) for c in cells)])
                    self._measured.append((widest, widest))
                    continue
                measured = [c.widths() if isinstance(c, Prose) else (_cell_width(c),) * 2 for c in cells]
                self._measured.append((max([header, *(m[0] for m in measured)]), max([header, *(m[1] for m in measured)])))
        return self._measured

    def _needs(self, name_min: int) -> list[tuple[int, int]]:
        """(minimum, wanted) content width of each column, names at least `name_min` wide (if that long)."""
        needs = []
        for col, (low, high) in zip(self.columns, self._content(), strict=True):
            if col.kind != "fixed":
                low = max(low, min(high, TEXT_MIN if col.kind == "text" else name_min))
            needs.append((low, high))
        return needs

    def widths(self, width: int) -> list[int] | None:
        """Content width of each column at `width` cells, or None when it cannot be a table.

        Names first get NAME_MIN cells; if that does not fit, NAME_LEAST, wrapped
        evenly; if even that does not fit, the table is printed one field a line.
        """
        for name_min in (NAME_MIN, NAME_LEAST):
            widths = self._widths(width, self._needs(name_min))
            if widths is not None:
                return widths
        return None

    def _widths(self, width: int, needs: list[tuple[int, int]]) -> list[int] | None:
        free = width - _extra(self.columns)
        free -= sum(low for (low, _high), col in zip(needs, self.columns, strict=True) if col.kind == "fixed")
        flexible = [i for i, col in enumerate(self.columns) if col.kind != "fixed"]
        widths = [low for low, _high in needs]
        if free < sum(needs[i][0] for i in flexible):
            return None
        text = [i for i in flexible if self.columns[i].kind == "text"]
        names = [i for i in flexible if self.columns[i].kind == "name"]
        free -= sum(widths[i] for i in flexible)
        # Names grow to their full width first, the shortest first (fewest wrapped
        # names), then the text column takes the rest.
        for i in sorted(names, key=lambda i: needs[i][1] - widths[i]):
            extra = min(free, needs[i][1] - widths[i])
            widths[i] += extra
            free -= extra
        if text and free > 0:
            widths[text[-1]] += free
        return widths

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        needs = self._needs(NAME_LEAST)
        extra = _extra(self.columns)
        return Measurement(sum(n[0] for n in needs) + extra, sum(n[1] for n in needs) + extra).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.widths(options.max_width)
        if self.title is not None:
            yield self.title
        if widths is None:
            yield self._records()
            return
        # The header is Rich's; the rows are drawn to the same widths, so a heading
        # between them can be a full line and the columns still line up.
        if self.show_header:
            yield self._table(widths, 0, 0, header=True)
        starts = sorted({0, *self.headings})
        for start, end in zip(starts, [*starts[1:], len(self.rows)], strict=True):
            if start in self.headings:
                yield self.headings[start]
            yield from self._rows(console, options, widths, start, end)

    def _table(self, widths: list[int], start: int, end: int, header: bool) -> Table:
        # box.SIMPLE_HEAD draws no vertical lines: Chinese prose is full of East Asian
        # "ambiguous" characters (“”·—) that some terminals draw two cells wide,
        # which would push vertical borders out of line.
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", show_header=header)
        for col, w in zip(self.columns, widths, strict=True):
            table.add_column(col.header, width=w, no_wrap=col.kind == "fixed", justify=col.justify)  # type: ignore[arg-type]
        for row, style in zip(self.rows[start:end], self.row_styles[start:end], strict=True):
            table.add_row(*row, style=style)
        return table

    def _rows(self, console: Console, options: ConsoleOptions, widths: list[int], start: int, end: int) -> Iterator[Segment]:
        """Rows start to end drawn as `_table` draws them (cells padded by a space each side, a space
        between), line by line: a third of the time Rich's Table takes, for the same segments."""
        blank = Segment(" ")
        for row, style in zip(self.rows[start:end], self.row_styles[start:end], strict=True):
            row_style = console.get_style(style) if style else None
            cells = [self._cell_lines(console, options, cell, col, w) for cell, col, w in zip(row, self.columns, widths, strict=True)]
            height = max(len(lines) for lines in cells)
            divider = Segment(" ", row_style.background_style) if row_style and row_style.bgcolor else blank  # as Rich styles a blank divider
            for n in range(height):
                for i, (lines, w) in enumerate(zip(cells, widths, strict=True)):
                    if i:
                        yield divider
                    line = [blank, *lines[n], blank] if n < len(lines) else [Segment(" " * (w + 2))]
                    yield from Segment.apply_style(line, row_style) if row_style else line
                yield Segment.line()

    @staticmethod
    def _cell_lines(console: Console, options: ConsoleOptions, cell: Any, col: Column, width: int) -> list[list[Segment]]:
        """A cell's lines, each exactly `width` cells."""
        if isinstance(cell, Prose):
            return cell.lines(console, width, pad=True)
        if isinstance(cell, Text) and not (cell.spans or cell.style or cell.justify or cell.overflow or "\t" in cell.plain) and cell.end == "\n":
            # A plain Text that fits: the one segment a line that Rich's wrap and justify give it.
            lines = cell.plain.split("\n")
            if col.justify == "right":
                lines = [line.rstrip() for line in lines]
            pads = [width - cell_len(line) for line in lines]
            if min(pads) >= 0:
                if col.justify == "right":
                    return [[Segment(" " * pad + line)] for line, pad in zip(lines, pads, strict=True)]
                return [[Segment(line + " " * pad)] for line, pad in zip(lines, pads, strict=True)]
        cell_options = options.update(width=width, justify=col.justify, no_wrap=col.kind == "fixed", height=None, highlight=False)  # type: ignore[arg-type]
        return console.render_lines(cell, cell_options, pad=True)

    def _records(self) -> Group:
        """One field a line, a blank line between rows: for terminals too narrow for columns."""
        labels = max(Text(col.header).cell_len for col in self.columns)
        parts: list[Any] = []
        for n, (row, style) in enumerate(zip(self.rows, self.row_styles, strict=True)):
            if n in self.headings:
                parts.append(self.headings[n])
            grid = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
            grid.add_column(style="bold", no_wrap=True, width=labels)
            grid.add_column()
            for col, cell in zip(self.columns, row, strict=True):
                if not (isinstance(cell, Text) and not cell.plain):
                    grid.add_row(col.header, cell, style=style)
            parts.append(grid)
            parts.append(Text())
        return Group(*parts[:-1])


def _extra(columns: Sequence[Column]) -> int:
    """Cells a table of these columns spends on padding and separators (no edges)."""
    return 3 * len(columns) - 1
