"""show: one event in full."""

from __future__ import annotations

import json

from conftest import cli, run_on_terminal


def test_show_by_id_or_number():
    a = json.loads(cli("show", "2017-029", "--format", "json").stdout)
    b = json.loads(cli("show", "29", "--format", "json").stdout)
    assert a == b and a["id"] == "2017-029"
    assert {"id": "ula", "kind": "agency", "name_zh": "联合发射联盟", "name_en": "United Launch Alliance (ULA)"} in a["entities"]


def test_show_table_names_entities_in_both_languages(monkeypatch):
    result = cli("show", "73", "--format", "table")
    assert "金井宣茂 (Norishige Kanai)" in result.stdout


def test_unknown_id_exits_1_with_the_id_form_of_the_store(tmp_path):
    result = cli("show", "2017-999")
    assert (result.exit_code, result.stderr) == (1, "spacelog: no event has id '2017-999'; ids look like 2017-001, or give the number 1\n")
    other_year = tmp_path / "1990.jsonl"
    event = json.loads(cli("show", "7", "--format", "json").stdout)
    event.update(id="1990-0107", seq=107, date="1990-04-02", end=None)
    other_year.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    result = cli("show", "5", "--data", str(other_year))
    assert (result.exit_code, result.stderr) == (1, "spacelog: no event has id '5'; ids look like 1990-0107, or give the number 107\n")


RELATED_TO_58 = """\
related events
 id         date         shares
────────────────────────────────────────────────────────────────────────
 2017-047   2017-07-28   兰道夫·布莱斯尼克 (Randy Bresnik)
                         国际空间站 (International Space Station (ISS))
 2017-050   2017-09-13   马克·范德海 (Mark Vande Hei)
 2017-057   2017-09-29   国际空间站 (International Space Station (ISS))
 2017-059   2017-10-10   兰道夫·布莱斯尼克 (Randy Bresnik)
                         马克·范德海 (Mark Vande Hei)
                         国际空间站 (International Space Station (ISS))
 2017-061   2017-10-14   国际空间站 (International Space Station (ISS))
"""


def test_show_lists_the_related_events_on_a_terminal():
    shown = run_on_terminal("show", "58")
    assert shown.endswith("\n\n" + RELATED_TO_58)
    assert shown.startswith(" id          2017-058\n")


def test_related_events_in_json_and_not_in_tsv():
    record = json.loads(cli("show", "2", "--format", "json").stdout)
    assert record["related"] == [
        {"id": "2017-003", "date": "2017-01-13", "end": None, "shared": ["shane-kimbrough", "iss"]},
        {"id": "2017-021", "date": "2017-03-24", "end": None, "shared": ["shane-kimbrough", "iss"]},
        {"id": "2017-022", "date": "2017-03-30", "end": None, "shared": ["shane-kimbrough", "peggy-whitson", "iss"]},
        {"id": "2017-025", "date": "2017-04-10", "end": None, "shared": ["shane-kimbrough", "iss"]},
        {"id": "2017-032", "date": "2017-05-23", "end": None, "shared": ["peggy-whitson", "iss"]},
    ]
    assert cli("show", "2").stdout.count("\n") == 1 and cli("show", "2").stdout.startswith("2017-002\t")


def test_an_event_without_people_or_vehicles_has_no_related_events():
    assert json.loads(cli("show", "20", "--format", "json").stdout)["related"] == [
        {"id": "2017-070", "date": "2017-12-11", "end": None, "shared": ["donald-trump"]}
    ]
    assert json.loads(cli("show", "19", "--format", "json").stdout)["related"] == []  # names nobody, no vehicle
    shown = run_on_terminal("show", "19")
    assert "related events" not in shown and shown.endswith("未来将执行载人月球探索任务。\n")


def related_by_every_weight(source, event, limit=5):
    """The ranking `related` keeps, computed over every event: the specification it is checked against."""
    from spacelog.query import _day_count, date_number

    shared, weight = {}, {}
    for field in ("people", "vehicles"):
        for entity_id in event.get(field, []):
            tagged = source.tagged(field, entity_id)
            for i in tagged:
                if source.event_id(i) != event["id"]:
                    shared.setdefault(i, []).append(entity_id)
                    weight[i] = weight.get(i, 0.0) + 1 / len(tagged)
    day = _day_count(date_number(event["date"]))
    ranked = sorted(shared, key=lambda i: (-round(weight[i], 9), abs(_day_count(source.dates(i)[0]) - day), i))
    return [(i, shared[i]) for i in source.in_order(ranked[:limit])]


def test_related_events_are_the_best_weighted_then_the_nearest_in_date(tmp_path, monkeypatch):
    from conftest import REGISTRY
    from spacelog.index import open_index
    from spacelog.query import MemorySource, related
    from spacelog.registry import load_registry
    from spacelog.store import load_store
    from test_index import make_store

    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    store = tmp_path / "s.jsonl"
    make_store(store, 1200, "compact")  # the shipped events again and again: many ties of weight and of date
    registry = load_registry(REGISTRY)
    indexed = open_index(str(store), registry)
    assert indexed is not None
    for source in (MemorySource(load_store([str(store)], registry)), indexed):
        for number in range(0, source.n, 37):
            event = source.event(number)
            for limit in (1, 5, 40):
                assert related(source, event, number, limit) == related_by_every_weight(source, event, limit), (event["id"], limit)
    indexed.close()
