"""Store text and user input never act on the terminal, in any output mode."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import FakeTerminal, cli, shipped_events
from spacelog.output import choose_output
from spacelog.text import visible

HOSTILE = (
    "1月3日，[bold red]x[/] [link=file:///etc/passwd]y[/link] :rocket: "
    "\x1b[2J \x1b]8;;http://evil\x07link\x1b]8;;\x07 \x1b]52;c;aGVsbG8=\x07 "
    "\x00\x08\x7f\x85\x9b \u202egnp.exe \u2066x\u2069 tab\there\nnewline"
)
RAW_CONTROL = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]] + ["\u202e", "\u2066", "\u2069", "\u200e"]


@pytest.fixture
def hostile_store(tmp_path):
    event = dict(shipped_events()[0], text=HOSTILE)
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, event


def no_raw_controls(text: str, allowed: str = "\n") -> bool:
    return not any(c in text for c in RAW_CONTROL if c not in allowed)


@pytest.mark.parametrize("fmt", ["tsv", "csv", "table"])
def test_text_formats_show_controls_as_visible_escapes(hostile_store, fmt):
    path, _ = hostile_store
    out = cli("search", "1月3日", "--data", str(path), "--format", fmt).stdout
    assert no_raw_controls(out, allowed="\n\t" if fmt == "tsv" else "\n")  # tsv's field separator
    for literal in ("[bold red]x[/]", "[link=file:///etc/passwd]", ":rocket:", "\\x1b[2J", "\\x1b]52;c;aGVsbG8=\\x07", "\\u202e", "\\x9b", "\\x00"):
        assert literal in out.replace("\n", "") or literal in out, (fmt, literal)


def test_tsv_keeps_one_line_and_eight_fields(hostile_store):
    path, _ = hostile_store
    out = cli("search", "1月3日", "--data", str(path)).stdout
    assert out.count("\n") == 1 and out.count("\t") == 7
    assert "tab\\x09here\\x0anewline" in out


def test_csv_parses_back_to_visible_text(hostile_store):
    path, event = hostile_store
    rows = list(csv.reader(io.StringIO(cli("search", "1月3日", "--data", str(path), "--format", "csv").stdout)))
    assert rows[1][3] == visible(event["text"])


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_escapes_controls_and_round_trips(hostile_store, fmt):
    path, event = hostile_store
    out = cli("search", "1月3日", "--data", str(path), "--format", fmt).stdout
    assert no_raw_controls(out)
    decoded = json.loads(out)
    assert (decoded[0] if fmt == "json" else decoded)["text"] == event["text"]


def test_terminal_table_is_inert_with_colour_on(hostile_store, monkeypatch):
    path, _ = hostile_store
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = FakeTerminal()
    from spacelog.query import MemorySource
    from spacelog.store import load_store

    source = MemorySource(load_store([str(path)]))
    choose_output(None, stream).listing(source, [0], None, highlight=["x"])
    out = stream.getvalue()
    # Rich's own styling escapes are allowed; the data's are not.
    assert "\x1b[2J" not in out and "\x1b]" not in out and "\x07" not in out and "\u202e" not in out
    assert "[bold red]x[/]" in out and "\\x1b[2J" in out


def test_show_and_who_are_inert(hostile_store):
    path, _ = hostile_store
    for args in (["show", "1"], ["show", "1", "-f", "table"], ["who", "NASA", "-f", "table"]):
        out = cli(*args, "--data", str(path)).stdout
        assert no_raw_controls(out, allowed="\n\t" if "table" not in args else "\n"), args


@pytest.mark.parametrize("query", ["\x1b[2J惠特森", "[bold]x[/]\u202e", "\x1b]52;c;aGk=\x07"])
def test_user_input_is_echoed_inert(query):
    for args in (["search", query], ["who", query], ["agency", query], ["timeline", "--person", query], ["show", query]):
        result = cli(*args)
        assert result.exit_code in (0, 1, 2), args  # who finds 惠特森 inside the first query: fine
        assert no_raw_controls(result.stderr) and no_raw_controls(result.stdout, allowed="\n\t"), args
        assert "Traceback" not in result.stderr


def test_who_title_echo_is_inert_on_a_table():
    out = cli("who", "惠特森[/]\x1b[2J", "--format", "table")
    assert out.exit_code in (0, 1)
    assert no_raw_controls(out.stdout) and no_raw_controls(out.stderr)
