"""spacelog people and spacelog vehicles: every entity of a kind with its number of events, like agency alone."""

from __future__ import annotations

import json

from conftest import cli, run_on_terminal, run_process

PEOPLE_OF_EVA = """\
people
 id                  中文                English             events
────────────────────────────────────────────────────────────────────
 shane-kimbrough     肖恩·金布罗         Shane Kimbrough          4
 peggy-whitson       佩吉·惠特森         Peggy Whitson            3
 mark-vande-hei      马克·范德海         Mark Vande Hei           2
 randy-bresnik       兰道夫·布莱斯尼克   Randy Bresnik            2
 thomas-pesquet      托马斯·佩斯凯       Thomas Pesquet           2
 fyodor-yurchikhin   费奥多尔·尤尔奇欣   Fyodor Yurchikhin        1
 jack-fischer        杰克·费希尔         Jack Fischer             1
 sergey-ryazansky    谢尔盖·梁赞斯基     Sergey Ryazansky         1
"""


def test_people_on_a_terminal_and_in_a_pipe():
    assert run_on_terminal("people", "--category", "eva") == PEOPLE_OF_EVA
    assert cli("people", "--category", "eva", "--limit", "2").stdout == (
        "shane-kimbrough\t肖恩·金布罗\tShane Kimbrough\t4\npeggy-whitson\t佩吉·惠特森\tPeggy Whitson\t3\n"
    )


def test_vehicles_have_their_class_on_a_terminal():
    assert run_on_terminal("vehicles", "--category", "launch", "--limit", "3") == (
        "vehicles\n"
        " id         中文         English                            class        events\n"
        "────────────────────────────────────────────────────────────────────────────────\n"
        " iss        国际空间站   International Space                station          12\n"
        "                         Station (ISS)\n"
        " falcon-9   “猎鹰”9      Falcon 9                           rocket            6\n"
        " dragon     “龙”飞船     Dragon                             spacecraft        4\n"
    )


def test_without_filters_every_registry_entity_is_listed_and_with_filters_those_with_events():
    assert cli("people").stdout.splitlines()[0] == "shane-kimbrough\t肖恩·金布罗\tShane Kimbrough\t5"
    assert cli("agency").stdout.splitlines()[-1] == "cnsa\t中国国家航天局\tChina National Space Administration (CNSA)\t0"
    assert "cnsa" not in cli("agency", "--year", "2017").stdout
    assert cli("agency", "--category", "launch", "--count").stdout == "8\n"  # not the twenty agencies with 0


def test_json_gives_each_entity_its_event_ids():
    records = json.loads(cli("vehicles", "--person", "惠特森", "--format", "json").stdout)
    assert records[0] == {"id": "iss", "name_zh": "国际空间站", "name_en": "International Space Station (ISS)", "events": ["2017-002", "2017-022", "2017-032"]}


def test_nothing_named_exits_1_with_stdout_empty():
    result = run_process("vehicles", "--on", "02-29")
    assert (result.returncode, result.stdout, result.stderr.decode()) == (1, b"", "spacelog: no events found\n")
