"""The bigram postings: written a range at a time by several threads, the same bytes."""

from __future__ import annotations

import threading

import pytest

from test_index import make_store


def index_of(store, tmp_path, monkeypatch, threads: int, range_postings: int) -> tuple[bytes, list[int]]:
    """The index of `store`, its bigram postings written by `threads` threads, `range_postings` at a time;
    the number of ranges of each PostingsWriter."""
    from conftest import REGISTRY
    from spacelog import builder, grams
    from spacelog.registry import load_registry

    monkeypatch.setattr(grams, "RANGE_POSTINGS", range_postings)
    work, ranges = grams.PostingsWriter.work, []

    def work_beside(writer: grams.PostingsWriter) -> None:  # the first of the build's two threads starts the others
        helpers = [threading.Thread(target=work, args=(writer,)) for _ in range(0 if ranges else threads - 2)]
        for helper in helpers:
            helper.start()
        work(writer)
        for helper in helpers:
            helper.join()
        ranges.append(len(writer.range_crcs))

    monkeypatch.setattr(grams.PostingsWriter, "work", work_beside)
    out = tmp_path / f"index-{threads}-{range_postings}"
    with open(store, "rb") as f, open(out, "wb") as index:
        builder.build(str(store), f, load_registry(REGISTRY), index, {}, None, tmp_path)
    return out.read_bytes(), ranges


def bigrams(index) -> int:
    from spacelog.index import read_meta

    with open(index, "rb") as f:
        return read_meta(f)["sections"]["grams"][1] // 8


@pytest.mark.parametrize("events", [0, 1, 2400])
def test_the_postings_are_the_same_bytes_whatever_the_ranges_and_threads(tmp_path, monkeypatch, events):
    """One range or one a bigram (some of them bitmaps), written by 2 or 4 threads at once."""
    store = tmp_path / "s.jsonl"
    make_store(store, events, "mixed")
    one_range, ranges = index_of(store, tmp_path, monkeypatch, 2, 1 << 30)
    assert ranges == [min(events, 1)] * 2
    for threads in (2, 4):
        index, ranges = index_of(store, tmp_path, monkeypatch, threads, 1)
        assert index == one_range
        assert ranges[0] == ranges[1] == bigrams(tmp_path / f"index-{threads}-1") >= {0: 0, 1: 10, 2400: 1000}[events]  # one range a bigram


def test_postings_spilled_in_two_bytes_or_four_give_the_same_index(tmp_path, monkeypatch):
    from spacelog import grams

    store = tmp_path / "s.jsonl"
    make_store(store, 2400, "mixed")
    chunks = []
    monkeypatch.setattr(grams, "chunk_postings", lambda text, found=grams.chunk_postings: chunks.append(found(text)) or chunks[-1])
    short, _ = index_of(store, tmp_path, monkeypatch, 2, 1 << 16)
    assert {events.dtype.itemsize for _, _, events in chunks} == {2}
    chunks.clear()
    monkeypatch.setattr(grams, "SHORT_POSTINGS", 100)  # every chunk holds more events
    long, _ = index_of(store, tmp_path, monkeypatch, 2, 1 << 16)
    assert {events.dtype.itemsize for _, _, events in chunks} == {4}
    assert long == short
