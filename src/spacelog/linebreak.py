"""Line breaking for Chinese text in terminal cells (no Rich: the renderer wraps it).

The rules are those of Chinese text layout (W3C clreq) and Unicode line
breaking (UAX #14) that matter for chronicle text:

- a line may break between any two CJK characters;
- never before closing punctuation (，。）」” …) nor after opening punctuation (（「“);
- never inside a Latin word or a number;
- a number stays with the character that follows it (`18 日`, `6 小时`, `2019年`),
  also across the space that PDF extraction leaves between them;
- at a break, spaces end the line and are dropped, so no line starts with one.

Widths are terminal cells: East Asian Wide and Fullwidth characters take two.
The text itself is never changed: `wrap` returns index ranges into it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

# No break before these (clreq 行首禁则): closing brackets and quotes, stops,
# commas, colons, the interpunct of names, dashes and ellipses (never split,
# never at a line start), percent and degree signs.
CLOSING = frozenset(
    "，。、；：？！）」』”’》〉】〕〗〙〛｝］｠〞〟・·‧—…‥～％‰℃°′″)]}%!?\u2014\u2015\u2025\u2026\u30fc\uff0e\uff0c\uff1a\uff1b\uff01\uff1f\uff09"
)
# No break after these (clreq 行尾禁则): opening brackets and quotes.
OPENING = frozenset("（「『“‘《〈【〔〖〘〚｛［｟〝([{\uff08")
# Inside a number or word when letters or digits follow at once (2.9, 3,459, 10:30, U.S.),
# and like closing punctuation otherwise (UAX #14 class IS).
INFIX = frozenset(".,:;/")
SPACES = frozenset(" \t\u00a0\u2002\u2003\u2009\u200a\u202f\u205f")

WidthOf = Callable[[str], int]


@lru_cache(maxsize=4096)
def cell_width(ch: str) -> int:
    """Terminal cells of one character: 2 for East Asian Wide/Fullwidth, 0 for marks."""
    if ch < "\u0300":
        return 0 if ch < " " else 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


@lru_cache(maxsize=4096)
def _kind(ch: str) -> str:
    """A character's line-breaking class: S space, C closing, X infix, O opening, I ideographic (breaks on both sides), N digit, W word."""
    if ch in SPACES:
        return "S"
    if ch in INFIX:
        return "X"
    if ch in CLOSING:
        return "C"
    if ch in OPENING:
        return "O"
    if ch.isdigit():
        return "N"
    code = ord(ch)
    if unicodedata.east_asian_width(ch) in "WF" and not ch.isalnum() or 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or code >= 0x20000:
        return "I"  # Han, kana, hangul, CJK symbols: a break is allowed on either side
    return "W"  # Latin and other letters, ASCII symbols: parts of a word


def atoms(text: str, width_of: WidthOf = cell_width) -> list[tuple[int, int, int, int]]:
    """Split `text` into pieces that a line break never enters.

    Each atom is (start, end, width, trailing spaces' width): text[start:end]
    ends with the spaces that a break after it would drop. Joined, the atoms
    are the text.
    """
    result: list[tuple[int, int, int, int]] = []
    start = 0
    width = space_width = 0
    last = ""  # class of the last non-space character
    for i, (ch, kind) in enumerate(zip(text, map(_kind, text), strict=True)):
        w = width_of(ch)
        if kind == "S":
            space_width += w
            continue
        if i > start and (last, kind, space_width > 0) in _BREAKS:
            result.append((start, i, width, space_width))
            start, width = i, 0
        else:
            width += space_width
        space_width = 0
        width += w
        last = kind
    if start < len(text):
        result.append((start, len(text), width, space_width))
    return result


def _may_break(before: str, after: str, spaced: bool) -> bool:
    """May a line break between a character of class `before` and one of class `after`?"""
    if not before:  # only spaces so far: the text's own indent stays
        return False
    if after in "CX" or before == "O":
        return False
    if before == "X" and after in "NW" and not spaced:  # 2.9, U.S.
        return False
    if before == "N" and after == "I":  # a number keeps its unit: 18 日, 6小时
        return False
    if spaced:
        return True
    return before in "ICX" or after in "IO"


