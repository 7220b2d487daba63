"""An index of a large store, kept in the cache, so a query decodes only what it prints.

For one store file of at least `SPACELOG_INDEX_MIN_BYTES` (default 1 MB, about
2,000 events), spacelog builds once, in the cache folder, one file
`index-<crc of the store's path>.idx` holding sections:
- `keys`: the normalised text (`search_key`) of each event, one a line
  (normalised, so `猎鹰9` finds `“猎鹰”9`), and `key_crc`, the CRC-32 of each
  KEY_BLOCK bytes of it, so a query checks only the blocks it reads (and
  `key_crc_to`, the CRC of the keys from their start to the end of each KEY_PAGE
  bytes, so a query that reads most of them checks a chunk with one call);
- an inverted index of the keys: `grams`, every pair of adjacent characters of
  any key, ascending, and for each the events whose key holds it (`gram_start`
  into `gram_postings`, each run checked by its CRC in `gram_crc`). A term of two
  characters is one run; a longer one is the intersection of its pairs' runs,
  each candidate then verified against its key; a term of one character is
  found by a scan of `keys` in chunks with bytes.find;
- int arrays: where each event's line is in the store, its start and end dates,
  its rank in (date, id) order, where its key starts in `keys`;
- `postings`: for each entity, category and month, the events tagged with it, ascending
  (each run checked by its own CRC, kept in the trailer);
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
import mmap
import os
import shutil
import stat
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import compress, count, islice, repeat
from operator import add, contains, eq, itemgetter, lt, not_, sub
from pathlib import Path
from typing import BinaryIO, NoReturn

from . import cache, parallel
from .errors import DataError
from .registry import Registry
from .store import STDIN, Diagnostic, Event, expand_paths, scan_once

MIN_BYTES_ENV = "SPACELOG_INDEX_MIN_BYTES"
DEFAULT_MIN_BYTES = 1_000_000  # about 2,000 events: a full parse of 10,000 took 0.34 s, the index 0.1 s
CHUNK = 8 << 20
INLINE_CHUNK = 2 << 20  # keys read at a time by _verify_many when checked in the same thread
MAGIC = b"SPLIDX08"  # at the start and the end of every index file; its last two digits, the format's version
TRAILER = 20  # meta length (8 bytes), meta CRC (4), MAGIC (8)
SEQS = 1 << 64  # seq below this in id_span's numbers: a larger one only makes the span wider than needed
LEFTOVER_SECONDS = 3600  # a temporary file this old is a killed build's, whoever made it
PART_SPAN = 8 << 20  # store bytes whose lines make one part of a long listing (parallel.in_turn)
FEW_A_PART = 4096  # lines read one at a time that make one part
MANY_LINES = 64  # one event in this many or more: their lines are cut from reads of the store, not read one at a time
STORE_CHUNK = 1 << 20  # store bytes cut at a time for many lines
KEY_BLOCK = 1024  # bytes of keys under one CRC: a query verifying a few candidates reads a few (4 KiB: 15 ms more for 13,796)
KEY_PAGE = 64 * KEY_BLOCK  # a read of many blocks starts and ends at a multiple of this (or the end), where `key_crc_to` has a CRC
SHARED_CANDIDATES = 8192  # candidates from which a child checks half of them (a fork and its reaping: about 5 ms)
MANY_CANDIDATES = 8192  # bytes of keys for each candidate, below which all keys are read in chunks rather than by blocks
_ARRAYS = {"line_off": "q", "line_len": "i", "key_off": "q", "start": "i", "end": "i", "rank": "i", "postings": "i", "key_crc": "I", "key_crc_to": "I"}
_GRAMS = {"grams": "Q", "gram_start": "Q", "gram_crc": "I", "gram_postings": "B"}  # written by grams.py: runs of "I" and bitmaps
_TYPECODES = {**_ARRAYS, **_GRAMS}
NARROW_BELOW = 1 << 32  # offsets all below this are kept 4 bytes each (the meta's "typecodes" says so): a store under 4 GB


def offset_typecode(largest: int) -> str:
    """The typecode of an array of offsets no greater than `largest`."""
    return "I" if largest < NARROW_BELOW else "q"


Progress = Callable[[int, int], None]  # called with (bytes read, bytes in all) while an index is built

Warn = Callable[[str], None]


class RunningCrc:
    """The CRC-32 of the bytes given so far, in order."""

    def __init__(self) -> None:
        self.value = 0

    def add(self, data: memoryview) -> None:
        self.value = zlib.crc32(data, self.value)


class _ChunkCheck(threading.Thread):
    """Whether the CRC of the keys up to the end of `view` is `after`, given that of the keys before
    it, `before`: one call of zlib, which lets go of the GIL, in a thread."""

    def __init__(self, view: memoryview, before: int, after: int) -> None:
        super().__init__(daemon=True)
        self.view, self.before, self.after, self.matched = view, before, after, False

    def run(self) -> None:
        self.matched = zlib.crc32(self.view, self.before) == self.after

    def begin(self, threaded: bool) -> None:
        """The check in this thread (run now), or in its own (started)."""
        if threaded:
            self.start()
        else:
            self.run()

    def wait(self) -> None:
        if self.ident is not None:  # started
            self.join()

    def finished(self) -> None:
        """Wait for the check, let go of the buffer, and raise IndexDamaged if the chunk did not match."""
        self.wait()
        self.view.release()
        if not self.matched:
            raise IndexDamaged("section keys does not match its checksum")


class IndexDamaged(Exception):
    """An index file whose bytes are not what its build wrote (the message says where)."""


def stores_to_index(paths: list[str]) -> list[str]:
    """The store files to index, each on its own, when they are regular files big enough together to need it."""
    try:
        files = expand_paths(paths)
        minimum = int(os.environ.get(MIN_BYTES_ENV, DEFAULT_MIN_BYTES))
        if STDIN in files or not all(map(os.path.isfile, files)):
            return []  # standard input is read whole
        size = sum(os.stat(path).st_size for path in files)
    except (OSError, ValueError, DataError):
        return []  # reading the store whole says what is wrong
    return files if size >= minimum else []


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
        head = os.pread(f.fileno(), len(MAGIC), 0)
        if head != MAGIC and head.startswith(MAGIC[:-2]) and head[-2:].isdigit():
            f.close()
            return None, None  # written by a version of spacelog with another format: rebuilt without a word
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
            from .builder import build  # numpy, and the code of a build: only when building

            meta = build(self.store, store_file, registry, out, self.stamp, progress, self.dir)
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


_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")


def _bits(value: int, width: int) -> bytes:
    """The `width` low bits of `value`, highest first, one byte (0 or 1) each: fast in C, unlike a loop over bits."""
    return bin(value)[2:].zfill(width).encode("ascii").translate(_ZERO_ONE)


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
        sections = meta["sections"]
        if not (meta["typecodes"].keys() <= {"key_off", "line_off"} and set(meta["typecodes"].values()) <= {"I", "q"}):
            raise IndexDamaged("its trailer is not what spacelog wrote")
        typecodes = {**_TYPECODES, **meta["typecodes"]}
        itemsize = {name: array.array(code).itemsize for name, code in typecodes.items()}
        for name in (*_ARRAYS, *_GRAMS, "keys", "ids"):
            offset, length, _ = sections[name]
            if not (len(MAGIC) <= offset and offset + length <= start and length % itemsize.get(name, 1) == 0):
                raise IndexDamaged(f"section {name} is out of bounds")
        if sections["key_off"][1] != itemsize["key_off"] * (n + 1) or sections["line_off"][1] != itemsize["line_off"] * n:
            raise IndexDamaged("its arrays do not match its number of events")
        grams = sections["grams"][1] // 8
        if (
            sections["gram_start"][1] != 8 * (grams + 1)
            or sections["gram_crc"][1] != 4 * grams
            or sections["key_crc"][1] != 4 * -(-sections["keys"][1] // KEY_BLOCK)
            or sections["key_crc_to"][1] != 4 * -(-sections["keys"][1] // KEY_PAGE)
        ):
            raise IndexDamaged("its inverted index does not match its keys")
    except (ValueError, KeyError, TypeError, IndexError) as err:
        raise IndexDamaged("its trailer is not what spacelog wrote") from err
    return meta


class _SectionsRead(threading.Thread):
    """Sections read, one after the other, and their CRCs computed in a thread while the query
    goes on: os.pread and zlib.crc32 (of more than 5 KiB) let go of the GIL, so on two cores
    this costs little wait. One thread, the first section asked for first: starting a second
    thread while the first read took the query 3-8 ms (measured)."""

    def __init__(self, fd: int, places: dict[str, list[int]]) -> None:
        super().__init__(daemon=True)
        self._fd, self._places = fd, places  # name: [offset, length, ...]
        self._read: dict[str, tuple[bytes, int]] = {}
        self._ready = {name: threading.Event() for name in places}
        self.start()

    def run(self) -> None:
        for name, (offset, length, *_) in self._places.items():
            try:
                data = os.pread(self._fd, length, offset)
                self._read[name] = data, zlib.crc32(data)
            except OSError:  # _section finds it short, and repairs or reports as for any short read
                pass
            finally:
                self._ready[name].set()

    def take(self, name: str) -> tuple[bytes, int]:
        """The section's bytes and their CRC, once read (nothing, if the read failed)."""
        self._ready[name].wait()
        return self._read.pop(name, (b"", -1))


