"""The entity registry: agencies, people and vehicles with every spelling of their names."""

from __future__ import annotations

import re
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

    def __init__(self, entities: dict[str, Entity], paths: list[str] | None = None, index: dict | None = None) -> None:
        self.entities = entities
        self.paths = paths or []  # every file read, in order: caches derived from the registry stamp them all
        # alias key -> [(entity id, context keys or None)], for tagging text
        self._tags: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {}
        # alias key -> entity ids, for exact lookup of any name
        self._names: dict[str, list[str]] = {}
        self._longest = 0
        self._ids_of_kind: dict[str, frozenset[str]] | None = None
        if index is not None:
            self._tags = {k: [(eid, tuple(ctx) if ctx is not None else None) for eid, ctx in v] for k, v in index["tags"].items()}
            self._names = index["names"]
            self._longest = index["longest"]
            self._lengths = _lengths_by_first(self._tags)
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
        self._lengths = _lengths_by_first(self._tags)

    def index(self) -> dict:
        return {"tags": self._tags, "names": self._names, "longest": self._longest}

    def _add_tag(self, key: str, entity_id: str, context: tuple[str, ...] | None) -> None:
        if key:
            self._tags.setdefault(key, []).append((entity_id, context))
            self._longest = max(self._longest, len(key))

    def tag_keys(self) -> list[str]:
        """The search keys of every spelling that tags text: each alias and context alias, once."""
        return list(self._tags)

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def ids_of_kind(self, kind: str) -> frozenset[str]:
        """The ids of the entities of one kind: checking a store tests each event's ids against them."""
        if self._ids_of_kind is None:
            self._ids_of_kind = {k: frozenset(e.id for e in self.entities.values() if e.kind == k) for k in KINDS}
        return self._ids_of_kind[kind]

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
        An alias followed directly by a serial names a member the registry
        lacks (“进步”MS-08 is not the Progress family), and an alias inside a
        quoted name must be all of it (“载人龙” is not “龙”): neither tags.
        """
        from .designation import continues_with_designation, key_continues_with_designation  # only ingest tags: 5 ms of regexes

        key, positions = search_key_with_map(text)
        quotes = _quoted_spans(text) if positions else []
        found: dict[str, list[str]] = {name: [] for name in FIELD_OF_KIND.values()}
        i = 0
        while i < len(key):
            step = 1
            for length in self._lengths.get(key[i], ()):  # only the lengths of aliases that start here, longest first
                if length > len(key) - i:
                    continue
                candidates = self._tags.get(key[i : i + length])
                if not candidates or not self._at_boundary(text, key, positions, i, length):
                    continue
                if positions:
                    start, end = positions[i], positions[i + length - 1] + 1
                    if continues_with_designation(text, _after_quote(text, end)) or _cuts_a_quote(quotes, start, end):
                        step = length
                        break
                elif key_continues_with_designation(key[i + length :]):
                    step = length
                    break
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


def _lengths_by_first(tags: dict) -> dict[str, tuple[int, ...]]:
    """For each first character of an alias key, the lengths of those aliases, longest first."""
    lengths: dict[str, set[int]] = {}
    for key in tags:
        lengths.setdefault(key[0], set()).add(len(key))
    return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}


FIELDS = ("id", "kind", "class", "name_zh", "name_en", "aliases", "lookup", "context", "note")
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*entity[ \t]*\]\]", re.MULTILINE)
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


_QUOTES = {"“": "”", "「": "」", "『": "』"}


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(first, end) of the text inside each pair of quotes: “载人龙” -> the span of 载人龙."""
    spans, opened = [], None
    for i, ch in enumerate(text):
        if ch in _QUOTES:
            opened = (i + 1, _QUOTES[ch])
        elif opened is not None and ch == opened[1]:
            spans.append((opened[0], i))
            opened = None
    return spans


