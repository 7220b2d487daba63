"""An index of a large store, kept in the cache, so a query decodes only what it prints.

For one store file of at least `SPACELOG_INDEX_MIN_BYTES` (default 1 MB, about
2,000 events), spacelog builds once, in the cache folder, one file
`index-<crc of the store's path>.idx` holding sections:
- `keys`: the normalised text (`search_key`) of each event, one a line, scanned
  in chunks with bytes.find (normalised, so `猎鹰9` finds `“猎鹰”9`);
- int arrays: where each event's line is in the store, its start and end dates,
  its rank in (date, id) order, where its key starts in `keys`;
- `postings`: for each entity, category and month, the events tagged with it;
- `ids`; and, last, a JSON trailer (meta) with the diagnostics of the store's bad
  lines, the offset, length and CRC-32 of every section, and the stamps of the
  store and of every registry file it was built from.

Safe to share between processes, as git's packfiles are: an index file is never
changed once written. It is built under a unique temporary name and published
with a rename; a reader opens the store and the index once and reads both only
through those descriptors, so a later rebuild or a new store version (also
written by rename) never changes what a running query reads. The stamp is the
fstat of the store descriptor (device, inode, size, mtime and ctime in ns): an
edit cannot keep all of them. Every section is checked against its CRC before
its values are used (`keys` while it is scanned), so damage is found, reported
once and repaired by a rebuild. Concurrent first queries wait on a lock while
one of them builds. The store file stays the only source of event text.
"""

from __future__ import annotations

import array
import bisect
import fcntl
import json
import os
import shutil
import stat
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import compress, count, repeat
from operator import contains
from pathlib import Path
from typing import BinaryIO

from . import cache
from .errors import DataError
from .query import date_number, order_key, overlaps_month
from .registry import Registry
from .store import TAG_FIELDS, Diagnostic, Event, decode_line
from .text import UNSAFE_JSON_BYTES, search_key

MIN_BYTES_ENV = "SPACELOG_INDEX_MIN_BYTES"
DEFAULT_MIN_BYTES = 1_000_000  # about 2,000 events: a full parse of 10,000 took 0.34 s, the index 0.1 s
CHUNK = 8 << 20
MAGIC = b"SPLIDX05"  # at the start and the end of every index file
TRAILER = 20  # meta length (8 bytes), meta CRC (4), MAGIC (8)
LEFTOVER_SECONDS = 3600  # a temporary file this old is a killed build's, whoever made it
_ARRAYS = {"line_off": "q", "line_len": "i", "key_off": "q", "start": "i", "end": "i", "rank": "i", "postings": "i"}
Progress = Callable[[int, int], None]  # called with (bytes read, bytes in all) while an index is built

Warn = Callable[[str], None]


class RunningCrc:
    """The CRC-32 of the bytes given so far, in order."""

    def __init__(self) -> None:
        self.value = 0

    def add(self, data: memoryview) -> None:
        self.value = zlib.crc32(data, self.value)


class IndexDamaged(Exception):
    """An index file whose bytes are not what its build wrote (the message says where)."""


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


