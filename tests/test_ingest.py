"""ingest: the 2017 chronicle becomes data/events.jsonl, verbatim, dated, tagged, atomically."""

from __future__ import annotations

import os
import re

import pytest

from conftest import REGISTRY, SOURCE, STORE, cli, shipped_events
from spacelog.categories import categorize
from spacelog.errors import DataError
from spacelog.ingest import join_continuation, parse_chronicle, parse_event_date, write_store
from spacelog.registry import load_registry

# Month-day of each of the 73 events, read off the source by hand.
EXPECTED_DATES = (
    "01-03 01-06 01-13 01-15 01-18 01-18 01-22 01-28 02-01 02-02 02-06 02-06 02-09 02-17 02-19 02-22 02-22 02-22 "
    "03-14 03-21 03-24 03-30 03-30 03-31 04-10 04-20 04-20 04-28 04-18 05-09 05-12 05-23 05-31 06-02 06-04 06-05 "
    "06-05 06-08 06-12 06-14 06-18 06-26 06-28 07-01 07-18 07-26 07-28 08-14 08-18 09-13 09-15 09-22 09-22 09-25 "
    "09-25 09-27 09-29 10-05 10-10 10-11 10-14 10-19 10-23 11-09 11-11 11-12 11-28 12-01 12-04 12-11 12-12 12-15 12-17"
).split()
PAGE_BREAK_EVENTS = (5, 11, 17, 29, 39, 44, 50, 57)


def source_texts() -> dict[int, str]:
    """Each event's text cut from the source independently of the parser: blocks split
    at numbered lines, lines of a block concatenated (every break here is between CJK)."""
    raw = SOURCE.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=\d+\. )", raw)
    texts = {}
    for block in blocks[1:]:
        number, rest = block.split(". ", 1)
        texts[int(number)] = "".join(line.strip() for line in rest.splitlines())
    return texts


def test_store_holds_73_events_in_source_order():
    events = shipped_events()
    assert [e["seq"] for e in events] == list(range(1, 74))
    assert [e["id"] for e in events] == [f"2017-{n:03d}" for n in range(1, 74)]


def test_every_text_equals_the_source_with_page_breaks_joined():
    texts = source_texts()
    assert len(texts) == 73
    for event in shipped_events():
        assert event["text"] == texts[event["seq"]], event["id"]


@pytest.mark.parametrize(
    "seq, joined",
    [
        (5, "能够在 2019 年"),
        (11, "可能应用在实施月球探索任务"),
        (17, "组成俄罗斯空间站。"),
        (29, "第七次货运补给任务"),
        (39, "一个完整的实验室"),
        (44, "加拿大航天局的第 13 和"),
        (50, "“联盟”MS-06 飞船从哈萨克斯坦"),
        (57, "第 68 届国际宇航大会"),
    ],
)
def test_page_breaks_are_joined_without_a_space(seq, joined):
    assert seq in PAGE_BREAK_EVENTS
    assert joined in shipped_events()[seq - 1]["text"]


def test_every_date_and_the_range():
    events = shipped_events()
    assert [e["date"] for e in events] == [f"2017-{d}" for d in EXPECTED_DATES]
    assert [e["id"] for e in events if e["end"]] == ["2017-037"]
    assert events[36]["end"] == "2017-06-09"


def test_text_has_no_leading_number_and_keeps_typos():
    events = shipped_events()
    assert events[28]["text"].startswith("4月18日，联合发射联盟")
    assert "金井香苗" in events[72]["text"]  # misspelt in the source, kept verbatim
    assert "约瑟夫·迈克尔" in events[49]["text"]


