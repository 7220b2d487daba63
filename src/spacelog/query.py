"""Queries: filters, search, timelines and agency summaries. No printing.

Queries work on an event *source* and on event numbers (0 .. n-1), not on
decoded events, so the same code answers from events held in memory
(`MemorySource`, small stores) and from an index on disk (`index.IndexSource`,
large stores), and gives the same answer from both. Only the events a
command prints are decoded.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property, partial
from itertools import groupby, repeat
from operator import floordiv, itemgetter
from typing import Protocol

from .errors import UsageError
from .lookup import MAX_NAME
from .registry import Entity, Registry
from .store import ENTITY_FIELDS, FIELD_OF_KIND, TAG_FIELDS, Event, Store
from .text import search_key, search_key_with_map, to_simplified

_MONTH_DAY = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def order_key(date: str | int, event_id: str) -> tuple:
    """Date order (an ISO date or its date_number), ties by id in natural order (2017-999 before 2017-1000)."""
    return date, len(event_id), event_id


def date_number(iso: str) -> int:
    """2017-04-18 -> 20170418: dates as integers compare like the ISO strings."""
    return int(iso[:4]) * 10000 + int(iso[5:7]) * 100 + int(iso[8:10])


class EventSource(Protocol):
    """What queries and output need of a store, whether it is in memory or indexed on disk."""

    n: int  # events are numbered 0 .. n-1, in store order

    def dates(self, i: int) -> tuple[int, int]: ...  # (start, end) as date_number; end == start when no range

    def starts(self, numbers: list[int]) -> list[int]: ...  # the start date_number of each of these events

    def tagged(self, field: str, value: str) -> list[int]: ...  # events whose `field` list holds `value`, ascending

    def in_month(self, month: int) -> list[int]: ...  # events overlapping this month of any year, ascending

    def containing(self, key: str) -> list[int]: ...  # events whose text key holds `key`, ascending

    def text_key(self, i: int) -> str: ...  # the normalised text (text.search_key) of event i

    def in_order(self, numbers: Iterable[int]) -> list[int]: ...  # sorted by (date, id)

    def event(self, i: int) -> Event: ...

    def decoded(self, numbers: list[int]) -> Iterable[Event]: ...  # these events, in this order

    def decoded_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[Event]]]: ...  # decoded in parts made apart, in order

    def event_id(self, i: int) -> str: ...

    def event_ids(self) -> list[str]: ...  # the id of every event, by number

    def store_text(self, numbers: list[int]) -> Iterable[bytes]: ...  # the store lines of these events, verbatim, each ended by \n, in blocks

    def store_text_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[bytes]]]: ...  # store_text in parts made apart, in order

    def unsafe_lines(self, numbers: list[int]) -> set[int] | None: ...  # those whose line holds text.UNSAFE_JSON_BYTES; None: not known


class MemorySource:
    """A loaded `Store` as an event source: for stores small enough to read whole."""

    def __init__(self, store: Store) -> None:
        self.events = store.events
        self.n = len(self.events)
        self._keys: list[str] | None = None
        self._dates = [(date_number(e["date"]), date_number(e["end"] or e["date"])) for e in self.events]
        self._order: list[int] | None = None

    def dates(self, i: int) -> tuple[int, int]:
        return self._dates[i]

    def starts(self, numbers: list[int]) -> list[int]:
        return [self._dates[i][0] for i in numbers]

    def tagged(self, field: str, value: str) -> list[int]:
        return [i for i, e in enumerate(self.events) if value in e[field]]

    def in_month(self, month: int) -> list[int]:
        return [i for i, (start, end) in enumerate(self._dates) if overlaps_month(start, end, month)]

    def _key_list(self) -> list[str]:
        if self._keys is None:  # computed on the first text query only
            self._keys = [search_key(e["text"]) for e in self.events]
        return self._keys

    def containing(self, key: str) -> list[int]:
        return [i for i, k in enumerate(self._key_list()) if key in k]

    def text_key(self, i: int) -> str:
        return self._key_list()[i]

    def in_order(self, numbers: Iterable[int]) -> list[int]:
        if self._order is None:
            ranked = sorted(range(self.n), key=lambda i: order_key(self.events[i]["date"], self.events[i]["id"]))
            self._order = [0] * self.n
            for position, i in enumerate(ranked):
                self._order[i] = position
        return sorted(numbers, key=self._order.__getitem__)

    def event(self, i: int) -> Event:
        return self.events[i]

    def decoded(self, numbers: list[int]) -> Iterable[Event]:
        return map(self.events.__getitem__, numbers)

    def decoded_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[Event]]]:
        return [partial(self.decoded, numbers)]  # held in memory: quick to write in one process

    def store_text(self, numbers: list[int]) -> Iterable[bytes]:
        return (self.events[i].line.encode("utf-8") + b"\n" for i in numbers)

    def store_text_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[bytes]]]:
        return [partial(self.store_text, numbers)]  # held in memory: quick to write in one process

    def unsafe_lines(self, numbers: list[int]) -> set[int] | None:
        return None  # not looked at in advance: a small store's lines are each checked as printed

    def event_id(self, i: int) -> str:
        return self.events[i]["id"]

    def event_ids(self) -> list[str]:
        return [e["id"] for e in self.events]


class EventFilter:
    """Conditions every listed event must meet; empty fields do not filter."""

    __slots__ = ("agencies", "people", "vehicles", "categories", "year", "month", "date_from", "date_to", "on", "day")

    def __init__(
        self,
        agencies: list[str] | None = None,
        people: list[str] | None = None,
        vehicles: list[str] | None = None,
        categories: list[str] | None = None,
        year: int | None = None,
        month: int | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        on: tuple[int, int] | None = None,
        day: str | None = None,
    ) -> None:
        self.agencies, self.people, self.vehicles = agencies or [], people or [], vehicles or []
        self.categories, self.year, self.month = categories or [], year, month
        self.date_from, self.date_to = date_from, date_to
        self.on, self.day = on, day  # (month, day) of any year; one date

    def matches_dates(self, start: int, end: int) -> bool:
        """Whether an event from `start` to `end` (date numbers) passes the date conditions.

        A range passes when it overlaps: 6月5日—6月9日 is in June 7th's day and in June.
        """
        if self.year is not None and not (start // 10000 <= self.year <= end // 10000):
            return False
        if self.month is not None and not overlaps_month(start, end, self.month):
            return False
        if self.date_from is not None and end < date_number(self.date_from):
            return False
        if self.date_to is not None and start > date_number(self.date_to):
            return False
        if self.on is not None and not _on_day(start, end, (None, *self.on)):
            return False
        if self.day is not None and not start <= date_number(self.day) <= end:
            return False
        return True

    @property
    def restricts(self) -> bool:
        """Whether any condition is set: else every event passes."""
        return any(getattr(self, field) for field in TAG_FIELDS) or self.month is not None or self._dates_besides_month

    @property
    def _dates_besides_month(self) -> bool:
        """Date conditions that each event's dates must be tested against (a month's postings answer a month)."""
        return any(value is not None for value in (self.year, self.date_from, self.date_to, self.on, self.day))

    def select(self, source: EventSource, within: set[int] | list[int] | None = None) -> list[int]:
        """The events of `source` (or of `within`) that pass, ascending."""
        # each a set, or a list without repeats; a month is answered by an index without reading every date
        conditions: list[set[int] | list[int]] = [] if within is None else [within]
        if self.month is not None:
            conditions.append(source.in_month(self.month))
        conditions.extend(source.tagged(field, value) for field in TAG_FIELDS for value in getattr(self, field))
        if not conditions:
            numbers = list(range(source.n))
        elif len(conditions) == 1:
            numbers = sorted(conditions[0])  # an ascending list is only copied (a set of half a million is not made)
        else:
            conditions.sort(key=len)
            chosen = set(conditions[0])
            for condition in conditions[1:]:
                chosen.intersection_update(condition)
            numbers = sorted(chosen)
        if not self._dates_besides_month:
            return numbers  # a month alone is answered by its postings, above
        return [i for i in numbers if self.matches_dates(*source.dates(i))]


def overlaps_month(start: int, end: int, month: int) -> bool:
    first_month = start // 100 % 100
    if start // 100 == end // 100:
        return first_month == month
    months = (end // 10000 - start // 10000) * 12 + end // 100 % 100 - first_month
    return months >= 11 or any((first_month - 1 + k) % 12 + 1 == month for k in range(months + 1))


class Term:
    """One search term: a normalised substring, a date, and the entities it names."""

    __slots__ = ("raw", "key", "typed_key", "day", "entity_ids", "alias_keys")

    def __init__(self, raw: str, key: str, day: tuple[int | None, int, int] | None = None, typed_key: str = "") -> None:
        self.raw, self.key = raw, key
        # the key of the term as typed, when converting it to simplified changed it:
        # a store that writes 豬 is found by 豬 as well as by 猪
        self.typed_key = typed_key if typed_key != key else ""
        self.day = day  # (year or None, month, day)
        self.entity_ids: list[str] = []
        self.alias_keys: list[str] = []

    def tagged(self, source: EventSource) -> set[int]:
        """The events tagged with an entity this term names."""
        found: set[int] = set()
        for entity_id in self.entity_ids:
            for field in ENTITY_FIELDS:
                found.update(source.tagged(field, entity_id))
        return found

    def matches_in_order(self, source: EventSource) -> list[int] | None:
        """The events that match this term, ascending, when its key alone matches (no date, no
        tagged events, no other typed form): a list from the index, with no set made of it."""
        if self.day is not None or self.typed_key or self.tagged(source):
            return None
        return source.containing(self.key)

    def matches(self, source: EventSource) -> set[int]:
        """The events that match this term."""
        if self.day is not None:
            return {i for i in range(source.n) if _on_day(*source.dates(i), self.day)}
        found = set(source.containing(self.key))
        found |= self.tagged(source)  # in place: half a million hits are not copied for a few tagged
        if self.typed_key:
            found.update(source.containing(self.typed_key))
        return found

    def count(self, source: EventSource, i: int, tagged: bool) -> int:
        """How often event i matches: occurrences of the term, or of the entity's aliases."""
        if self.day is not None:
            return 1
        key = source.text_key(i)
        count = max(key.count(self.key), key.count(self.typed_key) if self.typed_key else 0)
        if tagged:
            count = max(count, sum(key.count(a) for a in self.alias_keys), 1)
        return count

    @property
    def highlight_keys(self) -> list[str]:
        return [] if self.day is not None else [self.key, *([self.typed_key] if self.typed_key else []), *self.alias_keys]