def file_stamp(st: os.stat_result) -> list[int]:
    """What identifies one version of an open file: every write changes the ctime, which touch cannot set back."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def open_index(store: str, registry: Registry, progress: Callable[[], Progress | None] | None = None, warn: Warn | None = None) -> IndexSource | None:
    """The index of `store`, built or rebuilt when missing, stale or damaged.

    `progress` is asked for a progress callback only when an index is about to be
    built; `warn` is told, in one sentence, of a damaged index or a full cache.

    None when the store or the cache cannot be used: the caller then reads the
    store whole, and reports whatever is wrong with it in the usual way.
    """
    warn = warn or (lambda message: None)
    try:
        store_file = open(store, "rb")
    except OSError:
        return None
    try:
        st = os.fstat(store_file.fileno())
        registry_stamp = [cache.file_stamp(p) for p in registry.paths]  # its tags come from every file
        if not stat.S_ISREG(st.st_mode) or None in registry_stamp:
            store_file.close()
            return None
        place = _Place(store, {"path": os.path.abspath(store), "store": file_stamp(st), "registry": registry_stamp})
        index_file, meta = place.index(store_file, registry, progress, warn)
    except (OSError, DataError):
        store_file.close()
        return None
    if meta is None or index_file is None:
        store_file.close()
        return None
    return IndexSource(store_file, index_file, meta, place, registry, warn)


class _Place:
    """Where the index of one store lives in the cache, and how it is published."""

    def __init__(self, store: str, stamp: dict) -> None:
        self.store, self.stamp = store, stamp
        self.dir = cache.cache_dir()
        self.name = cache.entry_name("index", store)
        self.path = self.dir / f"{self.name}.idx"
        self.marker = self.dir / f"{self.name}.unusable"

    def index(
        self,
        store_file: BinaryIO,
        registry: Registry,
        progress: Callable[[], Progress | None] | None,
        warn: Warn,
        damaged: tuple[os.stat_result, str] | None = None,
    ) -> tuple[BinaryIO | None, dict | None]:
        """The published index if it is this store's and intact, else a new one built under a lock.

        `damaged`: the fstat of an index found damaged while in use (never to be taken
        again), and what is wrong with it.
        """
        avoid, reason = damaged or (None, None)
        if damaged is None:
            found, _ = self.published()
            if found:
                return found
        self.dir.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.dir)
        if damaged is None and self._marked():
            return None, None
        with _locked(self.dir / f"{self.name}.lock"):
            found, problem = self.published(avoid)  # another process may have built it meanwhile
            if found:
                return found
            if problem or reason:
                warn(f"the index of {self.store} in the cache is damaged ({problem or reason}); rebuilding it")
            try:
                built = self.build(store_file, registry, progress() if progress else None)
            except OSError as err:
                self._mark()
                warn(f"cannot keep an index of {self.store} in {self.dir} ({err.strerror or err}); reading the store whole until it changes")
                return None, None
        if self.marker.exists():
            self.marker.unlink(missing_ok=True)
        return built

    def published(self, avoid: os.stat_result | None = None) -> tuple[tuple[BinaryIO, dict] | None, str | None]:
        """(index file, meta) if the published file is intact and stamped for this store; else why not, if damaged."""
        try:
            f = open(self.path, "rb")
        except OSError:
            return None, None  # none yet (or something else is in its place: building will tell)
        st = os.fstat(f.fileno())
        if avoid is not None and (st.st_dev, st.st_ino) == (avoid.st_dev, avoid.st_ino):
            f.close()
            return None, None
        try:
            meta = read_meta(f)
        except IndexDamaged as err:
            f.close()
            return None, str(err)
        if meta.get("stamp") != self.stamp:
            f.close()
            return None, None  # an earlier version of the store: rebuilt without a word
        return (f, meta), None

    def build(self, store_file: BinaryIO, registry: Registry, progress: Progress | None) -> tuple[BinaryIO | None, dict | None]:
        """Build into a temporary file of a unique name, then publish it by rename. OSError: the cache cannot hold it."""
        tmp = self.dir / f".{self.name}.{os.getpid()}.{os.urandom(4).hex()}.{os.uname().nodename}.tmp"
        out = open(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), "w+b")
        try:
            meta = build(self.store, store_file, registry, out, self.stamp, progress)
            out.flush()
            if file_stamp(os.fstat(store_file.fileno())) != self.stamp["store"]:
                tmp.unlink()
                out.close()
                return None, None  # written to while being read: read it whole this time
            os.replace(tmp, self.path)
        except BaseException:
            out.close()
            tmp.unlink(missing_ok=True)
            raise
        return out, meta  # this process keeps reading the file it wrote, whatever replaces it later

    def _marked(self) -> bool:
        try:
            return json.loads(self.marker.read_text(encoding="ascii")) == self.stamp
        except (OSError, ValueError):
            return False

    def _mark(self) -> None:
        """Remember, for this version of the store, that the cache cannot hold its index."""
        try:
            self.marker.write_text(json.dumps(self.stamp), encoding="ascii")
        except (OSError, ValueError):
            pass


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock while one process builds; the others wait, then read what it built.

    The kernel releases it when the process dies, so a killed build never blocks the next.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks: builds may run side by side, each one correct
        yield
    finally:
        os.close(fd)


def remove_leftovers(directory: Path) -> None:
    """Remove the temporary files of killed builds: at once when their process (on this host) is gone, else after an hour."""
    now, node = time.time(), os.uname().nodename
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        legacy = name.startswith("index-") and len(name) == 14  # the folders of an older spacelog
        if not (name.startswith(".index-") or legacy):
            continue
        parts = name.split(".", 4)  # "", index-XXXXXXXX, pid, random, host.tmp
        try:
            orphan = len(parts) == 5 and parts[4] == f"{node}.tmp" and not _alive(int(parts[2]))
            if orphan or now - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_SECONDS:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
        except (OSError, ValueError):
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def read_meta(f: BinaryIO) -> dict:
    """The trailer of an index file, checked: its magic numbers, its CRC and the bounds of its sections."""
    fd = f.fileno()
    size = os.fstat(fd).st_size
    if size < len(MAGIC) + TRAILER:
        raise IndexDamaged(f"{size} bytes: truncated")
    trailer = os.pread(fd, TRAILER, size - TRAILER)
    if os.pread(fd, len(MAGIC), 0) != MAGIC or trailer[12:] != MAGIC:
        raise IndexDamaged("not an index file, or truncated")
    length, crc = int.from_bytes(trailer[:8], "little"), int.from_bytes(trailer[8:12], "little")
    start = size - TRAILER - length
    if start < len(MAGIC):
        raise IndexDamaged("its trailer is damaged")
    raw = os.pread(fd, length, start)
    if zlib.crc32(raw) != crc:
        raise IndexDamaged("its trailer does not match its checksum")
    try:
        meta = json.loads(raw)
        n = meta["n"]
        for name in (*_ARRAYS, "keys", "ids"):
            offset, length, _ = meta["sections"][name]
            if not (len(MAGIC) <= offset and offset + length <= start and length % array.array(_ARRAYS.get(name, "b")).itemsize == 0):
                raise IndexDamaged(f"section {name} is out of bounds")
        if meta["sections"]["key_off"][1] != 8 * (n + 1) or meta["sections"]["line_off"][1] != 8 * n:
            raise IndexDamaged("its arrays do not match its number of events")
    except (ValueError, KeyError, TypeError, IndexError) as err:
        raise IndexDamaged("its trailer is not what spacelog wrote") from err
    return meta


class IndexSource:
    """A store read through its index: the `query.EventSource` of large stores.

    Holds the store and the index open; reads both only through these descriptors.
    """

    def __init__(self, store_file: BinaryIO, index_file: BinaryIO, meta: dict, place: _Place, registry, warn: Warn) -> None:
        self._file, self._index, self.meta = store_file, index_file, meta
        self._place, self._registry, self._warn = place, registry, warn
        self.n: int = meta["n"]
        self.diagnostics = [Diagnostic(*d) for d in meta["diagnostics"]]
        self._arrays: dict[str, array.array] = {}
        self._ids: list[str] | None = None
        self._keys_checked = False
        self._repairs = 0
        self._unsafe = set(meta["unsafe"])
        self._store_size = os.fstat(store_file.fileno()).st_size

    # -------------------------------------------------------------- checked reads
    def _section(self, name: str) -> bytes:
        offset, length, crc = self.meta["sections"][name]
        data = os.pread(self._index.fileno(), length, offset)
        if len(data) != length or zlib.crc32(data) != crc:
            self._repair(f"section {name} does not match its checksum")
            return self._section(name)
        return data

    def _repair(self, reason: str) -> None:
        """Replace a damaged index, mid-query, by a new build from the same store descriptor.

        The build is deterministic, so what was read from the old index's intact
        sections stays true of the new one.
        """
        self._repairs += 1
        if self._repairs > 2:  # what is written does not read back the same: a failing disk
            raise DataError(f"the index of {self._place.store} in the cache reads back damaged ({reason}); check the disk of {self._place.dir}")
        damaged = os.fstat(self._index.fileno())
        try:
            index_file, meta = self._place.index(self._file, self._registry, None, self._warn, damaged=(damaged, reason))
        except OSError:
            index_file, meta = None, None
        if meta is None or index_file is None or meta["n"] != self.n:
            raise DataError(f"the index of {self._place.store} in the cache is damaged and cannot be rebuilt; remove {self._place.path}")
        self._index.close()
        self._index, self.meta = index_file, meta

    def _array(self, name: str) -> array.array:
        if name not in self._arrays:
            values = array.array(_ARRAYS[name])
            values.frombytes(self._section(name))
            if name == "key_off" and values[-1] != self.meta["sections"]["keys"][1]:
                raise DataError("the index's key offsets do not match its keys")  # a CRC collision, or a bad build
            self._arrays[name] = values
        return self._arrays[name]

    def _keys(self) -> Iterator[memoryview]:
        """The `keys` section in chunks of about CHUNK bytes (see `find`)."""
        offset, length, _ = self.meta["sections"]["keys"]
        fd = self._index.fileno()
        done = 0
        while done < length:
            data = os.pread(fd, min(CHUNK, length - done), offset + done)
            if not data:
                raise IndexDamaged("section keys is truncated")
            done += len(data)
            yield memoryview(data)

    def _check_keys(self) -> None:
        if self._keys_checked:
            return
        crc = 0
        try:
            for chunk in self._keys():
                crc = zlib.crc32(chunk, crc)
        except IndexDamaged as err:
            self._repair(str(err))
            return self._check_keys()
        if crc != self.meta["sections"]["keys"][2]:
            self._repair("section keys does not match its checksum")
            return self._check_keys()
        self._keys_checked = True

    # -------------------------------------------------------------- EventSource
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
        """Events whose key holds `key`: one pass over `keys`, which is checked against its CRC on the way."""
        offsets = self._array("key_off")
        while True:
            try:
                return self._find(key.encode("utf-8"), offsets)
            except IndexDamaged as err:
                self._repair(str(err))

    def _find(self, needle: bytes, offsets: array.array) -> list[int]:
        """Chunks are read into one reusable buffer and searched in place (bytes.find
        with bounds), so the pass copies nothing and holds CHUNK bytes at a time.
        The hits count only once the CRC of the whole section matched; the CRC of a
        chunk runs in a thread while the chunk is searched (zlib releases the GIL), so
        on two cores the check costs little more than the search."""
        section, length, expected = self.meta["sections"]["keys"]
        fd = self._index.fileno()
        found: list[int] = []
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        base, filled = 0, 0  # key offset of buffer[0]; bytes of buffer in use
        running_crc = RunningCrc()
        dense = False
        while True:
            if filled == len(buffer):  # a key longer than the buffer: grow it
                view.release()  # a bytearray cannot grow while a view of it exists
                buffer.extend(bytes(len(buffer)))
                view = memoryview(buffer)
            left = length - base - filled
            got = os.preadv(fd, [view[filled : filled + left]], section + base + filled) if left else 0
            if left and not got:
                raise IndexDamaged("section keys is truncated")
            end = filled + got
            checking = threading.Thread(target=running_crc.add, args=(view[filled:end],))
            checking.start()
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
            checking.join()  # before the buffer changes
            if not got:
                if running_crc.value != expected:
                    raise IndexDamaged("section keys does not match its checksum")
                return found
            buffer[: end - cut] = buffer[cut:end]  # the unfinished line moves to the front
            base, filled = base + cut, end - cut

    def text_key(self, i: int) -> str:
        self._check_keys()
        offsets = self._array("key_off")
        section = self.meta["sections"]["keys"][0]
        return os.pread(self._index.fileno(), offsets[i + 1] - offsets[i] - 1, section + offsets[i]).decode("utf-8")

    def in_order(self, numbers: Iterable[int]) -> list[int]:
        numbers = sorted(numbers)
        if not self.meta["in_date_order"]:
            numbers.sort(key=self._array("rank").__getitem__)
        return numbers

    def unsafe_lines(self, numbers: list[int]) -> set[int] | None:
        return self._unsafe.intersection(numbers) if self._unsafe else set()  # noted when the index was built

    def _checked(self, line: bytes) -> bytes:
        """Every indexed line is a JSON object: anything else means the store was written to in place while open."""
        if line[:1] != b"{" or line[-1:] != b"}":
            raise DataError(f"{self._place.store}: the store changed while it was being read; run the command again")
        return line

    def store_lines(self, numbers: list[int]) -> Iterable[bytes]:
        """Many events in file order are read in one sequential pass; others one read each."""
        offsets, lengths = self._array("line_off"), self._array("line_len")
        if self.n and offsets[-1] + lengths[-1] > self._store_size:
            raise DataError("the index's line offsets run past the end of the store")  # a CRC collision, or a bad build
        ascending = all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
        fd = self._file.fileno()
        if not ascending or len(numbers) * 64 < self.n:
            for i in numbers:
                yield self._checked(os.pread(fd, lengths[i], offsets[i]))
            return
        data, data_start = b"", 0  # data holds the store's bytes from data_start on
        for i in numbers:
            start, end = offsets[i], offsets[i] + lengths[i]
            if end > data_start + len(data):  # lines ascend: refill from this line on
                data, data_start = os.pread(fd, max(CHUNK, end - start), start), start
            if data[start - data_start] != 123 or data[end - data_start - 1] != 125:  # { and }
                self._checked(b"")
            yield data[start - data_start : end - data_start]

    def event(self, i: int) -> Event:
        line = self._checked(os.pread(self._file.fileno(), self._array("line_len")[i], self._array("line_off")[i])).decode("utf-8")
        event = Event(json.loads(line))
        event.line = line
        return event

    def event_id(self, i: int) -> str:
        if self._ids is None:
            self._ids = self._section("ids").decode("utf-8").split("\n")
            if len(self._ids) != self.n and self.n:
                raise DataError("the index's ids do not match its number of events")
        return self._ids[i]


def build(store: str, store_file: BinaryIO, registry: Registry, out: BinaryIO, stamp: dict, progress: Progress | None) -> dict:
    """Read the store once, validating each line as `load_store` does, and write its index to `out`."""
    arrays = {name: array.array(code) for name, code in _ARRAYS.items() if name != "postings"}
    postings: dict[str, array.array] = {}
    diagnostics: list[list] = []
    unsafe: list[int] = []  # events whose line holds characters to escape on output
    seen: dict[str, int] = {}
    ids: list[str] = []
    sections: dict[str, list[int]] = {}
    out.write(MAGIC)
    keys_crc, key_offset = 0, 0
    store_file.seek(0)
    total, offset = os.fstat(store_file.fileno()).st_size, 0
    for line_no, raw in enumerate(store_file, start=1):
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
        out.write(key)
        keys_crc = zlib.crc32(key, keys_crc)
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
    sections["keys"] = [len(MAGIC), key_offset, keys_crc]
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
    blobs = {name: values.tobytes() for name, values in arrays.items()}
    blobs["ids"] = "\n".join(ids).encode("utf-8")
    position = len(MAGIC) + key_offset
    for name, blob in blobs.items():
        out.write(blob)
        sections[name] = [position, len(blob), zlib.crc32(blob)]
        position += len(blob)
    meta = {
        "stamp": stamp,
        "n": len(ids),
        "sections": sections,
        "diagnostics": diagnostics,
        "postings": directory_of_postings,
        "in_date_order": order == list(range(len(ids))),
        "unsafe": unsafe,
    }
    raw = json.dumps(meta).encode("ascii")  # ASCII: paths that are not UTF-8 survive as escapes
    out.write(raw + len(raw).to_bytes(8, "little") + zlib.crc32(raw).to_bytes(4, "little") + MAGIC)
    if progress:
        progress(1, 1)
    return json.loads(raw)
