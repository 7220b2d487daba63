"""Fuzzy lookup of names in the registry: variants, typos, English and pinyin input.

Stages, each tried on normalised keys (see `text.search_key`):
1. exact: the query is one of an entity's names (score 100; no later stage runs);
2. containment: the query is part of a name, or a name part of the query
   (70-95, by how much of the longer one the shorter covers);
3. rapidfuzz `ratio` over the names (typos in Latin or Chinese);
4. `ratio` over pinyin, scaled by 0.95, when nothing above reached RESOLVE:
   an input-method typo (布莱斯尼可) or romanised input (huitesen) sounds right.
`partial_ratio` and `WRatio` are not used: they score any contained substring
near 100, so 联盟 would find United Launch Alliance.
"""

from __future__ import annotations

from functools import lru_cache

from .errors import UsageError
from .registry import Entity, Registry
from .text import search_key, to_simplified

RESOLVE = 70  # at or above: the name is taken to mean this entity
SUGGEST = 50  # from here up to RESOLVE: offered as "did you mean"
PINYIN_WEIGHT = 0.95
MAX_NAME = 200  # characters: fuzzy matching and pinyin cost grow with the length of the name


class Match:
    __slots__ = ("entity", "score", "name")

    def __init__(self, entity: Entity, score: float, name: str) -> None:
        self.entity, self.score, self.name = entity, score, name  # name: the spelling that matched


def _min_len(key: str) -> int:
    return 3 if key.isascii() else 2


def lookup(query: str, registry: Registry, kind: str | None = None, limit: int = 5) -> list[Match]:
    """The best matching entities for `query`, best first, with scores 0-100."""
    simplified = to_simplified(query)
    key = search_key(simplified)
    if not key:
        return []
    best: dict[str, Match] = {}

    def offer(entity: Entity, score: float, name: str) -> None:
        current = best.get(entity.id)
        if current is None or score > current.score:
            best[entity.id] = Match(entity, round(score, 1), name)

    exact = registry.exact(simplified, kind)
    if exact:  # a name typed exactly needs no fuzzy stage (nor rapidfuzz's import)
        return [Match(e, 100, simplified) for e in exact][:limit]

    names = [(e, n, search_key(n)) for e in registry.of_kind(kind) for n in e.names]
    for entity, name, name_key in names:
        if not name_key:
            continue
        if len(key) >= _min_len(key) and key in name_key:
            offer(entity, 70 + 25 * len(key) / len(name_key), name)
        elif len(name_key) >= _min_len(name_key) and name_key in key:
            offer(entity, 70 + 25 * len(name_key) / len(key), name)

    from rapidfuzz import fuzz

    for entity, name, name_key in names:
        offer(entity, fuzz.ratio(key, name_key), name)

    if max((m.score for m in best.values()), default=0) < RESOLVE:
        query_pinyin = _pinyin(key)
        for entity, name, name_key in names:
            if not name_key.isascii():
                offer(entity, PINYIN_WEIGHT * fuzz.ratio(query_pinyin, _pinyin(name_key)), name)

    ranked = sorted(best.values(), key=lambda m: (-m.score, m.entity.id))
    return [m for m in ranked if m.score >= SUGGEST][:limit]


@lru_cache(maxsize=4096)
def _pinyin(key: str) -> str:
    """Toneless pinyin of the Chinese characters in `key`; other characters kept."""
    if key.isascii():
        return key
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(key))


def resolve(query: str, registry: Registry, kind: str | None = None) -> Entity:
    """The one entity `query` names, or a UsageError that suggests the closest names."""
    check_length(query)
    matches = lookup(query, registry, kind)
    if matches and matches[0].score >= RESOLVE:
        return matches[0].entity
    what = kind or "name"
    hint = suggestion(matches)
    raise UsageError(f"no {what} matches {query!r}{hint}")


def check_length(name: str) -> None:
    """A UsageError when `name` is longer than any name the lookup takes."""
    if len(name) > MAX_NAME:
        raise UsageError(f"a name is at most {MAX_NAME} characters; this one has {len(name)}")


def suggestion(matches: list[Match]) -> str:
    if not matches:
        return ""
    names = ", ".join(f"{m.entity.name_zh} ({m.entity.name_en})" for m in matches[:3])
    return f"; did you mean {names}?"