class IndexSource:
    """A store read through its index: the `query.EventSource` of large stores.

    Holds the store and the index open; reads both only through these descriptors.
    """

    def __init__(self, store_file: BinaryIO, index_file: BinaryIO, meta: dict, place: _Place, registry, warn: Warn) -> None:
        self._file, self._index, self.meta = store_file, index_file, meta
        self._place, self._registry, self._warn = place, registry, warn
        self.n: int = meta["n"]
        self.diagnostics = [
            Diagnostic(place.store, line, message if first is None else f"{message} (first at {place.store}:{first})")
            for line, message, first in meta["diagnostics"]
        ]
        self._arrays: dict[str, memoryview] = {}
        self._reading: dict[str, _SectionsRead] = {}  # sections read ahead, by a thread, not yet checked
        self._ids: list[str] | None = None
        self._window: tuple[int, bytes] = (0, b"")  # the keys text_key read last, from that key offset
        self._repairs = 0
        self._unsafe = set(meta["unsafe"])
        self._store_size = os.fstat(store_file.fileno()).st_size

    # -------------------------------------------------------------- checked reads
    def _section(self, name: str) -> bytes:
        offset, length, crc = self.meta["sections"][name]
        ahead = self._reading.pop(name, None)
        if ahead is not None:
            data, found = ahead.take(name)
        else:
            data = os.pread(self._index.fileno(), length, offset)
            found = zlib.crc32(data)
        if len(data) != length or found != crc:
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
        self._stop_reading()  # before the damaged file's descriptor is closed
        damaged = os.fstat(self._index.fileno())
        try:
            index_file, meta = self._place.index(self._file, self._registry, None, self._warn, damaged=(damaged, reason))
        except OSError:
            index_file, meta = None, None
        if meta is None or index_file is None or meta["n"] != self.n:
            raise DataError(f"the index of {self._place.store} in the cache is damaged and cannot be rebuilt; remove {self._place.path}")
        self._index.close()
        self._index, self.meta = index_file, meta

    def _read_ahead(self, *names: str) -> None:
        """Start reading these sections, in this order, for `_section` to check and take."""
        places = {name: self.meta["sections"][name] for name in names if name not in self._arrays and name not in self._reading}
        if places:
            ahead = _SectionsRead(self._index.fileno(), places)
            self._reading.update(dict.fromkeys(places, ahead))

    def _stop_reading(self) -> None:
        for ahead in set(self._reading.values()):
            ahead.join()
        self._reading.clear()

    def _array(self, name: str) -> memoryview:
        if name not in self._arrays:
            values = memoryview(self._section(name)).cast(self.meta["typecodes"].get(name, _TYPECODES[name]))  # type: ignore[call-overload]  # no copy
            if name == "key_off" and values[-1] != self.meta["sections"]["keys"][1]:
                raise DataError("the index's key offsets do not match its keys")  # a CRC collision, or a bad build
            self._arrays[name] = values
        return self._arrays[name]

    # -------------------------------------------------------------- EventSource
    def dates(self, i: int) -> tuple[int, int]:
        return self._array("start")[i], self._array("end")[i]

    def starts(self, numbers: list[int]) -> list[int]:
        return list(map(self._array("start").__getitem__, numbers))

    def tagged(self, field: str, value: str) -> list[int]:
        where = self.meta["postings"].get(f"{field}:{value}")
        if where is None:
            return []
        start, count, crc = where
        if count * MANY_LINES >= self.n:  # listed from the line arrays (store_text_parts): read them meanwhile
            self._read_ahead("line_off", "line_len")
        data = os.pread(self._index.fileno(), 4 * count, self.meta["sections"]["postings"][0] + 4 * start)
        if len(data) != 4 * count or zlib.crc32(data) != crc:
            self._repair("section postings does not match its checksum")
            return self.tagged(field, value)
        numbers: list[int] = memoryview(data).cast("i").tolist()
        # each run strictly ascending, as built since postings_ascending (7 ms of agency NASA at 1M events);
        # before, an event that names a value twice was listed twice
        if not self.meta.get("postings_ascending") and not all(map(lt, numbers, islice(numbers, 1, None))):
            numbers = sorted(set(numbers))
        return numbers

    def in_month(self, month: int) -> list[int]:
        return self.tagged("month", str(month))

    def containing(self, key: str) -> list[int]:
        """Events whose key holds `key`: from the runs of its character pairs, else one pass over `keys`."""
        # a pair's run is its answer; a longer key's candidates are verified by their keys, found by key_off;
        # the events found are most often listed next, from the line arrays
        self._read_ahead(*(["key_off"] if len(key) != 2 else []), "line_off", "line_len")
        while True:
            try:
                if len(key) < 2:
                    return self._find(key.encode("utf-8"), self._array("key_off"))
                candidates = self._candidates(key)
                return candidates if len(key) == 2 else self._verify(candidates, key.encode("utf-8"), self._array("key_off"))
            except IndexDamaged as err:
                self._repair(str(err))

    def _candidates(self, key: str) -> list[int]:
        """The events whose key holds every pair of adjacent characters of `key`, ascending.

        A pair's run is a list of event numbers, or, for a pair most events hold, a
        bitmap (see grams.py); bitmaps are combined as integers and read in C (bin).
        """
        lists: list[bytes] = []
        bitmaps: list[bytes] = []
        for gram in {(ord(a) << 21) | ord(b) for a, b in zip(key, key[1:], strict=False)}:
            run = self._run(gram)
            if run is None:
                return []
            (bitmaps if len(run) == -(-self.n // 8) else lists).append(run)
        if not lists:
            both = int.from_bytes(bitmaps[0], "big")
            for run in bitmaps[1:]:
                both &= int.from_bytes(run, "big")
            return list(compress(range(self.n), _bits(both, 8 * len(bitmaps[0]))))
        lists.sort(key=len)
        found: list[int] = memoryview(lists[0]).cast("I").tolist()
        for run in lists[1:]:
            events = memoryview(run).cast("I")
            if len(found) * 16 < len(events):  # a few candidates: look each up
                found = [i for i in found if (k := bisect.bisect_left(events, i)) < len(events) and events[k] == i]
            else:
                found = list(filter(set(events).__contains__, found))
        for run in bitmaps:
            found = list(compress(found, map(_bits(int.from_bytes(run, "big"), 8 * len(run)).__getitem__, found)))
        return found

    def _run(self, gram: int) -> bytes | None:
        """The run of the character pair `gram`, checked against its CRC; None when no key holds it."""
        grams = self._array("grams")
        k = bisect.bisect_left(grams, gram)
        if k == len(grams) or grams[k] != gram:
            return None
        first, last = self._array("gram_start")[k], self._array("gram_start")[k + 1]
        data = os.pread(self._index.fileno(), last - first, self.meta["sections"]["gram_postings"][0] + first)
        if len(data) != last - first or zlib.crc32(data) != self._array("gram_crc")[k]:
            raise IndexDamaged("section gram_postings does not match its checksum")
        return data

    def _keys_between(self, start: int, end: int) -> tuple[int, bytes]:
        """The blocks of `keys` that hold bytes start..end, each checked against its CRC; and the offset of the first."""
        section, length, _ = self.meta["sections"]["keys"]
        first, last = start // KEY_BLOCK, max(start, end - 1) // KEY_BLOCK + 1
        low, high = first * KEY_BLOCK, min(length, last * KEY_BLOCK)
        data = os.pread(self._index.fileno(), high - low, section + low)
        if len(data) != high - low:
            raise IndexDamaged("section keys is truncated")
        self._check_blocks(first, data)
        return low, data

    def _check_blocks(self, first: int, data: bytes | memoryview) -> None:
        if len(data) <= 2 * KEY_BLOCK:  # a candidate's key: most often one block, at most two
            crcs = self._array("key_crc")
            if zlib.crc32(data[:KEY_BLOCK]) != crcs[first] or (len(data) > KEY_BLOCK and zlib.crc32(data[KEY_BLOCK:]) != crcs[first + 1]):
                raise IndexDamaged("section keys does not match its checksum")
            return
        view = memoryview(data)
        found = [zlib.crc32(view[k : k + KEY_BLOCK]) for k in range(0, len(data), KEY_BLOCK)]
        if found != self._array("key_crc")[first : first + len(found)].tolist():
            raise IndexDamaged("section keys does not match its checksum")

    def _verify(self, candidates: list[int], needle: bytes, offsets: memoryview) -> list[int]:
        """The candidates whose key holds `needle`: few, by the blocks of keys they are in; many, by
        chunks; from SHARED_CANDIDATES on, half of them by a child (parallel.both)."""
        many = MANY_CANDIDATES * len(candidates) > self.meta["sections"]["keys"][1]
        if len(candidates) < SHARED_CANDIDATES or not parallel.available():
            return (self._verify_many if many else self._verify_few)(candidates, needle, offsets)
        # read once, before the fork, for both; a chunk's check is in the same thread: each process has a core
        self._array("key_crc_to" if many else "key_crc")
        check = partial(self._verify_many, threaded=False) if many else self._verify_few
        half = len(candidates) // 2
        mine, theirs = parallel.both(
            partial(check, candidates[:half], needle, offsets),
            lambda: array.array("I", check(candidates[half:], needle, offsets)).tobytes(),
        )
        return mine + memoryview(theirs).cast("I").tolist()

    def _verify_few(self, candidates: list[int], needle: bytes, offsets: memoryview) -> list[int]:
        """Each candidate's key read with those near it (the next starts within a block of the last),
        in the blocks of keys that hold them, each block checked against its CRC.
        A key's bounds take in its newline: no needle holds one, so none matches across it."""
        section, length, _ = self.meta["sections"]["keys"]
        crcs = self._array("key_crc")  # first: a repair while reading it changes the index's descriptor
        fd = self._index.fileno()
        starts = list(map(offsets.__getitem__, candidates))
        ends = list(map(offsets.__getitem__, map(add, candidates, repeat(1))))
        found: list[int] = []
        j, m = 0, len(candidates)
        while j < m:
            start, last = starts[j], ends[j]
            k = j + 1
            while k < m and starts[k] - last <= KEY_BLOCK and ends[k] - start <= CHUNK:
                last = ends[k]
                k += 1
            first = start // KEY_BLOCK
            low, high = first * KEY_BLOCK, min(length, -(-last // KEY_BLOCK) * KEY_BLOCK)
            data = os.pread(fd, high - low, section + low)
            if len(data) != high - low:
                raise IndexDamaged("section keys is truncated")
            if high - low <= KEY_BLOCK:
                if zlib.crc32(data) != crcs[first]:
                    raise IndexDamaged("section keys does not match its checksum")
            else:
                self._check_blocks(first, data)
            if k == j + 1:
                if data.find(needle, start - low, last - low) != -1:
                    found.append(candidates[j])
            else:
                hits = map(data.find, repeat(needle), map(sub, starts[j:k], repeat(low)), map(sub, ends[j:k], repeat(low)))
                found.extend(compress(candidates[j:k], map((-1).__ne__, hits)))
            j = k
        return found

    def _verify_many(self, candidates: list[int], needle: bytes, offsets: memoryview, threaded: bool = True) -> list[int]:
        """Keys read CHUNK bytes at a time, from and to a multiple of KEY_PAGE, into two buffers in
        turn; each candidate's key searched in place, in C (map), while a thread checks the chunk
        just read against `key_crc_to` with one call of zlib, which lets go of the GIL (a CRC for
        each block holds it: a thread checking blocks only waited for the searches). The hits
        count only once every chunk read matched. Not `threaded`, the check runs before the
        search, on INLINE_CHUNK bytes that are still in the core's cache when searched: when two
        processes share the candidates, each has a core, and threads only wait for each other
        (half the candidates of 空间站 at 1M events: 200-210 ms, against 245 inline on 8 MB
        chunks and 270 with threads).
        A key's bounds take in its newline: no needle holds one, so none matches across it."""
        section, length, _ = self.meta["sections"]["keys"]
        crc_to = self._array("key_crc_to")  # first: a repair while reading it changes the index's descriptor
        fd = self._index.fileno()
        found: list[int] = []
        chunk = CHUNK if threaded else INLINE_CHUNK
        buffers = [bytearray(chunk + KEY_PAGE), bytearray(chunk + KEY_PAGE)]
        checks: list[_ChunkCheck | None] = [None, None]  # the check of what each buffer holds
        j, m, turn = 0, len(candidates), 0
        try:
            while j < m:
                low = offsets[candidates[j]] // KEY_PAGE * KEY_PAGE
                # the candidates whose keys end within the chunk (at least one), their bounds looked up in C (itemgetter),
                # a chunk at a time: one more, past the last, so that one candidate still gives a tuple
                k = max(j + 1, bisect.bisect_right(candidates, bisect.bisect_right(offsets, low + chunk) - 2, j, m))
                starts = itemgetter(*candidates[j:k], 0)(offsets)
                ends = itemgetter(*map(add, candidates[j:k], repeat(1)), 0)(offsets)
                size = min(length, -(-ends[k - j - 1] // KEY_PAGE) * KEY_PAGE) - low
                turn ^= 1
                if (check := checks[turn]) is not None:  # its buffer is about to be read into
                    checks[turn] = None
                    check.finished()
                if size > len(buffers[turn]):  # one key longer than a chunk
                    buffers[turn] = bytearray(size)
                buffer = buffers[turn]
                view = memoryview(buffer)[:size]
                if os.preadv(fd, [view], section + low) != size:
                    raise IndexDamaged("section keys is truncated")
                page = low // KEY_PAGE
                checks[turn] = check = _ChunkCheck(view, crc_to[page - 1] if page else 0, crc_to[-(-(low + size) // KEY_PAGE) - 1])
                check.begin(threaded)
                hits = map(buffer.find, repeat(needle), map(sub, starts, repeat(low)), map(sub, ends, repeat(low)))
                found.extend(compress(candidates[j:k], map((-1).__ne__, hits)))
                j = k
            for turn, check in enumerate(checks):
                if check is not None:
                    checks[turn] = None
                    check.finished()
        finally:
            for check in checks:
                if check is not None:  # stopped by an error: wait for the thread, whatever it found
                    check.wait()
                    check.view.release()
        return found

    def _find(self, needle: bytes, offsets: memoryview) -> list[int]:
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
        offsets = self._array("key_off")
        start, end = offsets[i], offsets[i + 1] - 1
        low, data = self._window
        if start < low or end > low + len(data):
            while True:
                try:
                    self._window = low, data = self._keys_between(start, min(end + 4 * KEY_BLOCK, self.meta["sections"]["keys"][1]))
                    break
                except IndexDamaged as err:
                    self._repair(str(err))
        return data[start - low : end - low].decode("utf-8")

    def in_order(self, numbers: Iterable[int]) -> list[int]:
        numbers = sorted(numbers)
        if not self.meta["in_date_order"]:
            numbers.sort(key=self._array("rank").__getitem__)
        return numbers

    def rank(self, i: int) -> int:
        """The place of event i in (date, id) order."""
        return i if self.meta["in_date_order"] else self._array("rank")[i]

    def close(self) -> None:
        self._stop_reading()
        self._file.close()
        self._index.close()

    def unsafe_lines(self, numbers: list[int]) -> set[int] | None:
        return self._unsafe.intersection(numbers) if self._unsafe else set()  # noted when the index was built

    def _checked(self, line: bytes) -> bytes:
        """Every indexed line is a JSON object: anything else means the store was written to in place while open."""
        if line[:1] != b"{" or line[-1:] != b"}":
            self._changed()
        return line

    def _changed(self) -> NoReturn:
        raise DataError(f"{self._place.store}: the store changed while it was being read; run the command again")

    def store_text(self, numbers: list[int]) -> Iterator[bytes]:
        """The store lines of these events, verbatim, each ended by a newline, in blocks."""
        for part in self.store_text_parts(numbers):
            yield from part()

    def store_text_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[bytes]]]:
        """What store_text gives, in parts that can be made apart (in either process of `parallel.in_turn`).

        Few events, or events out of file order, are read one line at a time, FEW_A_PART lines a
        part; many in file order, by `_runs_text`, the lines within PART_SPAN bytes of the store a part.
        """
        offsets, lengths = self._array("line_off"), self._array("line_len")
        if self.n and offsets[-1] + lengths[-1] > self._store_size:
            raise DataError("the index's line offsets run past the end of the store")  # a CRC collision, or a bad build
        m = len(numbers)
        if m < 2 or m * MANY_LINES < self.n or not all(map(lt, numbers, islice(numbers, 1, None))):
            return [partial(self._lines_text, numbers[j : j + FEW_A_PART], offsets, lengths) for j in range(0, m, FEW_A_PART)]
        parts: list[Callable[[], Iterable[bytes]]] = []
        j = 0
        while j < m:
            k = max(j + 1, bisect.bisect_left(numbers, bisect.bisect_left(offsets, offsets[numbers[j]] + PART_SPAN), j, m))
            # an array, not a list: the process that makes the part touches no int object of the parent's
            # (each a page to copy after the fork: 1,700 fewer faults for agency NASA at 1M events)
            parts.append(partial(self._runs_text, array.array("I", numbers[j:k]), offsets, lengths))
            j = k
        return parts

    def _lines_text(self, numbers: list[int], offsets: memoryview, lengths: memoryview) -> Iterator[bytes]:
        """These lines, one pread each, in one block."""
        fd = self._file.fileno()
        lines = list(map(os.pread, repeat(fd), map(lengths.__getitem__, numbers), map(offsets.__getitem__, numbers)))
        if not (all(map(bytes.startswith, lines, repeat(b"{"))) and all(map(bytes.endswith, lines, repeat(b"}")))):
            self._changed()
        yield b"\n".join(lines) + b"\n"

    def _runs_text(self, numbers: Sequence[int], offsets: memoryview, lengths: memoryview) -> Iterator[bytes]:
        """Many lines in file order, cut from the store mapped into memory, STORE_CHUNK bytes at a time.

        A run of lines that follow one another in the file (each begins right after the
        newline of the one before: no CRLF, blank or bad line between) is cut as one
        slice, its newlines the store's own: a slice costs Python far more than the
        bytes it copies. Every line's first byte ({), last byte (}) and the newlines
        inside runs are checked, gathered in one C call (itemgetter). The lines' bounds
        are looked up a chunk at a time, so what a query holds does not grow with them.

        Mapped, not read: only the lines' bytes are copied, not those between them (agency
        NASA at 1M events, a third of the lines: 258 -> 227 ms). As with ripgrep's mmap, a
        store cut short in place while it is mapped could end the process with SIGBUS, so
        its size is looked at before each chunk: a store cut before is an error, as it is
        when read; stores are replaced by rename (as ingest writes them), which a mapping
        never sees.
        """
        fd = self._file.fileno()
        try:
            mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except ValueError:  # the store is empty now: it was not when the index was opened
            self._changed()
        except OSError as err:  # a file system that cannot map files
            raise DataError(f"{self._place.store}: cannot map the store into memory ({err.strerror or err}); copy it to a local disk") from None
        whole = memoryview(mapped)
        try:
            j, m = 0, len(numbers)
            while j < m:
                # the lines that end within the chunk (at least one): those before the first event that begins
                # past its end and a newline; their bounds looked up in C (itemgetter), with one more past the
                # last, so that one line still gives a tuple
                k = max(j + 1, bisect.bisect_left(numbers, bisect.bisect_right(offsets, offsets[numbers[j]] + STORE_CHUNK + 1) - 1, j, m))
                c = k - j
                starts = itemgetter(*numbers[j:k], 0)(offsets)
                ends = list(map(add, starts, itemgetter(*numbers[j:k], 0)(lengths)))
                if ends[c - 1] > min(len(mapped), os.fstat(fd).st_size):
                    self._changed()
                follows = list(map(eq, islice(starts, 1, c), map(add, ends, repeat(1))))  # line t + 1 begins right after line t
                inside = list(compress(range(c - 1), map(not_, follows)))  # lines a run ends with, but the last line
                firsts = [starts[0], *map(starts.__getitem__, map(add, inside, repeat(1)))]
                afters = [*map(ends.__getitem__, inside), ends[c - 1]]
                marks = [*islice(starts, c), *map(sub, islice(ends, c), repeat(1)), *compress(ends, follows)]
                if bytes(itemgetter(*marks)(mapped)) != b"{" * c + b"}" * c + b"\n" * (c - 1 - len(inside)):
                    self._changed()
                yield b"\n".join([*map(whole.__getitem__, map(slice, firsts, afters)), b""])
                j = k
        finally:
            whole.release()
            mapped.close()

    def event(self, i: int) -> Event:
        line = self._checked(os.pread(self._file.fileno(), self._array("line_len")[i], self._array("line_off")[i])).decode("utf-8")
        event = Event(json.loads(line))
        event.line = line
        return event

    def decoded(self, numbers: list[int]) -> Iterator[Event]:
        for part in self.decoded_parts(numbers):
            yield from part()

    def decoded_parts(self, numbers: list[int]) -> list[Callable[[], Iterable[Event]]]:
        """Read as store_text_parts reads them, each line decoded by the JSON C scanner."""
        return [partial(self._decode, part) for part in self.store_text_parts(numbers)]

    def _decode(self, part: Callable[[], Iterable[bytes]]) -> Iterator[Event]:
        for block in part():
            for raw in block.split(b"\n")[:-1]:
                line = raw.decode("utf-8")
                try:
                    value, end = scan_once(line, 0)
                except (StopIteration, ValueError):
                    end = -1
                if end != len(line) or type(value) is not dict:  # the index found an object there
                    self._changed()
                event = Event(value)
                event.line = line
                yield event

    def event_id(self, i: int) -> str:
        return self.event_ids()[i]

    def event_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self._section("ids").decode("utf-8").split("\n")
            if len(self._ids) != self.n and self.n:
                raise DataError("the index's ids do not match its number of events")
        return self._ids