_CLASSES = ("", "C", "X", "O", "N", "I", "W")  # "" before the first character that is not a space
# (before, after, spaced) for each pair of classes a line may break between: `atoms` looks them up.
_BREAKS = frozenset((b, a, s) for b in _CLASSES for a in _CLASSES[1:] for s in (False, True) if _may_break(b, a, s))


def wrap(text: str, width: int, width_of: WidthOf = cell_width, pieces: list[tuple[int, int, int, int]] | None = None) -> list[tuple[int, int]]:
    """Lines of at most `width` cells, as (start, end) ranges of `text` without their trailing spaces.

    Greedy: each line takes as many atoms as fit. An atom wider than the line
    (a long word in a narrow column) is cut by cells, the one case where a
    word is split. A newline in the text always ends a line.
    """
    width = max(width, 1)
    if "\n" in text:
        lines: list[tuple[int, int]] = []
        offset = 0
        for part in text.split("\n"):
            lines.extend((offset + s, offset + e) for s, e in wrap(part, width, width_of))
            offset += len(part) + 1
        return lines
    lines = []
    line_start = line_end = -1
    used = pending = 0  # cells in the line; its trailing spaces, counted only if more follows
    count = 0  # atoms in the line (0 after a cut: such a line is never rebalanced)
    last = before_last = (0, 0)  # (start, cells) of the line's last atom; (end, cells) of the line before it
    previous = (0, last, before_last)  # count, last, before_last of the line before
    for start, end, w, spaces in pieces if pieces is not None else atoms(text, width_of):
        if line_start >= 0 and used + pending + w <= width:
            before_last, last = (line_end, used), (start, w)
            used += pending + w
            count += 1
        else:
            if line_start >= 0:
                lines.append((line_start, line_end))
                previous = (count, last, before_last)
            count = 1
            while w > width:  # an atom longer than a line: cut it by cells
                cut, cells = start, 0
                while cut < end and cells + width_of(text[cut]) <= width or cut == start:
                    cells += width_of(text[cut])
                    cut += 1
                lines.append((start, cut))
                start, w, count, previous = cut, w - cells, 0, (0, last, before_last)
            line_start, used, last = start, w, (start, w)
        line_end, pending = end - _space_count(text, end, spaces), spaces
    if line_start >= 0:
        lines.append((line_start, line_end))
    # An orphan (one character, maybe with its punctuation, alone on the last line)
    # takes the last atom of the line above with it, when that line keeps half its width.
    moved_count, (moved_start, moved_cells), (kept_end, kept_cells) = previous
    orphan = count == 1 and len([c for c in text[line_start:line_end] if c not in CLOSING]) == 1
    if len(lines) > 1 and orphan and moved_count > 2 and kept_cells >= width / 2:
        gap = sum(width_of(c) for c in text[lines[-2][1] : line_start])  # the spaces between, kept inside the line
        if moved_cells + gap + used <= width:
            lines[-2:] = [(lines[-2][0], kept_end), (moved_start, line_end)]
    return lines or [(0, 0)]


def _space_count(text: str, end: int, spaces: int) -> int:
    """How many characters of trailing spaces end text[:end]."""
    if not spaces:
        return 0
    n = 0
    while end - n > 0 and text[end - n - 1] in SPACES:
        n += 1
    return n


def min_width(pieces: list[tuple[int, int, int, int]]) -> int:
    """The widest atom: the narrowest width at which no word is cut."""
    return max((w for _, _, w, _ in pieces), default=0)


def full_width(pieces: list[tuple[int, int, int, int]]) -> int:
    """The text's width on one line, without trailing spaces."""
    if not pieces:
        return 0
    return sum(w + s for _, _, w, s in pieces) - pieces[-1][3]
