"""Ingest writes atomically, never through a symlink or over its input, and a kill keeps the old store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import SOURCE, STORE, cli


def big_chronicle(path, n: int = 60000) -> None:
    events = SOURCE.read_text(encoding="utf-8").split("\n\n1. ", 1)[1]
    body = "1. " + events
    lines = [line for line in body.splitlines() if line.strip() and line[0].isdigit() and ". " in line[:5]]
    texts = [line.split(". ", 1)[1] for line in lines]
    with path.open("w", encoding="utf-8") as f:
        for k in range(n):
            f.write(f"{k + 1}. {texts[k % len(texts)]}\n\n")


def test_symlink_output_is_refused(tmp_path):
    target = tmp_path / "target.jsonl"
    target.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "events.jsonl"
    link.symlink_to(target)
    result = cli("ingest", str(SOURCE), "--year", "2017", "--output", str(link))
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert target.read_text(encoding="utf-8") == "precious\n" and link.is_symlink()


def test_output_over_its_own_input_is_refused(tmp_path):
    source = tmp_path / "chronicle.txt"
    source.write_bytes(SOURCE.read_bytes())
    result = cli("ingest", str(source), "--year", "2017", "--output", str(source))
    assert result.exit_code == 2 and "is the chronicle being read" in result.stderr
    assert source.read_bytes() == SOURCE.read_bytes()
    hard = tmp_path / "hardlink.txt"
    os.link(source, hard)
    assert cli("ingest", str(source), "--year", "2017", "--output", str(hard)).exit_code == 2
    assert source.read_bytes() == SOURCE.read_bytes()


def test_failed_parse_keeps_the_previous_store(tmp_path):
    out = tmp_path / "events.jsonl"
    out.write_bytes(STORE.read_bytes())
    bad = tmp_path / "bad.txt"
    bad.write_text(SOURCE.read_text(encoding="utf-8") + "\n74. 没有日期的一行。\n", encoding="utf-8")
    result = cli("ingest", str(bad), "--year", "2017", "--output", str(out))
    assert result.exit_code == 2
    assert out.read_bytes() == STORE.read_bytes()


def test_output_folder_missing_or_a_folder(tmp_path):
    assert "no such folder" in cli("ingest", str(SOURCE), "-y", "2017", "-o", str(tmp_path / "no" / "e.jsonl")).stderr
    assert "is a folder" in cli("ingest", str(SOURCE), "-y", "2017", "-o", str(tmp_path)).stderr


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_sigkill_mid_ingest_leaves_the_old_store_intact(tmp_path, delay):
    chronicle = tmp_path / "big.txt"
    big_chronicle(chronicle)
    out = tmp_path / "events.jsonl"
    out.write_bytes(STORE.read_bytes())
    proc = subprocess.Popen(
        [sys.executable, "-m", "spacelog", "ingest", str(chronicle), "--year", "2017", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    data = out.read_bytes()
    # Either the old store, untouched, or (if the run had finished) the whole new one.
    assert data == STORE.read_bytes() or data.count(b"\n") == 60000
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("big.txt", "events.jsonl")]
    assert all(name.startswith(".events.jsonl.") for name in leftovers)  # a temporary file at most, never the store


def test_completed_ingest_replaces_the_store_whole(tmp_path):
    out = tmp_path / "events.jsonl"
    out.write_text("old\n", encoding="utf-8")
    assert cli("ingest", str(SOURCE), "--year", "2017", "--output", str(out)).exit_code == 0
    assert out.read_bytes() == STORE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]
