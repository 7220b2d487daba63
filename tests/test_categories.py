"""Categories: measured on the labelled chronicles, and the general cases of the meanings.

The sentences below are written for these tests in the style of the chronicles
(not taken from them): each states one rule of the meanings in meanings.py.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from conftest import ROOT, cli
from spacelog.categories import MAX_CHARS, categorize, classify
from spacelog.meanings import MEANINGS
from spacelog.store import CATEGORIES


def _bench():
    spec = importlib.util.spec_from_file_location("bench_categories", ROOT / "bench" / "categories.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("chronicle", ["2016", "2017", "genre"])
def test_labelled_chronicles_score_at_least_085(chronicle, capsys):
    bench = _bench()
    score = bench.score(chronicle)
    with capsys.disabled():
        print(f"\n{chronicle}: micro P {score.precision:.2f} R {score.recall:.2f}, only other {len(score.only_other())}/{len(score.gold)}")
        for c in CATEGORIES:
            p, r, n = score.per_category(c)
            if n or score.fp[c]:
                print(f"  {c:<12} P {bench._figure(p)} R {bench._figure(r)} ({n})")
    assert score.precision >= 0.85 and score.recall >= 0.85
    assert score.wrongly_other() == []


def test_2017_labels_cover_every_event_with_known_categories():
    labels = json.loads((ROOT / "tests" / "fixtures" / "2017.categories.json").read_text(encoding="utf-8"))
    assert list(labels) == [f"2017-{n:03d}" for n in range(1, 74)]
    assert all(cats and set(cats) <= set(CATEGORIES) for cats in labels.values())


def cats(text: str, date: str = "2018-06-01") -> list[str]:
    return categorize(text, date)


# ------------------------------------------------------------------ launch
@pytest.mark.parametrize(
    "text",
    [
        "6月1日，印度用“极轨卫星运载器”火箭发射了两颗对地观测卫星。",
        "6月1日，日本宇宙航空研究开发机构从种子岛宇宙中心发射“鹳”8号货运飞船。",
        "6月1日，中国在太原卫星发射中心成功发射一颗气象卫星。",
        "6月1日，“质子”-M 火箭在拜科努尔发射场点火起飞，将一颗通信卫星送入地球同步转移轨道。",
        "6月1日，欧洲“织女星”火箭把两颗遥感卫星送入太阳同步轨道。",
    ],
)
def test_every_form_of_a_launch_that_happened_is_a_launch(text):
    assert cats(text)[0] == "launch"


@pytest.mark.parametrize(
    "text",
    [
        "6月1日，欧洲航天局宣布，计划于2020年发射一颗引力波探测卫星。",
        "6月1日，俄罗斯称新型货运飞船将于明年发射。",
        "6月1日，日本表示，新一代火箭预计在2020年度首次发射。",
        "6月1日，韩国拟于2021年发射自主研制的运载火箭。",
        "6月1日，NASA宣布“詹姆斯·韦伯”太空望远镜的发射推迟至2021年。",
    ],
)
def test_a_planned_launch_is_not_a_launch(text):
    assert "launch" not in cats(text)


@pytest.mark.parametrize(
    "text",
    [
        "6月1日，NASA称，于2006年发射的“新视野”号探测器状态良好。",
        "6月1日，“哈勃”望远镜的一台陀螺仪停止工作。此前，该望远镜曾于1990年由航天飞机发射入轨。",
        "6月1日，中国迎来发射场建设六十周年。1958年，中国第一个航天发射场在酒泉开工建设。",
    ],
)
def test_a_launch_recalled_from_before_the_event_is_not_a_launch(text):
    assert "launch" not in cats(text)


def test_a_date_before_the_event_dates_only_what_it_belongs_to():
    # the date belongs to the launch in an attribute; what the sentence reports is today's
    assert cats("6月1日，日本于3月2日发射的一颗天文卫星与地面失去联系。")[0] == "failure"
    # the date belongs to the failure itself: background
    assert "failure" not in cats("6月1日，因2017年11月的发射事故，俄罗斯将调整发射计划。")


def test_a_craft_reaching_orbit_was_launched():
    assert cats("6月1日，一枚“联盟”火箭搭载的三颗卫星顺利进入预定轨道。") == ["launch"]


def test_a_discovery_is_science_unless_what_is_found_is_a_failure():
    assert cats("6月1日，科学家利用探测器的雷达数据在火星冰盖下发现液态水。") == ["science"]
    assert "science" not in cats("6月1日，一颗卫星与地面失去联系，地面雷达发现其附近有碎片。")


def test_a_launch_named_as_an_attribute_or_anaphora_is_not_a_launch():
    assert "launch" not in cats("6月1日，中国发射的第一颗量子卫星完成在轨测试。")
    assert "launch" not in cats("6月1日，NASA宣布计划明年发射新探测器，此次发射将使用“宇宙神”5火箭。")


# ------------------------------------------------------------------ docking
@pytest.mark.parametrize(
    "text",
    [
        "6月3日，“天鹅座”货运飞船停靠在国际空间站“团结”号节点舱。",
        "6月3日，“龙”货运飞船被国际空间站的机械臂抓捕，随后安装到“和谐”号节点舱。",
        "6月3日，“进步”MS-09货运飞船经过3小时40分钟的飞行后抵达国际空间站。",
        "6月3日，天舟二号货运飞船与天和核心舱完成自主快速交会对接。",
    ],
)
def test_docking_berthing_grappling_and_arrival_are_docking(text):
    assert "docking" in cats(text, "2018-06-03")


def test_a_planned_docking_or_a_docking_port_is_not_docking():
    assert "docking" not in cats("6月3日，NASA计划让新型载人飞船于明年与国际空间站对接。", "2018-06-03")
    assert "docking" not in cats("6月3日，俄罗斯新型节点舱安装了六个对接口和两套对接机构。", "2018-06-03")


# ------------------------------------------------------------------ return
@pytest.mark.parametrize(
    "text",
    [
        "10月4日，“联盟”MS-08飞船返回舱在哈萨克斯坦草原着陆，三名航天员结束了在空间站的工作。",
        "10月4日，两名航天员乘坐载人飞船从空间站返回地球，在预定区域平安着陆。",
        "10月4日，“神舟”飞船返回舱在东风着陆场着陆，航天员身体状况良好。",
    ],
)
def test_a_crew_coming_back_is_a_return_with_crew(text):
    assert cats(text, "2018-10-04")[:2] == ["return", "crew"]


@pytest.mark.parametrize(
    "text, instead",
    [
        ("10月4日，“猎鹰”9火箭将卫星送入轨道，火箭第一级随后在无人船上成功着陆。", "test"),  # a rocket stage
        ("10月4日，“洞察”号探测器在火星表面成功着陆，开始探测火星内部。", "science"),  # a probe on Mars
        ("10月4日，嫦娥号着陆器在月球背面实现软着陆。", "science"),  # a probe on the Moon
        ("10月4日，“龙”货运飞船离开国际空间站，在太平洋溅落。", None),  # a cargo ship
        ("10月4日，一家公司的亚轨道飞行器进行逃逸试验，试验舱依靠降落伞安全着陆。", "test"),  # a test capsule
        ("10月4日，载人飞船发射后火箭发生故障，飞船中止任务，返回舱弹道式下降，两名航天员安全着陆。", "failure"),  # an abort
    ],
)
def test_a_landing_that_is_not_a_crew_coming_back_is_not_a_return(text, instead):
    found = cats(text, "2018-10-04")
    assert "return" not in found
    if instead:
        assert instead in found


# ------------------------------------------------------------------ crew
def test_people_carried_to_the_station_are_crew():
    text = "3月21日，“联盟”FG火箭从拜科努尔发射场发射升空，将两名俄罗斯航天员和一名美国航天员送往国际空间站。"
    assert cats(text, "2018-03-21") == ["launch", "crew"]


def test_an_uncrewed_cargo_launch_that_mentions_astronauts_is_not_crew():
    text = "3月21日，“进步”货运飞船发射升空，为国际空间站航天员的生活送去食品和水。"
    assert "crew" not in cats(text, "2018-03-21")


# ------------------------------------------------------------------ eva
def test_a_spacewalk_carried_out_is_an_eva():
    assert cats("1月23日，两名俄罗斯航天员完成了一次长达8小时的出舱活动，更换了天线的电子设备。", "2018-01-23") == ["eva"]


@pytest.mark.parametrize(
    "text",
    [
        "1月23日，曾进行过10次出舱活动的资深航天员宣布退休。",
        "1月23日，NASA表示，这名航天员在职业生涯中累计完成9次出舱活动。",
        "1月23日，两名航天员计划于下周进行出舱活动。",
        "1月23日，由于宇航服故障，原定的出舱活动推迟进行。",
    ],
)
def test_a_career_a_plan_or_a_postponement_is_not_an_eva(text):
    assert "eva" not in cats(text, "2018-01-23")


# ------------------------------------------------------------------ test
@pytest.mark.parametrize(
    "text",
    [
        "2月2日，中国成功发射一颗电磁监测试验卫星。",
        "2月2日，俄罗斯选拔了两名试飞员加入航天员大队。",
    ],
)
def test_a_word_that_only_contains_a_test_word_is_not_a_test(text):
    assert "test" not in cats(text, "2018-02-02")


@pytest.mark.parametrize(
    "text",
    [
        "2月2日，NASA在斯坦尼斯航天中心对新型发动机进行了点火试验。",
        "2月2日，新型运载火箭首飞成功。",
        "2月2日，“追梦者”太空飞机完成第二次自由飞行试验。",
    ],
)
def test_tests_firings_and_maiden_flights_are_tests(text):
    assert "test" in cats(text, "2018-02-02")


# ------------------------------------------------------------------ mission-end
def test_a_journey_ending_on_arrival_is_not_a_mission_end():
    text = "12月3日，“奥西里斯-REx”探测器抵达小行星贝努，结束了两年多的航程。"
    assert cats(text, "2018-12-03") == ["science"]


def test_a_deorbit_and_a_retirement_are_mission_ends():
    assert cats("4月2日，一颗退役的气象卫星受控离轨，坠入南太平洋。", "2018-04-02") == ["mission-end"]
    assert cats("10月30日，NASA宣布“开普勒”望远镜燃料耗尽后退役。", "2018-10-30") == ["mission-end"]


def test_a_crew_stay_ending_is_a_return_not_a_mission_end():
    text = "6月3日，三名航天员乘坐“联盟”飞船在哈萨克斯坦着陆，结束了为期半年的驻留任务。"
    assert cats(text, "2018-06-03") == ["return", "crew"]


# ------------------------------------------------------------------ failure
@pytest.mark.parametrize(
    "text, is_failure",
    [
        # recalled as background or as the cause of something else
        ("8月10日，“猎鹰”9火箭在上次发射失败后首次复飞，将一颗通信卫星送入轨道。", False),
        ("8月10日，俄罗斯表示，因2017年11月的发射事故，将推迟东方发射场的下一次发射。", False),
        ("8月10日，NASA购买座位的原因是，商业载人飞船此前多次发生事故。", False),
        ("8月10日，航天员更换了空间站上发生故障的一台水泵。", False),
        # happening in the event
        ("8月10日，“安加拉”火箭发射升空后第三级发动机提前关机，卫星未能进入预定轨道。", True),
        ("8月10日，国际空间站舱内发生漏气，航天员找到并封堵了漏点。", True),
        ("8月10日，一枚商业火箭在发射台上进行加注时发生爆炸。", True),
    ],
)
def test_a_failure_counts_only_when_it_happens_in_the_event(text, is_failure):
    assert ("failure" in cats(text, "2018-08-10")) is is_failure


def test_a_failed_launch_is_mainly_a_failure():
    text = "8月10日，“联盟”-U火箭搭载货运飞船发射升空，飞行约6分钟后发生故障，飞船坠毁。"
    assert cats(text, "2018-08-10")[:2] == ["failure", "launch"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2月6日，一型新研制的重型运载火箭首飞成功。", ["launch", "test"]),
        ("2月6日，一家民营公司的运载火箭发射失利，卫星未能入轨。", ["failure", "launch"]),
        ("2月6日，长征三号乙运载火箭圆满完成第300次发射任务。", ["launch"]),
        ("2月6日，NASA宣布，一颗小行星探测器燃料耗尽，任务结束。", ["mission-end"]),
        ("2月6日，三名航天员乘坐飞船在哈萨克斯坦着陆，驻留任务结束。", ["return", "crew"]),
        ("2月6日，一颗火星着陆器传回了第一张火星表面照片。", ["science"]),
    ],
)
def test_other_forms_the_genre_writes(text, expected):
    assert cats(text, "2018-02-06") == expected


# ------------------------------------------------------------------ the rest
@pytest.mark.parametrize(
    "text, expected",
    [
        ("5月4日，美国国会通过2019财年拨款法案，NASA获得215亿美元预算。", ["budget", "policy"]),
        ("5月4日，欧洲航天局与一家公司签订了月球着陆器研制合同。", ["contract"]),
        ("5月4日，国际宇航联合会全球空间探索大会在北京开幕。", ["conference"]),
        ("5月4日，中国国家航天局宣布，将于2020年前后实施首次火星探测任务。", ["policy"]),
        ("5月4日，欧洲航天局启动新一轮航天员招募工作。", ["recruitment"]),
        ("5月4日，科学家公布了空间站上的蛋白质结晶实验成果。", ["science"]),
        ("5月4日，一家公司的员工参观了博物馆。", ["other"]),
    ],
)
def test_categories_by_their_meanings(text, expected):
    assert cats(text, "2018-05-04") == expected


def test_a_meeting_of_a_government_body_is_policy_not_a_conference():
    assert cats("2月20日，美国国家航天委员会召开会议，提出重返月球的建议。", "2018-02-20") == ["policy"]


# ------------------------------------------------------------------ reasons
def test_classify_names_the_words_that_decided_and_the_ones_set_aside():
    result = classify("6月1日，“质子”-M 火箭发射升空。该火箭此前于2015年发射失败。", "2018-06-01")
    assert result.categories == ["launch"]
    assert result.why() == {"launch": ["发射升空"]}
    assert [(c.category, c.words) for c in result.rejected()] == [("launch", "发射"), ("failure", "失败")]
    assert all(c.rejected.startswith("background (此前)") for c in result.rejected())


def test_why_words_are_the_text_as_written():
    result = classify("6 月 1 日，“联盟”FG 运载火箭发射 升空。", "2018-06-01")
    assert result.why() == {"launch": ["发射 升空"]}


@pytest.mark.parametrize("unit", ["着陆", "将", "发射", "航天员", "测试", "出舱活动，", "此前，", "2016年"])
def test_a_hostile_event_is_classified_quickly(unit):
    import time

    start = time.perf_counter()
    classify(unit * 20000, "2017-01-01")
    assert time.perf_counter() - start < 1.0


def test_categories_are_read_from_the_start_of_a_long_event():
    assert categorize("1月1日，" + "文字" * MAX_CHARS + "发射升空。", "2017-01-01") == ["other"]


def test_store_categories_are_the_meanings():
    assert CATEGORIES == tuple(MEANINGS)


def test_readme_defines_each_category_as_meanings_py_does():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (.+?) \|$", readme, re.M))
    assert {name: rows.get(name) for name in MEANINGS} == MEANINGS


def test_timeline_help_lists_the_meanings():
    out = cli("timeline", "--help").stdout
    flat = " ".join(out.split())
    for name, meaning in MEANINGS.items():
        assert f"{name} {meaning}" in flat


# ------------------------------------------------------------------ show --why
def test_show_why_in_a_pipe_is_category_and_words():
    result = cli("show", "50", "--why")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == "launch\t发射升空\ncrew\t搭载…航天员\n"


def test_show_why_json_adds_why_and_set_aside():
    document = json.loads(cli("show", "25", "--why", "--format", "json").stdout)
    assert document["id"] == "2017-025" and document["categories"] == ["return", "crew"]
    assert document["why"] == {"return": ["返回地球", "着陆"], "crew": ["航天员乘坐", "载人飞船"]}
    assert {"category": "return", "words": "返回地球", "reason": "refers to the event stated elsewhere (此次)"} in document["set_aside"]


def test_show_why_table_has_the_reasons():
    out = cli("show", "11", "--why", "--format", "table").stdout
    assert "why these categories" in out and "宣布…论证" in out and "no: planned (方案是)" in out


def test_show_why_of_an_other_event_says_nothing_else_applies():
    assert cli("show", "39", "--why").stdout == "other\t-\n"


def test_show_why_notes_a_store_made_by_other_rules(tmp_path):
    line = (ROOT / "data" / "events.jsonl").read_text(encoding="utf-8").splitlines()[49]
    event = json.loads(line)
    event["categories"] = ["test"]
    store = tmp_path / "s.jsonl"
    store.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    result = cli("show", "50", "--why", "--data", str(store))
    assert result.exit_code == 0 and result.stdout.startswith("launch\t发射升空\n")
    assert "the store gives 2017-050 the categories test; this version reads launch, crew" in result.stderr