def _cuts_a_quote(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether text[start:end] overlaps a quoted name without covering all of it."""
    return any(start < q_end and end > q_start and (start > q_start or end < q_end) for q_start, q_end in spans)


def _after_quote(text: str, end: int) -> int:
    """Where a name continues: past the closing quote that ends it (“进步”号 -> after ”)."""
    return end + 1 if text[end : end + 1] in _QUOTES.values() else end


def _type_problem(raw: dict) -> str | None:
    unknown = [k for k in raw if k not in FIELDS]
    if unknown:
        return f"unknown field {unknown[0]!r}; the fields are {', '.join(FIELDS)}"
    for name in ("id", "kind", "class", "name_zh", "name_en", "note"):
        if name in raw and not isinstance(raw[name], str):
            return f"field {name} must be a string"
    for name in ("aliases", "lookup"):
        if not isinstance(raw.get(name, []), list) or not all(isinstance(a, str) for a in raw.get(name, [])):
            return f"field {name} must be a list of strings"
    context = raw.get("context", {})
    if not isinstance(context, dict) or not all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in context.values()):
        return "field context must map aliases to lists of words"
    if "id" in raw and not raw["id"].strip():
        return "field id is empty"
    for alias in [*raw.get("aliases", []), *raw.get("lookup", []), *context]:
        if not search_key(alias):
            return f"alias {alias!r} is empty once spaces, quotes and · are ignored"
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


def _extended(entity: Entity, raw: dict, where: str) -> Entity:
    """`entity` with a later file's entry of the same id: spellings added, given names replaced."""
    problem = _type_problem(raw)
    if problem:
        raise DataError(f"{where}: entity {entity.id!r}: {problem}")
    if raw.get("kind", entity.kind) != entity.kind:
        raise DataError(f"{where}: entity {entity.id!r} has kind {entity.kind!r} in an earlier registry file; its kind cannot change")
    context = {k: list(v) for k, v in entity.context.items()}
    for alias, words in raw.get("context", {}).items():
        context[alias] = list(dict.fromkeys([*context.get(alias, []), *words]))
    merged = _as_toml(entity) | {k: raw[k] for k in ("name_zh", "name_en", "class", "note") if k in raw}
    merged["aliases"] = list(dict.fromkeys([*entity.aliases, *raw.get("aliases", [])]))
    merged["lookup"] = list(dict.fromkeys([*entity.lookup, *raw.get("lookup", [])]))
    merged["context"] = context
    return _entity_from_toml(merged, where)


def _as_toml(entity: Entity) -> dict:
    return {
        "id": entity.id, "kind": entity.kind, "class": entity.subtype, "name_zh": entity.name_zh, "name_en": entity.name_en,
        "aliases": list(entity.aliases), "lookup": list(entity.lookup), "context": {k: list(v) for k, v in entity.context.items()},
        "note": entity.note,
    }  # fmt: skip


def load_registry(paths: str | Path | list) -> Registry:
    """Read registry files (TOML, lists of [[entity]] tables), each on top of the ones before.

    A later file adds entities, or extends one of an earlier file (same id): its
    aliases, lookup spellings and context are added, the names it gives replace.
    Read through the cache when no file changed.
    """
    from . import cache

    files = [str(paths)] if isinstance(paths, (str, Path)) else [str(p) for p in paths]
    name = cache.entry_name("registry", "\0".join(files))
    stamps = [cache.file_stamp(p) for p in files]
    stamp = None if None in stamps else stamps
    cached = cache.read_json(name, stamp)
    if cached is not None:
        return Registry({raw["id"]: _entity_from_toml(raw, files[-1]) for raw in cached["entities"]}, files, cached["index"])
    entities: dict[str, Entity] = {}
    for path in files:
        seen: set[str] = set()
        for raw, where in _read_toml(Path(path)):
            entity_id = raw.get("id")
            if isinstance(entity_id, str) and entity_id in seen:
                raise DataError(f"{where}: entity id {entity_id!r} is defined twice in this file")
            if isinstance(entity_id, str) and entity_id in entities:
                entity = _extended(entities[entity_id], raw, where)
            else:
                entity = _entity_from_toml(raw, where)
            entities[entity.id] = entity
            seen.add(entity.id)
    registry = Registry(entities, files)
    cache.write_json(name, stamp, {"entities": [_as_toml(e) for e in entities.values()], "index": registry.index()})
    return registry


def _read_toml(path: Path) -> list[tuple[dict, str]]:
    """The [[entity]] tables of a registry file, each with FILE:LINE of its header."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except OSError as err:
        raise DataError(f"{path}: cannot read the entity registry ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: the entity registry is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        line = _TOML_LINE.search(str(err))
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise DataError(f"{where}: the entity registry is not valid TOML ({err})") from None
    unknown = [k for k in raw if k != "entity"]
    if unknown:
        raise DataError(f"{path}: unknown table {unknown[0]!r}; a registry holds only [[entity]] tables")
    entities = raw.get("entity", [])
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise DataError(f"{path}: the entity registry must be a list of [[entity]] tables")
    lines = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    if len(lines) != len(entities):  # headers inside strings, or an inline array: no line to give
        return [(e, str(path)) for e in entities]
    return [(e, f"{path}:{line}") for e, line in zip(entities, lines, strict=True)]
