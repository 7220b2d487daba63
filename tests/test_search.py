"""search: normalised Chinese substring match, names, dates, exclusions, exit statuses."""

from __future__ import annotations

import json

import pytest

from conftest import cli, eids, ids, run_on_terminal, shipped_events

WHITSON = eids(2, 22, 32)


def test_every_event_containing_chuchang():
    result = cli("search", "出舱")
    assert result.exit_code == 0
    assert ids(result.stdout) == eids(2, 3, 21, 22, 32, 46, 47, 49, 58, 59)
    assert result.stderr == ""


@pytest.mark.parametrize("spelling", ["惠特森", "佩吉·惠特森", "佩吉惠特森", "Whitson", "whitson", "Peggy Whitson", "WHITSON"])
def test_whitson_under_each_spelling(spelling):
    assert ids(cli("search", spelling).stdout) == WHITSON


@pytest.mark.parametrize(
    "query, expected",
    [
        ("猎鹰9", eids(1, 4, 5, 15, 23, 35, 48, 72)),  # the text says “猎鹰”9
        ("ＮＡＳＡ", None),  # full-width finds NASA
        ("马克范德黑", eids(50, 58, 59)),  # an alias also finds the tagged events
        ("国際空間站", None),
        ("獵鷹", eids(1, 4, 5, 15, 23, 35, 48, 72)),  # traditional characters
        ("2017-2018", eids(11)),  # the text has an em dash
        ("lc39a", eids(15)),  # the text says LC 39A
    ],
)
def test_normalised_matching(query, expected):
    result = cli("search", query)
    assert result.exit_code == 0
    if expected is not None:
        assert ids(result.stdout) == expected


def test_fullwidth_finds_the_same_as_ascii():
    assert ids(cli("search", "ＮＡＳＡ").stdout) == ids(cli("search", "NASA").stdout)
    assert len(ids(cli("search", "NASA").stdout)) == 24
    assert ids(cli("search", "國際空間站").stdout) == ids(cli("search", "国际空间站").stdout)


def test_a_date_term_matches_the_day_not_the_substring():
    assert ids(cli("search", "1月18日").stdout) == eids(5, 6)  # not 34 (2016年11月18日)
    assert ids(cli("search", "2017-01-18").stdout) == eids(5, 6)
    assert ids(cli("search", "1 月 18 日").stdout) == eids(5, 6)
    assert ids(cli("search", "6月7日").stdout) == eids(37)  # inside the range 6月5日—6月9日


def test_all_terms_by_default_any_with_flag_and_exclude():
    assert ids(cli("search", "惠特森", "出舱").stdout) == WHITSON
    assert ids(cli("search", "佩斯凯", "金布罗").stdout) == eids(3, 21)
    assert ids(cli("search", "--any", "佩斯凯", "惠特森").stdout) == eids(2, 3, 21, 22, 32, 34)
    assert ids(cli("search", "惠特森", "--exclude", "费舍尔").stdout) == eids(2, 22)


def test_results_in_date_order_and_by_relevance():
    assert ids(cli("search", "联合发射联盟", "--any", "嫦娥").stdout) == eids(29, 28)  # 04-18 before 04-28
    relevance = ids(cli("search", "惠特森", "--sort", "relevance").stdout)
    assert relevance == eids(22, 2, 32)  # event 22 names her three times


def test_filters_combine_with_search():
    assert ids(cli("search", "出舱", "--category", "eva", "--month", "1").stdout) == eids(2, 3)
    assert ids(cli("search", "航天员", "--person", "费舍尔").stdout) == eids(26, 32)


def test_no_match_exits_1_with_suggestions_on_stderr():
    result = cli("search", "布莱斯尼可")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no events found" in result.stderr
    assert "did you mean 兰道夫·布莱斯尼克 (Randy Bresnik)" in result.stderr


