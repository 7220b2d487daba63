"""agency: the list of agencies, and one agency's summary."""

from __future__ import annotations

import json

import pytest

from conftest import cli, ids

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
