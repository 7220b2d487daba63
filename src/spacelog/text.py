"""Text normalisation shared by matching, tagging and lookup.

Stored text is never changed; only *keys* derived from it are normalised, and
the same `search_key` is applied to text and to queries so that both sides
agree (`猎鹰9` finds `“猎鹰”9`, `ＮＡＳＡ` finds `NASA`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TILDES = "\uff5e\u301c"
# What carries no meaning for matching: whitespace (\s is str.isspace), name dots, quotes.
_IGNORED = re.compile("[\\s·・•‧\u30fb\u2027“”‘’\"'「」『』《》〈〉]+")
_DASH_RUN = re.compile(r"-{2,}")
# Full-width ASCII forms as NFKC maps them (＂ and ＇ become ignored quotes), dashes, tildes.
_MAPPED = re.compile(f"[\uff01-\uff5e{_DASHES}{_TILDES}]")
_MAP = {c: "-" for c in _DASHES} | {c: "~" for c in _TILDES}
for _code in range(0xFF01, 0xFF5F):
    _MAP.setdefault(chr(_code), _IGNORED.sub("", unicodedata.normalize("NFKC", chr(_code))))


def _mapped(match: re.Match[str]) -> str:
    return _MAP[match.group()]


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """The key of one character (the same as search_key of that character)."""
    return search_key(ch)


def search_key(text: str) -> str:
    """The normalised form of `text` used for every comparison.

    NFKC, case folding, dashes unified, whitespace, quotes and `·` dropped, and
    so is one dash between two Han characters (萨琳娜·奥侬-钱斯勒). Chinese
    text is NFKC-normal but for its full-width punctuation, so those are mapped
    directly and NFKC runs only when still needed: 4x faster on chronicle text,
    and the same result for every single character (combining marks separated
    by dropped characters compose, which whole-string NFKC first would not do).
    """
    key = _MAPPED.sub(_mapped, _IGNORED.sub("", text))
    if not unicodedata.is_normalized("NFKC", key):
        key = _MAPPED.sub(_mapped, _IGNORED.sub("", unicodedata.normalize("NFKC", key)))
    return dashes_dropped(key.casefold())


def dashes_dropped(key: str) -> str:
    """A key without a lone dash between Han characters, and with each run of dashes as one.

    A dash between two Han characters joins a transliterated name (奥侬-钱斯勒), as · does.
    Looked for with str.find: an expression with the astral Han range took 1.5-3 ms to compile.
    """
    if "-" not in key:
        return key
    kept, last = [], 0
    at = key.find("-", 1)
    while at != -1 and at < len(key) - 1:  # each dash judged by its neighbours in `key` as given
        if _is_han(key[at - 1]) and _is_han(key[at + 1]):
            kept.append(key[last:at])
            last = at + 1
        at = key.find("-", at + 1)
    key = "".join(kept) + key[last:] if kept else key
    return _DASH_RUN.sub("-", key) if "--" in key else key


def search_key_with_map(text: str) -> tuple[str, list[int]]:
    """`search_key(text)` and, for each key character, its index in `text`.

    Built character by character; when that differs from the whole-string key
    (combining sequences, dash runs), the map is empty and callers skip
    highlighting rather than highlight the wrong characters.
    """
    key_chars: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(text):
        for c in _fold_char(ch):
            key_chars.append(c)
            positions.append(index)
    if "-" in key_chars:  # as search_key: drop a lone dash between Han, then shorten dash runs
        keep = [
            not (c == "-" and ((0 < i < len(key_chars) - 1 and _is_han(key_chars[i - 1]) and _is_han(key_chars[i + 1])) or (i > 0 and key_chars[i - 1] == "-")))
            for i, c in enumerate(key_chars)
        ]
        key_chars = [c for c, k in zip(key_chars, keep, strict=True) if k]
        positions = [p for p, k in zip(positions, keep, strict=True) if k]
    key = "".join(key_chars)
    if key != search_key(text):
        return search_key(text), []
    return key, positions


# Han ideographs: Extension A, the unified block, compatibility ideographs, Extensions B-G.
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
# CJK symbols and punctuation, full-width forms.
CJK_SYMBOL_RANGES = ((0x3000, 0x303F), (0xFF00, 0xFFEF))


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in HAN_RANGES)


def is_cjk(ch: str) -> bool:
    """True for Han ideographs and CJK symbols, which are written without spaces."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in (*HAN_RANGES, *CJK_SYMBOL_RANGES))


_traditional: frozenset[str] | None = None


def _traditional_chars() -> frozenset[str]:
    """Characters that zhconv-rs changes on their own (see tools/make_traditional.py)."""
    global _traditional
    if _traditional is None:
        from pathlib import Path

        _traditional = frozenset(Path(__file__).with_name("traditional.txt").read_text(encoding="utf-8").strip())
    return _traditional


def to_simplified(query: str) -> str:
    """Convert a query written in traditional characters to simplified.

    Applied to queries only (the store is simplified already). zhconv-rs costs
    about 6 ms to load its tables, so it is called only when the query holds a
    character that is traditional on its own (國, 獵); a query of simplified
    characters and words used only in Taiwan (太空梭) is left as it is.
    """
    if query.isascii() or not any(c in _traditional_chars() for c in query):
        return query
    from zhconv_rs import zhconv

    return zhconv(query, "zh-cn")


# C0 and C1 controls, DEL, and the bidi controls that can reorder a line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def is_safe(text: str) -> bool:
    """Whether `text` prints as it is: no character `visible` would escape."""
    return _UNSAFE.search(text) is None


def visible(text: str) -> str:
    """Make control and bidi characters visible as escapes, e.g. `\\x1b`, `\\u202e`.

    Store text is untrusted: printed raw, an escape sequence could clear the
    screen, write the clipboard or forge a hyperlink.
    """

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)


# Characters a terminal obeys that JSON may carry raw: DEL, C1 controls, line and
# paragraph separators, bidi controls; as UTF-8 byte sequences, for store lines.
UNSAFE_JSON_BYTES = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def _escape_match(match: re.Match[bytes]) -> bytes:
    return f"\\u{ord(match.group().decode('utf-8')):04x}".encode("ascii")


def safe_json_line(line: bytes) -> bytes:
    """A JSON line with terminal-unsafe characters written as \\u escapes: the same JSON value."""
    return UNSAFE_JSON_BYTES.sub(_escape_match, line)


def noun(n: int, singular: str, plural: str = "") -> str:
    """The noun for `n` things: `event` for one, `events` (or `plural`) for any other number."""
    return singular if n == 1 else plural or singular + "s"


def plural(n: int, singular: str, plural: str = "") -> str:
    """A count with its noun: `1 event`, `0 events`, `2 categories`."""
    return f"{n} {noun(n, singular, plural)}"
