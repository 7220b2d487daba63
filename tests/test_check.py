"""check and the store loader: every fault reported as FILE:LINE, all of them, with exit 2."""

from __future__ import annotations

import json

from conftest import STORE, cli, ids, shipped_events
from spacelog.store import dump_event


def good(number: int = 1, **changes) -> str:
    event = dict(shipped_events()[number - 1])
    event.update(changes)
    return dump_event(event)


def write(tmp_path, lines: list[str], name: str = "s.jsonl"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_shipped_store_passes():
    result = cli("check")
    assert result.exit_code == 0
    assert result.stdout.endswith("warning: event 2017-029 (2017-04-18) is dated before the event above it (2017-028, 2017-04-28)\n")
    assert "73 valid events: 0 errors, 1 warning" in result.stderr


def test_every_kind_of_fault_is_reported_with_its_line(tmp_path):
    e2 = shipped_events()[1]
    lines = [
        good(1),  # 1 fine
        '{"id": "2017-002", "seq": 2,',  # 2 bad JSON
        "[1, 2, 3]",  # 3 not an object
        json.dumps({k: v for k, v in e2.items() if k != "text"}, ensure_ascii=False),  # 4 missing field
        good(5, seq="5"),  # 5 ill-typed field
        good(6, date="2017-02-30"),  # 6 impossible date
        good(37, end="2017-06-01"),  # 7 end before date
        good(1),  # 8 duplicate id
        good(9, people=["nobody-at-all"]),  # 9 entity missing from registry
        good(10, categories=["launch", "party"]),  # 10 unknown category
        good(11, agencies=["peggy-whitson"]),  # 11 entity of the wrong kind
        good(12, id="17-12"),  # 12 malformed id
        "",  # 13 blank: ignored
        good(14),  # 14 fine
    ]
    path = write(tmp_path, lines)
    result = cli("check", str(path))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes (column 29)",
        f"{path}:3: expected a JSON object, found list",
        f"{path}:4: missing field text",
        f'{path}:5: field seq must be a positive integer, found "5"',
        f'{path}:6: field date "2017-02-30" is not a real date YYYY-MM-DD',
        f"{path}:7: field end 2017-06-01 is before date 2017-06-05",
        f"{path}:8: duplicate id 2017-001 (first at {path}:1)",
        f"{path}:9: people: 'nobody-at-all' is not in the entity registry",
        f"{path}:10: unknown category party",
        f"{path}:11: agencies: 'peggy-whitson' is a person, not an agency",
        f"{path}:12: field id '17-12' is not <year>-<sequence> like \"2017-029\"",
    ]
    assert "2 valid events: 11 errors, 0 warnings" in result.stderr


def test_invalid_utf8_bom_and_crlf(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good(1).encode() + b"\r\n" + b'{"id": "\xff"}\r\n' + good(2).encode() + b"\r\n")
    result = cli("check", str(path))
    assert result.exit_code == 2
    assert result.stdout == f"{path}:2: not valid UTF-8 (byte 9)\n"


def test_duplicate_ids_across_two_files(tmp_path):
    a = write(tmp_path, [good(1)], "a.jsonl")
    b = write(tmp_path, [good(2), good(1)], "b.jsonl")
    result = cli("check", str(a), str(b))
    assert result.exit_code == 2
    assert result.stdout == f"{b}:2: duplicate id 2017-001 (first at {a}:1)\n"


def test_a_folder_is_its_jsonl_files(tmp_path):
    write(tmp_path, [good(1)], "a.jsonl")
    write(tmp_path, [good(2)], "b.jsonl")
    assert ids(cli("timeline", "--data", str(tmp_path)).stdout) == ["2017-001", "2017-002"]


def test_missing_file_and_folder_are_one_sentence(tmp_path):
    result = cli("check", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert result.stderr == f"spacelog: {tmp_path / 'nope.jsonl'}: no such store file; give a store with --data PATH or set SPACELOG_DATA\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("search", "x", "--data", str(empty))
    assert result.exit_code == 2 and result.stderr == f"spacelog: {empty}: the folder has no *.jsonl store files\n"


def test_query_commands_skip_bad_lines_with_a_warning(tmp_path):
    path = write(tmp_path, [good(2), "not json", good(22)])
    result = cli("search", "惠特森", "--data", str(path))
    assert result.exit_code == 0
    assert ids(result.stdout) == ["2017-002", "2017-022"]
    assert result.stderr == f"spacelog: {path}:2: invalid JSON: Expecting value (column 1) (line skipped)\n"


def test_strict_turns_bad_lines_into_exit_2(tmp_path):
    path = write(tmp_path, [good(2), "not json"])
    result = cli("search", "惠特森", "--data", str(path), "--strict")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "spacelog: the store has 1 bad line; fix it (spacelog check shows each) or drop --strict"


def test_data_from_stdin_and_environment(tmp_path, monkeypatch):
    result = cli("search", "惠特森", "--data", "-", input=good(32) + "\n")
    assert ids(result.stdout) == ["2017-032"]
    path = write(tmp_path, [good(22)])
    monkeypatch.setenv("SPACELOG_DATA", str(path))
    assert ids(cli("search", "惠特森").stdout) == ["2017-022"]
    # the flag wins over the environment
    assert ids(cli("search", "惠特森", "--data", str(STORE)).stdout) == ["2017-002", "2017-022", "2017-032"]


def test_a_trailing_newline_inside_id_or_date_is_an_error(tmp_path):
    path = write(tmp_path, [good(1, id="2017-001\n"), good(2, date="2017-01-06\n")])
    result = cli("check", str(path))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{path}:1: field id '2017-001\\n' is not <year>-<sequence> like \"2017-029\"",
        f'{path}:2: field date "2017-01-06\\n" is not a real date YYYY-MM-DD',
    ]
