"""Building the index of a store file (see index.py for what it holds): on both cores.

The store is cut in two at a line boundary. A forked process reads the second half
(decoding, validating and normalising each line, and sorting its keys' character pairs:
the costly part) while this one reads the first; the halves are then joined in order.
What the child found comes back through three unlinked temporary files (its Half, its
keys, its pairs), so a killed build leaves nothing behind. When
the child fails, or an id of the second half is already in the first (a duplicate that
a full read reports against the first half), this process reads the second half itself.
"""

from __future__ import annotations

import array
import gc
import itertools
import json
import os
import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import parallel
from .blocks import EventCheck, Line, blocks, holds_unsafe, quick_line, quick_lines
from .crc import crcs_to
from .index import _ARRAYS, CHUNK, KEY_BLOCK, KEY_PAGE, MAGIC, SEQS, Progress, offset_typecode
from .query import date_number, overlaps_month
from .registry import Registry
from .store import FIELDS, decode_line, line_after_middle
from .text import UNSAFE_JSON_BYTES

if TYPE_CHECKING:
    from .grams import GramBuilder

TWO_CORES_FROM = 8 << 20  # bytes of store from which a second process pays for its start
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h
SEQ_CAP = 1 << 62  # a seq from this on is kept as this: the date order is then found from the ids themselves


class KeyWriter:
    """Writes `keys` in large pieces, with the CRC of each KEY_BLOCK bytes (those of longer spans
    are found from them: see crc.py)."""

    WRITE = 1 << 18  # bytes written at once

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.pending = out, bytearray()
        self.length, self.blocks = 0, array.array("I")

    def add(self, keys: memoryview) -> None:
        """Add keys: the whole blocks of a large piece are written from it, not copied first."""
        fill = -len(self.pending) % KEY_BLOCK  # what the pending bytes lack to end a block
        if len(keys) < fill + KEY_BLOCK:
            self._pend(keys)
            return
        self._pend(keys[:fill])
        self._write(len(self.pending))  # whole blocks
        rest = keys[fill:]
        whole = len(rest) - len(rest) % KEY_BLOCK
        self._emit(rest[:whole])
        self.length += whole
        self._pend(rest[whole:])

    def _pend(self, keys: memoryview) -> None:
        self.pending += keys
        self.length += len(keys)
        if len(self.pending) >= self.WRITE:
            self._write(len(self.pending) - len(self.pending) % KEY_BLOCK)

    def _write(self, size: int) -> None:
        with memoryview(self.pending)[:size] as view:
            self._emit(view)
        del self.pending[:size]

    def _emit(self, view: memoryview) -> None:
        """Write `view`, which begins a block: whole blocks but at the end of the keys."""
        size = len(view)
        self.blocks.extend(map(zlib.crc32, map(view.__getitem__, map(slice, range(0, size, KEY_BLOCK), range(KEY_BLOCK, size + KEY_BLOCK, KEY_BLOCK)))))
        self.out.write(view)

    def close(self) -> None:
        self._write(len(self.pending))


