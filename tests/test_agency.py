"""agency: the list of agencies, and one agency's summary."""

from __future__ import annotations

import json

import pytest

from conftest import cli, ids, run_on_terminal, shipped_events

NASA_EVENTS = 24


@pytest.mark.parametrize("name", ["NASA", "nasa", "美国国家航空航天局", "美国航天局", "美国宇航局"])
def test_nasa_by_any_name(name):
    result = cli("agency", name, "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["id"] == "nasa" and summary["count"] == NASA_EVENTS
    assert summary["first"] == "2017-01-03" and summary["last"] == "2017-12-11"
    assert summary["by_month"]["2017-03"] == 2
    assert summary["partners"]["spacex"] == 1


def test_roscosmos_and_energia():
    assert json.loads(cli("agency", "Roscosmos", "--format", "json").stdout)["events"][0]["id"] == "2017-019"
    assert ids(cli("agency", "能源").stdout) == ["2017-011", "2017-017", "2017-018", "2017-040"]


def test_unknown_agency_gets_did_you_mean_and_exit_1():
    result = cli("agency", "ＮＡＳ")  # the start of a word (NAS is not NASA): a suggestion, not an answer
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("spacelog: no agency matches 'ＮＡＳ' well enough; did you mean 美国国家航空航天局 (NASA), ")
    result = cli("agency", "惠特森")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("spacelog: no agency matches '惠特森'")


def test_list_is_busiest_first():
    result = cli("agency", "--format", "json")
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == "nasa" and len(rows[0]["events"]) == NASA_EVENTS
    assert set(rows[0]) == {"id", "name_zh", "name_en", "events"}
    counts = [len(r["events"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    tsv = cli("agency").stdout.splitlines()
    assert tsv[0].split("\t") == ["nasa", "美国国家航空航天局", "NASA", str(NASA_EVENTS)]
    assert tsv[1].split("\t")[0] == "spacex"


def test_filters_narrow_the_summary_and_the_list():
    summary = json.loads(cli("agency", "NASA", "--month", "6", "--format", "json").stdout)
    assert [e["id"] for e in summary["events"]] == ["2017-038", "2017-039", "2017-041", "2017-042"]
    assert summary["count"] == 4 and summary["by_month"] == {"2017-06": 4}
    assert ids(cli("agency", "SpaceX", "--category", "launch").stdout) == ["2017-004", "2017-015", "2017-023", "2017-035", "2017-048", "2017-072"]
    rows = json.loads(cli("agency", "--category", "launch", "--format", "json").stdout)
    assert [(r["id"], len(r["events"])) for r in rows[:2]] == [("spacex", 6), ("energia", 1)]  # ties by id
    nothing = cli("agency", "NASA", "--year", "2018")
    assert nothing.exit_code == 1 and nothing.stdout == ""


# The same query on a terminal (a table at 80 columns) and in a pipe (tsv).
AGENCY_PAIR = ("agency", "NASA", "--category", "eva")
AGENCY_PAIR_TABLE = """\
美国国家航空航天局 · NASA
 id      nasa
 events  1
 first   2017-03-24
 last    2017-03-24
events per month
 2017-03  1  ████████████████████████████████████████

  category   n
 ──────────────
  eva        1


  people                           n
 ────────────────────────────────────
  托马斯·佩斯凯 (Thomas Pesquet)   1
  肖恩·金布罗 (Shane Kimbrough)    1


  vehicles                                         n
 ────────────────────────────────────────────────────
  国际空间站 (International Space Station (ISS))   1


  with agencies   n
 ───────────────────

1 event
 id         date         event
────────────────────────────────────────────────────────────────────────────────
 2017-021   2017-03-24   3月24日，国际空间站上的2名航天员——欧洲航天员托马斯·佩
                         斯凯和NASA航天员肖恩·金布罗进行了6小时34分钟的出舱活
                         动。两位航天员成功地断开了加压接头-3(PMA-3)上的电缆和
                         电气连接，为3月26日进行的机器移动做好了准备。他们还机
                         械臂涂抹了润滑油，检查了散热器阀门，并为空间站的日本区
                         域更换了摄像机。
"""


def test_agency_on_a_terminal_is_a_table():
    assert run_on_terminal(*AGENCY_PAIR) == AGENCY_PAIR_TABLE


def test_agency_in_a_pipe_is_tsv():
    event = shipped_events()[20]
    assert cli(*AGENCY_PAIR).stdout == f"2017-021\t2017-03-24\t\t{event['text']}\teva\t美国国家航空航天局\t托马斯·佩斯凯; 肖恩·金布罗\t国际空间站\n"
