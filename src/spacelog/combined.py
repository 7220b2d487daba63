"""A store of several files (a folder, several --data), each read through its own index.

The events of the files are numbered one file after the other, in the order a full
read loads them, so every answer is the one a full read gives. An id that two files
share makes a full read report and skip the later one; `open_combined` then gives
None and the caller reads the store whole, so that rare case is reported exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby, islice, repeat
from operator import add, lt, sub

from .index import IndexSource
from .store import Diagnostic, Event


def open_combined(parts: list[IndexSource]) -> CombinedSource | None:
    """The files' indexes as one source; None when two files share an id."""
    combined = CombinedSource(parts)
    if combined.shares_ids():
        combined.close()
        return None
    return combined


class CombinedSource:
    """Several IndexSources as one `query.EventSource`: event i of the whole is event i - base of its file."""

    def __init__(self, parts: list[IndexSource]) -> None:
        self.parts = parts
        self.bases: list[int] = []
        total = 0
        for part in parts:
            self.bases.append(total)
            total += part.n
        self.n = total
        self.diagnostics: list[Diagnostic] = [d for part in parts for d in part.diagnostics]
        spans = [part.meta["order_span"] for part in parts if part.n]
        # the files follow one another in date order: a file's rank, after the files before it, is the rank in the whole
        self._files_in_order = all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))

    def close(self) -> None:
        for part in self.parts:
            part.close()

    def shares_ids(self) -> bool:
        """Whether an id is in two files: only looked for when the files' spans of ids overlap."""
        spans = sorted(part.meta["id_span"] for part in self.parts if part.n)
        if all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False)):
            return False
        seen: set[str] = set()
        for part in self.parts:
            ids = {part.event_id(i) for i in range(part.n)}
            if not seen.isdisjoint(ids):
                return True
            seen |= ids
        return False

    def _locate(self, i: int) -> tuple[IndexSource, int]:
        k = bisect.bisect_right(self.bases, i) - 1
        return self.parts[k], i - self.bases[k]

    def _split(self, numbers: list[int]) -> Iterator[tuple[int, list[int]]]:
        """(file, its event numbers) for runs of `numbers` in one file, in their order."""
        if all(map(lt, numbers, islice(numbers, 1, None))):  # ascending: cut by bisection
            for k, base in enumerate(self.bases):
                low = bisect.bisect_left(numbers, base)
                high = bisect.bisect_left(numbers, base + self.parts[k].n, low)
                if high > low:
                    yield k, list(map(sub, numbers[low:high], repeat(base)))
            return
        for k, run in groupby(numbers, key=lambda i: bisect.bisect_right(self.bases, i) - 1):
            yield k, [i - self.bases[k] for i in run]

    # -------------------------------------------------------------- EventSource
    def dates(self, i: int) -> tuple[int, int]:
        part, j = self._locate(i)
        return part.dates(j)

    def starts(self, numbers: list[int]) -> list[int]:
        return [start for k, run in self._split(numbers) for start in self.parts[k].starts(run)]

    def tagged(self, field: str, value: str) -> list[int]:
        found: list[int] = []
        for part, base in zip(self.parts, self.bases, strict=True):
            found.extend(map(add, part.tagged(field, value), repeat(base)))
        return found

    def in_month(self, month: int) -> list[int]:
        return self.tagged("month", str(month))

    def containing(self, key: str) -> list[int]:
        found: list[int] = []
        for part, base in zip(self.parts, self.bases, strict=True):
            found.extend(map(add, part.containing(key), repeat(base)))
        return found

    def text_key(self, i: int) -> str:
        part, j = self._locate(i)
        return part.text_key(j)

    def in_order(self, numbers: Iterable[int]) -> list[int]:
        ordered = sorted(numbers)
        if self._files_in_order:
            if all(part.meta["in_date_order"] for part in self.parts):
                return ordered
            return sorted(ordered, key=self._rank)
        return sorted(ordered, key=self._order_key)

    def _rank(self, i: int) -> int:
        """The rank of event i in the whole, when the files follow one another in date order."""
        k = bisect.bisect_right(self.bases, i) - 1
        return self.bases[k] + self.parts[k].rank(i - self.bases[k])

    def _order_key(self, i: int) -> tuple:
        part, j = self._locate(i)
        event_id = part.event_id(j)
        return part.dates(j)[0], len(event_id), event_id

    def event(self, i: int) -> Event:
        part, j = self._locate(i)
        return part.event(j)

    def event_id(self, i: int) -> str:
        part, j = self._locate(i)
        return part.event_id(j)

    def event_ids(self) -> list[str]:
        return [event_id for part in self.parts for event_id in part.event_ids()]

    def decoded(self, numbers: list[int]) -> Iterable[Event]:
        for k, run in self._split(numbers):
            yield from self.parts[k].decoded(run)

    def decoded_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[Event]]]:
        return [part for k, run in self._split(numbers) for part in self.parts[k].decoded_parts(run)]

    def store_text(self, numbers: list[int]) -> Iterable[bytes]:
        for k, run in self._split(numbers):
            yield from self.parts[k].store_text(run)

    def store_text_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[bytes]]]:
        return [part for k, run in self._split(numbers) for part in self.parts[k].store_text_parts(run)]

    def unsafe_lines(self, numbers: list[int]) -> set[int] | None:
        unsafe = {base + i for part, base in zip(self.parts, self.bases, strict=True) for i in part.meta["unsafe"]}
        return unsafe.intersection(numbers) if unsafe else set()
