"""ingest at the limits: any event number, a 100,000-event chronicle, outputs that are not
regular files, and a private store's mode."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import pytest

from conftest import SOURCE, run_process
from test_safety_writing import big_chronicle


def test_event_numbers_of_five_digits_and_more_are_events(tmp_path):
    chronicle = tmp_path / "c.txt"
    chronicle.write_text("9999. 1月1日，甲。\n10000. 1月2日，乙。\n123456789. 1月3日，丙。\n", encoding="utf-8")
    result = run_process("ingest", str(chronicle), "--year", "2017")
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["id"], e["seq"], e["text"]) for e in events] == [
        ("2017-9999", 9999, "1月1日，甲。"),
        ("2017-10000", 10000, "1月2日，乙。"),
        ("2017-123456789", 123456789, "1月3日，丙。"),
    ]
    assert result.stderr.decode() == f"spacelog: {chronicle}:3: warning: event 123456789 follows event 10000: numbering gap\n"


def test_an_absurdly_long_event_number_is_an_error_not_a_merge(tmp_path):
    chronicle = tmp_path / "c.txt"
    chronicle.write_text("1. 1月1日，甲。\n" + "9" * 5000 + ". 1月2日，乙。\n", encoding="utf-8")
    result = run_process("ingest", str(chronicle), "--year", "2017")
    assert result.returncode == 2 and result.stdout == b""
    assert f"{chronicle}:2: event number {'9' * 24}… has more than 18 digits".encode() in result.stderr


def ingest_many(tmp_path, n: int) -> float:
    chronicle, store = tmp_path / f"big{n}.txt", tmp_path / f"big{n}.jsonl"
    big_chronicle(chronicle, n)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "spacelog", "ingest", str(chronicle), "--year", "2017", "--output", str(store)], capture_output=True, timeout=900
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0 and f"spacelog: wrote {n} events to {store}\n" in result.stderr.decode()
    lines = store.read_bytes().splitlines()
    assert len(lines) == n and json.loads(lines[-1])["seq"] == n
    return elapsed


def test_twelve_thousand_events_are_all_kept(tmp_path):
    ingest_many(tmp_path, 12000)


@pytest.mark.slow
def test_a_hundred_thousand_event_chronicle_is_ingested_in_linear_time(tmp_path):
    tenth = ingest_many(tmp_path, 10_000)
    whole = ingest_many(tmp_path, 100_000)
    assert whole < 15 * tenth  # linear: about 10x (568 s before, merging every event from 10000 on into one)


def test_a_fifo_is_not_replaced(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    result = run_process("ingest", str(SOURCE), "--year", "2017", "--output", str(fifo))
    assert result.returncode == 2
    assert result.stderr.decode().endswith(f"spacelog: {fifo}: is not a regular file (a FIFO, socket or device); give the path of a store file to write\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_a_device_node_is_not_replaced(tmp_path):
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # what /dev/full is
    except PermissionError:
        pytest.skip("making a device node needs root")
    result = run_process("ingest", str(SOURCE), "--year", "2017", "--output", str(node))
    assert result.returncode == 2 and b"is not a regular file" in result.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode) and os.lstat(node).st_rdev == os.makedev(1, 7)


def test_a_private_store_stays_private(tmp_path):
    store = tmp_path / "events.jsonl"
    store.write_text("old\n", encoding="utf-8")
    store.chmod(0o600)
    result = run_process("ingest", str(SOURCE), "--year", "2017", "--output", str(store))
    assert result.returncode == 0
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    assert store.read_text(encoding="utf-8").count("\n") == 73
