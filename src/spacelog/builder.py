"""Building the index of a store file (see index.py for what it holds): on both cores.

The store is cut in two at a line boundary. A forked process reads the second half
(decoding, validating and normalising each line, the costly part) while this one reads
the first; the halves are then joined in order. What the child found comes back
through two unlinked temporary files, so a killed build leaves nothing behind. When
the child fails, or an id of the second half is already in the first (a duplicate that
a full read reports against the first half), this process reads the second half itself.
"""

from __future__ import annotations

import array
import json
import os
import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO

from .index import _ARRAYS, CHUNK, KEY_BLOCK, MAGIC, SEQS, Progress
from .query import date_number, order_key, overlaps_month
from .registry import Registry
from .store import TAG_FIELDS, decode_line, line_after_middle
from .text import UNSAFE_JSON_BYTES, search_key

TWO_CORES_FROM = 8 << 20  # bytes of store from which a second process pays for its start


class KeyWriter:
    """Writes `keys` in large pieces, with the CRC of each KEY_BLOCK bytes and of the whole."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.pending = out, bytearray()
        self.length, self.crc, self.blocks = 0, 0, array.array("I")

    def add(self, key: bytes) -> None:
        self.pending += key
        self.length += len(key)
        if len(self.pending) >= 64 * KEY_BLOCK:
            self._write(len(self.pending) - len(self.pending) % KEY_BLOCK)

    def _write(self, size: int) -> None:
        view = memoryview(self.pending)[:size]
        self.blocks.extend(zlib.crc32(view[k : k + KEY_BLOCK]) for k in range(0, size, KEY_BLOCK))
        self.crc = zlib.crc32(view, self.crc)
        self.out.write(view)
        view.release()
        del self.pending[:size]

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
        self.lines = 0  # the number of the last line read

    def scan(self, fd: int, begin: int, end: int, registry: Registry, on_key: Callable[[str], object], progress: Progress | None = None) -> None:
        """Read the lines that start in bytes begin..end of the store, validating each as `load_store` does."""
        arrays, postings, seen = self.arrays, self.postings, self.seen
        for start, line in _lines(fd, begin, end):
            self.lines += 1
            line_no = self.lines
            if progress and line_no % 20000 == 0:
                progress(start - begin, end - begin)
            if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
                line, start = line[3:], start + 3
            line = line.rstrip(b"\r")  # as load_store reads lines, for the same messages
            if not line.strip():
                continue
            content = line.lstrip()
            start += len(line) - len(content)
            content = content.rstrip()
            event, problems = decode_line(line, registry)
            if problems or event is None:
                self.diagnostics.extend([line_no, p, None] for p in problems)
                continue
            if event["id"] in seen:
                self.diagnostics.append([line_no, f"duplicate id {event['id']}", seen[event["id"]]])  # the path is added when read
                continue
            seen[event["id"]] = line_no
            i = len(self.ids)
            if UNSAFE_JSON_BYTES.search(content):
                self.unsafe.append(i)
            self.ids.append(event["id"])
            arrays["line_off"].append(start)
            arrays["line_len"].append(len(content))
            on_key(search_key(event["text"]))
            first = date_number(event["date"])
            span = first // 10000 * SEQS + event["seq"]  # (year, seq): equal for equal ids
            self.id_span = [min(self.id_span[0], span), max(self.id_span[1], span)]
            last = date_number(event["end"]) if event["end"] else first
            arrays["start"].append(first)
            arrays["end"].append(last)
            for field in TAG_FIELDS:
                for value in event[field]:
                    postings.setdefault(f"{field}:{value}", array.array("i")).append(i)
            months = [first // 100 % 100] if first // 100 == last // 100 else [m for m in range(1, 13) if overlaps_month(first, last, m)]
            for month in months:
                postings.setdefault(f"month:{month}", array.array("i")).append(i)

    def join(self, other: Half) -> None:
        """Add the events of the half that follows this one."""
        import numpy as np

        n = len(self.ids)
        for name, values in self.arrays.items():
            values.extend(other.arrays[name])
        for name, numbers in other.postings.items():
            self.postings.setdefault(name, array.array("i")).frombytes((np.frombuffer(numbers, np.int32) + n).tobytes())
        self.diagnostics += other.diagnostics
        self.unsafe += [i + n for i in other.unsafe]
        self.ids += other.ids
        self.id_span = [min(self.id_span[0], other.id_span[0]), max(self.id_span[1], other.id_span[1])]
        self.lines = other.lines


def _lines(fd: int, begin: int, end: int) -> Iterator[tuple[int, bytes]]:
    """(offset, line without its \\n) of each line that starts in bytes begin..end of the file."""
    offset, carry, at = begin, b"", begin
    while offset < end:
        data = os.pread(fd, CHUNK, at)
        at += len(data)
        if not data:
            if carry:
                yield offset, carry
            return
        pieces = (carry + data).split(b"\n")
        carry = pieces.pop()
        for piece in pieces:
            if offset >= end:
                return
            yield offset, piece
            offset += len(piece) + 1


def _scan_in_child(fd: int, cut: int, total: int, registry: Registry, spill_dir: Path) -> tuple[int, BinaryIO, BinaryIO] | None:
    """Fork a process that reads the lines from `cut` on: (its pid, the file of its Half, the file of its keys)."""
    try:
        result, keys = tempfile.TemporaryFile(dir=spill_dir), tempfile.TemporaryFile(dir=spill_dir)
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return pid, result, keys
    status = 1
    try:  # the child: never returns
        half = Half()
        half.lines = sum(os.pread(fd, min(CHUNK, cut - k), k).count(b"\n") for k in range(0, cut, CHUNK))
        half.scan(fd, cut, total, registry, lambda key: keys.write(key.encode("utf-8") + b"\n"))
        keys.flush()
        half.seen = {}
        pickle.dump(half, result, protocol=pickle.HIGHEST_PROTOCOL)
        result.flush()
        status = 0
    finally:
        os._exit(status)


def _child_half(child: tuple[int, BinaryIO, BinaryIO]) -> Half | None:
    pid, result, _ = child
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    result.seek(0)
    half: Half = pickle.load(result)
    return half


def build(store: str, store_file: BinaryIO, registry: Registry, out: BinaryIO, stamp: dict, progress: Progress | None, spill_dir: Path) -> dict:
    """Read the store once, validating each line as `load_store` does, and write its index to `out`."""
    fd = store_file.fileno()
    total = os.fstat(fd).st_size
    cut = line_after_middle(fd, total) if total >= TWO_CORES_FROM and (os.cpu_count() or 1) > 1 else None
    child = _scan_in_child(fd, cut, total, registry, spill_dir) if cut else None
    from .grams import GramBuilder  # numpy: after the fork, so the child never has its threads

    out.write(MAGIC)
    keys, grams = KeyWriter(out), GramBuilder(spill_dir)
    key_off = array.array("q")

    def add_key(key: str) -> None:
        key_off.append(keys.length)
        grams.add(key)
        keys.add(key.encode("utf-8") + b"\n")

    half = Half()
    try:
        half.scan(fd, 0, cut or total, registry, add_key, progress)
        second = _child_half(child) if child else None
        if child and second is not None and half.seen.keys().isdisjoint(second.ids):
            _add_keys(child[2], keys, grams, key_off)
            half.join(second)
        elif cut:
            half.scan(fd, cut, total, registry, add_key)
    finally:
        if child:
            for f in child[1:]:
                f.close()
    return _write(half, keys, grams, key_off, out, stamp, progress)


def _add_keys(source: BinaryIO, keys: KeyWriter, grams, key_off: array.array) -> None:
    """The keys the child wrote, one a line, added in order."""
    source.seek(0)
    carry = b""
    while data := source.read(CHUNK):
        data = carry + data
        end = data.rfind(b"\n") + 1
        carry = data[end:]
        lines = data[:end].split(b"\n")[:-1]
        key_off.extend(accumulate(map(len, lines[:-1]), lambda at, n: at + n + 1, initial=keys.length))
        grams.extend(data[:end].decode("utf-8").split("\n")[:-1])
        keys.add(data[:end])


def _write(half: Half, keys: KeyWriter, grams, key_off: array.array, out: BinaryIO, stamp: dict, progress: Progress | None) -> dict:
    ids, arrays = half.ids, dict(half.arrays)
    keys.close()
    sections: dict[str, list[int]] = {"keys": [len(MAGIC), keys.length, keys.crc]}
    key_off.append(keys.length)
    arrays["key_off"], arrays["key_crc"] = key_off, keys.blocks
    order = sorted(range(len(ids)), key=lambda i: order_key(arrays["start"][i], ids[i]))
    rank = array.array("i", bytes(4 * len(ids)))
    for position, i in enumerate(order):
        rank[i] = position
    arrays["rank"] = rank
    ends = [[arrays["start"][i], len(ids[i]), ids[i]] for i in (order[:1] + order[-1:])]
    directory_of_postings, flat = {}, array.array("i")
    for name, numbers in half.postings.items():
        directory_of_postings[name] = [len(flat), len(numbers), zlib.crc32(numbers)]
        flat.extend(numbers)
    arrays["postings"] = flat
    blobs = {name: arrays[name].tobytes() for name in _ARRAYS}
    blobs["ids"] = "\n".join(ids).encode("utf-8")
    position = len(MAGIC) + keys.length
    for name, blob in blobs.items():
        out.write(blob)
        sections[name] = [position, len(blob), zlib.crc32(blob)]
        position += len(blob)
    sections.update(grams.write(out, position))
    meta = {
        "stamp": stamp,
        "n": len(ids),
        "sections": sections,
        "diagnostics": half.diagnostics,
        "postings": directory_of_postings,
        "in_date_order": order == list(range(len(ids))),
        "order_span": [ends[0], ends[-1]] if ends else None,  # the first and last event in (date, id) order
        "id_span": half.id_span,
        "unsafe": half.unsafe,
    }
    raw = json.dumps(meta).encode("ascii")  # ASCII: paths that are not UTF-8 survive as escapes
    out.write(raw + len(raw).to_bytes(8, "little") + zlib.crc32(raw).to_bytes(4, "little") + MAGIC)
    if progress:
        progress(1, 1)
    return json.loads(raw)
