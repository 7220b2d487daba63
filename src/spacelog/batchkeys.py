"""The search keys of many texts at once, with numpy: imported only while an index is built.

`joined_keys(texts)` is `"\\n".join(map(search_key, texts))`, computed on all the texts
joined into one string by a separator no text holds (NUL): the characters search_key
drops or maps are dropped and mapped through one table in a few array operations, not a
regular expression per text (4 µs of 8 per event). The shortcut holds only where the
result is already NFKC-normal (then search_key would not normalise either); NUL is a
starter that composes with nothing, so normalisation never crosses it. Any other batch
is keyed text by text.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

from .text import _IGNORED, _MAP, _MAPPED, HAN_RANGES, search_key

SEPARATOR = "\x00"
_DROP = 0xFFFFFFFF  # in the table: the character is dropped


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """What each character becomes: itself, one other, or dropped.

    Read off the expressions search_key uses, so both always agree. No character beyond
    the Basic Multilingual Plane is dropped or mapped, and every mapping gives one ASCII
    character or none.
    """
    table = np.arange(0x110000, dtype=np.uint32)
    every = "".join(map(chr, range(0x10000)))
    for match in _IGNORED.finditer(every):
        table[match.start() : match.end()] = _DROP
    for match in _MAPPED.finditer(every):  # after the dropping, as search_key maps
        new = _MAP[match.group()]
        if table[match.start()] != _DROP:
            table[match.start()] = ord(new) if new else _DROP
    table[ord(SEPARATOR)] = ord("\n")  # the line end between keys
    return table


def joined_keys(texts: list[str]) -> str:
    """The search key of each text, one a line (no key holds a line end): `"\\n".join(map(search_key, texts))`."""
    joined = SEPARATOR.join(texts)
    try:
        code_points = joined.encode("utf-32-le")
    except UnicodeEncodeError:  # a lone surrogate (a JSON \\ud800 escape)
        return "\n".join(map(search_key, texts))
    if not texts or joined.count(SEPARATOR) != len(texts) - 1:
        return "\n".join(map(search_key, texts))
    mapped = np.take(_table(), np.frombuffer(code_points, np.uint32))
    key = _dashes_dropped(mapped[mapped != _DROP]).tobytes().decode("utf-32-le")
    if unicodedata.is_normalized("NFKC", key):
        return key.casefold()
    # some text needs NFKC: key it alone, and every other from the batch
    pieces = key.split("\n")
    return "\n".join(k.casefold() if unicodedata.is_normalized("NFKC", k) else search_key(t) for k, t in zip(pieces, texts, strict=True))


def _dashes_dropped(chars: np.ndarray) -> np.ndarray:
    """text.dashes_dropped on code points, looking only beside each dash: a dash between two Han
    characters is dropped, and a dash after a dash. Before case folding and the NFKC check, which
    give the same with or without these dashes: folding makes no dash and no Han character, and
    a dash between two starters composes with neither."""
    dashes = np.flatnonzero(chars == 0x2D)
    if not len(dashes):
        return chars
    before = chars[np.maximum(dashes - 1, 0)]
    after = chars[np.minimum(dashes + 1, len(chars) - 1)]
    inner = (dashes > 0) & (dashes < len(chars) - 1)
    drop = inner & _is_han(before) & _is_han(after)
    drop |= (dashes > 0) & (before == 0x2D)  # a run of dashes is kept as one
    keep = np.ones(len(chars), bool)
    keep[dashes[drop]] = False
    return chars[keep]


def _is_han(chars: np.ndarray) -> np.ndarray:
    """Which of `chars` are Han characters (text.HAN_RANGES)."""
    found = np.zeros(len(chars), bool)
    for first, last in HAN_RANGES:
        found |= (chars >= first) & (chars <= last)
    return found
