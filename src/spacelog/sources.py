"""Opening a store as an `EventSource`: read whole into memory, or through its index on disk."""

from __future__ import annotations

from collections.abc import Callable

from .index import Progress, open_index, store_to_index
from .query import EventSource, MemorySource
from .registry import Registry
from .store import Diagnostic, load_store


def open_source(paths: list[str], registry: Registry, progress: Callable[[], Progress | None] | None = None) -> tuple[EventSource, list[Diagnostic]]:
    """The events of the store `paths`, and the problems of its bad lines (skipped).

    A store of one large file is read through its index (see index.py), any
    other store is loaded whole; both give the same answers. `progress` is
    asked for a progress callback only when an index is about to be built. The
    index is stamped with every file of `registry` (its tags come from them).
    """
    indexed = store_to_index(paths)
    source = open_index(indexed, registry, progress) if indexed else None
    if source is not None:
        return source, source.diagnostics
    store = load_store(paths, registry)
    return MemorySource(store), store.errors
