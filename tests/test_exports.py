"""Exports for publication: markdown, html (a standalone page), and chronicle text that ingest reads back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, STORE, cli, run_on_terminal, run_process, shipped_events

HOSTILE = "1月3日，<script>alert('x')</script> R&D | *bold* [link](http://x) `code` \\ _it_ ~del~ \x1b[2J"


@pytest.fixture
def hostile_store(tmp_path):
    event = dict(shipped_events()[0], text=HOSTILE)
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_markdown_is_a_table_of_the_chosen_columns_on_a_terminal_and_in_a_pipe():
    args = ("search", "出舱", "--month", "1", "--format", "markdown", "--fields", "id,date,people")
    expected = (
        "| id | date | people |\n|---|---|---|\n| 2017-002 | 2017-01-06 | 肖恩·金布罗; 佩吉·惠特森 |\n| 2017-003 | 2017-01-13 | 肖恩·金布罗; 托马斯·佩斯凯 |\n"
    )
    assert cli(*args).stdout == expected
    assert run_on_terminal(*args) == expected


def test_markdown_default_columns_are_the_tsv_ones():
    assert cli("show", "50", "--format", "markdown").stdout.splitlines()[:2] == [
        "| id | date | end | text | categories | agencies | people | vehicles |",
        "|---|---|---|---|---|---|---|---|",
    ]


def test_markdown_escapes_what_a_renderer_would_take_as_markup(hostile_store):
    out = cli("search", "1月3日", "--data", str(hostile_store), "--format", "markdown", "--fields", "text").stdout
    assert out.splitlines()[2] == (
        "| 1月3日，\\<script\\>alert('x')\\</script\\> R\\&D \\| \\*bold\\* \\[link\\](http://x) \\`code\\` \\\\ \\_it\\_ \\~del\\~ \\\\x1b\\[2J |"
    )


def test_html_is_a_standalone_page_with_the_store_text_escaped(hostile_store):
    out = cli("search", "1月3日", "--data", str(hostile_store), "--format", "html", "--fields", "id,text").stdout
    assert out.startswith('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>spacelog</title>\n')
    assert out.endswith("</table>\n</body>\n</html>\n")
    body = out[out.index("<table>") :]
    assert body == (
        "<table>\n<thead><tr><th>id</th><th>text</th></tr></thead>\n<tbody>\n"
        "<tr><td>2017-001</td><td>1月3日，&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; R&amp;D | *bold* [link](http://x) `code` \\ _it_ ~del~ \\x1b[2J</td></tr>\n"
        "</tbody>\n</table>\n</body>\n</html>\n"
    )
    assert "<script>" not in out and "\x1b" not in out


def test_html_without_header_and_of_other_results():
    out = cli("who", "惠特森", "--format", "html", "--no-header").stdout
    assert "<thead>" not in out
    assert "<tr><td>peggy-whitson</td><td>person</td><td>佩吉·惠特森</td><td>Peggy Whitson</td><td>100</td><td>2017-002,2017-022,2017-032</td></tr>" in out


def test_chronicle_is_the_numbered_text_in_the_chronicle_order():
    assert cli("search", "出舱", "--month", "1", "--format", "chronicle").stdout == (f"2. {shipped_events()[1]['text']}\n\n3. {shipped_events()[2]['text']}\n")
    out = cli("timeline", "--month", "4", "--format", "chronicle").stdout  # 29 is dated before 28, stays after it
    assert [line.split(".")[0] for line in out.splitlines() if line] == ["25", "26", "27", "28", "29"]


def _round_trip(store: str, year: int) -> bytes:
    shell = f"{sys.executable} -m spacelog timeline --data {store} --format chronicle | {sys.executable} -m spacelog ingest - --year {year}"
    result = run_process(shell=shell)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_chronicle_ingested_again_gives_the_shipped_store_byte_for_byte():
    assert _round_trip(str(STORE), 2017) == STORE.read_bytes()


def test_chronicle_ingested_again_gives_the_2016_store(tmp_path):
    store = tmp_path / "2016.jsonl"
    ingest = run_process("ingest", str(ROOT / "tests/fixtures/2016.txt"), "--year", "2016", "--output", str(store))
    assert ingest.returncode == 0
    assert _round_trip(str(store), 2016) == store.read_bytes()
    assert len(store.read_bytes().splitlines()) == 47


def test_chronicle_refuses_what_is_not_one_year_of_events(tmp_path):
    store = tmp_path / "2016.jsonl"
    run_process("ingest", str(ROOT / "tests/fixtures/2016.txt"), "--year", "2016", "--output", str(store))
    mixed = run_process("timeline", "--data", str(STORE), "--data", str(store), "--format", "chronicle")
    assert (mixed.returncode, mixed.stdout) == (2, b"")
    assert mixed.stderr.decode() == (
        "spacelog: events 2017-001 and 2016-001 both have number 1: a chronicle numbers one year's events; choose one with --year\n"
    )
    assert _round_trip(f"{STORE} --data {store} --year 2016", 2016) == store.read_bytes()
    who = run_process("who", "惠特森", "--format", "chronicle")
    assert (who.returncode, who.stdout) == (2, b"")
    assert who.stderr.decode() == "spacelog: --format chronicle writes events; this command lists something else (use markdown, html or csv)\n"
    fields = run_process("show", "50", "--format", "chronicle", "--fields", "id")
    assert fields.stderr.decode() == "spacelog: --fields chooses columns; --format chronicle writes each event's number and text\n"


def test_the_export_formats_are_imported_only_when_asked_for():
    def imported(*args: str) -> bool:
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "spacelog", *args], capture_output=True, timeout=60)
        return b"spacelog.exports" in result.stderr

    assert not imported("search", "出舱", "--format", "tsv")
    assert not imported("search", "出舱", "--format", "excel")
    assert imported("search", "出舱", "--format", "html")
