"""timeline and its filters, shared by every listing command."""

from __future__ import annotations

import json
import sys

from conftest import cli, eids, ids, run_on_terminal, shipped_events, terminal_output


def test_march():
    result = cli("timeline", "--month", "3")
    assert result.exit_code == 0
    assert ids(result.stdout) == eids(19, 20, 21, 22, 23, 24)


def test_every_eva_is_not_every_mention_of_chuchang():
    assert ids(cli("timeline", "--category", "eva").stdout) == eids(2, 3, 21, 22, 32, 49, 58, 59)


def test_every_event_of_spacex_under_any_spelling():
    expected = eids(1, 4, 15, 23, 35, 48, 72)
    for name in ("SpaceX", "spacex", "美国太空探索技术公司", "Space Exploration Technologies"):
        assert ids(cli("timeline", "--agency", name).stdout) == expected


def test_whole_timeline_is_in_date_order():
    got = ids(cli("timeline").stdout)
    assert len(got) == 73
    assert got.index("2017-029") < got.index("2017-028")


def test_date_range_filters_and_ranges_overlap():
    assert ids(cli("timeline", "--from", "2017-06-06", "--to", "2017-06-08").stdout) == eids(37, 38)
    assert ids(cli("timeline", "--person", "惠特森", "--year", "2017").stdout) == eids(2, 22, 32)
    assert ids(cli("timeline", "--vehicle", "“进步”MS-06").stdout) == eids(40)
    assert ids(cli("timeline", "--agency", "NASA", "--category", "policy").stdout) == eids(20, 30, 33, 56, 57, 64, 69, 70)


def test_nothing_found_exits_1():
    result = cli("timeline", "--year", "2018")
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == "spacelog: no events found\n"


def test_bad_values_exit_2_with_one_sentence():
    result = cli("timeline", "--month", "13")
    assert result.exit_code == 2 and "13" in result.stderr and "Traceback" not in result.stderr
    result = cli("timeline", "--agency", "马斯克")
    assert (result.exit_code, result.stdout) == (1, "")  # a name that matches nothing: nothing found
    assert result.stderr.startswith("spacelog: no agency matches '马斯克'")
    result = cli("timeline", "--from", "2017-07-01", "--to", "2017-06-01")
    assert result.stderr == "spacelog: --from 2017-07-01 is after --to 2017-06-01\n"


def test_csv_has_a_header_and_parses():
    import csv
    import io

    rows = list(csv.reader(io.StringIO(cli("timeline", "--month", "6", "--format", "csv").stdout)))
    assert rows[0] == ["id", "date", "end", "text", "categories", "agencies", "people", "vehicles"]
    assert rows[1:3][1][:3] == ["2017-035", "2017-06-04", ""]
    assert ["2017-037", "2017-06-05", "2017-06-09"] == [r for r in rows if r[0] == "2017-037"][0][:3]


def test_jsonl_round_trips():
    lines = cli("timeline", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 73 and all(json.loads(line)["text"] for line in lines)


# The same query on a terminal (a table at 80 columns) and in a pipe (tsv).
TIMELINE_PAIR = ("timeline", "--month", "5", "--category", "eva")
TIMELINE_PAIR_TABLE = """\
events per month
 2017-05  1  ████████████████████████████████████████

 id         date         event
────────────────────────────────────────────────────────────────────────────────
2017-05 · 1 event
 2017-032   2017-05-23   5 月 23 日，美国航天员惠特森和费舍尔进行了紧急出舱活
                         动，更换国际空间站上发生故障的转发器。国际空间站上的一
                         个转发器 5 月 20 日发生故障，但损坏对机组乘员的生活和
                         空间站运转不构成危险。
"""


def test_timeline_on_a_terminal_is_a_table():
    assert run_on_terminal(*TIMELINE_PAIR) == TIMELINE_PAIR_TABLE


def test_timeline_in_a_pipe_is_tsv():
    events = shipped_events()
    assert cli(*TIMELINE_PAIR).stdout == f"2017-032\t2017-05-23\t\t{events[31]['text']}\teva\t\t佩吉·惠特森; 杰克·费希尔\t国际空间站\n"


def test_a_timeline_cut_by_limit_still_counts_every_match():
    """The chart counts every match of the months listed, and a month the listing cuts says how many of its events are listed."""
    shown = run_on_terminal("timeline", "--limit", "10")
    chart = shown.split("\n\n")[0].splitlines()
    assert [row.split()[:2] for row in chart[1:]] == [["2017-01", "8"], ["2017-02", "10"]]  # the months listed, each with all its events
    headings = [line.strip() for line in shown.splitlines() if " · " in line]
    assert headings == ["2017-01 · 8 events", "2017-02 · 2 of 10 events"]
    assert ids(cli("timeline", "--limit", "10").stdout) == [e["id"] for e in shipped_events()[:10]]  # a pipe: the rows alone


def test_a_reversed_timeline_cut_by_limit_counts_the_month_it_cuts_in_chinese():
    shown = terminal_output([sys.executable, "-m", "spacelog", "timeline", "--reverse", "--limit", "2"], env={"SPACELOG_LANG": "zh"})
    assert [line.strip() for line in shown.splitlines() if " · " in line] == ["2017年12月 · 6 条，列出 2 条"]
