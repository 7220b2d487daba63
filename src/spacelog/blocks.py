"""Store lines read for the index build: a block of lines at a time, the usual line in a few C calls.

The usual line is one compact JSON object of a valid event: it is decoded by the JSON
module's C scanner (store.scan_once) and checked by `EventCheck.dates`, which can only say
yes to what store._plainly_valid says yes to (dates, id forms and tag lists it has seen are
kept), but for one test: half a surrogate pair in the text, which is rare enough that the
builder looks for its escape once a block and sends such lines the slow way.
Whatever it is unsure of goes through store.decode_line, so every fault is reported
with the message a full read gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from .query import date_number
from .registry import Registry
from .store import CATEGORIES, FIELD_OF_KIND, parse_date

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
    import numpy as np

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


class EventCheck:
    """What store._plainly_valid checks, with what repeats from line to line remembered."""

    def __init__(self, registry: Registry) -> None:
        self.days: dict[str, int] = {}  # a real date -> its date_number
        self.categories = frozenset(CATEGORIES)
        self.kinds = tuple((name, registry.ids_of_kind(kind)) for kind, name in FIELD_OF_KIND.items())

    def dates(self, event: object) -> tuple[int, int] | None:
        """(first, last day) as date numbers of an event that is surely valid; None when unsure."""
        try:
            date, end, seq, text = event["date"], event["end"], event["seq"], event["text"]  # type: ignore[index]
            first = self.days.get(date) or self._day(date)
            last = first if end is None else self.days.get(end) or self._day(end)
            if not (first and last and last >= first and type(seq) is int and seq > 0):
                return None
            if event["id"] != f"{date[:4]}-{seq:03d}" or type(text) is not str or not text or text.isspace():  # type: ignore[index]
                return None
            if type(event["categories"]) is not list or not self.categories.issuperset(event["categories"]):  # type: ignore[index]
                return None
            for name, known in self.kinds:
                if type(event[name]) is not list or not known.issuperset(event[name]):  # type: ignore[index]
                    return None
        except (KeyError, TypeError):  # not an object, a field missing, an unhashable value
            return None
        return first, last

    def _day(self, value: object) -> int:
        """The date number of a real date, else 0."""
        if type(value) is not str or parse_date(value) is None:
            return 0
        self.days[value] = number = date_number(value)
        return number
