"""An index of a large store, kept in the cache, so a query decodes only what it prints.

For one store file of at least `SPACELOG_INDEX_MIN_BYTES` (default 1 MB, about
2,000 events), spacelog builds once, in the cache folder:
- `keys`: the normalised text (`search_key`) of each event, one a line, scanned
  in chunks with bytes.find (normalised, so `猎鹰9` finds `“猎鹰”9`);
- int arrays: where each event's line is in the store, its start and end dates,
  its rank in (date, id) order, where its key starts in `keys`;
- postings: for each entity and category, the events tagged with it;
- `ids`, and the diagnostics of the store's bad lines, reported on every query.
The index is stamped with the store's and every registry file's size and mtime and a
CRC of the store's first and last MiB; any difference rebuilds it. The store
file stays the only source of event text: output reads its lines.
"""

from __future__ import annotations

import array
import bisect
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable
from itertools import compress, count, repeat
from operator import contains
from pathlib import Path

from . import cache
from .query import date_number, order_key, overlaps_month
from .registry import Registry
from .store import TAG_FIELDS, Diagnostic, Event, decode_line
from .text import UNSAFE_JSON_BYTES, search_key

MIN_BYTES_ENV = "SPACELOG_INDEX_MIN_BYTES"
DEFAULT_MIN_BYTES = 1_000_000  # about 2,000 events: a full parse of 10,000 took 0.34 s, the index 0.1 s
CHUNK = 8 << 20
_ARRAYS = {"line_off": "q", "line_len": "i", "key_off": "q", "start": "i", "end": "i", "rank": "i", "postings": "i"}
Progress = Callable[[int, int], None]  # called with (bytes read, bytes in all) while an index is built


def store_to_index(paths: list[str]) -> str | None:
    """The store file to index, when the store is one regular file big enough to need it."""
    if len(paths) != 1 or paths[0] == "-":
        return None
    try:
        size = os.stat(paths[0]).st_size
        minimum = int(os.environ.get(MIN_BYTES_ENV, DEFAULT_MIN_BYTES))
    except (OSError, ValueError):
        return None
    return paths[0] if os.path.isfile(paths[0]) and size >= minimum else None


def _stamp(store: str, registry_paths: list[str]) -> list | None:
    store_stamp, registry_stamps = cache.file_stamp(store), [cache.file_stamp(p) for p in registry_paths]
    if store_stamp is None or None in registry_stamps:
        return None
    size = store_stamp[1]
    with open(store, "rb") as f:
        head = f.read(1 << 20)
        f.seek(max(0, size - (1 << 20)))
        tail = f.read(1 << 20)
    return [*store_stamp, zlib.crc32(head), zlib.crc32(tail), registry_stamps]


