"""Many store lines read through the index: a run of lines that follow one another in the
file is cut as one slice, so whatever lies between two lines (nothing, a blank or bad line,
a CR, spaces) must end a run, and the output must stay exactly the lines a full read gives."""

from __future__ import annotations

import io
import json
import os
import random

import pytest

from conftest import REGISTRY, shipped_events
from spacelog import parallel
from spacelog.errors import DataError
from spacelog.index import open_index
from spacelog.lines import LineOutput
from spacelog.query import MemorySource
from spacelog.registry import load_registry
from spacelog.store import load_store

N = 300
# What follows each event's line: the usual newline, or something that is not the next event's line
BETWEEN = {
    "adjacent": b"\n",
    "blank line": b"\n\n",
    "bad line": b"\nnot json\n",
    "crlf": b"\r\n",
    "padded": b"  \n  ",  # spaces after this line and before the next
    "duplicate id": None,  # the next line repeats this event: skipped, so the next event is two lines on
}


def write_store(path, between: list[str], final_newline: bool = True) -> None:
    """N events; after event k comes BETWEEN[between[k % len(between)]]."""
    rng = random.Random(5)
    base = shipped_events()
    parts = []
    for k in range(N):
        event = dict(rng.choice(base), seq=k + 1)
        event["id"] = f"{event['date'][:4]}-{k + 1:03d}"
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        gap = BETWEEN[between[k % len(between)]]
        parts.append(line + (b"\n" + line + b"\n" if gap is None else gap))
    text = b"".join(parts)
    path.write_bytes(text if final_newline else text.rstrip(b"\r\n "))


def selections(n: int) -> dict[str, list[int]]:
    rng = random.Random(11)
    runs, i = [], 0
    while i < n:
        length = rng.choice([1, 1, 2, 3, 7, 20])
        runs.extend(range(i, min(n, i + length)))
        i += length + rng.choice([1, 2, 5])
    return {
        "all": list(range(n)),
        "every other": list(range(0, n, 2)),
        "runs of several lengths": runs,
        "first and last two": [0, n - 2, n - 1],
        "the last two": [n - 2, n - 1],
    }


def sources(path):
    registry = load_registry(REGISTRY)
    indexed = open_index(str(path), registry)
    assert indexed is not None
    return indexed, MemorySource(load_store([str(path)], registry))


@pytest.mark.parametrize("chunk", [None, 600, 4000])  # bytes: most lines longer than a chunk; runs split across chunks
@pytest.mark.parametrize("final_newline", [True, False])
@pytest.mark.parametrize("between", [["adjacent"], *([name, "adjacent", "adjacent"] for name in BETWEEN if name != "adjacent")])
def test_many_lines_are_exactly_a_full_reads(tmp_path, monkeypatch, between, final_newline, chunk):
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    if chunk:
        monkeypatch.setattr("spacelog.index.STORE_CHUNK", chunk)
    store = tmp_path / "s.jsonl"
    write_store(store, between, final_newline)
    indexed, memory = sources(store)
    assert indexed.n == memory.n == N
    for name, numbers in selections(N).items():
        blocks = list(indexed.store_text(numbers))
        assert b"".join(blocks) == b"".join(memory.store_text(numbers)), name
        assert all(block.endswith(b"\n") for block in blocks), name
        assert [e.line for e in indexed.decoded(numbers)] == [memory.events[i].line for i in numbers], name
    indexed.close()


