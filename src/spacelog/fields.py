"""The fields of an event in tsv, csv and the other table formats, and `--fields` to choose them.

The default columns start with the store's own (id, date, end, text), so
`cut -f1` gives the id whatever columns follow; then the categories and the
entities by their Chinese names, which a spreadsheet user reads (ids and
English names are fields to ask for). In a cell, ids and categories are
joined by "," and names by "; " (English names may hold a comma).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .store import FIELD_OF_KIND

if TYPE_CHECKING:
    from .registry import Registry
    from .store import Event

DEFAULT_FIELDS = ("id", "date", "end", "text", "categories", "agencies", "people", "vehicles")
_ENTITY_FIELDS = {  # field -> (the event's list of ids, what of each entity)
    **{field: (field, "name_zh") for field in FIELD_OF_KIND.values()},
    **{f"{field}_en": (field, "name_en") for field in FIELD_OF_KIND.values()},
    **{f"{kind}_ids": (field, "id") for kind, field in FIELD_OF_KIND.items()},
}
EVENT_FIELDS = ("id", "seq", "date", "end", "text", "categories", *_ENTITY_FIELDS)
NAME_SEPARATOR, ID_SEPARATOR = "; ", ","


def choose_fields(asked: list[str] | None, available: tuple[str, ...], default: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The fields `--fields` asks for (comma-separated, repeatable), checked against those a result has."""
    if not asked:
        return default or available
    chosen = tuple(f.strip() for value in asked for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in available]
    if unknown or not chosen:
        shown = repr(unknown[0]) if unknown else "none"
        raise UsageError(f"unknown field {shown} for --fields; use some of {','.join(available)}")
    return chosen


class EventFields:
    """The values of chosen fields of events; names looked up once per entity, cells joined once per list of ids."""

    def __init__(self, fields: tuple[str, ...], registry: Registry) -> None:
        self.fields, self.registry = fields, registry
        self._names: dict[tuple[str, str], str] = {}
        self._getters = [self._getter(f) for f in fields]
        self._cell_getters = [self._cell_getter(f) for f in fields]

    def _getter(self, field: str) -> Callable[[Event], Any]:
        if field not in _ENTITY_FIELDS:
            return lambda event: event.get(field)
        ids, what = _ENTITY_FIELDS[field]
        return lambda event: [self._name(i, what) for i in event.get(ids, [])]

    def _cell_getter(self, field: str) -> Callable[[Event], str]:
        if field not in _ENTITY_FIELDS:
            return lambda event: ID_SEPARATOR.join(v) if isinstance(v := event.get(field), list) else "" if v is None else str(v)
        ids, what = _ENTITY_FIELDS[field]
        separator = NAME_SEPARATOR if what != "id" else ID_SEPARATOR
        joined: dict[tuple[str, ...], str] = {}  # the events of a store name the same few sets of entities

        def cell(event: Event) -> str:
            key = tuple(event.get(ids, ()))
            if key not in joined:
                joined[key] = separator.join(self._name(i, what) for i in key)
            return joined[key]

        return cell

    def _name(self, entity_id: str, what: str) -> str:
        key = (entity_id, what)
        if key not in self._names:
            entity = self.registry.get(entity_id)
            self._names[key] = getattr(entity, what) or entity_id if entity is not None else entity_id
        return self._names[key]

    def values(self, event: Event) -> list[Any]:
        """The values, lists as lists (for JSON)."""
        return [get(event) for get in self._getters]

    def cells(self, event: Event) -> list[str]:
        """The values as text ("" for none), lists joined into one cell."""
        return [get(event) for get in self._cell_getters]

    def record(self, event: Event) -> dict[str, Any]:
        return dict(zip(self.fields, self.values(event), strict=True))
