"""Queries over loaded events: filters, search, timelines and agency summaries. No printing."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .errors import UsageError
from .registry import FIELD_OF_KIND, Entity, Registry
from .store import Event
from .text import search_key, search_key_with_map, to_simplified

_MONTH_DAY = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def by_date(events: list[Event]) -> list[Event]:
    """Date order, ties by id: the chronicle's own order is not always by date."""
    return sorted(events, key=lambda e: (e["date"], e["id"]))


class EventFilter:
    """Conditions every listed event must meet; empty fields do not filter."""

    __slots__ = ("agencies", "people", "vehicles", "categories", "year", "month", "date_from", "date_to")

    def __init__(
        self,
        agencies: list[str] | None = None,
        people: list[str] | None = None,
        vehicles: list[str] | None = None,
        categories: list[str] | None = None,
        year: int | None = None,
        month: int | None = None,
        date_from: str | None = None,  # ISO dates compare correctly as strings
        date_to: str | None = None,
    ) -> None:
        self.agencies, self.people, self.vehicles = agencies or [], people or [], vehicles or []
        self.categories, self.year, self.month = categories or [], year, month
        self.date_from, self.date_to = date_from, date_to

    def matches(self, event: Event) -> bool:
        for name in ("agencies", "people", "vehicles", "categories"):
            wanted = getattr(self, name)
            if wanted and not all(w in event[name] for w in wanted):
                return False
        start, end = event["date"], event["end"] or event["date"]
        if self.year is not None and not (start[:4] <= f"{self.year:04d}" <= end[:4]):
            return False
        if self.month is not None and not _overlaps_month(start, end, self.month):
            return False
        if self.date_from is not None and end < self.date_from:
            return False
        if self.date_to is not None and start > self.date_to:
            return False
        return True

    def apply(self, events: list[Event]) -> list[Event]:
        return [e for e in events if self.matches(e)]


def _overlaps_month(start: str, end: str, month: int) -> bool:
    if start[:7] == end[:7]:
        return int(start[5:7]) == month
    import datetime as dt

    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    months = (last.year - first.year) * 12 + last.month - first.month
    return months >= 11 or any((first.month - 1 + k) % 12 + 1 == month for k in range(months + 1))


class Term:
    """One search term: a normalised substring, a date, and the entities it names."""

    __slots__ = ("raw", "key", "day", "entity_ids", "alias_keys")

    def __init__(self, raw: str, key: str, day: tuple[int | None, int, int] | None = None) -> None:
        self.raw, self.key = raw, key
        self.day = day  # (year or None, month, day)
        self.entity_ids: list[str] = []
        self.alias_keys: list[str] = []

    def hits(self, event: Event, key: str) -> int:
        """How often the event matches the term; 0 when it does not."""
        if self.day is not None:
            return 1 if _on_day(event, self.day) else 0
        count = key.count(self.key)
        if self.entity_ids and any(eid in event.get(f, ()) for f in FIELD_OF_KIND.values() for eid in self.entity_ids):
            count = max(count, sum(key.count(a) for a in self.alias_keys), 1)
        return count

    @property
    def highlight_keys(self) -> list[str]:
        return [] if self.day is not None else [self.key, *self.alias_keys]


def _on_day(event: Event, day: tuple[int | None, int, int]) -> bool:
    year, month, dom = day
    start, end = event["date"], event["end"] or event["date"]
    if year is not None:
        target = f"{year:04d}-{month:02d}-{dom:02d}"
        return start <= target <= end
    if start == end:
        return start[5:] == f"{month:02d}-{dom:02d}"
    import datetime as dt

    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    for y in range(first.year, last.year + 1):
        try:
            candidate = dt.date(y, month, dom)
        except ValueError:
            continue
        if first <= candidate <= last:
            return True
    return False


