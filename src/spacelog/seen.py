"""Where each event id of a store was first seen, in a few bytes an id.

`check` streams stores of millions of events and must still find an id used
twice anywhere in them. A dict of id strings costs about 150 bytes an id; ids
are `<year>-<sequence>` and a year's sequences are nearly dense, so each year
(and width of sequence: 2017-001 and 2017-0001 are different ids) keeps an
array indexed by sequence instead: 8 bytes a slot (counted from 1000 for 2017-1000 to
2017-9999, from 0 for 2017-0001). Ids whose sequence is far
beyond the others of their year go to a dict, so a stray 2017-99999999 costs
one entry, not 800 MB.
"""

from __future__ import annotations

from array import array

_MIN_SLOTS = 1024  # a year's array may always grow to this many slots
_DENSITY = 2  # beyond that, to at most this many slots for each id of the year


class FirstSeen:
    """`add(id, place)` records a place for each new id and returns the earlier one for a repeated id."""

    __slots__ = ("_dense", "_count", "_sparse")

    def __init__(self) -> None:
        self._dense: dict[str, array] = {}  # year, width, padded ("2017:4:0") -> place + 1 by sequence (0: not seen)
        self._count: dict[str, int] = {}  # ids seen for each key
        self._sparse: dict[str, int] = {}  # id -> place, for sequences beyond their year's array

    def add(self, event_id: str, place: int) -> int | None:
        """Keep `place` (an int from 0 to 2**64 - 2) for a new `event_id` and return None; for a repeated one, its first place."""
        if self._sparse:
            first = self._sparse.get(event_id)
            if first is not None:
                return first
        year, _, digits = event_id.partition("-")
        if not (digits.isascii() and digits.isdigit()):  # not an id check accepts; kept correct all the same
            self._sparse[event_id] = place
            return None
        # Sequences of one width without a leading zero start at 10**(width - 1) (2017-1000):
        # counted from there, each width of a year is dense from its first slot.
        padded = digits[0] == "0" or len(digits) == 1
        seq = int(digits) - (0 if padded else 10 ** (len(digits) - 1))
        key = f"{year}:{len(digits)}:{padded:d}"
        slots = self._dense.get(key)
        if slots is None:
            slots = self._dense[key] = array("Q")
        if seq < len(slots) and slots[seq]:
            return slots[seq] - 1
        count = self._count[key] = self._count.get(key, 0) + 1
        if seq >= len(slots):
            allowed = max(_MIN_SLOTS, _DENSITY * count)
            if seq >= allowed:
                self._sparse[event_id] = place
                return None
            size = min(max(seq + 1, len(slots) * 3 // 2), allowed)  # grow by half at least: appends stay cheap
            slots.frombytes(bytes(8 * (size - len(slots))))
        slots[seq] = place + 1
        return None
