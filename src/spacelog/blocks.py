"""Store lines read for the index build: a block of lines at a time, the usual block in a few C calls.

The usual block is lines of compact JSON objects of valid events: msgspec decodes the
whole block at once into `Line`s, checking each field's type as it goes, and
`EventCheck.dates` checks the rest, saying yes only to what store._plainly_valid says
yes to (dates, id forms and tag lists it has seen are kept). Half a surrogate pair in
the text is rare enough that a block holding the escape of one is read line by line,
and such a line the slow way. Whatever the quick path is unsure of goes through
store.decode_line, so every fault is reported with the message a full read gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import cast

import msgspec

from .query import date_number
from .registry import Registry
from .store import CATEGORIES, LONE_SURROGATE_ESCAPE, parse_date

BLOCK = 1 << 20  # bytes read at once: a few thousand events, whose keys are normalised and paired together


def blocks(fd: int, begin: int, end: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of runs of whole lines (each but maybe the file's last ending in \\n) that start in begin..end."""
    at, size = begin, BLOCK
    while at < end:
        data = os.pread(fd, size, at)
        if not data:
            return
        # the block ends with the line that holds byte end - 1, or with the last whole line read
        cut = (data.find(b"\n", end - at - 1) if end - at < len(data) else data.rfind(b"\n")) + 1
        if not cut and len(data) == size:  # a line longer than the read: read more
            size *= 2
            continue
        block = data[:cut] if cut else data
        yield at, block
        at += len(block)
        size = BLOCK


def holds_unsafe(block: bytes) -> bool:
    """Whether `block` holds a byte sequence of text.UNSAFE_JSON_BYTES: found with numpy in a few
    passes over the block, 5x faster than the expression, which tries every position."""
    import numpy as np  # here, not above: a build forks before numpy starts its threads

    data = np.frombuffer(block, np.uint8)
    if (data == 0x7F).any():  # DEL
        return True
    second = data[np.flatnonzero(data[:-1] == 0xC2) + 1]
    if ((second >= 0x80) & (second <= 0x9F)).any():  # C1 controls
        return True
    lead = np.flatnonzero(data[:-2] == 0xE2)
    second, third = data[lead + 1], data[lead + 2]
    marks = (second == 0x80) & ((third == 0x8E) | (third == 0x8F) | ((third >= 0xA8) & (third <= 0xAE)))  # U+200E-F, U+2028-E
    isolates = (second == 0x81) & (third >= 0xA6) & (third <= 0xA9)  # U+2066-9
    return bool((marks | isolates).any())


class Line(msgspec.Struct, gc=False):
    """The fields of a store line, each of the type a valid event gives it (unknown fields are skipped)."""

    id: str
    seq: int
    date: str
    end: str | None
    text: str
    agencies: list[str]
    people: list[str]
    vehicles: list[str]
    categories: list[str]


class KnownLine(Line, forbid_unknown_fields=True, gc=False):
    """A Line of no other field: every byte of it is then read, its strings checked as UTF-8."""


LINE, KNOWN_LINE = msgspec.json.Decoder(Line), msgspec.json.Decoder(KnownLine)


def quick_lines(block: bytes) -> tuple[list[Line], list[int], list[int]] | None:
    """Each line of `block` decoded, and where each starts and ends in it; None when some line is
    not plainly one compact object (then it is read line by line).

    Stricter than the JSON module where they differ (a bool or float seq, an integer beyond 64
    bits, half a surrogate pair, NaN anywhere are refused). A block with an unknown field is
    decoded again, its unknown fields skipped unread, once its bytes are checked as UTF-8.
    Every line must start with { and end with }: then a line that decodes to no object or to
    two cannot keep the count of lines.
    """
    import numpy as np

    # a backslash first: one byte is found with memchr, 80x faster than the search for two (0.8 ms a block)
    if block[:1] != b"{" or not block.endswith(b"\n") or (b"\\" in block and b"\\u" in block and LONE_SURROGATE_ESCAPE.search(block)):
        return None
    data = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(data == 10)
    if not (data[ends - 1] == 0x7D).all() or not (data[ends[:-1] + 1] == 0x7B).all():
        return None
    try:
        lines = cast("list[Line]", KNOWN_LINE.decode_lines(block))
    except msgspec.ValidationError:  # maybe an unknown field
        try:
            block.decode("utf-8")
            lines = LINE.decode_lines(block)
        except (UnicodeDecodeError, msgspec.DecodeError):
            return None
    except msgspec.DecodeError:
        return None
    if len(lines) != len(ends):
        return None
    return lines, [0, *(ends[:-1] + 1).tolist()], ends.tolist()


def quick_line(raw: bytes) -> Line | None:
    """One line decoded as `quick_lines` decodes a block's, or None."""
    if raw[:1] != b"{" or raw[-1:] != b"}" or LONE_SURROGATE_ESCAPE.search(raw):
        return None
    try:
        raw.decode("utf-8")
        return LINE.decode(raw)
    except (UnicodeDecodeError, msgspec.DecodeError):
        return None


class EventCheck:
    """What store._plainly_valid checks of a Line beyond its fields' types, with what repeats from line to line remembered."""

    def __init__(self, registry: Registry) -> None:
        self.days: dict[str, int] = {}  # a real date -> its date_number
        self.categories = frozenset(CATEGORIES)
        self.agencies, self.people, self.vehicles = (registry.ids_of_kind(kind) for kind in ("agency", "person", "vehicle"))

    def dates(self, line: Line) -> tuple[int, int] | None:
        """(first, last day) as date numbers of an event that is surely valid; None when unsure."""
        date, end, seq, text = line.date, line.end, line.seq, line.text
        first = self.days.get(date) or self._day(date)
        last = first if end is None else self.days.get(end) or self._day(end)
        if not (first and last and last >= first and seq > 0):
            return None
        if line.id != f"{date[:4]}-{seq:03d}" or not text or text.isspace():
            return None
        if not (self.categories.issuperset(line.categories) and self.agencies.issuperset(line.agencies)):
            return None
        if not (self.people.issuperset(line.people) and self.vehicles.issuperset(line.vehicles)):
            return None
        return first, last

    def _day(self, value: str) -> int:
        """The date number of a real date, else 0."""
        if parse_date(value) is None:
            return 0
        self.days[value] = number = date_number(value)
        return number
