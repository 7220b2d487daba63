"""lookup: a name resolves to an entity only when it is that entity; the rest are suggestions.

The names here are the ones that broke on other years' chronicles; each test
states the general rule it checks (designation, acronym, word boundary, person
parts, different organisation), not a list of answers.
"""

from __future__ import annotations

import json

import pytest

from conftest import REGISTRY, cli
from spacelog.designation import continues_with_designation, signature, without_designation
from spacelog.lookup import ALIAS, PART, VARIANT, find
from spacelog.registry import load_registry

registry = load_registry(REGISTRY)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Soyuz MS-09", ("ms", 9)),
        ("“联盟”MS-02", ("ms", 2)),
        ("嫦娥四号", (4,)),
        ("“嫦娥五号”", (5,)),
        ("嫦娥5号", (5,)),
        ("长征二号丁", (2, "丁")),
        ("长征七号", (7,)),
        ("长征二号F遥十一", (2, "f", 11)),
        ("神舟十一号", (11,)),
        ("CNES", ("cnes",)),
        ("China National Space Administration (CNSA)", ("cnsa",)),
        ("Soyuz TMA-18M", ("tma", 18, "m")),
        ("soyuz tma-18m", ("tma", 18, "m")),
        ("Tiangong-2", (2,)),
        ("Peggy Whitson", ()),
        ("美国国防部", ()),
    ],
)
def test_designation_signature(name, expected):
    assert signature(name) == expected


def test_what_is_left_without_the_designation():
    assert without_designation("天宫一号") == "天宫号"
    assert without_designation("“进步”MS-04") == "“进步”-"


@pytest.mark.parametrize(
    "text, end, expected",
    [("“进步”MS-08货运飞船", 4, True), ("Progress MS-08", 11, True), ("“联盟”2-1b", 5, True), ("“联盟”号飞船", 4, False), ("ISS 2017", 3, False)],
)
def test_a_family_name_continued_by_a_serial(text, end, expected):
    assert continues_with_designation(text, end) is expected


@pytest.mark.parametrize(
    "query, kind",
    [
        ("美国国防部", "agency"),  # another organisation sharing words with NASA's aliases
        ("CNES", "agency"),  # an acronym is compared whole: not CNSA
        ("嫦娥四号", "vehicle"),  # 四号 is not 五号
        ("Soyuz MS-09", "vehicle"),  # MS-09 is not MS-02
        ("“旅行者”2号", "vehicle"),  # 2号 is not 1号
        ("长征二号丁", "vehicle"),  # not 长征七号
        ("天宫一号", "vehicle"),  # not 天宫二号, nor 天舟一号 (the same number, another name)
        ("“进步”MS-04", "vehicle"),  # not “联盟”MS-04 nor “进步”MS-05
        ("Gerst", "person"),  # the start of a word: not Gerstenmaier
        ("谢尔盖·沃尔科夫", "person"),  # the same given name, another surname
        ("Jeff Williams", "person"),  # the same surname, another given name
        ("威廉斯", "person"),  # a surname the registry does not list alone is shared
        ("毕格罗宇航公司", None),  # a registry name plus more is another thing
    ],
)
def test_names_that_are_not_the_entity_do_not_resolve(query, kind):
    found = find(query, registry, kind)
    assert found.matches == [], [m.entity.id for m in found.matches]


@pytest.mark.parametrize(
    "query, kind, entity_id, how",
    [
        ("什卡普列罗夫", "person", "anton-shkaplerov", VARIANT),  # a transliteration variant
        ("布莱斯尼可", "person", "randy-bresnik", VARIANT),  # an input-method typo
        ("huitesen", "person", "peggy-whitson", VARIANT),  # romanised
        ("Peggy Whitsn", "person", "peggy-whitson", VARIANT),  # a typo in the surname, the given name right
        ("惠特森", "person", "peggy-whitson", ALIAS),
        ("Vande Hei", "person", "mark-vande-hei", ALIAS),
        ("佩吉", "person", "peggy-whitson", PART),  # a given name
        ("联盟", "agency", "ula", PART),  # the tail of 联合发射联盟
        ("美国航天", "agency", "nasa", VARIANT),
    ],
)
def test_names_that_are_the_entity_resolve(query, kind, entity_id, how):
    found = find(query, registry, kind)
    assert [(m.entity.id, m.how) for m in found.matches] == [(entity_id, how)]