def _on_day(start: int, end: int, day: tuple[int | None, int, int]) -> bool:
    year, month, dom = day
    if year is not None:
        return start <= year * 10000 + month * 100 + dom <= end
    # 02-29 is a day only of leap years: a range over the end of February 2017 does not hold it
    return any(start <= y * 10000 + month * 100 + dom <= end for y in range(start // 10000, end // 10000 + 1) if _is_day(y, month, dom))


def _is_day(year: int, month: int, dom: int) -> bool:
    return not (month == 2 and dom == 29) or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))


def parse_day(raw: str) -> tuple[int | None, int, int] | None:
    """A term that names a day (`1月18日`, `2017-01-18`), else None. Raises on impossible days."""
    text = unicodedata.normalize("NFKC", raw).strip()
    m = _MONTH_DAY.match(text) or _ISO_DAY.match(text)
    if not m:
        return None
    year = int(m.group(1)) if m.group(1) else None  # a month and day alone match that day of any year
    month, dom = int(m.group(2)), int(m.group(3))
    from .store import parse_date

    if parse_date(f"{year or 2000:04d}-{month:02d}-{dom:02d}") is None:  # 2000 is a leap year: 2月29日 is real
        raise UsageError(f"{raw!r} is not a real date")
    return year, month, dom


def parse_terms(raw_terms: list[str], registry: Registry) -> list[Term]:
    terms = []
    for raw in raw_terms:
        day = parse_day(raw)
        query = to_simplified(raw)
        key = search_key(query)
        if day is None and not key:
            raise UsageError(f"search term {raw!r} is empty once spaces, quotes and · are ignored; give a word to search for")
        term = Term(raw, key, day, typed_key=search_key(raw))
        if day is None:
            for entity in registry.exact(query):
                term.entity_ids.append(entity.id)
                term.alias_keys.extend(k for k in map(search_key, entity.aliases) if k and k != key)
        terms.append(term)
    return terms