@pytest.mark.parametrize(("fmt", "header"), [("jsonl", True), ("tsv", True), ("csv", True), ("csv", False), ("excel", True), ("excel", False)])
@pytest.mark.parametrize("span", [700, 5000])  # bytes of store a part covers: a line or two, or several runs
def test_parts_written_by_two_processes_are_exactly_a_full_reads(tmp_path, monkeypatch, span, fmt, header):
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    monkeypatch.setattr("spacelog.index.PART_SPAN", span)
    monkeypatch.setattr("spacelog.index.FEW_A_PART", 3)
    monkeypatch.setattr(parallel, "_cores", 2)
    shared = []
    monkeypatch.setattr(parallel, "in_turn", lambda parts, *rest, real=parallel.in_turn: shared.append(len(parts)) or real(parts, *rest))
    store = tmp_path / "s.jsonl"
    write_store(store, ["adjacent", "blank line", "crlf", "adjacent"])
    indexed, memory = sources(store)
    chosen = {**selections(N), "out of file order": [250, 3, 7, 120, 8, 9, 299, 0, 44, 45]}
    del chosen["first and last two"], chosen["the last two"]  # too few for three parts
    registry = load_registry(REGISTRY)
    for name, numbers in chosen.items():
        with (tmp_path / "out").open("w", encoding="utf-8", newline="") as stream:
            LineOutput(fmt, stream, header=header).listing(indexed, numbers, registry)
        in_memory = io.StringIO(newline="")  # no descriptor: written by this process alone
        LineOutput(fmt, in_memory, header=header).listing(memory, numbers, registry)
        assert (tmp_path / "out").read_bytes() == in_memory.getvalue().encode("utf-8"), name
        assert shared.pop() >= 3, name
    indexed.close()


def test_crlf_and_padded_lines_come_out_without_their_cr_and_spaces(tmp_path, monkeypatch):
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    store = tmp_path / "s.jsonl"
    write_store(store, ["crlf", "padded"])
    indexed, _ = sources(store)
    out = b"".join(indexed.store_text(list(range(N))))
    assert out.count(b"\n") == N and b"\r" not in out and b" \n" not in out and b"\n " not in out
    assert all(line.startswith(b"{") and line.endswith(b"}") for line in out.split(b"\n")[:-1])
    indexed.close()


@pytest.mark.parametrize(
    "edit",
    [
        "the newline between two lines",  # a run would join them into one line
        "the first byte of a line",
        "the last byte of a line",
    ],
)
def test_a_store_written_to_in_place_while_read_is_an_error(tmp_path, monkeypatch, edit):
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    store = tmp_path / "s.jsonl"
    write_store(store, ["adjacent"])
    indexed, _ = sources(store)
    text = store.read_bytes()
    second = text.index(b"\n") + 1  # where event 1's line begins
    position = {"the newline between two lines": second - 1, "the first byte of a line": second, "the last byte of a line": second - 2}[edit]
    with store.open("r+b") as f:  # the same file, as an editor that writes in place would
        f.seek(position)
        f.write(b" ")
    with pytest.raises(DataError, match="the store changed while it was being read; run the command again"):
        list(indexed.store_text(list(range(N))))
    indexed.close()


@pytest.mark.parametrize("cut", ["before the listing", "after its first chunk", "to nothing"])
def test_a_store_cut_short_in_place_while_read_is_an_error(tmp_path, monkeypatch, cut):
    """The listing maps the store: a store cut short is found before a chunk is cut from it, never
    read past its end (where a mapping gives SIGBUS: here past the first page)."""
    from spacelog import index

    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    monkeypatch.setattr(index, "STORE_CHUNK", 600)  # many chunks
    store = tmp_path / "s.jsonl"
    write_store(store, ["adjacent"])
    indexed, _ = sources(store)
    parts = b""
    if cut != "after its first chunk":
        os.truncate(store, 0 if cut == "to nothing" else 4096)
    with pytest.raises(DataError, match="the store changed while it was being read; run the command again"):
        for block in indexed.store_text(list(range(N))):
            parts += block
            os.truncate(store, 4096)
    assert 0 < len(parts) <= 4096 or (cut == "to nothing" and parts == b"")
    indexed.close()


def test_a_store_that_cannot_be_mapped_is_one_sentence(tmp_path, monkeypatch):
    import errno
    import mmap

    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    store = tmp_path / "s.jsonl"
    write_store(store, ["adjacent"])
    indexed, _ = sources(store)

    def refuse(*args, **kwargs):
        raise OSError(errno.ENODEV, "No such device")

    monkeypatch.setattr(mmap, "mmap", refuse)
    with pytest.raises(DataError, match=r"s\.jsonl: cannot map the store into memory \(No such device\); copy it to a local disk$"):
        list(indexed.store_text(list(range(N))))
    indexed.close()
