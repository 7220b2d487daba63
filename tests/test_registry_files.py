"""The user's registry files: read on top of the shipped one, errors as FILE:LINE, caches stamp them all."""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT, cli, ids
from spacelog.locations import registry_paths, shipped_data_dir, user_registry_path
from spacelog.registry import load_registry

FIXTURES = ROOT / "tests" / "fixtures"
CHRONICLE_2016 = str(FIXTURES / "2016.txt")
NEW_ENTITIES = (FIXTURES / "three-new-entities.toml").read_text(encoding="utf-8")
ENTRY = '[[entity]]\nid = "x"\nkind = "person"\nname_zh = "甲"\nname_en = "X"\n'


@pytest.fixture
def user_file(tmp_path, monkeypatch):
    """The user's registry at its documented place, $XDG_CONFIG_HOME/spacelog/entities.toml."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "config" / "spacelog" / "entities.toml"
    path.parent.mkdir(parents=True)
    return path


def test_the_files_read_and_their_order(user_file, tmp_path, monkeypatch):
    shipped = str(shipped_data_dir() / "entities.toml")
    assert registry_paths() == [shipped]  # no user file yet
    user_file.write_text("", encoding="utf-8")
    monkeypatch.setenv("SPACELOG_REGISTRY", os.pathsep.join(["a.toml", "b.toml"]))
    assert user_registry_path() == user_file
    assert registry_paths(["c.toml"]) == [shipped, str(user_file), "a.toml", "b.toml", "c.toml"]


def test_the_loop_add_a_name_ingest_and_find_it(user_file, tmp_path):
    store = str(tmp_path / "2016.jsonl")
    assert cli("ingest", CHRONICLE_2016, "--year", "2016", "--output", store).exit_code == 0
    assert cli("who", "Tim Peake", "--data", store).exit_code == 1  # not in the registry yet
    user_file.write_text(NEW_ENTITIES, encoding="utf-8")
    assert cli("ingest", CHRONICLE_2016, "--year", "2016", "--output", store).exit_code == 0
    document = json.loads(cli("who", "Tim Peake", "--data", store, "--format", "json").stdout)
    assert document["matches"][0]["id"] == "tim-peake" and document["matches"][0]["events"] == ["2016-002", "2016-018"]
    assert ids(cli("timeline", "--person", "皮克", "--data", store).stdout) == ["2016-002", "2016-018"]
    assert ids(cli("agency", "毕格罗宇航公司", "--data", store).stdout) == ["2016-011"]
    assert ids(cli("timeline", "--vehicle", "Tiangong-1", "--data", store).stdout) == ["2016-008"]
    assert cli("check", store).exit_code == 0
    assert ids(cli("timeline", "--person", "惠特森", "--data", store).stdout)  # the shipped registry is still read


def test_registry_option_and_environment_are_on_top_of_the_shipped_registry(tmp_path, monkeypatch):
    extra = tmp_path / "mine.toml"
    extra.write_text(NEW_ENTITIES, encoding="utf-8")
    store = str(tmp_path / "2016.jsonl")
    assert cli("ingest", CHRONICLE_2016, "--year", "2016", "--output", store, "--registry", str(extra)).exit_code == 0
    assert ids(cli("timeline", "--person", "Tim Peake", "--data", store, "--registry", str(extra)).stdout) == ["2016-002", "2016-018"]
    result = cli("timeline", "--person", "Tim Peake", "--data", store)  # without the file: an unknown name, and bad store lines
    assert (result.exit_code, result.stdout) == (1, "") and "'tim-peake' is not in the entity registry" in result.stderr
    monkeypatch.setenv("SPACELOG_REGISTRY", str(extra))
    assert ids(cli("timeline", "--person", "Tim Peake", "--data", store).stdout) == ["2016-002", "2016-018"]
    assert cli("who", "NASA", "--data", store).exit_code == 0


def test_a_known_id_takes_a_new_spelling(user_file, tmp_path):
    chronicle = tmp_path / "c.txt"
    chronicle.write_text("1. 3月1日，俄罗斯航天员安东·什卡普列罗夫进行了出舱活动。\n", encoding="utf-8")
    assert json.loads(cli("ingest", str(chronicle), "--year", "2018").stdout)["people"] == []
    user_file.write_text('[[entity]]\nid = "anton-shkaplerov"\naliases = ["安东·什卡普列罗夫", "什卡普列罗夫"]\n', encoding="utf-8")
    assert json.loads(cli("ingest", str(chronicle), "--year", "2018").stdout)["people"] == ["anton-shkaplerov"]
    result = cli("who", "什卡普列罗夫")
    assert result.exit_code == 0 and result.stderr == ""  # now an alias: no note
    entity = load_registry(registry_paths()).get("anton-shkaplerov")
    assert entity.name_zh == "安东·施卡普列罗夫" and entity.aliases[-2:] == ("安东·什卡普列罗夫", "什卡普列罗夫")


def test_given_names_replace(user_file):
    user_file.write_text('[[entity]]\nid = "nasa"\nname_en = "National Aeronautics and Space Administration"\n', encoding="utf-8")
    document = json.loads(cli("who", "NASA", "--format", "json").stdout)
    assert document["matches"][0]["name_en"] == "National Aeronautics and Space Administration"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '[[entity]]\nid = "a"\nkind = "person"\nname_zh = "甲"\nname_en = "A"\n\n[[entity]]\nid = "b"\nkind = "person"\n',
            "{f}:7: entity 'b' has no field 'name_zh'",
        ),
        ('\n[[entity]]\nid = "a"\nkind = "planet"\nname_zh = "甲"\nname_en = "A"\n', "{f}:2: entity 'a' has kind 'planet'; use one of agency, person, vehicle"),
        (
            '[[entity]]\nid = "nasa"\nalias = ["美国宇航"]\n',
            "{f}:1: entity 'nasa': unknown field 'alias'; the fields are id, kind, class, name_zh, name_en, aliases, lookup, context, note",
        ),
        ('[[entity]]\nid = "nasa"\nkind = "person"\n', "{f}:1: entity 'nasa' has kind 'agency' in an earlier registry file; its kind cannot change"),
        ('[[entity]]\nid = "nasa"\naliases = "NASA"\n', "{f}:1: entity 'nasa': field aliases must be a list of strings"),
        ('[[entity]]\nid = "nasa"\naliases = ["“ ”"]\n', "{f}:1: entity 'nasa': alias '“ ”' is empty once spaces, quotes and · are ignored"),
        (f"{ENTRY}\n{ENTRY}", "{f}:7: entity id 'x' is defined twice in this file"),
        ('[entity]\nid = "x"\n', "{f}: the entity registry must be a list of [[entity]] tables"),
        ('[[entity]]\nid = "x\n', "{f}:2: the entity registry is not valid TOML (Illegal character '\\n' (at line 2, column 8))"),
    ],
)
def test_a_bad_entry_is_file_line_what_is_wrong(user_file, text, message):
    user_file.write_text(text, encoding="utf-8")
    for args in (["who", "NASA"], ["ingest", CHRONICLE_2016, "--year", "2016"], ["check"]):
        result = cli(*args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == "spacelog: " + message.format(f=user_file) + "\n"


def test_an_edit_of_the_user_file_is_seen_at_once_through_every_cache(user_file, tmp_path, monkeypatch):
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "1")  # read the store through its index
    user_file.write_text(NEW_ENTITIES, encoding="utf-8")
    store = str(tmp_path / "2016.jsonl")
    assert cli("ingest", CHRONICLE_2016, "--year", "2016", "--output", store).exit_code == 0
    assert ids(cli("timeline", "--person", "Tim Peake", "--data", store).stdout) == ["2016-002", "2016-018"]
    assert cli("who", "Timothy Peake", "--data", store).exit_code == 1
    user_file.write_text(NEW_ENTITIES.replace('"Tim Peake"]', '"Tim Peake", "Timothy Peake"]'), encoding="utf-8")
    assert ids(cli("timeline", "--person", "Timothy Peake", "--data", store).stdout) == ["2016-002", "2016-018"]
    user_file.write_text("", encoding="utf-8")  # the entity is gone: the index must see it, and say so
    result = cli("timeline", "--data", store)
    assert "'tim-peake' is not in the entity registry" in result.stderr


@pytest.mark.parametrize("command", ["search", "who", "timeline", "agency", "show", "check", "ingest"])
def test_every_command_takes_registry_files(command):
    assert "--registry" in cli(command, "--help").stdout


def test_a_missing_registry_file_given_by_name_is_one_sentence(tmp_path):
    result = cli("who", "NASA", "--registry", str(tmp_path / "nowhere.toml"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"spacelog: {tmp_path / 'nowhere.toml'}: cannot read the entity registry (No such file or directory)\n"