def test_usage_errors_exit_2():
    for args, message in [
        (("search", "  "), "search term '  ' is empty"),
        (("search", "x", "--category", "party"), "unknown category 'party'"),
        (("search", "x", "--category", "lauch"), "; did you mean launch?"),
        (("search", "x", "--format", "xml"), "unknown format 'xml'"),
        (("search", "x", "--sort", "size"), "unknown sort order 'size'"),
        (("search", "2月30日"), "'2月30日' is not a real date"),
        (("search", "x", "--from", "2017-13-01"), "--from '2017-13-01' is not a date"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert message in result.stderr and "Traceback" not in result.stderr


def test_jsonl_lines_carry_the_store_fields():
    result = cli("search", "出舱", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == eids(2, 3, 21, 22, 32, 46, 47, 49, 58, 59)
    assert list(records[0]) == ["id", "seq", "date", "end", "text", "agencies", "people", "vehicles", "categories"]


def test_json_is_one_document():
    records = json.loads(cli("search", "惠特森", "--format", "json").stdout)
    assert [r["id"] for r in records] == WHITSON


def test_a_dash_inside_a_transliterated_name_is_like_a_dot(tmp_path):
    store = tmp_path / "s.jsonl"
    texts = ["3月1日，萨琳娜·奥侬-钱斯勒进入空间站。", "3月2日，戴维·圣-雅克出舱。", "3月3日，2017-2018年的计划。"]
    store.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"2018-{n:03d}",
                    "seq": n,
                    "date": f"2018-03-0{n}",
                    "end": None,
                    "text": t,
                    "categories": [],
                    "agencies": [],
                    "people": [],
                    "vehicles": [],
                },
                ensure_ascii=False,
            )
            + "\n"
            for n, t in enumerate(texts, start=1)
        ),
        encoding="utf-8",
    )
    assert ids(cli("search", "奥侬钱斯勒", "--data", str(store)).stdout) == ["2018-001"]
    assert ids(cli("search", "奥侬-钱斯勒", "--data", str(store)).stdout) == ["2018-001"]
    result = cli("search", "圣雅克", "--data", str(store))
    assert result.stdout == "2018-002\t2018-03-02\t\t3月2日，戴维·圣-雅克出舱。\t\t\t\t\n"  # the text stays verbatim
    assert ids(cli("search", "2017-2018", "--data", str(store)).stdout) == ["2018-003"]  # a dash between digits stays


def test_the_highlight_map_follows_dropped_dashes():
    from spacelog.query import match_spans
    from spacelog.text import search_key, search_key_with_map

    text = "戴维·圣-雅克和奥侬--钱斯勒"
    key, positions = search_key_with_map(text)
    assert key == search_key(text) == "戴维圣雅克和奥侬-钱斯勒"
    assert match_spans(text, ["圣雅克"]) == [(3, 7)]


# The same query on a terminal (a table at 80 columns) and in a pipe (tsv).
SEARCH_PAIR = ("search", "天舟", "--month", "9")
SEARCH_PAIR_TABLE = """\
 id         date         event
────────────────────────────────────────────────────────────────────────────────
 2017-052   2017-09-22   9 月 22 日，天舟一号货运飞船受控离轨。此前，天舟一号货
                         运飞船按计划完成了多项拓展应用和相关试验，地面科技人员
                         对其飞行状况进行科学评估后，决策实施离轨。至此，中国载
                         人航天工程第二步任务全部完成，阔步迈进“空间站时代”。
"""


def test_search_on_a_terminal_is_a_table():
    assert run_on_terminal(*SEARCH_PAIR) == SEARCH_PAIR_TABLE


def test_search_in_a_pipe_is_tsv():
    event = shipped_events()[51]
    assert cli(*SEARCH_PAIR).stdout == f"2017-052\t2017-09-22\t\t{event['text']}\tmission-end\t\t\t天舟一号\n"


@pytest.mark.parametrize("fmt", ["table", "tsv", "jsonl", "csv", "json"])
def test_nothing_found_prints_nothing_in_every_format(fmt):
    result = cli("search", "不存在的词语", "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("spacelog: no events found\n")


def test_a_traditional_term_also_finds_the_same_characters_in_the_store(tmp_path):
    # found by the brute-force property test: a store may hold traditional characters too
    store = tmp_path / "s.jsonl"
    store.write_text(
        '{"id":"2017-001","seq":1,"date":"2017-01-01","end":null,"text":"養豬場","agencies":[],"people":[],"vehicles":[],"categories":["other"]}\n'
        '{"id":"2017-002","seq":2,"date":"2017-01-02","end":null,"text":"养猪场","agencies":[],"people":[],"vehicles":[],"categories":["other"]}\n',
        encoding="utf-8",
    )
    assert ids(cli("search", "豬", "--data", str(store)).stdout) == ["2017-001", "2017-002"]
    assert ids(cli("search", "猪", "--data", str(store)).stdout) == ["2017-002"]


@pytest.mark.parametrize(
    ("conditions", "restricts"),
    [({}, False), ({"month": 3}, True), ({"year": 2017}, True), ({"agencies": ["nasa"]}, True), ({"categories": ["eva"]}, True), ({"day": "2017-03-01"}, True)],
)
def test_a_filter_says_whether_it_restricts_anything(conditions, restricts):
    """A search that finds nothing looks for hints among the events a filter lets through: with none, among all, without listing them."""
    from spacelog.query import EventFilter

    assert EventFilter(**conditions).restricts is restricts