def search(
    source: EventSource,
    terms: list[Term],
    *,
    any_term: bool = False,
    exclude: list[Term] | None = None,
    event_filter: EventFilter | None = None,
    sort: str = "date",
) -> list[int]:
    """Events whose text holds every term (or any, with `any_term`), none of `exclude`; in date order."""
    if len(terms) == 1 and not exclude and sort != "relevance" and (found_in_order := terms[0].matches_in_order(source)) is not None:
        return source.in_order(found_in_order if event_filter is None else event_filter.select(source, found_in_order))
    matched = [t.matches(source) for t in terms]
    found = set().union(*matched) if any_term else matched[0] if len(matched) == 1 else set.intersection(*matched) if matched else set()
    for term in exclude or []:
        found = found - term.matches(source)  # not -=: with one term, found is matched[0], which relevance reads below
    ordered = source.in_order(found if event_filter is None else event_filter.select(source, found))
    if sort == "relevance":
        tagged = [t.tagged(source) for t in terms]
        score = {i: sum(t.count(source, i, i in tg) for t, m, tg in zip(terms, matched, tagged, strict=True) if i in m) for i in ordered}
        ordered.sort(key=lambda i: -score[i])  # stable: ties stay in date order
    return ordered


def match_spans(text: str, keys: list[str]) -> list[tuple[int, int]]:
    """Spans of `text` (start, end) whose normalised form is one of `keys`, for highlighting."""
    keys = [k for k in keys if k]
    if not keys:
        return []
    key, positions = search_key_with_map(text)
    if not positions:
        return []
    spans = []
    for k in keys:
        start = key.find(k)
        while start != -1:
            spans.append((positions[start], positions[start + len(k) - 1] + 1))
            start = key.find(k, start + 1)
    return sorted(spans)


