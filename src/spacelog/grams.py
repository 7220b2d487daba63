"""Bigram postings of the search keys, built with numpy: imported only while an index is built.

For each pair of adjacent characters of any key, the ascending numbers of the events
whose key holds it. Keys are taken in chunks; a thread sorts one chunk's (bigram,
event) pairs while the build reads the next lines (numpy's sort releases the GIL), and
spills the chunk's postings to an unlinked temporary file. `write` then lays the
postings out bigram by bigram, a range of bigrams at a time, so memory stays bounded
by a chunk and a range whatever the store's size.
"""

from __future__ import annotations

import os
import threading
import zlib
from typing import BinaryIO

import numpy as np

from .crc import crc32_combine

CHUNK_EVENTS = 8192  # events sorted at once (a chunk may hold more, up to 1 << LOCAL_BITS)
RANGE_POSTINGS = 4 << 20  # postings laid out per write (16 MiB)
LOCAL_BITS = 20
SHORT_POSTINGS = 1 << 16  # a chunk of at most this many events spills each posting in two bytes
CHAR_BITS = 21  # every code point fits in 21 bits: a bigram is (first << 21) | second


# A chunk's bigrams, how many of its events hold each, where its postings start in its spill
# file (in bytes), that file, the number of its first event, and the numpy type of its postings
Chunk = tuple[np.ndarray, np.ndarray, int, int, int, str]


class GramBuilder:
    """Collects keys in event order; `write` puts the postings sections into the index file."""

    def __init__(self, spill: BinaryIO) -> None:
        self.spill = spill  # an unlinked temporary file: a killed build leaves nothing
        self._pending: list[str] = []  # keys, one a line
        self._count = 0  # keys pending
        self._first = 0  # number of the first pending event
        self._spilled = 0  # bytes in the spill file so far
        self.chunks: list[Chunk] = []
        self._worker: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, text: str, count: int) -> None:
        """The keys of the next `count` events, one a line."""
        self._pending.append(text)
        self._count += count
        if self._count >= CHUNK_EVENTS:
            self._flush()

    def _flush(self) -> None:
        text, first = "\n".join(self._pending) + "\n", self._first
        self._pending, self._first, self._count = [], first + self._count, 0
        self._join()
        self._worker = threading.Thread(target=self._sort_chunk, args=(text, first), daemon=True)
        self._worker.start()

    def _join(self) -> None:
        if self._worker is not None:
            self._worker.join()
            self._worker = None
        if self._error is not None:
            raise self._error

    def _sort_chunk(self, text: str, first: int) -> None:
        try:
            grams, counts, events = chunk_postings(text)
            self.spill.write(events.tobytes())
            self.chunks.append((grams, counts, self._spilled, self.spill.fileno(), first, events.dtype.str))
            self._spilled += events.nbytes
        except BaseException as err:  # raised again in the building thread
            self._error = err

    def finish(self) -> int:
        """Sort what is pending, and put every chunk in the spill file: the number of events added."""
        if self._count:
            self._flush()
        self._join()
        self.spill.flush()
        return self._first

    def adopt(self, chunks: list[Chunk], events: int) -> None:
        """Take the chunks another builder (in a child process) made of the next `events` events."""
        self.finish()
        self.chunks += [(grams, counts, at, fd, first + self._first, dtype) for grams, counts, at, fd, first, dtype in chunks]
        self._first += events


