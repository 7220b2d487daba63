"""Long output on a terminal goes through the pager, as git's does: real processes on a
pseudo-terminal, with a fake pager that records what it is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SGR, cli, run_process

SPACELOG = [sys.executable, "-m", "spacelog"]


@pytest.fixture
def fake_pager(tmp_path) -> tuple[str, Path]:
    """A pager that records its input (and the LESS it was given) and shows nothing."""
    record = tmp_path / "paged.txt"
    script = tmp_path / "pager"
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {record}.env\ncat > {record}\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script), record


def on_pty(args: list[str], env: dict, lines: int = 20, columns: int = 80) -> tuple[int, str, str]:
    """Run spacelog with stdout on a pseudo-terminal of `lines` rows: (status, what the terminal shows, stderr)."""
    import pty

    leader, follower = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("SPACELOG_PAGER", "PAGER", "LESS", "NO_COLOR")}
    full_env = {**base, "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm-256color", **env}
    with subprocess.Popen([*SPACELOG, *args], stdout=follower, stderr=subprocess.PIPE, env=full_env) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
        stderr = process.stderr.read().decode("utf-8")  # type: ignore[union-attr]
        process.wait(timeout=60)
    os.close(leader)
    return process.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n"), stderr


def plain_table(args: list[str]) -> str:
    """The table that the same command draws with no pager (to compare with what the pager got)."""
    status, shown, _ = on_pty([*args, "--no-pager"], {})
    assert status == 0
    return shown


def test_output_longer_than_the_screen_goes_through_the_pager(fake_pager):
    pager, record = fake_pager
    status, shown, stderr = on_pty(["timeline", "--month", "3"], {"PAGER": pager})
    assert (status, shown, stderr) == (0, "", "")  # the pager showed it, not spacelog
    paged = record.read_text(encoding="utf-8")
    assert paged.replace("\r\n", "\n") == plain_table(["timeline", "--month", "3"])
    assert "\x1b[1m" in paged and "2017-03 · 6 events" in SGR.sub("", paged)  # a table, with its styles, for less -R
    assert record.with_suffix(".txt.env").read_text() == "LESS=FRX\n"  # as git sets it when the user has not


def test_output_that_fits_on_the_screen_is_written_directly(fake_pager):
    pager, record = fake_pager
    status, shown, _ = on_pty(["search", "卡西尼"], {"PAGER": pager})
    assert status == 0 and "2017-051" in SGR.sub("", shown) and not record.exists()


def test_wrapped_lines_count_as_the_rows_they_take(fake_pager):
    """Six tsv lines of about 150 cells take more than 8 rows of 80 columns."""
    pager, record = fake_pager
    status, shown, _ = on_pty(["timeline", "--month", "3", "--format", "tsv"], {"PAGER": pager}, lines=8)
    assert status == 0 and shown == "" and len(record.read_text(encoding="utf-8").splitlines()) == 6
    status, shown, _ = on_pty(["timeline", "--month", "3", "--format", "tsv"], {"PAGER": pager}, lines=100)
    assert status == 0 and len(shown.splitlines()) == 6


@pytest.mark.parametrize(
    "env, args",
    [
        ({}, ["--no-pager"]),
        ({"SPACELOG_PAGER": ""}, []),  # empty: no pager, as git
        ({"SPACELOG_PAGER": "cat"}, []),
    ],
)
def test_no_pager(fake_pager, env, args):
    pager, record = fake_pager
    status, shown, _ = on_pty(["timeline", "--month", "3", *args], {"PAGER": pager, **env})
    assert status == 0 and not record.exists()
    assert SGR.sub("", shown).count("2017-03-") == 6


def test_no_pager_before_the_command_as_git_takes_it(fake_pager):
    pager, record = fake_pager
    status, shown, stderr = on_pty(["--no-pager", "timeline", "--month", "3"], {"PAGER": pager})
    assert (status, stderr) == (0, "") and not record.exists()
    assert shown == plain_table(["timeline", "--month", "3"])
    status, shown, stderr = on_pty(["--no-pager", "check"], {"PAGER": pager})  # a command that never pages: no error
    assert status == 0 and "73 valid events" in stderr and not record.exists()


def test_spacelog_pager_comes_before_pager(fake_pager, tmp_path):
    pager, record = fake_pager
    status, _, _ = on_pty(["timeline", "--month", "3"], {"PAGER": "/nonexistent/pager", "SPACELOG_PAGER": pager})
    assert status == 0 and "2017-019" in record.read_text(encoding="utf-8")


def test_a_pipe_is_never_paged(fake_pager):
    pager, record = fake_pager
    result = run_process("timeline", env={"PAGER": pager, "SPACELOG_PAGER": pager})
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 73 and not record.exists()


def test_every_format_is_paged_on_a_terminal(fake_pager):
    pager, record = fake_pager
    for fmt in ("tsv", "csv", "json", "jsonl"):
        status, shown, _ = on_pty(["search", "空间站", "--format", fmt], {"PAGER": pager})
        expected = run_process("search", "空间站", "--format", fmt).stdout.decode("utf-8")
        paged = record.read_text(encoding="utf-8")
        assert status == 0 and shown == "", fmt
        if fmt == "json":  # indented for a person
            assert paged.startswith("[\n  {\n") and paged.count('"id"') == 37
        else:
            assert paged == expected, fmt


def test_a_pager_that_quits_early_ends_quietly_with_the_status(tmp_path):
    record = tmp_path / "head.txt"
    status, _, stderr = on_pty(["timeline"], {"PAGER": f"head -c 100 > {record}"})
    assert (status, stderr) == (0, "")
    assert len(record.read_bytes()) == 100


def test_a_pager_that_cannot_run_is_said_once_and_the_output_is_written(tmp_path):
    status, shown, stderr = on_pty(["timeline", "--month", "3"], {"PAGER": "no-such-pager -R"})
    assert status == 0 and SGR.sub("", shown).count("2017-03-") == 6
    assert stderr == "spacelog: cannot run the pager 'no-such-pager -R'; writing to the terminal\n"


def test_the_status_is_the_command_s_through_the_pager(fake_pager):
    pager, record = fake_pager
    status, shown, stderr = on_pty(["search", "火星火星"], {"PAGER": pager})
    assert (status, shown) == (1, "") and stderr.endswith("spacelog: no events found\n") and not record.exists()


def test_the_default_pager_is_less_frx():
    from spacelog.pager import pager_command

    assert pager_command({}) == "less -FRX"
    assert pager_command({"PAGER": "more"}) == "more"
    assert pager_command({"PAGER": "more", "SPACELOG_PAGER": "most"}) == "most"
    assert pager_command({"PAGER": "cat"}) is None and pager_command({"SPACELOG_PAGER": "", "PAGER": "more"}) is None


# ------------------------------------------------------------------ --limit, --reverse, --count
def test_limit_reverse_and_count_on_search():
    all_ids = [line.split("\t")[0] for line in cli("search", "空间站").stdout.splitlines()]
    assert len(all_ids) == 37
    assert [line.split("\t")[0] for line in cli("search", "空间站", "--limit", "3").stdout.splitlines()] == all_ids[:3]
    assert [line.split("\t")[0] for line in cli("search", "空间站", "-n", "2", "--reverse").stdout.splitlines()] == all_ids[::-1][:2]
    assert cli("search", "空间站", "--count").stdout == "37\n"
    assert cli("search", "空间站", "--count", "--format", "json").stdout == "37\n"


def test_count_of_nothing_is_0_with_status_1_as_grep_c():
    result = cli("search", "火星火星", "--count")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "0\n", "")


def test_count_keeps_the_status_of_the_listing_when_a_name_matches_but_no_event_passes():
    listing, count = cli("who", "惠特森", "--year", "2016"), cli("who", "惠特森", "--year", "2016", "--count")
    assert (listing.exit_code, listing.stdout.split("\t")[0]) == (0, "peggy-whitson")
    assert (count.exit_code, count.stdout) == (0, "0\n")


@pytest.mark.parametrize(
    "args, count, first",
    [
        (["timeline", "--month", "3"], "6", "2017-024"),  # newest first
        (["agency", "NASA"], "24", "2017-070"),
        (["who", "惠特森"], "3", "peggy-whitson"),
        (["agency"], None, None),
    ],
)
def test_every_listing_command_counts_limits_and_reverses(args, count, first):
    result = cli(*args, "--count")
    assert result.exit_code == 0 and result.stdout.strip().isdigit()
    if count is not None:
        assert result.stdout == f"{count}\n"
    limited = cli(*args, "--limit", "1", "--reverse").stdout.splitlines()
    assert len(limited) == 1
    if first is not None:
        assert limited[0].split("\t")[0] == first


def test_who_reverse_lists_the_events_newest_first():
    forward = cli("who", "惠特森").stdout.split("\t")[-1].strip().split(",")
    backward = cli("who", "惠特森", "--reverse").stdout.split("\t")[-1].strip().split(",")
    assert forward == ["2017-002", "2017-022", "2017-032"] and backward == forward[::-1]


def test_agency_summary_counts_all_events_and_lists_the_limited_ones():
    import json

    summary = json.loads(cli("agency", "NASA", "--format", "json", "-n", "2").stdout)
    assert summary["count"] == 24 and [e["id"] for e in summary["events"]] == ["2017-001", "2017-005"]


def test_limit_must_be_positive():
    result = cli("search", "空间站", "--limit", "0")
    assert result.exit_code == 2 and result.stdout == ""


def test_ctrl_c_while_the_pager_shows_the_output_waits_for_the_pager(tmp_path):
    """Ctrl-C reaches spacelog and the pager (one process group); less ignores it, and so does
    spacelog while it waits: it ends after the pager, with no traceback, as git does."""
    import pty
    import signal
    import time

    record = tmp_path / "paged.txt"
    script = tmp_path / "pager"
    script.write_text(f"#!/bin/sh\ntrap '' INT\ncat > {record}\ntouch {record}.read\nsleep 1\ntouch {record}.left\n", encoding="utf-8")
    script.chmod(0o755)
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "LINES": "20", "TERM": "xterm-256color", "PAGER": str(script)}
    env.pop("SPACELOG_PAGER", None)
    process = subprocess.Popen([*SPACELOG, "timeline"], stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    deadline = time.monotonic() + 60
    while not Path(f"{record}.read").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)  # while the user reads the pager
    stderr = process.stderr.read()  # type: ignore[union-attr]
    status = process.wait(timeout=60)
    os.close(leader)
    assert (status, stderr) == (0, b"")
    assert Path(f"{record}.left").exists()  # spacelog ended after the pager
    assert record.read_text(encoding="utf-8").count("2017-") >= 73
