"""Bad stores give a warning per bad line or one clear sentence: never a traceback or a hang."""

from __future__ import annotations

import json
import os
import time

import pytest

from conftest import cli, shipped_events
from spacelog.store import dump_event

GOOD = dump_event(shipped_events()[1])  # 2017-002, names 惠特森


def write(tmp_path, data: bytes, name: str = "s.jsonl"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def check_all_commands(path, expect_events: bool):
    for args in (["search", "惠特森"], ["timeline"], ["agency"], ["who", "惠特森"], ["show", "2"], ["check"]):
        start = time.monotonic()
        result = cli(*args, "--data", str(path))
        assert time.monotonic() - start < 20
        assert "Traceback" not in result.stderr, args
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert result.exit_code in (0, 1, 2), args
        assert all(line.startswith("spacelog: ") for line in result.stderr.splitlines()), (args, result.stderr)
        if args[0] == "search":
            assert result.exit_code == (0 if expect_events else 1)
    return result


@pytest.mark.parametrize(
    "name, data, events",
    [
        ("empty file", b"", False),
        ("blank lines", b"\n\n  \n\t\n", False),
        ("BOM", b"\xef\xbb\xbf" + GOOD.encode() + b"\n", True),
        ("CRLF", GOOD.encode() + b"\r\n", True),
        ("truncated last line", GOOD.encode() + b"\n" + GOOD.encode()[:40], True),
        ("invalid UTF-8 line", b'{"id": "\xc3\x28"}\n' + GOOD.encode() + b"\n", True),
        ("not an object", b'[1,2]\n42\n"x"\nnull\n' + GOOD.encode() + b"\n", True),
        ("wrong types", json.dumps(dict(shipped_events()[2], date=20170113, people="x")).encode() + b"\n" + GOOD.encode() + b"\n", True),
        ("deeply nested", b"[" * 100000 + b"\n" + GOOD.encode() + b"\n", True),
        ("NUL bytes", b"\x00\x00\n" + GOOD.encode() + b"\n", True),
        ("a number of 5,000 digits", b'{"seq": ' + b"9" * 5000 + b"}\n" + GOOD.encode() + b"\n", True),
    ],
)
def test_bad_store_shapes(tmp_path, name, data, events):
    path = write(tmp_path, data)
    check_all_commands(path, events)
    result = cli("check", str(path))
    bad_lines = name not in ("empty file", "blank lines", "BOM", "CRLF")
    assert result.exit_code == (2 if bad_lines else 0), name
    if bad_lines:
        assert all(line.startswith(f"{path}:") for line in result.stdout.splitlines())


def test_each_bad_line_is_a_warning_and_strict_stops(tmp_path):
    path = write(tmp_path, b"oops\n" + GOOD.encode() + b"\n[]\n")
    result = cli("search", "惠特森", "--data", str(path))
    assert result.exit_code == 0 and result.stdout.startswith("2017-002\t")
    assert result.stderr.splitlines() == [
        f"spacelog: {path}:1: invalid JSON: Expecting value (column 1) (line skipped)",
        f"spacelog: {path}:3: expected a JSON object, found list (line skipped)",
    ]
    strict = cli("search", "惠特森", "--data", str(path), "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""


@pytest.mark.parametrize("index_from", ["0", str(10**12)], ids=["indexed", "plain"])
def test_a_10_mb_line(tmp_path, monkeypatch, index_from):
    # regression: a key longer than the index's read buffer crashed the scan (BufferError)
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", index_from)
    event = dict(shipped_events()[1], text="惠特森" + "长" * (10 * 1024 * 1024 // 3) + "尾巴")
    path = write(tmp_path, json.dumps(event, ensure_ascii=False).encode() + b"\n")
    start = time.monotonic()
    for term in ("惠特森", "尾巴"):
        result = cli("search", term, "--data", str(path), "--format", "jsonl")
        assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "2017-002"
    assert time.monotonic() - start < 30


def test_duplicate_ids_across_two_data_files(tmp_path):
    a, b = write(tmp_path, GOOD.encode() + b"\n", "a.jsonl"), write(tmp_path, GOOD.encode() + b"\n", "b.jsonl")
    result = cli("search", "惠特森", "--data", str(a), "--data", str(b))
    assert result.exit_code == 0 and result.stdout.count("\n") == 1
    assert result.stderr == f"spacelog: {b}:1: duplicate id 2017-002 (first at {a}:1) (line skipped)\n"


def test_a_folder_given_as_a_file_and_a_missing_file(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    for args in (["search", "x", "--data", str(folder)], ["check", str(folder)]):
        result = cli(*args)
        assert result.exit_code == 2 and result.stderr == f"spacelog: {folder}: the folder has no *.jsonl store files\n"
    result = cli("timeline", "--data", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2 and "no such store file" in result.stderr and result.stderr.count("\n") == 1


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD.encode() + b"\n")
    real_open = open

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    result = cli("search", "x", "--data", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"spacelog: {path}: cannot read the store (Permission denied)\n"


def test_a_path_through_a_file(tmp_path):
    path = write(tmp_path, b"")
    result = cli("search", "x", "--data", str(path / "inside.jsonl"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_stdin_that_is_a_terminal_is_refused_not_waited_on(monkeypatch):
    class TTY:
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", TTY())
    from spacelog.errors import DataError
    from spacelog.store import read_lines

    with pytest.raises(DataError, match="standard input is a terminal"):
        list(read_lines("-"))


def test_bad_registry_is_one_sentence(tmp_path, monkeypatch):
    registry = tmp_path / "entities.toml"
    registry.write_text("[[entity]]\nid = 1\n", encoding="utf-8")
    monkeypatch.setenv("SPACELOG_REGISTRY", str(registry))
    result = cli("search", "x")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "entity" in result.stderr
    registry.write_text("not toml [", encoding="utf-8")
    result = cli("who", "x")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr
