"""show: one event in full."""

from __future__ import annotations

import json

from conftest import cli


def test_show_by_id_or_number():
    a = json.loads(cli("show", "2017-029", "--format", "json").stdout)
    b = json.loads(cli("show", "29", "--format", "json").stdout)
    assert a == b and a["id"] == "2017-029"
    assert {"id": "ula", "kind": "agency", "name_zh": "联合发射联盟", "name_en": "United Launch Alliance (ULA)"} in a["entities"]


def test_show_table_names_entities_in_both_languages(monkeypatch):
    result = cli("show", "73", "--format", "table")
    assert "金井宣茂 (Norishige Kanai)" in result.stdout


def test_unknown_id_exits_1():
    result = cli("show", "2017-999")
    assert result.exit_code == 1 and "no event has id '2017-999'" in result.stderr
