"""check and the store loader: every fault reported as FILE:LINE, all of them, with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REGISTRY, ROOT, STORE, cli, ids, shipped_events
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


def test_ids_are_told_apart_by_width_and_found_twice_however_far_their_sequence(tmp_path):
    # 2017-0001 is not 2017-001; a sequence far beyond the rest of its year is kept apart and still found
    lines = [good(1), good(1, id="2017-0001"), good(2, id="2017-90000000", seq=90000000), good(3), good(2, id="2017-90000000", seq=90000000)]
    lines += [good(5, id=f"2017-{seq:03d}", seq=seq) for seq in range(4000, 1000, -1)]  # descending: the year's array grows under them
    lines += [good(1), good(5, id="2017-3999", seq=3999), good(5, id="2017-3999", seq=3999), good(5, id="2017-1001", seq=1001)]  # 3999 at line 7
    path = write(tmp_path, lines)
    n = len(lines)
    result = cli("check", str(path))
    assert [line for line in result.stdout.splitlines() if "warning" not in line] == [
        f"{path}:5: duplicate id 2017-90000000 (first at {path}:3)",
        f"{path}:{n - 3}: duplicate id 2017-001 (first at {path}:1)",
        f"{path}:{n - 2}: duplicate id 2017-3999 (first at {path}:7)",
        f"{path}:{n - 1}: duplicate id 2017-3999 (first at {path}:7)",
        f"{path}:{n}: duplicate id 2017-1001 (first at {path}:{n - 4})",
    ]


def test_first_seen_against_a_dict():
    """FirstSeen answers as a dict of every id would, for ids dense, sparse, repeated and of several widths."""
    import random

    from spacelog.seen import FirstSeen

    rng = random.Random(7)
    seen, truth = FirstSeen(), {}
    for place in range(20000):
        seq = rng.choice([rng.randint(1, 3000), rng.randint(1, 10**9), rng.randint(1, 50)])
        event_id = f"{rng.choice(['1999', '2017'])}-{seq:0{rng.choice([3, 4])}d}"
        assert seen.add(event_id, place) == truth.get(event_id)
        truth.setdefault(event_id, place)


def test_the_count_of_unknown_names_from_texts_is_that_of_discover(tmp_path):
    """check counts from each distinct text and how often it occurs; discover reads every event: the same count."""
    import random

    from conftest import SOURCE
    from spacelog.discover import TextTally, count_unknown, discover, tallied_names
    from spacelog.ingest import parse_chronicle
    from spacelog.registry import load_registry

    shipped = load_registry(REGISTRY)
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    empty = load_registry(tmp_path / "empty.toml")
    chronicles = [(ROOT / "tests" / "fixtures" / "2016.txt", 2016), (SOURCE, 2017)]
    counts = []
    for registry in (shipped, empty):
        for path, year in chronicles:
            base = parse_chronicle(path.read_text(encoding="utf-8"), year, registry).events
            rng = random.Random(year)
            for _ in range(4):
                events = [{"id": f"{year}-{i:03d}", "text": e["text"]} for i, e in enumerate(rng.choices(base, k=3 * len(base)), start=1)]
                tally = TextTally()
                for event in events:
                    tally.add(event["text"])
                counts.append(count_unknown(tally, registry))
                records = discover(events, registry)
                assert counts[-1] == len(records)
                names = {(r.kind, r.name, tuple(sorted(r.variants))) for r in records}
                assert {(r.kind, r.name, tuple(sorted(r.variants))) for r in tallied_names(tally, registry)} == names
    assert min(counts) > 0 and max(counts) > 50  # names to count, with either registry


def test_the_count_is_given_up_past_its_bound_not_guessed():
    from spacelog.discover import TextTally, count_unknown
    from spacelog.registry import load_registry

    tally = TextTally(limit=100)
    for event in shipped_events():
        tally.add(event["text"])
    assert tally.overflowed and count_unknown(tally, load_registry(REGISTRY)) is None


@pytest.mark.slow
def test_check_memory_does_not_grow_with_the_store(tmp_path):
    """check streams: ten times the events (5 MB, then 53 MB) cost at most a few MB more, where loading them whole cost 355 MB more."""
    peaks, errors = {}, {}
    for n in (10_000, 100_000):
        store = tmp_path / f"{n}.jsonl"
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_store.py"), str(STORE), str(n), str(store)], check=True)
        with open(tmp_path / "err", "wb") as err:
            process = subprocess.Popen([sys.executable, "-m", "spacelog", "check", str(store)], stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(process.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        errors[n] = (tmp_path / "err").read_text(encoding="utf-8")
        peaks[n] = usage.ru_maxrss / 1024  # MB
    assert f"{100_000} valid events: 0 errors, 0 warnings" in errors[100_000]
    assert peaks[100_000] < peaks[10_000] + 8, peaks


def _check_output(path, monkeypatch, halves: bool):
    from spacelog import halves as module

    monkeypatch.setattr(module, "MIN_BYTES", 0 if halves else 2**62)
    result = cli("check", str(path))
    return result.exit_code, result.stdout, result.stderr


def halving_store(tmp_path):
    """Faults on both sides of the middle: duplicates across it and within the second half, a date out of order at it."""
    events = shipped_events()
    lines = [good(n + 1) for n in range(40)]
    lines[5] = "not json"
    lines[20] = ""
    lines += [good(3), good(41, date="2017-01-01"), good(42), "[1]", good(42), *(good(n) for n in range(43, 70))]
    lines += [good(70, people=["nobody-at-all"]), good(71, text="  ")]
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    assert len(events) >= 71
    return path


def test_a_big_file_checked_in_two_halves_reports_exactly_what_one_pass_does(tmp_path, monkeypatch):
    from spacelog import halves

    path = halving_store(tmp_path)
    monkeypatch.setattr(halves, "MIN_BYTES", 0)
    mid = halves.middle(str(path))
    assert mid is not None and 30 < path.read_bytes()[:mid].count(b"\n") < 40  # the faults below are in the second half
    whole = _check_output(path, monkeypatch, halves=False)
    assert whole[0] == 2 and f"{path}:41: duplicate id 2017-003 (first at {path}:3)" in whole[1]
    assert f"{path}:45: duplicate id 2017-042 (first at {path}:43)" in whole[1]
    assert f"{path}:42: warning: event 2017-041 (2017-01-01) is dated before the event above it (2017-040, 2017-06-14)" in whole[1]
    assert _check_output(path, monkeypatch, halves=True) == whole


def test_when_the_worker_fails_the_parent_checks_the_second_half(tmp_path, monkeypatch):
    from spacelog import halves

    path = halving_store(tmp_path)
    whole = _check_output(path, monkeypatch, halves=False)

    def fail(*args):
        raise OSError("the worker could not read")

    monkeypatch.setattr(halves, "_work", fail)
    assert _check_output(path, monkeypatch, halves=True) == whole


def test_the_worker_gives_up_texts_past_its_budget_and_the_count_says_so(tmp_path, monkeypatch):
    from spacelog import halves

    path = halving_store(tmp_path)
    monkeypatch.setattr(halves, "TEXT_BUDGET", 0)
    code, _, stderr = _check_output(path, monkeypatch, halves=True)
    assert code == 2
    assert "too many different texts to count the names the registry lacks here" in stderr
