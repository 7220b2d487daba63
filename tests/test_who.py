"""who: fuzzy lookup over every alias, never silently picking a wrong entity."""

from __future__ import annotations

import json

import pytest

from conftest import REGISTRY, cli, run_on_terminal
from spacelog.lookup import lookup
from spacelog.registry import load_registry

registry = load_registry(REGISTRY)


@pytest.mark.parametrize(
    "query, entity_id",
    [
        ("范德海", "mark-vande-hei"),
        ("马克·范德·黑", "mark-vande-hei"),
        ("Vande Hei", "mark-vande-hei"),
        ("布莱斯尼可", "randy-bresnik"),  # input-method typo
        ("whitson", "peggy-whitson"),
        ("kimbrough", "shane-kimbrough"),
        ("huitesen", "peggy-whitson"),  # romanised
        ("惠特森", "peggy-whitson"),
        ("罗伯特·金布罗", "shane-kimbrough"),
        ("兰迪·布莱斯尼克", "randy-bresnik"),
        ("费舍尔", "jack-fischer"),
        ("jinbuluo", "shane-kimbrough"),
        ("Peggy Whitsn", "peggy-whitson"),
        ("NASA", "nasa"),
        ("Roscosmos", "roscosmos"),
        ("能源", "energia"),
    ],
)
def test_variants_typos_and_romanised_input_find_the_right_entity(query, entity_id):
    result = cli("who", query, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["query"] == query
    assert document["matches"][0]["id"] == entity_id


@pytest.mark.parametrize("query", ["马斯克", "Armstrong", "Elon Musk", "阿波罗", "哈勃"])
def test_names_not_in_the_chronicle_exit_1(query):
    result = cli("who", query)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"no name matches {query!r} well enough" in result.stderr


def test_suggestions_on_stderr_for_near_misses():
    result = cli("who", "马斯克")
    assert "did you mean" in result.stderr and "马克·范德海 (Mark Vande Hei)" in result.stderr


def test_json_document_shape_and_events():
    document = json.loads(cli("who", "惠特森", "--format", "json").stdout)
    assert document == {
        "query": "惠特森",
        "matches": [
            {
                "id": "peggy-whitson",
                "kind": "person",
                "name_zh": "佩吉·惠特森",
                "name_en": "Peggy Whitson",
                "score": 100,
                "events": ["2017-002", "2017-022", "2017-032"],
            }
        ],
    }


def test_tsv_is_one_match_per_line():
    result = cli("who", "谢尔盖")
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[0] for line in lines] == ["sergey-ryazansky", "sergey-ryzhikov"]
    assert lines[0][5] == "2017-047,2017-049"


def test_kind_restricts_the_lookup():
    assert json.loads(cli("who", "联盟", "--kind", "agency", "--format", "json").stdout)["matches"][0]["id"] == "ula"
    assert cli("who", "x", "--kind", "planet").exit_code == 2


def test_short_contained_names_do_not_steal_the_match():
    # partial matching would score 联盟 100 against 联合发射联盟 (ULA)
    assert lookup("联盟", registry)[0].entity.id == "soyuz"


def test_filters_narrow_the_events_of_each_match():
    document = json.loads(cli("who", "布莱斯尼克", "--category", "eva", "--format", "json").stdout)
    assert document["matches"][0]["events"] == ["2017-058", "2017-059"]
    document = json.loads(cli("who", "惠特森", "--month", "3", "--format", "json").stdout)
    assert document["matches"][0]["events"] == ["2017-022"]


# The same query on a terminal (a table at 80 columns) and in a pipe (tsv).
WHO_PAIR = ("who", "范德海")
WHO_PAIR_TABLE = """\
who 范德海
 id               kind     中文          English          score   matched
──────────────────────────────────────────────────────────────────────────
 mark-vande-hei   person   马克·范德海   Mark Vande Hei     100   范德海
note: 马克·范德·黑 (event 50) and 马克·范德海 (events 58-59) are two
transliterations of Vande Hei.

3 events of 马克·范德海 (Mark Vande Hei)
 id         date         event
────────────────────────────────────────────────────────────────────────────────
 2017-050   2017-09-13   9 月 13 日，“联盟”FG 运载火箭搭载“联盟”MS-06 飞船从哈
                         萨克斯坦的拜科努尔发射场发射升空。本次飞船搭载了俄罗斯
                         航天员亚历山大·米苏尔金、美国航天员马克·范德·黑和约瑟
                         夫·迈克尔。该批考察组将进行 40 多项的航天生物学、生物
                         技术等领域的试验。
 2017-058   2017-10-05   10 月 5 日，国际空间站上的两名美国航天员兰迪·布莱斯尼
                         克和马克·范德海完成了出舱活动，出舱活动共历时 6 小时，
                         执行了更换机械臂上出现故障的一个“锁合末端效应器”等
                         任务。
 2017-059   2017-10-10   10 月 10 日，国际空间站上的两名美国航天员兰迪·布莱斯尼
                         克和马克·范德海完成了出舱活动，出舱活动共历时 6 小时
                         26 分钟，执行了安装一部高解析摄影机，进一步修理实验室
                         的机械手臂等任务。
"""


def test_who_on_a_terminal_is_a_table():
    assert run_on_terminal(*WHO_PAIR) == WHO_PAIR_TABLE


def test_who_in_a_pipe_is_tsv():
    assert cli(*WHO_PAIR).stdout == "mark-vande-hei\tperson\t马克·范德海\tMark Vande Hei\t100\t2017-050,2017-058,2017-059\n"


def test_romanised_names_are_looked_up_without_pypinyin_once_the_registry_pinyin_is_cached(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SPACELOG_CACHE": str(tmp_path / "cache")}

    def who(query: str) -> tuple[bytes, bool]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "spacelog", "who", query, "--format", "tsv"], capture_output=True, env=env, timeout=60
        )
        return result.stdout, b"pypinyin" in result.stderr

    first, imported = who("huitesen")
    assert imported  # the pinyin of the registry's names is worked out once
    assert list(tmp_path.glob("cache/pinyin-*.json"))
    assert who("huitesen") == (first, False)
    assert first.split(b"\t", 1)[0] == b"peggy-whitson"
    assert who("惠特生")[1]  # a Chinese query's own pinyin still needs it
