"""Any Unicode string as a term, name or option value gets an answer or a usage error, quickly."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import cli

STRINGS = [
    "",
    "   ",
    "\t\n",
    "空" * 100_000,
    "a" * 100_000,
    "e\u0301\u0301\u0301",
    "\u0301",
    "🚀👩‍🚀🛰️",
    "مرحبا بالعالم",
    "\u202e\u2066",
    "\x00",
    "[/]",
    "\\",
    "%s%n{0}",
    "1月99日",
    "2017-02-30",
    "--",
]


@pytest.mark.parametrize("value", STRINGS, ids=lambda v: repr(v[:12]))
def test_every_command_answers_any_string(value):
    for args in (
        ["search", value],
        ["search", "空间站", "--exclude", value],
        ["who", value],
        ["agency", value],
        ["show", value],
        ["timeline", "--agency", value],
        ["timeline", "--category", value],
        ["timeline", "--from", value],
        ["search", "x", "--format", value],
    ):
        start = time.monotonic()
        result = cli(*args)
        assert time.monotonic() - start < 10, args
        assert result.exit_code in (0, 1, 2), args
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.stderr


def test_lone_surrogates_from_undecodable_argv_are_a_usage_error():
    # bytes that are not UTF-8 reach Python as lone surrogates; through a real process
    result = subprocess.run([sys.executable, "-m", "spacelog", "search", b"\xff\xfe".decode("utf-8", "surrogateescape")], capture_output=True, timeout=60)
    assert result.returncode == 2
    assert b"not valid UTF-8 text" in result.stderr and b"Traceback" not in result.stderr


def test_lone_surrogate_in_process():
    result = cli("who", "惠\udc80特森")
    assert result.exit_code == 2 and "not valid UTF-8 text" in result.stderr


def test_overlong_name_is_a_usage_error():
    result = cli("who", "惠" * 201)
    assert result.exit_code == 2 and result.stderr == "spacelog: a name is at most 200 characters; this one has 201\n"


def test_emoji_and_rtl_terms_match_as_substrings(tmp_path):
    import json

    from conftest import shipped_events

    store = tmp_path / "s.jsonl"
    store.write_text(json.dumps(dict(shipped_events()[0], text="1月3日，发射🚀成功 مرحبا"), ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli("search", "🚀", "--data", str(store)).exit_code == 0
    assert cli("search", "مرحبا", "--data", str(store)).exit_code == 0
