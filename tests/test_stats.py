"""spacelog stats: events counted by one or two keys; bars on a terminal, tsv in a pipe, every month shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import cli, run_on_terminal, run_process

BY_CATEGORY_IN_MARCH = """\
 category      events
───────────────────────────────────────────────────────
 eva                2   ██████████████████████████████
 budget             1   ███████████████
 contract           1   ███████████████
 launch             1   ███████████████
 policy             1   ███████████████
 recruitment        1   ███████████████
 test               1   ███████████████
"""
EVA_BY_MONTH = """\
 month     events
───────────────────────────────────────────────────
 2017-01        2   ██████████████████████████████
 2017-02        0
 2017-03        2   ██████████████████████████████
 2017-04        0
 2017-05        1   ███████████████
 2017-06        0
 2017-07        0
 2017-08        1   ███████████████
 2017-09        0
 2017-10        2   ██████████████████████████████
"""


def test_by_category_on_a_terminal_and_in_a_pipe():
    assert run_on_terminal("stats", "--by", "category", "--month", "3").rstrip("\n") + "\n" == BY_CATEGORY_IN_MARCH
    assert cli("stats", "--by", "category", "--month", "3").stdout == "eva\t2\nbudget\t1\ncontract\t1\nlaunch\t1\npolicy\t1\nrecruitment\t1\ntest\t1\n"


def test_every_month_is_shown_with_zeros_where_nothing_happened():
    assert run_on_terminal("stats", "--by", "month", "--category", "eva").rstrip("\n") + "\n" == EVA_BY_MONTH
    assert cli("stats", "--by", "month", "--category", "eva").stdout == (
        "2017-01\t2\n2017-02\t0\n2017-03\t2\n2017-04\t0\n2017-05\t1\n2017-06\t0\n2017-07\t0\n2017-08\t1\n2017-09\t0\n2017-10\t2\n"
    )


def test_year_and_dates_widen_the_months_to_what_they_name():
    months = cli("stats", "--by", "month", "--category", "eva", "--year", "2017").stdout.splitlines()
    assert months[0] == "2017-01\t2" and months[-2:] == ["2017-11\t0", "2017-12\t0"] and len(months) == 12
    assert cli("stats", "-b", "month", "-c", "eva", "--from", "2017-04-01", "--to", "2017-06-30").stdout == "2017-04\t0\n2017-05\t1\n2017-06\t0\n"


def test_the_default_key_is_category_and_counts_every_category_of_an_event():
    lines = cli("stats").stdout.splitlines()
    assert lines[:3] == ["policy\t18", "launch\t17", "test\t14"]
    assert sum(int(line.split("\t")[1]) for line in lines) > 73  # an event of two categories counts for both


def test_an_event_without_an_agency_counts_under_none_last():
    assert cli("stats", "--by", "agency", "--month", "3").stdout == "nasa\t2\nenergomash\t1\ngctc\t1\norbital-atk\t1\nroscosmos\t1\nspacex\t1\n\t1\n"
    table = run_on_terminal("stats", "--by", "agency", "--month", "3", columns=100)
    assert table.splitlines()[-1].split()[:2] == ["-", "1"]


def test_two_keys_give_pairs_every_month_under_each_value():
    out = cli("stats", "--by", "vehicle", "--by", "month", "--category", "eva", "--from", "2017-03-01", "--to", "2017-05-31").stdout
    assert out == "iss\t2017-03\t2\niss\t2017-04\t0\niss\t2017-05\t1\n"
    assert cli("stats", "-b", "month,category", "--month", "3").stdout.splitlines()[:2] == ["2017-03\teva\t2", "2017-03\tbudget\t1"]
    assert run_on_terminal("stats", "-b", "vehicle,month", "-c", "eva", "--from", "2017-03-01", "--to", "2017-05-31", columns=100) == (
        " vehicle                                          month     events\n"
        "────────────────────────────────────────────────────────────────────────────────────────────────────\n"
        " 国际空间站 (International Space Station (ISS))   2017-03        2   ██████████████████████████████\n"
        " 国际空间站 (International Space Station (ISS))   2017-04        0\n"
        " 国际空间站 (International Space Station (ISS))   2017-05        1   ███████████████\n"
    )


def test_a_month_without_events_keeps_its_row_when_it_comes_first():
    out = cli("stats", "-b", "month", "-b", "person", "-c", "eva", "--from", "2017-04-01", "--to", "2017-05-31").stdout
    assert out == "2017-04\t\t0\n2017-05\tjack-fischer\t1\n2017-05\tpeggy-whitson\t1\n"


def test_json_csv_and_fields():
    assert json.loads(cli("stats", "-b", "person", "-c", "eva", "-f", "json").stdout)[0] == {"person": "shane-kimbrough", "events": 4}
    assert cli("stats", "-b", "category", "-m", "3", "-f", "csv").stdout.splitlines()[:2] == ["category,events", "eva,2"]
    assert cli("stats", "-b", "category", "-m", "3", "--fields", "events").stdout.splitlines()[0] == "2"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--by", "categry"], "unknown key for --by 'categry'; did you mean category? (use one of category, month, agency, person, vehicle)"),
        (["--by", "month,category,person"], "--by takes one key or two different ones, e.g. --by category --by month"),
        (["--by", "month", "--by", "month"], "--by takes one key or two different ones, e.g. --by category --by month"),
    ],
)
def test_a_bad_key_is_one_sentence_and_exit_2(args, message):
    result = run_process("stats", *args)
    assert (result.returncode, result.stdout, result.stderr.decode()) == (2, b"", f"spacelog: {message}\n")


def test_nothing_counted_exits_1_with_stdout_empty():
    result = run_process("stats", "--by", "month", "--on", "02-29")
    assert (result.returncode, result.stdout, result.stderr.decode()) == (1, b"", "spacelog: no events found\n")


@pytest.mark.parametrize(
    "args",
    [
        ("stats", "-b", "category,month"),
        ("stats", "-b", "person", "-c", "eva"),
        ("people", "-c", "eva"),
        ("show", "58", "-f", "json"),
        ("timeline", "--on", "02-06"),
        ("search", "出舱", "--fields", "id,people_en", "-f", "csv"),
    ],
)
def test_an_indexed_store_gives_the_same_answers(args, tmp_path):
    indexed = run_process(*args, env={"SPACELOG_INDEX_MIN_BYTES": "0", "SPACELOG_CACHE": str(tmp_path / "cache")})
    in_memory = run_process(*args)
    assert indexed.returncode == in_memory.returncode == 0
    assert indexed.stdout == in_memory.stdout and indexed.stdout


@pytest.fixture
def ranges(tmp_path):
    """Two range events: over the end of February 2017, and over the turn of 2017 into 2018."""
    base = {"categories": ["conference"], "agencies": [], "people": [], "vehicles": []}
    events = [
        {"id": "2017-001", "seq": 1, "date": "2017-02-27", "end": "2017-03-02", "text": "2月27日—3月2日，一次会议。", **base},
        {"id": "2017-002", "seq": 2, "date": "2017-12-30", "end": "2018-01-02", "text": "12月30日—1月2日，一次会议。", **base},
    ]
    path = tmp_path / "ranges.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    return str(path)


def test_a_range_event_counts_in_every_month_it_spans_and_only_in_those_the_filters_allow(ranges):
    by_month = cli("stats", "--by", "month", "--data", ranges)
    assert by_month.stdout.splitlines()[:2] == ["2017-02\t1", "2017-03\t1"] and by_month.stdout.splitlines()[-2:] == ["2017-12\t1", "2018-01\t1"]
    assert cli("stats", "--by", "month", "--month", "3", "--data", ranges).stdout == "2017-03\t1\n"
    in_2018 = cli("stats", "--by", "month", "--year", "2018", "--data", ranges).stdout.splitlines()
    assert (in_2018[0], in_2018[1:], len(in_2018)) == ("2018-01\t1", [f"2018-{m:02d}\t0" for m in range(2, 13)], 12)
    assert cli("stats", "--by", "month", "--from", "2018-01-01", "--to", "2018-01-31", "--data", ranges).stdout == "2018-01\t1\n"


def test_on_february_29_holds_only_in_leap_years(ranges, tmp_path):
    assert cli("timeline", "--on", "02-29", "--data", ranges).exit_code == 1  # 2017-02-27 to 03-02: no 29th that year
    leap = tmp_path / "leap.jsonl"
    leap.write_text(Path(ranges).read_text(encoding="utf-8").replace("2017-0", "2016-0").replace("2017-", "2016-"), encoding="utf-8")
    assert [line.split("\t")[0] for line in cli("timeline", "--on", "02-29", "--data", str(leap)).stdout.splitlines()] == ["2016-001"]
