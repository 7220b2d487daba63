"""The entity registry: agencies, people and vehicles with every spelling of their names."""

from __future__ import annotations

from pathlib import Path

from .errors import DataError
from .store import FIELD_OF_KIND
from .text import search_key, search_key_with_map

KINDS = tuple(FIELD_OF_KIND)


class Entity:
    """An agency, person or vehicle, with every spelling of its name."""

    __slots__ = ("id", "kind", "name_zh", "name_en", "aliases", "lookup", "context", "subtype", "note")

    def __init__(
        self,
        id: str,
        kind: str,
        name_zh: str,
        name_en: str,
        aliases: tuple[str, ...],
        lookup: tuple[str, ...] = (),
        context: dict[str, tuple[str, ...]] | None = None,
        subtype: str = "",
        note: str = "",
    ) -> None:
        self.id, self.kind, self.name_zh, self.name_en = id, kind, name_zh, name_en
        self.aliases, self.lookup, self.context = aliases, lookup, context or {}
        self.subtype, self.note = subtype, note

    def __repr__(self) -> str:
        return f"Entity({self.id!r})"

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling a user may type: tagging aliases, lookup-only ones, contextual ones."""
        return (self.name_zh, self.name_en, *self.aliases, *self.lookup, *self.context)

    @property
    def label(self) -> str:
        """How output names the entity: 惠特森 (Peggy Whitson)."""
        return f"{self.name_zh} ({self.name_en})"

    def record(self) -> dict:
        """The entity in JSON output."""
        return {"id": self.id, "kind": self.kind, "name_zh": self.name_zh, "name_en": self.name_en}


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Registry:
    """Entities by id, with alias indexes for tagging text and for exact lookup."""

    def __init__(self, entities: dict[str, Entity], path: str = "", index: dict | None = None) -> None:
        self.entities = entities
        self.path = path
        # alias key -> [(entity id, context keys or None)], for tagging text
        self._tags: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {}
        # alias key -> entity ids, for exact lookup of any name
        self._names: dict[str, list[str]] = {}
        self._longest = 0
        if index is not None:
            self._tags = {k: [(eid, tuple(ctx) if ctx is not None else None) for eid, ctx in v] for k, v in index["tags"].items()}
            self._names = index["names"]
            self._longest = index["longest"]
            return
        for entity in entities.values():
            for alias in entity.aliases:
                self._add_tag(search_key(alias), entity.id, None)
            for alias, words in entity.context.items():
                self._add_tag(search_key(alias), entity.id, tuple(search_key(w) for w in words))
            for name in entity.names:
                ids = self._names.setdefault(search_key(name), [])
                if entity.id not in ids:
                    ids.append(entity.id)

    def index(self) -> dict:
        return {"tags": self._tags, "names": self._names, "longest": self._longest}

    def _add_tag(self, key: str, entity_id: str, context: tuple[str, ...] | None) -> None:
        if key:
            self._tags.setdefault(key, []).append((entity_id, context))
            self._longest = max(self._longest, len(key))

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def label(self, entity_id: str) -> str:
        """How output names an entity id; an id the registry does not know is shown as it is."""
        entity = self.entities.get(entity_id)
        return entity.label if entity else entity_id

    def record(self, entity_id: str) -> dict:
        """An entity id in JSON output, with its names when the registry knows it."""
        entity = self.entities.get(entity_id)
        return entity.record() if entity else {"id": entity_id}

    def of_kind(self, kind: str | None) -> list[Entity]:
        return [e for e in self.entities.values() if kind is None or e.kind == kind]

    def exact(self, name: str, kind: str | None = None) -> list[Entity]:
        """Entities one of whose names normalises to the same key as `name`."""
        ids = self._names.get(search_key(name), [])
        return [self.entities[i] for i in ids if kind is None or self.entities[i].kind == kind]

    def tag(self, text: str) -> dict[str, list[str]]:
        """The entity ids `text` names, by store field, in order of first mention.

        Scans the normalised text left to right and takes the longest alias at
        each position, so “进步”MS-06 is one vehicle, not “进步” plus noise. An
        alias that begins or ends with a Latin letter or digit only matches at
        a word boundary of the original text (ISS must not match in mission).
        """
        key, positions = search_key_with_map(text)
        found: dict[str, list[str]] = {name: [] for name in FIELD_OF_KIND.values()}
        i = 0
        while i < len(key):
            step = 1
            for length in range(min(self._longest, len(key) - i), 0, -1):
                candidates = self._tags.get(key[i : i + length])
                if not candidates or not self._at_boundary(text, key, positions, i, length):
                    continue
                ids = [eid for eid, ctx in candidates if ctx is None or any(w in key for w in ctx)]
                if not ids:
                    continue
                for eid in ids:
                    bucket = found[FIELD_OF_KIND[self.entities[eid].kind]]
                    if eid not in bucket:
                        bucket.append(eid)
                step = length
                break
            i += step
        return found

    @staticmethod
    def _at_boundary(text: str, key: str, positions: list[int], start: int, length: int) -> bool:
        end = start + length - 1
        if positions:
            before = text[positions[start] - 1] if positions[start] > 0 else ""
            after = text[positions[end] + 1] if positions[end] + 1 < len(text) else ""
        else:
            before = key[start - 1] if start > 0 else ""
            after = key[end + 1] if end + 1 < len(key) else ""
        if _is_ascii_alnum(key[start]) and before and _is_ascii_alnum(before):
            return False
        if _is_ascii_alnum(key[end]) and after and _is_ascii_alnum(after):
            return False
        return True


def _type_problem(raw: dict) -> str | None:
    for name in ("id", "kind", "name_zh", "name_en"):
        if name in raw and not isinstance(raw[name], str):
            return f"field {name} must be a string"
    for name in ("aliases", "lookup"):
        if not isinstance(raw.get(name, []), list) or not all(isinstance(a, str) for a in raw.get(name, [])):
            return f"field {name} must be a list of strings"
    context = raw.get("context", {})
    if not isinstance(context, dict) or not all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in context.values()):
        return "field context must map aliases to lists of words"
    return None


def _entity_from_toml(raw: dict, where: str) -> Entity:
    problem = _type_problem(raw)
    if problem:
        raise DataError(f"{where}: entity {raw.get('id', '?')!r}: {problem}")
    try:
        entity = Entity(
            id=raw["id"],
            kind=raw["kind"],
            name_zh=raw["name_zh"],
            name_en=raw["name_en"],
            aliases=tuple(raw.get("aliases", ())),
            lookup=tuple(raw.get("lookup", ())),
            context={k: tuple(v) for k, v in raw.get("context", {}).items()},
            subtype=raw.get("class", ""),
            note=raw.get("note", ""),
        )
    except KeyError as missing:
        raise DataError(f"{where}: entity {raw.get('id', '?')!r} has no field {missing}") from None
    if entity.kind not in KINDS:
        raise DataError(f"{where}: entity {entity.id!r} has kind {entity.kind!r}; use one of {', '.join(KINDS)}")
    return entity


def load_registry(path: str | Path) -> Registry:
    """Read a registry file (TOML, a list of [[entity]] tables), through the cache when it is fresh."""
    from . import cache

    name, stamp = cache.entry_name("registry", path), cache.file_stamp(path)
    cached = cache.read_json(name, stamp)
    if cached is not None:
        return Registry({raw["id"]: _entity_from_toml(raw, str(path)) for raw in cached["entities"]}, str(path), cached["index"])
    raw_entities = _read_toml(Path(path))
    entities: dict[str, Entity] = {}
    for item in raw_entities:
        entity = _entity_from_toml(item, str(path))
        if entity.id in entities:
            raise DataError(f"{path}: entity id {entity.id!r} is defined twice")
        entities[entity.id] = entity
    registry = Registry(entities, str(path))
    cache.write_json(name, stamp, {"entities": raw_entities, "index": registry.index()})
    return registry


def _read_toml(path: Path) -> list[dict]:
    import tomllib

    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except OSError as err:
        raise DataError(f"{path}: cannot read the entity registry ({err.strerror or err})") from None
    except tomllib.TOMLDecodeError as err:
        raise DataError(f"{path}: the entity registry is not valid TOML ({err})") from None
    entities = raw.get("entity", [])
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise DataError(f"{path}: the entity registry must be a list of [[entity]] tables")
    return entities
