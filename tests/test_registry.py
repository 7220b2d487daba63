"""The entity registry: every spelling resolves to one id; tagging prefers the longest alias."""

from __future__ import annotations

import pytest

from conftest import REGISTRY, shipped_events
from spacelog.registry import Entity, Registry, load_registry

registry = load_registry(REGISTRY)


@pytest.mark.parametrize(
    "spelling, entity_id",
    [
        ("兰道夫·布莱斯尼克", "randy-bresnik"),
        ("兰迪·布莱斯尼克", "randy-bresnik"),
        ("马克·范德·黑", "mark-vande-hei"),
        ("马克·范德海", "mark-vande-hei"),
        ("费希尔", "jack-fischer"),
        ("费舍尔", "jack-fischer"),
        ("罗伯特·金布罗", "shane-kimbrough"),
        ("肖恩·金布罗", "shane-kimbrough"),
        ("约瑟夫·迈克尔", "joseph-acaba"),
        ("金井香苗", "norishige-kanai"),
        ("“联盟”MC-03", "soyuz-ms-03"),
        ("NASA", "nasa"),
        ("美国国家航空航天局", "nasa"),
        ("美国航天局", "nasa"),
        ("Peggy Whitson", "peggy-whitson"),
        ("佩吉·惠特森", "peggy-whitson"),
        ("惠特森", "peggy-whitson"),
        ("SpaceX公司", "spacex"),
        ("俄罗斯“能源”火箭航天集团公司", "energia"),
        ("蓝源公司", "blue-origin"),
    ],
)
def test_each_variant_spelling_resolves_to_one_id(spelling, entity_id):
    found = registry.exact(spelling) or [registry.entities[i] for i in _tagged(spelling)]
    assert [e.id for e in found] == [entity_id]


def _tagged(text: str) -> list[str]:
    return [i for ids in registry.tag(text).values() for i in ids]


def test_every_entity_has_chinese_and_english_names():
    assert len(registry.entities) > 90
    for entity in registry.entities.values():
        assert entity.name_zh and entity.name_en and entity.aliases, entity.id
        assert any(a.isascii() for a in entity.names), entity.id


def test_misspellings_say_so_in_a_note():
    assert "约瑟夫·迈克尔" in registry.entities["joseph-acaba"].note
    assert "金井香苗" in registry.entities["norishige-kanai"].note


def test_every_entity_in_the_store_is_in_the_registry_with_the_right_kind():
    kinds = {"agencies": "agency", "people": "person", "vehicles": "vehicle"}
    for event in shipped_events():
        for field, kind in kinds.items():
            for entity_id in event[field]:
                assert registry.entities[entity_id].kind == kind


def test_longest_alias_wins():
    small = Registry(
        {
            "progress": Entity("progress", "vehicle", "进步", "Progress", ("“进步”",)),
            "progress-ms-06": Entity("progress-ms-06", "vehicle", "进步MS-06", "Progress MS-06", ("“进步”MS-06",)),
        }
    )
    assert small.tag("搭载“进步”MS-06 货运飞船")["vehicles"] == ["progress-ms-06"]
    assert small.tag("“进步”飞船")["vehicles"] == ["progress"]
    assert _tagged("联合发射联盟的“宇宙神”5 火箭") == ["ula", "atlas-v"]


def test_latin_aliases_match_whole_words_only():
    assert _tagged("the mission of ESA") == ["esa"]
    assert _tagged("Lesa, permission") == []
    assert _tagged("NASA 2017财年") == ["nasa"]


def test_contextual_alias_needs_its_context():
    assert _tagged("澳大利亚宣布该国将成立国家航天局") == ["asa"]
    assert _tagged("中国国家航天局宣布") == ["cnsa"]
    assert _tagged("某国国家航天局宣布") == []


def test_tagging_ignores_spacing_quotes_and_width():
    assert _tagged("轨道 ATK 公司") == ["orbital-atk"]
    assert _tagged("“猎鹰” 9 火箭") == ["falcon-9"]
    assert _tagged("ＮＡＳＡ") == ["nasa"]


def test_cached_registry_is_rebuilt_when_the_file_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "entities.toml"
    entry = '[[entity]]\nid = "x"\nkind = "person"\nname_zh = "甲"\nname_en = "Jia"\naliases = ["甲乙"]\n'
    path.write_text(entry, encoding="utf-8")
    first = load_registry(path)
    assert list((tmp_path / "cache").glob("registry-*.json"))
    assert [e.id for e in load_registry(path).exact("甲乙")] == ["x"] == [e.id for e in first.exact("甲乙")]
    path.write_text(entry.replace("甲乙", "丙丁丁"), encoding="utf-8")  # size changes too
    again = load_registry(path)
    assert again.exact("甲乙") == [] and [e.id for e in again.exact("丙丁丁")] == ["x"]
    assert again.tag("他叫丙丁丁")["people"] == ["x"]


def test_unwritable_cache_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SPACELOG_CACHE", str(blocker / "cache"))
    assert load_registry(REGISTRY).exact("惠特森")[0].id == "peggy-whitson"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“进步”MS-06货运飞船", ["progress-ms-06"]),
        ("“进步”MS-08货运飞船", []),  # a serial the registry lacks: a member, not the family
        ("Progress MS-08", []),
        ("“联盟”2-1a运载火箭", ["soyuz-2-1a"]),
        ("“联盟”2-1b运载火箭", []),  # a variant of Soyuz-2 the registry lacks
        ("“龙”飞船", ["dragon"]),
        ("“载人龙”飞船", []),  # an alias inside a quoted name must be all of it: Crew Dragon is not Dragon
        ("“鹳”6号货运飞船", ["htv-6"]),  # 号 after a serial is not another serial
        ("国际空间站 2017 年", ["iss"]),
    ],
)
def test_tagging_knows_families_and_quoted_names(text, expected):
    assert registry.tag(text)["vehicles"] == expected