def closest_events(source: EventSource, query: str, limit: int = 3, budget: int = 20000, within: list[int] | None = None) -> list[int]:
    """Events (of `within`, default all) sharing the most character pairs with the query: hints when nothing matched.

    Looks at most at `budget` events, so a miss on a huge store stays quick.
    """
    key = search_key(to_simplified(query[:MAX_NAME]))  # a hint needs no more; keeps a huge query quick
    pairs = {key[i : i + 2] for i in range(len(key) - 1)} or set(key)
    if not pairs:
        return []
    scored = []
    for i in range(min(source.n, budget)) if within is None else within[:budget]:
        text_key = source.text_key(i)
        score = sum(1 for p in pairs if p in text_key)
        if score * 2 >= len(pairs):
            scored.append((-score, i))
    scored.sort()
    return source.in_order([i for _, i in scored[:limit]])


def month_counts(source: EventSource, numbers: list[int], months: list[str]) -> dict[str, int]:
    """How many of `numbers` (in date order) start in each of `months` (YYYY-MM): two bisections a
    month, so a timeline cut by --limit counts its months' matches without reading every start."""

    def month_of(i: int) -> int:
        return source.starts([i])[0] // 100

    counts = {}
    for month in months:
        yyyymm = int(month[:4]) * 100 + int(month[5:7])
        counts[month] = bisect.bisect_right(numbers, yyyymm, key=month_of) - bisect.bisect_left(numbers, yyyymm, key=month_of)
    return counts


def group_by_month(source: EventSource, numbers: list[int]) -> list[tuple[str, list[int]]]:
    """(YYYY-MM, event numbers) for `numbers` in date order (or its reverse); an event is listed under the month it starts in."""
    months = map(floordiv, source.starts(numbers), repeat(100))
    return [(f"{month // 100:04d}-{month % 100:02d}", [i for _, i in run]) for month, run in groupby(zip(months, numbers, strict=True), key=itemgetter(0))]


def tagged_with(source: EventSource, entity: Entity, event_filter: EventFilter | None = None) -> list[int]:
    """Events naming `entity` (and passing `event_filter`), in date order."""
    tagged = source.tagged(FIELD_OF_KIND[entity.kind], entity.id)
    if event_filter is not None:
        tagged = event_filter.select(source, within=tagged)
    return source.in_order(tagged)