class Half:
    """What a pass over some lines of the store found; its events numbered from 0."""

    def __init__(self) -> None:
        self.arrays = {name: array.array(_ARRAYS[name]) for name in ("line_off", "line_len", "start", "end")}
        self.postings: dict[str, array.array] = {}
        self.diagnostics: list[list] = []
        self.unsafe: list[int] = []  # events whose line holds characters to escape on output
        self.seen: dict[str, int] = {}
        self.ids: list[str] = []
        self.id_span = [1 << 200, -1]  # no id has a year and seq beyond this
        self.lines = 0  # the number of the last line read, counted from the first line of this half
        self.seqs = array.array("q")  # each event's seq (SEQ_CAP if larger): with its date and its id's length, its place in date order

    def scan(self, fd: int, begin: int, end: int, registry: Registry, on_keys: Callable[[str, int], object], progress: Progress | None = None) -> None:
        """Read the lines that start in bytes begin..end of the store, validating each as `load_store` does.

        on_keys gets the search keys of each block's events, one a line, and their number.
        """
        from .batchkeys import joined_keys

        ids, seen, diagnostics, check, seqs = self.ids, self.seen, self.diagnostics, EventCheck(registry), self.seqs
        line_off, line_len, starts, ends = (self.arrays[name] for name in ("line_off", "line_len", "start", "end"))
        by_agency, by_person, by_vehicle, by_category = (_Postings(f"{field}:", self.postings) for field in ("agencies", "people", "vehicles", "categories"))
        by_month = _Postings("month:", self.postings)
        for offset, block in blocks(fd, begin, end):
            if progress:
                progress(offset - begin, end - begin)
            unsafe_here = holds_unsafe(block)
            keyed: list[str] = []
            spans: list[int] = []
            for line_no, event, (first, last), start, length in self._valid_lines(block, offset, check, registry):
                event_id = event.id
                if event_id in seen:
                    diagnostics.append([line_no, f"duplicate id {event_id}", seen[event_id]])  # the path is added when read
                    continue
                seen[event_id] = line_no
                i = len(ids)
                if unsafe_here and UNSAFE_JSON_BYTES.search(block, start - offset, start - offset + length):  # never in blanks or a BOM
                    self.unsafe.append(i)
                ids.append(event_id)
                line_off.append(start)
                line_len.append(length)
                keyed.append(event.text)
                seq = event.seq
                spans.append(first // 10000 * SEQS + seq)  # (year, seq): equal for equal ids
                seqs.append(seq if seq < SEQ_CAP else SEQ_CAP)
                starts.append(first)
                ends.append(last)
                for value in event.agencies:
                    by_agency[value].append(i)
                for value in event.people:
                    by_person[value].append(i)
                for value in event.vehicles:
                    by_vehicle[value].append(i)
                for value in event.categories:
                    by_category[value].append(i)
                if first // 100 == last // 100:
                    by_month[first // 100 % 100].append(i)
                else:
                    for month in range(1, 13):
                        if overlaps_month(first, last, month):
                            by_month[month].append(i)
            if keyed:
                on_keys(joined_keys(keyed), len(keyed))
                self.id_span = [min(self.id_span[0], min(spans)), max(self.id_span[1], max(spans))]

    def _valid_lines(self, block: bytes, offset: int, check: EventCheck, registry: Registry) -> Iterator[tuple[int, Line, tuple[int, int], int, int]]:
        """(line number, event, its first and last day, offset, length) of each valid line of a block
        that starts at `offset` of the store; the faults of the others noted in diagnostics."""
        quick = quick_lines(block)
        decoded: list[Line] | list[Line | None]
        places: Iterable[tuple[int, int]]
        if quick is not None:
            decoded, places = quick[0], zip(quick[1], quick[2], strict=True)
        else:
            raws = block.split(b"\n")
            if block.endswith(b"\n"):
                raws.pop()
            decoded = [quick_line(raw) for raw in raws]
            starts = itertools.accumulate((len(raw) + 1 for raw in raws), initial=0)  # one more than the lines
            places = [(at, at + len(raw)) for at, raw in zip(starts, raws, strict=False)]
        line_no = self.lines
        for event, (at, stop) in zip(decoded, places, strict=True):
            line_no += 1
            if event is not None and (days := check.dates(event)) is not None:
                yield line_no, event, days, offset + at, stop - at
                continue
            found = self._decoded(block[at:stop], offset + at, line_no, registry)
            if found is not None:
                yield line_no, *found
        self.lines = line_no

    def __getstate__(self) -> dict:
        """What the child sends: its ids as one string (a store's ids are ASCII digits and a dash),
        which pickles in 9 ms where a list of 500,000 took 79, and unpickles in 25 where it took 40."""
        return {**self.__dict__, "ids": "\n".join(self.ids)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.ids = state["ids"].split("\n") if state["ids"] else []

    def _decoded(self, raw: bytes, start: int, line_no: int, registry: Registry) -> tuple[Line, tuple[int, int], int, int] | None:
        """A line the quick path was unsure of, as `load_store` reads it: (event, its days, offset, length), or
        None for a blank or bad line (its problems noted against `line_no`)."""
        if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw, start = raw[3:], start + 3
        line = raw.rstrip(b"\r")  # as load_store reads lines, for the same messages
        if not line.strip():
            return None
        content = line.lstrip()
        start += len(line) - len(content)
        event, problems = decode_line(line, registry)
        if problems or event is None:
            self.diagnostics.extend([line_no, p, None] for p in problems)
            return None
        first = date_number(event["date"])
        fields = Line(**{name: event[name] for name in FIELDS})
        return fields, (first, date_number(event["end"]) if event["end"] else first), start, len(content.rstrip())

    def join(self, other: Half) -> None:
        """Add the events of the half that follows this one."""
        import numpy as np

        n = len(self.ids)
        for name, values in self.arrays.items():
            values.extend(other.arrays[name])
        for name, numbers in other.postings.items():
            self.postings.setdefault(name, array.array("i")).frombytes((np.frombuffer(numbers, np.int32) + n).tobytes())
        lines = self.lines  # the other half's lines are counted from its first
        self.diagnostics += [[line + lines, problem, first if first is None else first + lines] for line, problem, first in other.diagnostics]
        self.unsafe += [i + n for i in other.unsafe]
        self.ids += other.ids
        self.seqs += other.seqs
        self.id_span = [min(self.id_span[0], other.id_span[0]), max(self.id_span[1], other.id_span[1])]
        self.lines = lines + other.lines


class _Postings(dict):
    """The postings of one field's values, by value: each made, and kept in `into` by its name, when first used."""

    def __init__(self, prefix: str, into: dict[str, array.array]) -> None:
        super().__init__()
        self.prefix, self.into = prefix, into

    def __missing__(self, value: object) -> array.array:
        numbers = self[value] = self.into.setdefault(f"{self.prefix}{value}", array.array("i"))
        return numbers


def _scan_in_child(fd: int, cut: int, total: int, registry: Registry, spill_dir: Path) -> tuple[int, list[BinaryIO]] | None:
    """Fork a process that reads the lines from `cut` on and pairs their keys' characters:
    (its pid, [the file of its Half and bigram chunks, the file of its keys, its bigrams' spill file])."""
    parent = os.getpid()
    try:
        files: list[BinaryIO] = [tempfile.TemporaryFile(dir=spill_dir) for _ in range(3)]
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return pid, files
    status = 1
    try:  # the child: never returns
        parallel.die_with_parent(parent)
        from .grams import GramBuilder

        result, keys, spill = files
        half, grams = Half(), GramBuilder(spill)

        def add_keys(text: str, count: int) -> None:
            keys.write(text.encode("utf-8") + b"\n")
            grams.add(text, count)

        half.scan(fd, cut, total, registry, add_keys)
        grams.finish()
        keys.flush()
        half.seen = {}
        pickle.dump((half, grams.chunks), result, protocol=pickle.HIGHEST_PROTOCOL)
        result.flush()
        status = 0
    finally:
        os._exit(status)


def _child_half(child: tuple[int, list[BinaryIO]]) -> tuple[Half, list] | None:
    """The child's Half and its bigram chunks, or None if it failed."""
    pid, (result, *_) = child
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    result.seek(0)
    found: tuple[Half, list] = pickle.load(result)
    return found


def _keep_freed_memory() -> None:
    """Have glibc's malloc keep what is freed for the next block rather than give it back to the kernel.

    Each block's objects and numpy arrays are freed when the next comes; by default the big ones
    are unmapped and the next faults in fresh pages (98,000 faults building 200,000 events, 31,000
    with this; the build 2-4% quicker, its peak memory within 3%). Elsewhere a no-op."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library to load by name
        return
    mallopt(M_MMAP_THRESHOLD, 256 << 20)  # blocks below this come from the heap, which is reused
    mallopt(M_TRIM_THRESHOLD, 512 << 20)  # free memory at the heap's top kept up to this


def build(store: str, store_file: BinaryIO, registry: Registry, out: BinaryIO, stamp: dict, progress: Progress | None, spill_dir: Path) -> dict:
    """Read the store once, validating each line as `load_store` does, and write its index to `out`.

    Without the cycle collector, in both processes: a block's events and their tag lists are
    alive at once, and collections only walked them again and again (3% of a build of 1M
    events, 0.24 s); a build leaves 9 objects in cycles, whatever the store's size."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(store, store_file, registry, out, stamp, progress, spill_dir)
    finally:
        if collecting:
            gc.enable()


def _build(store: str, store_file: BinaryIO, registry: Registry, out: BinaryIO, stamp: dict, progress: Progress | None, spill_dir: Path) -> dict:
    _keep_freed_memory()  # before the fork: the child too
    fd = store_file.fileno()
    total = os.fstat(fd).st_size
    cut = line_after_middle(fd, total) if total >= TWO_CORES_FROM and parallel.available() else None
    child = _scan_in_child(fd, cut, total, registry, spill_dir) if cut else None
    from .grams import GramBuilder  # numpy: after the fork, so the child never has its threads

    out.write(MAGIC)
    keys, grams = KeyWriter(out), GramBuilder(tempfile.TemporaryFile(dir=spill_dir))
    key_off = array.array("q", [0])  # where each key starts, then where the last ends

    def add_keys(text: str, count: int) -> None:
        _add_keys(text.encode("utf-8") + b"\n", keys, key_off)
        grams.add(text, count)

    half = Half()
    reading = child[0] if child else None  # the child's pid until its half is taken
    try:
        half.scan(fd, 0, cut or total, registry, add_keys, progress)
        second = _child_half(child) if child else None
        reading = None
        if child and second is not None and half.seen.keys().isdisjoint(second[0].ids):
            grams.adopt(second[1], len(second[0].ids))
            half.join(second[0])
            return _write(half, keys, grams, key_off, out, stamp, progress, child[1][1])
        if cut:
            half.scan(fd, cut, total, registry, add_keys)
        return _write(half, keys, grams, key_off, out, stamp, progress)
    finally:
        if reading is not None:  # stopped before taking the child's half: it is not wanted
            parallel.stop_child(reading)
        for f in [grams.spill, *(child[1] if child else [])]:
            f.close()


def _add_keys(data: bytes | memoryview, keys: KeyWriter, key_off: array.array) -> None:
    """Add keys in order, one a line in UTF-8 (`data` may end inside a line): where the key after
    each line end starts goes into key_off."""
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    key_off.frombytes((ends + 1 + keys.length).astype(np.int64).tobytes())
    keys.add(memoryview(data))


def _add_child_keys(source: BinaryIO, keys: KeyWriter, key_off: array.array) -> None:
    """The keys the child wrote, one a line, added in order: read into one buffer, from which
    their whole blocks are written."""
    source.seek(0)
    buffer = bytearray(CHUNK)
    while got := source.readinto(buffer):  # type: ignore[attr-defined]  # a file opened "w+b"
        with memoryview(buffer)[:got] as view:
            _add_keys(view, keys, key_off)


def _date_order(starts: array.array, ids: list[str], seqs: array.array, id_blob: bytes):
    """The events' numbers in query.order_key's order: by date, then id in natural order.

    An id is <the date's year>-<seq in 3 digits or more> (the store's validation says so): between
    events of one date, ids of one length are in the order of their seqs."""
    import numpy as np

    if not ids:
        return np.zeros(0, np.int64)
    ends = np.flatnonzero(np.frombuffer(id_blob, np.uint8) == 10)  # ids are ASCII: a byte a character
    lengths = np.diff(ends, prepend=-1, append=len(id_blob)) - 1
    numbers = np.frombuffer(seqs, np.int64)
    if numbers.max() >= SEQ_CAP:
        return np.lexsort((np.array(ids, dtype=str), lengths, np.frombuffer(starts, np.int32)))
    return np.lexsort((numbers, lengths, np.frombuffer(starts, np.int32)))


def _write(
    half: Half,
    keys: KeyWriter,
    grams: GramBuilder,
    key_off: array.array,
    out: BinaryIO,
    stamp: dict,
    progress: Progress | None,
    child_keys: BinaryIO | None = None,
) -> dict:
    """Write the sections and the metadata. The bigram postings go after the other sections, whose
    sizes are known: a thread writes them there while this one copies the child's keys and writes
    the other sections, then both write them."""
    import threading

    from .grams import PostingsWriter

    ids, arrays = half.ids, dict(half.arrays)
    id_blob = "\n".join(ids).encode("utf-8")
    _strictly_ascending(half.postings)
    length = keys.length + (os.fstat(child_keys.fileno()).st_size if child_keys else 0)
    counts = {name: len(values) for name, values in arrays.items()}
    counts |= {
        "key_off": len(ids) + 1,
        "rank": len(ids),
        "postings": sum(map(len, half.postings.values())),
        "key_crc": -(-length // KEY_BLOCK),
        "key_crc_to": -(-length // KEY_PAGE),
    }
    line_off = half.arrays["line_off"]
    typecodes = {"key_off": offset_typecode(length), "line_off": offset_typecode(line_off[-1] if line_off else 0)}
    pairs_at = len(MAGIC) + length + len(id_blob) + sum(array.array(typecodes.get(name, code)).itemsize * counts[name] for name, code in _ARRAYS.items())
    postings = PostingsWriter(grams, out.fileno(), pairs_at)
    helper = threading.Thread(target=postings.work, daemon=True)
    helper.start()
    try:
        if child_keys:
            _add_child_keys(child_keys, keys, key_off)
        sections, order = _write_sections(half, keys, key_off, id_blob, out, typecodes)
        postings.work()  # then this thread writes runs too, until none is left
    except BaseException:
        postings.stop()
        raise
    finally:
        helper.join()
    assert sections["ids"][0] + sections["ids"][1] == pairs_at, "the sections' sizes were foreseen wrong"
    sections.update(postings.finish())
    out.flush()
    out.seek(postings.end)
    meta = {
        "stamp": stamp,
        "n": len(ids),
        "sections": sections,
        "diagnostics": half.diagnostics,
        **order,  # the tags' postings, and the order of the events
        "id_span": half.id_span,
        "unsafe": half.unsafe,
        "typecodes": typecodes,
    }
    raw = json.dumps(meta).encode("ascii")  # ASCII: paths that are not UTF-8 survive as escapes
    out.write(raw + len(raw).to_bytes(8, "little") + zlib.crc32(raw).to_bytes(4, "little") + MAGIC)
    if progress:
        progress(1, 1)
    return json.loads(raw)


def _strictly_ascending(postings: dict[str, array.array]) -> None:
    """Each event once in each run of postings: an event that names a value twice was added twice."""
    import numpy as np

    for name, numbers in postings.items():
        if len(numbers) > 1 and not (np.diff(np.frombuffer(numbers, np.int32)) > 0).all():
            postings[name] = array.array("i", sorted(set(numbers)))


def _write_sections(half: Half, keys: KeyWriter, key_off: array.array, id_blob: bytes, out: BinaryIO, typecodes: dict[str, str]) -> tuple[dict, dict]:
    """Write every section but the bigram postings: their places, and what the metadata says of the order.
    The arrays named in `typecodes` are written with those."""
    import numpy as np

    ids, arrays = half.ids, dict(half.arrays)
    keys.close()
    crc_to = crcs_to(keys.blocks, keys.length, KEY_BLOCK, KEY_PAGE // KEY_BLOCK)
    sections: dict[str, list[int]] = {"keys": [len(MAGIC), keys.length, crc_to[-1] if crc_to else 0]}
    arrays["key_off"], arrays["key_crc"], arrays["key_crc_to"] = key_off, keys.blocks, crc_to
    order = _date_order(arrays["start"], ids, half.seqs, id_blob)
    rank = np.empty(len(ids), np.int32)
    rank[order] = np.arange(len(ids), dtype=np.int32)
    arrays["rank"] = array.array("i", rank.tobytes())
    ends = [[arrays["start"][i], len(ids[i]), ids[i]] for i in map(int, (*order[:1], *order[-1:]))]
    directory_of_postings, flat = {}, array.array("i")
    for name, numbers in half.postings.items():
        directory_of_postings[name] = [len(flat), len(numbers), zlib.crc32(numbers)]
        flat.extend(numbers)
    arrays["postings"] = flat
    blobs = {name: arrays[name].tobytes() for name in _ARRAYS}
    for name, code in typecodes.items():  # narrowed with numpy: the values are known to fit
        blobs[name] = np.frombuffer(blobs[name], np.int64).astype(np.dtype(code)).tobytes()
    blobs["ids"] = id_blob
    position = len(MAGIC) + keys.length
    for name, blob in blobs.items():
        out.write(blob)
        sections[name] = [position, len(blob), zlib.crc32(blob)]
        position += len(blob)
    in_order = bool(np.array_equal(order, np.arange(len(ids))))
    span = [ends[0], ends[-1]] if ends else None  # the first and last event in (date, id) order
    return sections, {"postings": directory_of_postings, "postings_ascending": True, "in_date_order": in_order, "order_span": span}