def test_rebuilding_the_store_is_byte_identical(tmp_path):
    out = tmp_path / "events.jsonl"
    result = cli("ingest", str(SOURCE), "--year", "2017", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == STORE.read_bytes()


def test_ingest_reports_the_date_order_anomaly_and_heading():
    result = cli("ingest", str(SOURCE), "--year", "2017", "--output", "-")
    assert result.exit_code == 0
    assert f"{SOURCE}:67: warning: event 29 (2017-04-18) is dated before event 28 (2017-04-28)" in result.stderr
    assert "heading '大事记' is not an event" in result.stderr
    assert len(result.stdout.splitlines()) == 73


def test_store_is_utf8_without_ascii_escapes():
    raw = STORE.read_text(encoding="utf-8")
    assert "\\u" not in raw
    assert "惠特森" in raw


def test_entities_and_categories_of_known_events():
    events = {e["seq"]: e for e in shipped_events()}
    assert events[1]["agencies"] == ["spacex", "faa", "usaf", "nasa", "ntsb"]
    assert events[2]["people"] == ["shane-kimbrough", "peggy-whitson"]
    assert events[40]["vehicles"][:2] == ["progress-ms-06", "soyuz-2-1a"]
    assert events[55]["agencies"] == ["asa"]  # 国家航天局 in an Australian context
    assert "cnsa" not in {a for e in events.values() for a in e["agencies"]}
    assert events[15]["agencies"] == ["spacex"]  # 肯尼迪航天中心 is a place
    assert events[16]["agencies"] == []  # 拜科努尔发射场 is a place
    assert events[60]["agencies"] == ["mext", "japan-government", "space-policy-committee"]
    assert events[13]["agencies"] == ["uk-government"]
    assert events[50]["people"] == ["alexander-misurkin", "mark-vande-hei", "joseph-acaba"]
    assert events[73]["people"][-1] == "norishige-kanai"


def test_eva_category_is_the_spacewalks_not_every_mention():
    events = shipped_events()
    assert [e["seq"] for e in events if "eva" in e["categories"]] == [2, 3, 21, 22, 32, 49, 58, 59]
    assert all(e["categories"] for e in events)
    assert categorize("一段没有关键词的文字。") == ["other"]


def parse(text: str, year: int = 2017):
    return parse_chronicle(text, year, load_registry(REGISTRY), "t.txt")


def test_unplaceable_text_is_an_error_naming_the_line():
    parsed = parse("这是一段很长的说明文字，不是标题，也不是事件。\n1. 1月3日，事件。\n")
    assert [str(d) for d in parsed.errors] == ["t.txt:1: text before the first numbered event is not a heading; number it or remove it"]


def test_numbering_gap_and_repeat_and_missing_date():
    parsed = parse("1. 1月3日，甲。\n3. 1月5日，乙。\n3. 1月6日，丙。\n4. 没有日期。\n")
    assert [str(d) for d in parsed.warnings] == ["t.txt:2: warning: event 3 follows event 1: numbering gap"]
    assert [str(d) for d in parsed.errors] == [
        "t.txt:3: event number 3 repeats the one at line 2",
        "t.txt:4: event 4 does not start with a date like 1月3日",
    ]


def test_impossible_date_is_an_error():
    parsed = parse("1. 2月30日，不存在的一天。\n")
    assert len(parsed.errors) == 1 and "impossible date" in parsed.errors[0].message


def test_a_decimal_number_at_line_start_is_a_continuation():
    parsed = parse("1. 1月3日，车长\n\n3.4 米。\n")
    assert parsed.errors == [] and parsed.events[0]["text"] == "1月3日，车长3.4 米。"


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("1月3日，", "2017-01-03", None),
        ("1 月 18 日，", "2017-01-18", None),
        ("6月5日—6月9日，", "2017-06-05", "2017-06-09"),
        ("6 月 5 日 — 9 日，", "2017-06-05", "2017-06-09"),
        ("12月30日—1月2日，", "2017-12-30", "2018-01-02"),
        ("２月２２日，", "2017-02-22", None),
        ("2018年3月1日，", "2018-03-01", None),
    ],
)
def test_parse_event_date(text, start, end):
    got_start, got_end = parse_event_date(text, 2017)
    assert got_start.isoformat() == start
    assert (got_end.isoformat() if got_end else None) == end


def test_join_continuation():
    assert join_continuation("届国", "际宇航") == "届国际宇航"
    assert join_continuation("Space", "Station") == "Space Station"
    assert join_continuation("能够", "在 2019 年") == "能够在 2019 年"


def test_ingest_errors_write_nothing_and_exit_2(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("1. 没有日期。\n", encoding="utf-8")
    out = tmp_path / "events.jsonl"
    out.write_text("old\n", encoding="utf-8")
    result = cli("ingest", str(bad), "--year", "2017", "--output", str(out))
    assert result.exit_code == 2
    assert f"{bad}:1: event 1 does not start with a date" in result.stderr
    assert "nothing was written" in result.stderr
    assert out.read_text(encoding="utf-8") == "old\n"


def test_write_store_refuses_symlinks_and_its_own_input(tmp_path):
    target = tmp_path / "real.jsonl"
    target.write_text("keep\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with pytest.raises(DataError, match="symbolic link"):
        write_store([], str(link))
    with pytest.raises(DataError, match="chronicle being read"):
        write_store([], str(target), str(target))
    assert target.read_text(encoding="utf-8") == "keep\n"


def test_write_store_is_atomic_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "events.jsonl"
    write_store(shipped_events(), str(out))
    assert out.read_bytes() == STORE.read_bytes()
    assert os.listdir(tmp_path) == ["events.jsonl"]


def test_missing_chronicle_is_one_sentence():
    result = cli("ingest", "/nonexistent/x.txt", "--year", "2017")
    assert result.exit_code == 2
    assert result.stderr == "spacelog: /nonexistent/x.txt: no such chronicle file\n"


def test_only_line_ends_split_lines():
    parsed = parse("1. 1月3日，甲\u2028乙\x1c丙\x85丁。\r\n2. 1月4日，戊。\r\n")
    assert [e["text"] for e in parsed.events] == ["1月3日，甲\u2028乙\x1c丙\x85丁。", "1月4日，戊。"]


def test_an_event_with_no_text_then_a_continuation_is_an_error_not_a_traceback(tmp_path):
    # found by test_fuzz: the empty first part of "0." met its continuation "0"
    source = tmp_path / "c.txt"
    source.write_text("0.\n0", encoding="utf-8")
    result = cli("ingest", str(source), "--year", "2017")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr
        == f"spacelog: {source}:1: event 0 does not start with a date like 1月3日\nspacelog: 1 line of {source} could not be placed; nothing was written\n"
    )
