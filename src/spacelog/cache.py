"""A per-user cache for derived data (parsed registry, store indexes).

Everything here is derived from a source file and stamped with that file's
path, size and modification time; a stamp that does not match means the entry
is stale and is rebuilt. The cache is an optimisation only: when it cannot be
read or written, spacelog works from the source files.
"""

from __future__ import annotations

import binascii
import json
import os
from pathlib import Path

CACHE_ENV = "SPACELOG_CACHE"
FORMAT = 5  # bump when the layout of cached data changes


def cache_dir() -> Path:
    """`$SPACELOG_CACHE`, else `$XDG_CACHE_HOME/spacelog`, else `~/.cache/spacelog`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "spacelog"


def file_stamp(path: str | Path) -> list | None:
    """What identifies a version of a source file: its absolute path, size, mtime, inode and ctime.

    Every write changes the ctime, and touch cannot set it back.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino, st.st_ctime_ns, FORMAT]


def entry_name(kind: str, path: str | Path) -> str:
    # crc32, not hashlib (4 ms to import): a collision only costs a rebuild, because
    # the stamp inside each entry holds the full path.
    digest = binascii.crc32(os.path.abspath(path).encode("utf-8", "surrogatepass"))
    return f"{kind}-{digest:08x}"


def read_json(name: str, stamp: list | None) -> dict | None:
    if stamp is None:
        return None
    try:
        with open(cache_dir() / f"{name}.json", encoding="ascii") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("stamp") == stamp else None


def write_json(name: str, stamp: list | None, data: dict) -> None:
    """Write atomically; any failure leaves the cache as it was and is not an error."""
    if stamp is None:
        return
    import tempfile  # only when writing: 1 ms of every start-up otherwise

    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            json.dump({**data, "stamp": stamp}, f)  # ASCII: a path that is not UTF-8 survives as escapes
        os.replace(tmp, directory / f"{name}.json")
    except (OSError, ValueError):
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, UnboundLocalError):
            pass