class PostingsWriter:
    """Writes the `grams`, `gram_start`, `gram_crc` and `gram_postings` sections of a GramBuilder's
    keys at `position` of the file `fd`, a range of bigrams at a time, from every thread that calls
    `work`: the place of each run is known before any byte is written.

    A pair held by so many events that their numbers would take ceil(n / 8) bytes or more is
    written as a bitmap of that many bytes instead (bit 7 of byte 0 is event 0): the length of a
    run tells which it is.
    """

    def __init__(self, builder: GramBuilder, fd: int, position: int) -> None:
        n = builder.finish()
        self.fd, self.position, self.n, self.bitmap_bytes = fd, position, n, -(-n // 8)
        chunks = self.chunks = builder.chunks
        grams = self.grams = _unique(np.concatenate([c[0] for c in chunks])) if chunks else np.zeros(0, np.uint64)
        self.where = [np.searchsorted(grams, c[0]) for c in chunks]  # each chunk's bigrams among all
        total = np.zeros(len(grams), np.int64)
        for k, (_, counts, *_) in zip(self.where, chunks, strict=True):
            total[k] += counts
        start = self.start = np.zeros(len(grams) + 1, np.int64)
        np.cumsum(total, out=start[1:])
        filled = start[:-1].copy()
        self.dest = []  # where each chunk's run of each of its bigrams goes
        for k, (_, counts, *_) in zip(self.where, chunks, strict=True):
            self.dest.append(filled[k].copy())
            filled[k] += counts
        self.source = [np.concatenate(([0], np.cumsum(c[1])[:-1])).astype(np.int64) for c in chunks]
        self.at = np.zeros(len(grams) + 1, np.uint64)  # where each pair's run starts in gram_postings, in bytes
        np.cumsum(np.minimum(4 * total, self.bitmap_bytes), out=self.at[1:])
        self.bounds = [0]  # the first bigram of each range, then the end
        while self.bounds[-1] < len(grams):
            g0 = self.bounds[-1]
            g1 = max(g0 + 1, int(np.searchsorted(start, start[g0] + RANGE_POSTINGS, side="right")) - 1)
            self.bounds.append(min(g1, len(grams)))
        self.crcs = np.zeros(len(grams), np.uint32)
        self.range_crcs = [0] * (len(self.bounds) - 1)
        self._lock, self._taken, self.stopped = threading.Lock(), 0, False
        self.error: BaseException | None = None  # what a thread met, raised again by `finish`
        self.end = position  # where the sections end, once `finish` wrote them

    def work(self) -> None:
        """Write ranges of runs until none is left or a thread failed (`finish` raises what it met)."""
        bits = None  # a bitmap's bits, one a byte: cleared again after each use
        try:
            while True:
                with self._lock:
                    r, self._taken = self._taken, self._taken + 1
                if self.stopped or r >= len(self.range_crcs):
                    return
                if bits is None:
                    bits = np.zeros(self.n, np.uint8)
                self._write_range(r, bits)
        except BaseException as err:
            self.stop(err)

    def stop(self, error: BaseException | None = None) -> None:
        """Let no thread start another range: the build failed."""
        with self._lock:
            self.error = self.error or error
            self.stopped = True

    def _write_range(self, r: int, bits: np.ndarray) -> None:
        g0, g1 = self.bounds[r], self.bounds[r + 1]
        start = self.start[g0 : g1 + 1].tolist()
        low = start[0]
        block = np.empty(start[-1] - low, np.uint32)
        for k, (_, counts, at, fd, first, dtype), d, s in zip(self.where, self.chunks, self.dest, self.source, strict=True):
            k0, k1 = np.searchsorted(k, [g0, g1])
            if k0 == k1:
                continue
            e0, e1 = int(s[k0]), int(s[k1 - 1] + counts[k1 - 1])
            size = np.dtype(dtype).itemsize
            local = np.frombuffer(os.pread(fd, size * (e1 - e0), at + size * e0), dtype)
            events = np.add(local, np.uint32(first), dtype=np.uint32)
            block[np.repeat(d[k0:k1] - low - (s[k0:k1] - e0), counts[k0:k1]) + np.arange(e1 - e0)] = events
        view = block.data.cast("B")
        pieces: list[bytes | memoryview] = []  # lists of event numbers side by side in `block` go out as one piece
        span, crc = None, 0
        for g in range(g0, g1):
            a, b = 4 * (start[g - g0] - low), 4 * (start[g - g0 + 1] - low)
            if b - a < self.bitmap_bytes:
                raw: bytes | memoryview = view[a:b]
                span = a if span is None else span
            else:
                raw = bitmap(block[a // 4 : b // 4], bits)
                if span is not None:
                    pieces.append(view[span:a])
                    span = None
                pieces.append(raw)
            self.crcs[g] = zlib.crc32(raw)
            crc = zlib.crc32(raw, crc)
        if span is not None:
            pieces.append(view[span:])
        self.range_crcs[r] = crc
        offset = self.position + int(self.at[g0])
        for piece in pieces:
            offset = write_at(self.fd, piece, offset)

    def finish(self) -> dict[str, list[int]]:
        """Once every thread's `work` returned: write the directory of the runs; the four sections."""
        if self.error is not None:
            raise self.error
        assert self._taken >= len(self.range_crcs), "a range of the bigram postings was not written"
        crc, at = 0, self.at.tolist()
        for r, range_crc in enumerate(self.range_crcs):
            crc = crc32_combine(crc, range_crc, at[self.bounds[r + 1]] - at[self.bounds[r]])
        sections = {"gram_postings": [self.position, at[-1], crc]}
        position = self.position + at[-1]
        for name, values in (("grams", self.grams), ("gram_start", self.at), ("gram_crc", self.crcs)):
            blob = values.tobytes()
            write_at(self.fd, blob, position)
            sections[name] = [position, len(blob), zlib.crc32(blob)]
            position += len(blob)
        self.end = position
        return sections


def write_at(fd: int, data: bytes | memoryview, offset: int) -> int:
    """Write all of `data` at `offset` (os.pwrite may write part of it); where it ends."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        offset += written
        view = view[written:]
    return offset


def bitmap(run: np.ndarray, bits: np.ndarray) -> bytes:
    """The events of `run` as bits, event 0 first (the highest bit of the first byte); `bits`,
    one byte an event, is all zero before and after."""
    bits[run] = 1
    packed = np.packbits(bits).tobytes()
    bits[run] = 0
    return packed


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique hashes in numpy 2.3+, 5x slower than a sort here)."""
    values = np.sort(values)
    keep = np.ones(len(values), bool)
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def chunk_postings(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct bigrams of the keys in `text`, each ending in a line end (events 0, 1, ...),
    ascending; how many events hold each; and those events, bigram by bigram, each run
    ascending: in two bytes each when they fit (half the spill file to write and read back).
    In place where it can be: each pass is over every character."""
    chars = np.frombuffer(text.encode("utf-32-le"), np.uint32)  # no key holds a line end (search_key drops whitespace)
    is_end = chars == 10
    ends = np.flatnonzero(is_end)
    pairs = chars.astype(np.uint64)
    pairs <<= CHAR_BITS
    pairs[:-1] |= chars[1:]
    pairs <<= LOCAL_BITS
    pairs |= np.repeat(np.arange(len(ends), dtype=np.uint64), np.diff(ends, prepend=-1))  # the event of each character
    keep = ~is_end  # pairs within a key: neither character a line end
    keep[:-1] &= ~is_end[1:]
    keep[-1] = False
    pairs = pairs[keep]
    pairs.sort()
    distinct = np.empty(len(pairs), bool)
    distinct[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=distinct[1:])
    pairs = pairs[distinct]
    if not len(pairs):
        return pairs, np.zeros(0, np.int64), np.zeros(0, np.uint16)
    grams = pairs >> LOCAL_BITS
    events = (pairs & ((1 << LOCAL_BITS) - 1)).astype(np.uint16 if len(ends) <= SHORT_POSTINGS else np.uint32)
    starts = np.flatnonzero(np.concatenate(([True], grams[1:] != grams[:-1])))
    counts = np.diff(np.append(starts, len(grams)))
    return grams[starts], counts, events