class IndexSource:
    """A store read through its index: the `query.EventSource` of large stores."""

    def __init__(self, store: str, directory: Path, meta: dict) -> None:
        self.dir, self.meta = directory, meta
        self.n: int = meta["n"]
        self.diagnostics = [Diagnostic(*d) for d in meta["diagnostics"]]
        self._arrays: dict[str, array.array] = {}
        self._file = open(store, "rb")
        self._ids: list[str] | None = None
        self._unsafe = set(meta["unsafe"])

    def _array(self, name: str) -> array.array:
        if name not in self._arrays:
            values = array.array(_ARRAYS[name])
            values.frombytes((self.dir / name).read_bytes())
            self._arrays[name] = values
        return self._arrays[name]

    def dates(self, i: int) -> tuple[int, int]:
        return self._array("start")[i], self._array("end")[i]

    def tagged(self, field: str, value: str) -> set[int]:
        where = self.meta["postings"].get(f"{field}:{value}")
        if where is None:
            return set()
        start, count = where
        return set(self._array("postings")[start : start + count])

    def in_month(self, month: int) -> set[int]:
        return self.tagged("month", str(month))

    def containing(self, key: str) -> list[int]:
        """Events whose key holds `key`: one pass over `keys`, read in chunks cut at line ends.

        Chunks are read into one reusable buffer and searched in place (bytes.find
        with bounds), so the pass copies nothing and holds CHUNK bytes at a time.
        """
        needle = key.encode("utf-8")
        offsets = self._array("key_off")
        found: list[int] = []
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        base, filled = 0, 0  # file offset of buffer[0]; bytes of buffer in use
        dense = False
        with open(self.dir / "keys", "rb", buffering=0) as f:
            while True:
                if filled == len(buffer):  # a key longer than the buffer: grow it
                    view.release()  # a bytearray cannot grow while a view of it exists
                    buffer.extend(bytes(len(buffer)))
                    view = memoryview(buffer)
                got = f.readinto(view[filled:])
                end = filled + got
                cut = buffer.rfind(b"\n", 0, end) + 1 if got else end
                before = len(found)
                if dense:  # testing each line costs less than a find and a bisect per hit
                    first = bisect.bisect_right(offsets, base) - 1  # the event whose key starts the chunk
                    lines = bytes(view[:cut]).split(b"\n")
                    found.extend(compress(count(first), map(contains, lines, repeat(needle))))
                else:
                    pos = buffer.find(needle, 0, cut)
                    while pos != -1:
                        i = bisect.bisect_right(offsets, base + pos) - 1
                        found.append(i)
                        pos = buffer.find(needle, offsets[i + 1] - base, cut)  # from the next event's key
                dense = (len(found) - before) * 4096 > cut  # more than about one key in 12 (judged by this chunk)
                if not got:
                    return found
                buffer[: end - cut] = buffer[cut:end]  # the unfinished line moves to the front
                base, filled = base + cut, end - cut

    def text_key(self, i: int) -> str:
        offsets = self._array("key_off")
        with open(self.dir / "keys", "rb") as f:
            f.seek(offsets[i])
            return f.read(offsets[i + 1] - offsets[i] - 1).decode("utf-8")

    def in_order(self, numbers: Iterable[int]) -> list[int]:
        numbers = sorted(numbers)
        if not self.meta["in_date_order"]:
            numbers.sort(key=self._array("rank").__getitem__)
        return numbers

    def unsafe_lines(self, numbers: list[int]) -> set[int] | None:
        return self._unsafe.intersection(numbers) if self._unsafe else set()  # noted when the index was built

    def store_lines(self, numbers: list[int]) -> Iterable[bytes]:
        """Many events in file order are read in one sequential pass; others one read each."""
        offsets, lengths = self._array("line_off"), self._array("line_len")
        ascending = all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
        if not ascending or len(numbers) * 64 < self.n:
            for i in numbers:
                yield os.pread(self._file.fileno(), lengths[i], offsets[i])
            return
        data, data_start = b"", 0  # data holds the store's bytes from data_start on
        for i in numbers:
            start, end = offsets[i], offsets[i] + lengths[i]
            if end > data_start + len(data):  # lines ascend: refill from this line on
                self._file.seek(start)
                data, data_start = self._file.read(max(CHUNK, end - start)), start
            yield data[start - data_start : end - data_start]

    def event(self, i: int) -> Event:
        line = os.pread(self._file.fileno(), self._array("line_len")[i], self._array("line_off")[i]).decode("utf-8")
        event = Event(json.loads(line))
        event.line = line
        return event

    def event_id(self, i: int) -> str:
        if self._ids is None:
            self._ids = (self.dir / "ids").read_text(encoding="utf-8").split("\n")
        return self._ids[i]


def open_index(store: str, registry: Registry, progress: Callable[[], Progress | None] | None = None) -> IndexSource | None:
    """The index of `store`, built or rebuilt when missing or stale.

    None when the store or the cache cannot be used: the caller then reads the
    store whole, and reports whatever is wrong with it in the usual way.
    """
    try:
        stamp = _stamp(store, registry.paths)
        if stamp is None:
            return None
        directory = cache.cache_dir() / cache.entry_name("index", store)
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if meta.get("stamp") == stamp and _intact(directory, meta):
                return IndexSource(store, directory, meta)
        except (OSError, ValueError, KeyError):
            pass
        return IndexSource(store, directory, _build(store, registry, directory, stamp, progress() if progress else None))
    except OSError:
        return None