class AgencySummary:
    """One agency's events (numbers of `source`, in date order) and what they have in common.

    The events are decoded, and the counts made, only when first asked for:
    a listing of the events needs neither.
    """

    def __init__(self, entity: Entity, source: EventSource, numbers: list[int], listed: list[int] | None = None) -> None:
        self.entity, self.source, self.numbers = entity, source, numbers
        self.listed = numbers if listed is None else listed  # the events to list (--limit, --reverse); the counts are of all

    @cached_property
    def listed_events(self) -> list[Event]:
        return list(self.source.decoded(self.listed))

    @cached_property
    def _counts(self) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str], Counter[str], str | None]:
        """By month, by category, people, vehicles, partners, and the last day: in one pass that keeps
        no event (an agency of a big store has hundreds of thousands)."""
        by_month: Counter[str] = Counter()
        by_category: Counter[str] = Counter()
        people: Counter[str] = Counter()
        vehicles: Counter[str] = Counter()
        partners: Counter[str] = Counter()
        last = None
        for e in self.source.decoded(self.numbers):
            by_month[e["date"][:7]] += 1
            by_category.update(e["categories"])
            people.update(e["people"])
            vehicles.update(e["vehicles"])
            partners.update(a for a in e["agencies"] if a != self.entity.id)
            day = e["end"] or e["date"]
            last = day if last is None or day > last else last
        return by_month, by_category, people, vehicles, partners, last

    @property
    def by_month(self) -> Counter[str]:
        return self._counts[0]

    @property
    def by_category(self) -> Counter[str]:
        return self._counts[1]

    @property
    def people(self) -> Counter[str]:
        return self._counts[2]

    @property
    def vehicles(self) -> Counter[str]:
        return self._counts[3]

    @property
    def partners(self) -> Counter[str]:
        return self._counts[4]

    @property
    def first(self) -> str | None:
        return self.source.event(self.numbers[0])["date"] if self.numbers else None  # numbers are in date order

    @property
    def last(self) -> str | None:
        return self._counts[5]

    def record(self) -> dict:
        """The summary as one JSON object."""
        e = self.entity
        return {
            "id": e.id, "name_zh": e.name_zh, "name_en": e.name_en,
            "count": len(self.numbers), "first": self.first, "last": self.last,
            "by_month": dict(sorted(self.by_month.items())), "by_category": dict(self.by_category.most_common()),
            "people": dict(self.people.most_common()), "vehicles": dict(self.vehicles.most_common()),
            "partners": dict(self.partners.most_common()), "events": self.listed_events,
        }  # fmt: skip


def related(source: EventSource, event: Event, number: int, limit: int = 5) -> list[tuple[int, list[str]]]:
    """Events naming the same people or vehicles as `event` (event `number` of `source`), each with the
    ids it shares, in date order.

    The `limit` most related are kept: a shared name counts 1/(its number of events),
    so two astronauts shared weigh more than a station named in many events; among
    equals, the nearest in date. Only the best weights are ranked by date (a vehicle of a
    big store is named by hundreds of thousands of events), and the names shared looked
    up for the events kept.
    """
    names = [(entity_id, source.tagged(field, entity_id)) for field in ("people", "vehicles") for entity_id in event.get(field, [])]
    weight: dict[int, float] = {}
    for _, tagged in names:
        share = 1 / len(tagged)
        if not weight:
            weight = dict.fromkeys(tagged, share)  # 0.0 + share: the same float as a sum from nothing
        else:
            for i in tagged:
                weight[i] = weight.get(i, 0.0) + share
    weight.pop(number, None)
    by_weight: dict[float, list[int]] = {}
    for i, w in weight.items():
        by_weight.setdefault(round(w, 9), []).append(i)
    day = _day_count(date_number(event["date"]))
    kept: list[int] = []
    for level in sorted(by_weight, reverse=True):
        if len(kept) >= limit:
            break
        events = by_weight[level]
        distances = [abs(_day_count(start) - day) for start in source.starts(events)]
        kept.extend(i for _, i in heapq.nsmallest(limit - len(kept), zip(distances, events, strict=True)))
    return [(i, [entity_id for entity_id, tagged in names if _holds(tagged, i)]) for i in source.in_order(kept)]


def _holds(ascending: list[int], i: int) -> bool:
    k = bisect.bisect_left(ascending, i)
    return k < len(ascending) and ascending[k] == i


def _day_count(number: int) -> int:
    """Days from a fixed origin, nearly: months of 31 days are enough to order distances."""
    return number // 10000 * 372 + number // 100 % 100 * 31 + number % 100


def entity_counts(source: EventSource, registry: Registry, kind: str, event_filter: EventFilter | None = None) -> list[tuple[Entity, list[int]]]:
    """Every entity of this kind in the registry with its events (in date order), busiest first."""
    rows = [(entity, tagged_with(source, entity, event_filter)) for entity in registry.of_kind(kind)]
    rows.sort(key=lambda row: (-len(row[1]), row[0].id))
    return rows