def parse_day(raw: str) -> tuple[int | None, int, int] | None:
    """A term that names a day (`1月18日`, `2017-01-18`), else None. Raises on impossible days."""
    text = unicodedata.normalize("NFKC", raw).strip()
    m = _MONTH_DAY.match(text) or _ISO_DAY.match(text)
    if not m:
        return None
    if m.re is _ISO_DAY:
        year, month, dom = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        year, month, dom = (int(m.group(1)) if m.group(1) else None), int(m.group(2)), int(m.group(3))
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
        term = Term(raw, key, day)
        if day is None:
            for entity in registry.exact(query):
                term.entity_ids.append(entity.id)
                term.alias_keys.extend(k for k in map(search_key, entity.aliases) if k and k != key)
        terms.append(term)
    return terms


class SearchHit:
    __slots__ = ("event", "score")

    def __init__(self, event: Event, score: int) -> None:
        self.event, self.score = event, score


def search(
    events: list[Event],
    terms: list[Term],
    *,
    any_term: bool = False,
    exclude: list[Term] | None = None,
    event_filter: EventFilter | None = None,
    sort: str = "date",
) -> list[SearchHit]:
    """Events whose text holds every term (or any, with `any_term`), none of `exclude`."""
    hits = []
    for event in event_filter.apply(events) if event_filter else events:
        key = search_key(event["text"])
        counts = [t.hits(event, key) for t in terms]
        if not (any(counts) if any_term else all(counts)):
            continue
        if exclude and any(t.hits(event, key) for t in exclude):
            continue
        hits.append(SearchHit(event, sum(counts)))
    hits.sort(key=lambda h: (h.event["date"], h.event["id"]))
    if sort == "relevance":
        hits.sort(key=lambda h: -h.score)  # stable: ties stay in date order
    return hits


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


def closest_events(events: list[Event], query: str, limit: int = 3) -> list[Event]:
    """Events sharing the most character pairs with the query: hints when nothing matched."""
    key = search_key(to_simplified(query))
    pairs = {key[i : i + 2] for i in range(len(key) - 1)} or set(key)
    if not pairs:
        return []
    scored = []
    for event in events:
        text_key = search_key(event["text"])
        score = sum(1 for p in pairs if p in text_key)
        if score:
            scored.append((-score, event["date"], event["id"], event))
    scored.sort(key=lambda s: s[:3])
    return [s[3] for s in scored[:limit] if -s[0] * 2 >= len(pairs)]


def group_by_month(events: list[Event]) -> list[tuple[str, list[Event]]]:
    """(YYYY-MM, events) in date order; an event is listed under the month it starts in."""
    groups: dict[str, list[Event]] = {}
    for event in by_date(events):
        groups.setdefault(event["date"][:7], []).append(event)
    return list(groups.items())


class AgencySummary:
    """One agency's events and what they have in common."""

    __slots__ = ("entity", "events", "by_month", "by_category", "people", "vehicles", "partners")

    def __init__(self, entity: Entity, events: list[Event]) -> None:
        self.entity, self.events = entity, events
        self.by_month = Counter(e["date"][:7] for e in events)
        self.by_category = Counter(c for e in events for c in e["categories"])
        self.people = Counter(p for e in events for p in e["people"])
        self.vehicles = Counter(v for e in events for v in e["vehicles"])
        self.partners = Counter(a for e in events for a in e["agencies"] if a != entity.id)

    @property
    def first(self) -> str | None:
        return self.events[0]["date"] if self.events else None

    @property
    def last(self) -> str | None:
        return max((e["end"] or e["date"] for e in self.events), default=None)


def summarize_agency(entity: Entity, events: list[Event]) -> AgencySummary:
    return AgencySummary(entity, by_date([e for e in events if entity.id in e["agencies"]]))


def agency_counts(events: list[Event], registry: Registry) -> list[tuple[Entity, list[str]]]:
    """Every agency of the registry with the ids of its events, busiest first."""
    ids: dict[str, list[str]] = {e.id: [] for e in registry.of_kind("agency")}
    for event in by_date(events):
        for agency in event["agencies"]:
            ids.setdefault(agency, []).append(event["id"])
    rows = [(registry.get(a) or _unknown(a), found) for a, found in ids.items()]
    rows.sort(key=lambda row: (-len(row[1]), row[0].id))
    return rows


def _unknown(entity_id: str) -> Entity:
    return Entity(entity_id, "agency", entity_id, entity_id, ())
