"""Lookup of names in the registry: honest about what a name is, and about what it is not.

A name is taken to mean an entity only when it IS that entity:
- `alias`: it is one of the entity's registry spellings after normalisation (score 100);
- `variant`: a spelling a reader would agree is the same name (a typo, a
  transliteration variant, romanised or homophone input; for a Chinese name
  of an organisation or vehicle, only characters left out, since one changed
  character makes another one: 美国海军 is not 美国空军), with the same
  designation (`designation.signature`: MS-09 is not MS-02, 四号 is not 五号,
  CNES is not CNSA) and, for a person written in parts (given·surname), the
  same given name and surname each;
- `part`: a whole part of the name: a person's given name (谢尔盖 names every
  Sergey), whole words of a Latin name (Vande Hei, never Gerst for
  Gerstenmaier), or the tail of a Chinese name, its head noun (联盟 of 联合发射联盟).
A person's surname alone names them only when the registry lists it as an
alias: a surname the registry leaves out is shared (威廉斯).
Everything else that is close is a suggestion, never an answer. A registry name
that is only the start of the query (“联盟” of “联盟”MS-11) makes the query a
member of that family, which the registry does not hold.

Scores: containment 70-95 by coverage; rapidfuzz `ratio` over normalised keys;
`ratio` over pinyin, scaled by 0.95, accepted only when nearly equal.
`partial_ratio` and `WRatio` are not used: they score any contained substring
near 100, so 联盟 would find United Launch Alliance.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import EXIT_NOT_FOUND, SpacelogError, UsageError
from .registry import Entity, Registry
from .text import search_key, to_simplified

RESOLVE = 70  # at or above, with the rules above: the name is taken to mean this entity
SUGGEST = 50  # from here: offered as "did you mean"
PINYIN_WEIGHT = 0.95
PINYIN_RESOLVE = 90  # pinyin must be nearly equal: a homophone typo or romanised input, not a rhyme
PINYIN_SUGGEST = 70  # below, two names share only common syllables: no hint
MAX_NAME = 200  # characters: fuzzy matching and pinyin cost grow with the length of the name

ALIAS, VARIANT, PART, SUGGESTION = "alias", "variant", "part", "suggestion"
_QUOTED = re.compile("“([^”]+)”")
_PARTS = re.compile("[\\s·・•‧\u30fb\u2027]+")


class Match:
    __slots__ = ("entity", "score", "name", "how")

    def __init__(self, entity: Entity, score: float, name: str, how: str = ALIAS) -> None:
        self.entity, self.score, self.name, self.how = entity, score, name, how  # name: the spelling that matched

    @property
    def accepted(self) -> bool:
        return self.how != SUGGESTION


class NotFound(SpacelogError):
    """No entity is named: nothing found (exit 1), with suggestions and the family, if any."""

    exit_code = EXIT_NOT_FOUND


class Resolution:
    """What a query names: the accepted matches, the close suggestions, and a family it may belong to."""

    __slots__ = ("query", "kind", "matches", "suggestions", "family")

    def __init__(self, query: str, kind: str | None, matches: list[Match], suggestions: list[Match], family: Entity | None) -> None:
        self.query, self.kind = query, kind
        self.matches, self.suggestions, self.family = matches, suggestions, family

    @property
    def match(self) -> Match | None:
        """The one entity the query names, or None when it names none or several."""
        return self.matches[0] if len(self.matches) == 1 else None

    def not_found(self) -> NotFound:
        """The error a command raises when it needs one entity and this names none (or several)."""
        if len(self.matches) > 1:
            names = ", ".join(m.entity.label for m in self.matches[:3])
            lines = [f"{self.query!r} may name {len(self.matches)} entities: {names}; give one of them"]
        else:
            lines = [f"no {self.kind or 'name'} matches {self.query!r} well enough{suggestion(self.suggestions)}"]
        if self.family is not None and not self.matches:
            family = self.family
            lines.append(f"{self.query!r} is not in the registry, but its family is: {family.label}")
        return NotFound("\n".join(lines))


def check_length(name: str) -> None:
    """A UsageError when `name` is longer than any name the lookup takes."""
    if len(name) > MAX_NAME:
        raise UsageError(f"a name is at most {MAX_NAME} characters; this one has {len(name)}")


def suggestion(matches: list[Match]) -> str:
    if not matches:
        return ""
    names = ", ".join(m.entity.label for m in matches[:3])
    return f"; did you mean {names}?"


def _min_len(key: str) -> int:
    return 3 if key.isascii() else 2


def _parts(name: str) -> list[str]:
    return [search_key(p) for p in _PARTS.split(name) if search_key(p)]


def _words(name: str) -> list[str]:
    """The Latin words of a name, lower case (Vande Hei -> vande, hei)."""
    return re.findall(r"[0-9a-z]+", name.casefold())


def _contains_words(short: list[str], long: list[str]) -> bool:
    n = len(short)
    return 0 < n <= len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def find(query: str, registry: Registry, kind: str | None = None, limit: int = 5) -> Resolution:
    """Everything `query` may name: accepted matches (best first), suggestions and a family."""
    check_length(query)
    simplified = to_simplified(query)
    key = search_key(simplified)
    if not key:
        raise UsageError(f"name {query!r} is empty once spaces, quotes and · are ignored; give a name, e.g. 惠特森")
    exact = registry.exact(simplified, kind)
    if exact:  # a registry spelling needs no fuzzy stage (nor rapidfuzz's import)
        return Resolution(query, kind, [Match(e, 100, simplified) for e in exact][:limit], [], None)

    from .designation import key_continues_with_designation, signature  # after the exact stage: 5 ms of regexes

    best: dict[str, Match] = {}

    def offer(entity: Entity, score: float, name: str, how: str) -> None:
        current = best.get(entity.id)
        candidate = Match(entity, round(score, 1), name, how)
        if current is None or (candidate.accepted, candidate.score) > (current.accepted, current.score):
            best[entity.id] = candidate

    query_sig = signature(simplified)
    query_parts = _parts(simplified)
    query_words = _words(simplified) if key.isascii() else []
    names = [(e, n, search_key(n)) for e in registry.of_kind(kind) for n in e.names]
    family: tuple[int, Entity] | None = None
    for entity, name, name_key in names:
        if not name_key:
            continue
        if len(key) >= _min_len(key) and key in name_key:
            score = 70 + 25 * len(key) / len(name_key)
            offer(entity, score, name, PART if _is_part(simplified, key, query_parts, query_words, query_sig, entity, name, name_key) else SUGGESTION)
        elif len(name_key) >= _min_len(name_key) and name_key in key:
            offer(entity, 70 + 25 * len(name_key) / len(key), name, SUGGESTION)  # the query says more: another thing
            rest = key[len(name_key) :]
            if key.startswith(name_key) and key_continues_with_designation(rest) and (family is None or len(name_key) > family[0]):
                family = (len(name_key), entity)

    from rapidfuzz import fuzz

    for entity, name, name_key in names:
        score = fuzz.ratio(key, name_key)
        if entity.kind != "person" and not key.isascii():  # 美国海军 is not 美国空军, 国家空间站 not 国际空间站
            ok = score >= RESOLVE and signature(name) == query_sig and _leaves_out(key, name_key, name)
        else:
            ok = score >= RESOLVE and _same_name(simplified, query_sig, query_parts, entity, name, lambda a, b: fuzz.ratio(a, b) >= RESOLVE)
        offer(entity, score, name, VARIANT if ok else SUGGESTION)

    if not any(m.accepted for m in best.values()):
        if id(registry) not in _PINYIN_OF:  # once a process: the cache file is read, or written, once
            _PINYIN_OF.add(id(registry))
            _KNOWN_PINYIN.update(_registry_pinyin(registry))
        query_pinyin = _pinyin(key)
        # Romanised input may have a typo; Chinese input must sound the same (布莱斯尼可), not nearly (国家 is not 国际).
        needed = PINYIN_RESOLVE if key.isascii() else 100
        for entity, name, name_key in names:
            if name_key.isascii():
                continue
            raw = fuzz.ratio(query_pinyin, _pinyin(name_key))
            ok = raw >= needed and _same_name(simplified, query_sig, query_parts, entity, name, lambda a, b: fuzz.ratio(_pinyin(a), _pinyin(b)) >= needed)
            if ok or raw >= PINYIN_SUGGEST:
                offer(entity, PINYIN_WEIGHT * raw, name, VARIANT if ok else SUGGESTION)

    ranked = sorted(best.values(), key=lambda m: (-m.accepted, -m.score, m.entity.id))
    accepted = [m for m in ranked if m.accepted][:limit]
    suggestions = [m for m in ranked if not m.accepted and m.score >= SUGGEST][:limit]
    return Resolution(query, kind, accepted, suggestions, family[1] if family and not accepted else None)


def _is_part(query: str, key: str, query_parts: list[str], query_words: list[str], query_sig: tuple, entity: Entity, name: str, name_key: str) -> bool:
    """Whether the query, contained in `name`, is a whole part of it that names the entity."""
    from .designation import signature

    if signature(name) != query_sig:
        return False
    if entity.kind == "person":
        parts = _parts(name)
        return len(parts) > 1 and len(query_parts) == 1 and parts[0] == key  # a given name; a surname must be an alias
    if key.isascii():
        return _contains_words(query_words, _words(name))
    return name_key.endswith(key)  # the tail of a Chinese name is its head noun (联盟 of 联合发射联盟); the start is a modifier


def _leaves_out(key: str, name_key: str, name: str) -> bool:
    """Whether `key` is `name_key` with characters left out (美国航天 of 美国航天局), nothing changed
    or added, and most of its quoted proper name kept (俄罗斯航天集团 is not 俄罗斯“能源”火箭航天集团公司)."""
    if not _subsequence(key, name_key):
        return False
    for quoted in _QUOTED.findall(name):
        quoted_key = search_key(quoted)
        kept = sum(1 for ch in quoted_key if ch in key)
        if kept * 2 < len(quoted_key):  # a typo may drop a character of it, not most of it
            return False
    return True


def _subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _same_name(query: str, query_sig: tuple, query_parts: list[str], entity: Entity, name: str, close) -> bool:
    """Whether a query close to `name` is a spelling of it: same designation, alike besides it, same person."""
    from .designation import signature, without_designation

    if signature(name) != query_sig:
        return False
    if query_sig and not close(search_key(without_designation(query)), search_key(without_designation(name))):
        return False  # the designation alone made them alike: “进步”MS-09 is not “联盟”MS-09
    if entity.kind != "person":
        return True
    parts = _parts(name)
    if len(parts) == 1 and len(query_parts) == 1:
        return True  # one surname or one full name against another
    if len(parts) < 2 or len(query_parts) < 2:
        return False  # a given name plus surname is not a bare surname, nor the other way round
    return close(query_parts[0], parts[0]) and close(query_parts[-1], parts[-1])


def lookup(query: str, registry: Registry, kind: str | None = None, limit: int = 5) -> list[Match]:
    """Accepted matches then suggestions, best first, with scores 0-100."""
    found = find(query, registry, kind, limit)
    return [*found.matches, *found.suggestions][:limit]


_KNOWN_PINYIN: dict[str, str] = {}  # _pinyin of the registry's names, their parts and their names without designation
_PINYIN_OF: set[int] = set()  # the registries whose names' pinyin is in _KNOWN_PINYIN


@lru_cache(maxsize=4096)
def _pinyin(key: str) -> str:
    """Toneless pinyin of the Chinese characters in `key`; other characters kept."""
    if key.isascii():
        return key
    known = _KNOWN_PINYIN.get(key)
    if known is not None:
        return known
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(key))


def _registry_pinyin(registry: Registry) -> dict[str, str]:
    """The pinyin of every Chinese key the pinyin stage may take from the registry, kept in the cache
    with the registry's stamp: a romanised query (huitesen) then never imports pypinyin (150 ms)."""
    from . import cache
    from .designation import without_designation

    name = cache.entry_name("pinyin", "\0".join(registry.paths))
    stamps = [cache.file_stamp(p) for p in registry.paths]
    stamp = None if not stamps or None in stamps else stamps
    cached = cache.read_json(name, stamp)
    if cached is not None and isinstance(cached.get("pinyin"), dict):
        return cached["pinyin"]
    keys = set()
    for entity in registry.entities.values():
        for spelling in entity.names:
            keys.update([search_key(spelling), search_key(without_designation(spelling)), *_parts(spelling)])
    keys = {k for k in keys if not k.isascii()}
    if not keys:
        return {}
    from pypinyin import lazy_pinyin

    found = {k: "".join(lazy_pinyin(k)) for k in sorted(keys)}
    cache.write_json(name, stamp, {"pinyin": found})
    return found


def resolve(query: str, registry: Registry, kind: str | None = None) -> Match:
    """The one entity `query` names, or NotFound (exit 1) with suggestions and the family."""
    found = find(query, registry, kind)
    if found.match is None:
        raise found.not_found()
    return found.match