def _intact(directory: Path, meta: dict) -> bool:
    """Whether every array file has the size the metadata implies (a damaged cache is rebuilt)."""
    n = meta["n"]
    expected = {"line_off": 8 * n, "line_len": 4 * n, "key_off": 8 * (n + 1), "start": 4 * n, "end": 4 * n, "rank": 4 * n}
    expected["postings"] = 4 * sum(count for _, count in meta["postings"].values())
    return all((directory / name).stat().st_size == size for name, size in expected.items()) and (directory / "keys").exists()


def _build(store: str, registry: Registry, directory: Path, stamp: list, progress: Progress | None) -> dict:
    """Read the store once, validating each line as `load_store` does, and write the index."""
    arrays = {name: array.array(code) for name, code in _ARRAYS.items() if name != "postings"}
    postings: dict[str, array.array] = {}
    diagnostics: list[list] = []
    unsafe: list[int] = []  # events whose line holds characters to escape on output
    seen: dict[str, int] = {}
    ids: list[str] = []
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".index-", dir=directory.parent))
    try:
        with open(store, "rb") as f, open(work / "keys", "wb") as keys:
            total, offset, key_offset = os.fstat(f.fileno()).st_size, 0, 0
            for line_no, raw in enumerate(f, start=1):
                start = offset
                offset += len(raw)
                if progress and line_no % 20000 == 0:
                    progress(offset, total)
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw, start = raw[3:], start + 3
                line = raw[:-1] if raw.endswith(b"\n") else raw
                line = line.rstrip(b"\r")  # as load_store reads lines, for the same messages
                if not line.strip():
                    continue
                content = line.lstrip()
                start += len(line) - len(content)
                content = content.rstrip()
                event, problems = decode_line(line, registry)
                if problems or event is None:
                    diagnostics.extend([store, line_no, p] for p in problems)
                    continue
                if event["id"] in seen:
                    diagnostics.append([store, line_no, f"duplicate id {event['id']} (first at {store}:{seen[event['id']]})"])
                    continue
                seen[event["id"]] = line_no
                i = len(ids)
                if UNSAFE_JSON_BYTES.search(content):
                    unsafe.append(i)
                ids.append(event["id"])
                arrays["line_off"].append(start)
                arrays["line_len"].append(len(content))
                arrays["key_off"].append(key_offset)
                key = search_key(event["text"]).encode("utf-8") + b"\n"
                keys.write(key)
                key_offset += len(key)
                first = date_number(event["date"])
                arrays["start"].append(first)
                arrays["end"].append(date_number(event["end"]) if event["end"] else first)
                for field in TAG_FIELDS:
                    for value in event[field]:
                        postings.setdefault(f"{field}:{value}", array.array("i")).append(i)
                last = arrays["end"][-1]
                months = [first // 100 % 100] if first // 100 == last // 100 else [m for m in range(1, 13) if overlaps_month(first, last, m)]
                for month in months:
                    postings.setdefault(f"month:{month}", array.array("i")).append(i)
        arrays["key_off"].append(key_offset)
        order = sorted(range(len(ids)), key=lambda i: order_key(arrays["start"][i], ids[i]))
        rank = array.array("i", bytes(4 * len(ids)))
        for position, i in enumerate(order):
            rank[i] = position
        arrays["rank"] = rank
        directory_of_postings, flat = {}, array.array("i")
        for name, numbers in postings.items():
            directory_of_postings[name] = [len(flat), len(numbers)]
            flat.extend(numbers)
        arrays["postings"] = flat
        for name, values in arrays.items():
            (work / name).write_bytes(values.tobytes())
        (work / "ids").write_text("\n".join(ids), encoding="utf-8")
        meta = {
            "stamp": stamp,
            "n": len(ids),
            "diagnostics": diagnostics,
            "postings": directory_of_postings,
            "in_date_order": order == list(range(len(ids))),
            "unsafe": unsafe,
        }
        (work / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if directory.exists():
            shutil.rmtree(directory, ignore_errors=True)
        os.replace(work, directory)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    if progress:
        progress(1, 1)
    return meta