def test_a_given_name_shared_by_two_people_names_both_and_resolves_neither():
    found = find("谢尔盖", registry, "person")
    assert [m.entity.id for m in found.matches] == ["sergey-ryazansky", "sergey-ryzhikov"] and found.match is None
    result = cli("timeline", "--person", "谢尔盖")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "spacelog: '谢尔盖' may name 2 entities: 谢尔盖·梁赞斯基 (Sergey Ryazansky), 谢尔盖·雷日科夫 (Sergey Ryzhikov); give one of them\n"


def test_a_match_that_is_not_an_alias_is_announced_on_stderr():
    result = cli("timeline", "--person", "什卡普列罗夫")
    assert result.exit_code == 0 and result.stdout.split("\t")[0] == "2017-073"
    assert result.stderr == "spacelog: taking '什卡普列罗夫' as 安东·施卡普列罗夫 (Anton Shkaplerov)\n"
    result = cli("who", "什卡普列罗夫", "--format", "json")
    assert json.loads(result.stdout)["matches"][0]["id"] == "anton-shkaplerov"
    assert result.stderr == "spacelog: taking '什卡普列罗夫' as 安东·施卡普列罗夫 (Anton Shkaplerov)\n"
    assert cli("who", "惠特森").stderr == ""  # an alias needs no note


@pytest.mark.parametrize(
    "args",
    [
        ["who", "Soyuz MS-09"],
        ["who", "Soyuz MS-09", "--format", "json"],
        ["timeline", "--vehicle", "Soyuz MS-09"],
        ["search", "出舱", "--vehicle", "Soyuz MS-09", "--format", "jsonl"],
        ["agency", "--vehicle", "Soyuz MS-09", "--format", "csv"],
        ["who", "惠特森", "--vehicle", "Soyuz MS-09"],
    ],
)
def test_every_command_answers_an_unknown_name_the_same_way(args):
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (1, "")
    what = "name" if args[:2] == ["who", "Soyuz MS-09"] else "vehicle"
    assert result.stderr == (
        f"spacelog: no {what} matches 'Soyuz MS-09' well enough; did you mean “联盟”MS-02 (Soyuz MS-02), “联盟”MS-03 (Soyuz MS-03), “联盟”MS-04 (Soyuz MS-04)?\n"
        "spacelog: 'Soyuz MS-09' is not in the registry, but its family is: “联盟”号飞船 (Soyuz (spacecraft))\n"
    )


def test_agency_names_another_organisation_nothing():
    result = cli("agency", "美国国防部", "--format", "json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("spacelog: no agency matches '美国国防部' well enough; did you mean ")


def test_who_lists_suggestions_apart_from_matches_only_when_there_are_any():
    document = json.loads(cli("who", "佩吉", "--format", "json").stdout)
    assert [m["id"] for m in document["matches"]] == ["peggy-whitson"] and "suggestions" not in document
    document = json.loads(cli("who", "美国航天", "--format", "json").stdout)
    assert set(document) == {"query", "matches", "suggestions"}
    assert [m["id"] for m in document["matches"]] == ["nasa"]
    assert {s["id"] for s in document["suggestions"]}.isdisjoint(["nasa"])
    assert set(document["suggestions"][0]) == {"id", "kind", "name_zh", "name_en", "score"}  # no events: not an answer


@pytest.mark.parametrize(
    "query, kind",
    [
        ("美国海军", "agency"),  # one character changed: another service, not 美国空军
        ("美国太空军", "agency"),  # one added: not 美国空军 either
        ("国家空间站", "vehicle"),  # a national station, not 国际空间站
    ],
)
def test_a_changed_character_in_a_chinese_name_is_another_organisation(query, kind):
    assert find(query, registry, kind).matches == []


def test_left_out_characters_are_a_variant_but_not_the_quoted_proper_name():
    assert [m.entity.id for m in find("俄罗斯航天集团", registry, "agency").matches] == ["roscosmos"]
    assert [m.entity.id for m in find("中国航天局", registry, "agency").matches] == ["cnsa"]


@pytest.mark.parametrize(
    "query, entity_id",
    [
        ("“动力机械制”公司", "energomash"),  # a character dropped inside the quoted name: still a typo
        ("轨ATK", "orbital-atk"),
        ("Souz-2.1a", "soyuz-2-1a"),  # a misspelt word joined to a number is not a serial
        ("“嫦娥五”", "chang-e-5"),  # a numeral closing a quoted name is its number
    ],
)
def test_typos_that_keep_the_designation_still_resolve(query, entity_id):
    assert [m.entity.id for m in find(query, registry, "vehicle" if entity_id not in ("energomash", "orbital-atk") else "agency").matches] == [entity_id]
