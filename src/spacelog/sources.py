"""Opening a store as an `EventSource`: read whole into memory, or through its index on disk."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .index import IndexSource, Progress, Warn, open_index, stores_to_index
from .query import EventSource, MemorySource
from .registry import Registry
from .store import Diagnostic, load_store

if TYPE_CHECKING:
    from .combined import CombinedSource


def open_source(
    paths: list[str], registry: Registry, progress: Callable[[], Progress | None] | None = None, warn: Warn | None = None
) -> tuple[EventSource, list[Diagnostic]]:
    """The events of the store `paths`, and the problems of its bad lines (skipped).

    A large store of files is read through an index of each file (see index.py;
    several are combined, see combined.py); standard input, small stores and
    files that share an id are loaded whole; both give the same answers. `progress` is
    asked for a progress callback only when an index is about to be built. The
    index is stamped with every file of `registry` (its tags come from them);
    `warn` is told of a damaged index or a cache that cannot hold it.
    """
    source = _open_indexed(stores_to_index(paths), registry, progress, warn)
    if source is not None:
        return source, source.diagnostics
    store = load_store(paths, registry)
    return MemorySource(store), store.errors


def _open_indexed(
    files: list[str], registry: Registry, progress: Callable[[], Progress | None] | None, warn: Warn | None
) -> IndexSource | CombinedSource | None:
    parts: list[IndexSource] = []
    for path in files:
        part = open_index(path, registry, progress, warn)
        if part is None:
            for opened in parts:
                opened.close()
            return None
        parts.append(part)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return None
    from .combined import open_combined

    return open_combined(parts)
