"""Counts of events by category, month, agency, person or vehicle (one key or two). No printing.

As a facet or a frequency table: an event counts once under each value it has
(an event of two agencies counts for both, a range event in every month it
spans); one with none counts under "" (no agency). Months run without gaps
over what the filters allow (the whole year with --year), zeros where nothing
happened; other values are listed when they have events, busiest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import product
from typing import TYPE_CHECKING

from .store import FIELD_OF_KIND

if TYPE_CHECKING:
    from .query import EventFilter, EventSource

KEYS = ("category", "month", "agency", "person", "vehicle")
_FIELD_OF_KEY = {"category": "categories", **FIELD_OF_KIND}
Row = tuple[tuple[str, ...], int]  # the values of the keys, and how many events have them


def month_of(date_number: int) -> str:
    return f"{date_number // 10000:04d}-{date_number // 100 % 100:02d}"


def every_month(first: str, last: str) -> list[str]:
    """The months from `first` to `last` (YYYY-MM), both included."""
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def months_with_zeros(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """(month, n) for every month from the first to the last of `counts`, 0 for those it lacks."""
    found = dict(counts)
    return [(m, found.get(m, 0)) for m in every_month(min(found), max(found))] if found else []


def _values(source: EventSource, i: int, key: str) -> list[str]:
    if key == "month":  # every month it spans: 6月28日—7月2日 happened in June and in July
        start, end = source.dates(i)
        return every_month(month_of(start), month_of(end))
    return source.event(i)[_FIELD_OF_KEY[key]] or [""]


def _month_span(found: set[str], event_filter: EventFilter) -> list[str]:
    """Every month the filters allow: the whole of --year, from --from to --to, else from the first found to the last."""
    if not found:
        return []
    year = event_filter.year
    lows = [m for m in (f"{year:04d}-01" if year else None, event_filter.date_from, event_filter.day) if m]
    highs = [m for m in (f"{year:04d}-12" if year else None, event_filter.date_to, event_filter.day) if m]
    first = max(m[:7] for m in lows) if lows else min(found)
    last = min(m[:7] for m in highs) if highs else max(found)
    wanted = event_filter.month or (event_filter.on[0] if event_filter.on else None)
    return [m for m in every_month(first, last) if wanted is None or int(m[5:]) == wanted]


def tally(source: EventSource, numbers: Iterable[int], keys: tuple[str, ...], event_filter: EventFilter) -> list[Row]:
    """The rows of the table: each value (or pair of values) of the keys and its number of events, in display order."""
    pairs: Counter[tuple[str, ...]] = Counter()
    first: Counter[str] = Counter()  # events per value of the first key: a pair count would count an event twice
    for i in numbers:
        values = [_values(source, i, key) for key in keys]
        first.update(values[0])
        pairs.update(product(*values))
    if not first:
        return []
    months = _month_span({v[keys.index("month")] for v in pairs}, event_filter) if "month" in keys else []
    if len(keys) == 1:
        return [((value,), first[value]) for value in _order(keys[0], first, months)]
    rows: list[Row] = []
    for value in _order(keys[0], first, months):
        inner = Counter({v[1]: n for v, n in pairs.items() if v[0] == value})
        if not inner and keys[1] != "month":  # a month without events still has its row
            rows.append(((value, ""), 0))
        rows.extend(((value, second), inner[second]) for second in _order(keys[1], inner, months))
    return rows


def _order(key: str, counts: Counter[str], months: list[str]) -> list[str]:
    """Months in order, every one; other values busiest first, then by value, events with none last."""
    if key == "month":
        return months
    return sorted(counts, key=lambda v: (v == "", -counts[v], v))
