"""The index for large stores gives exactly what a plain full parse gives."""

from __future__ import annotations

import io
import json
import os
import random
import re
from pathlib import Path

import pytest

from conftest import FakeTerminal, cli, shipped_events

PLAIN = {"SPACELOG_INDEX_MIN_BYTES": str(10**12)}
INDEXED = {"SPACELOG_INDEX_MIN_BYTES": "0"}

QUERIES = [
    ["search", "空间站"],
    ["search", "猎鹰9"],  # the text says “猎鹰”9: a raw byte scan would miss it
    ["search", "卡西尼", "--sort", "relevance"],
    ["search", "Whitson"],
    ["search", "1月18日"],
    ["search", "出舱", "--exclude", "惠特森", "--any", "火星"],
    ["search", "国际空间站", "--agency", "NASA", "--month", "3"],
    ["search", "站"],  # one character: no pair to look up, a scan of the keys
    ["search", "空间"],  # two characters: one run of the inverted index, no verification
    ["search", "国际空间站任务"],  # many pairs: their runs intersected, then verified
    ["search", "空间站", "猎鹰"],  # every term (AND)
    ["search", "1", "NASA"],
    ["timeline", "--month", "3"],
    ["timeline", "--category", "eva", "--from", "1990-01-01", "--to", "2005-12-31"],
    ["timeline", "--year", "2001", "--person", "惠特森"],
    ["agency", "NASA"],
    ["agency", "NASA", "--month", "6"],
    ["agency", "--category", "launch"],
    ["who", "惠特森"],
    ["who", "布莱斯尼克", "--category", "eva"],
    ["show", "2001-005"],
    ["show", "5"],  # a number: an event in each year has it, so the full id is asked for
]


def make_store(path, n: int, style: str, seed: int = 7) -> None:
    """A synthetic store like bench/make_store.py makes, in a chosen JSON style."""
    rng = random.Random(seed)
    base = shipped_events()
    lines = []
    for k in range(n):
        year, seq = 1990 + k // 200, k % 200 + 1
        event = dict(rng.choice(base))
        event.update(id=f"{year}-{seq:03d}", seq=seq, date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        event["end"] = None if rng.random() < 0.9 else f"{year}-12-31"
        kind = rng.choice(["compact", "spaced", "escaped"]) if style == "mixed" else style
        if kind == "escaped":
            lines.append(json.dumps(event, ensure_ascii=True))
        elif kind == "spaced":
            lines.append(json.dumps(event, ensure_ascii=False, separators=(", ", ": ")))
        else:
            lines.append(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
    end = "\r\n" if style == "crlf" else "\n"
    if style == "crlf":
        lines = [json.dumps(json.loads(line), ensure_ascii=False) for line in lines]
    path.write_bytes((end.join(lines) + end).encode("utf-8"))


def run(env: dict, monkeypatch, *args: str):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cli(*args)


@pytest.mark.parametrize("style", ["compact", "spaced", "escaped", "mixed", "crlf"])
def test_index_answers_exactly_as_a_full_parse(tmp_path, monkeypatch, style):
    store = tmp_path / f"{style}.jsonl"
    make_store(store, 2403, style)  # bitmaps of the index are 301 bytes: not a whole number of 4-byte event numbers
    for query in QUERIES:
        for fmt in ("jsonl", "tsv", "json"):
            args = [*query, "--data", str(store), "--format", fmt]
            plain = run(PLAIN, monkeypatch, *args)
            indexed = run(INDEXED, monkeypatch, *args)
            assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr), (style, args)
    assert any(p.name.startswith("index-") for p in Path(os.environ["SPACELOG_CACHE"]).iterdir())  # the index was used


@pytest.mark.parametrize("fails", [False, True])
def test_a_build_runs_without_the_cycle_collector_and_gives_it_back(tmp_path, monkeypatch, fails):
    import gc

    from spacelog import builder

    monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path / "cache"))
    store = tmp_path / "s.jsonl"
    make_store(store, 600, "compact")
    collecting, scan = [], builder.Half.scan

    def watched(half, *args, **kwargs):
        collecting.append(gc.isenabled())
        if fails:
            raise OSError(28, "No space left on device")
        return scan(half, *args, **kwargs)

    monkeypatch.setattr(builder.Half, "scan", watched)
    result = run(INDEXED, monkeypatch, "search", "空间站", "--data", str(store), "--format", "jsonl")
    assert result.exit_code == 0 and result.stdout.count("\n") > 10
    assert collecting == [False] and gc.isenabled()
    assert ("cannot keep an index" in result.stderr) == fails


@pytest.mark.parametrize(("narrow_below", "typecode"), [(1 << 32, "I"), (0, "q")])
def test_offsets_are_kept_4_bytes_each_while_they_fit_and_8_beyond(tmp_path, monkeypatch, narrow_below, typecode):
    from spacelog import index

    monkeypatch.setattr(index, "NARROW_BELOW", narrow_below)  # 0: as a store of 4 GB or more is indexed
    monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path / "cache"))
    store = tmp_path / "s.jsonl"
    make_store(store, 2403, "mixed")
    for query in QUERIES:
        args = [*query, "--data", str(store), "--format", "jsonl"]
        plain, indexed = run(PLAIN, monkeypatch, *args), run(INDEXED, monkeypatch, *args)
        assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr), args
    (found,) = (tmp_path / "cache").glob("index-*.idx")
    with found.open("rb") as f:
        assert index.read_meta(f)["typecodes"] == {"key_off": typecode, "line_off": typecode}


@pytest.mark.parametrize("longest_seq", [999_999, 10**30])
def test_ids_of_one_date_are_in_natural_order_whatever_their_width(tmp_path, monkeypatch, longest_seq):
    """1985-005 before 1985-0004 before 1985-1000 on one date; a seq beyond 64 bits too."""
    store = tmp_path / "s.jsonl"
    make_store(store, 600, "compact")
    lines = store.read_bytes().splitlines(keepends=True)
    rng = random.Random(4)
    for seq, width in [(5, 3), (4, 4), (1000, 4), (999, 3), (7, 6), (longest_seq, 1), (6, 3)]:
        event = json.loads(lines[0]) | {"date": "1985-06-01", "end": None, "seq": seq, "id": f"1985-{seq:0{width}d}"}
        lines.insert(rng.randrange(len(lines)), json.dumps(event, ensure_ascii=False).encode() + b"\n")
    store.write_bytes(b"".join(lines))
    args = ["timeline", "--year", "1985", "--data", str(store), "--format", "tsv", "--fields", "id,date"]
    plain, indexed = run(PLAIN, monkeypatch, *args), run(INDEXED, monkeypatch, *args)
    assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr)
    assert indexed.stderr == "" and indexed.stdout.count("\t1985-06-01\n") == 7
    assert [line.split("\t")[0] for line in indexed.stdout.splitlines()] == [
        "1985-005",
        "1985-006",
        "1985-999",
        "1985-0004",
        "1985-1000",
        "1985-000007",
        f"1985-{longest_seq}",
    ]


def test_normalised_matches_are_found_at_every_size(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    make_store(store, 2400, "mixed")
    hits = run(INDEXED, monkeypatch, "search", "猎鹰9", "--data", str(store), "--format", "jsonl").stdout.splitlines()
    assert hits and all("猎鹰" in json.loads(line)["text"] for line in hits)
    raw = store.read_text(encoding="utf-8")
    assert "猎鹰9" not in raw  # no raw substring: only the normalised keys find them


def test_an_event_that_names_a_tag_twice_is_listed_once(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    make_store(store, 600, "compact")
    events = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines()]
    for event in events[::3]:  # the build's postings list these events once
        event["agencies"] += ["nasa", "nasa"]
        event["categories"] += event["categories"]
    store.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    from conftest import REGISTRY
    from spacelog.index import open_index
    from spacelog.registry import load_registry

    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    indexed = open_index(str(store), load_registry(REGISTRY))
    assert indexed is not None and indexed.meta["postings_ascending"]
    nasa = os.pread(
        indexed._index.fileno(),
        4 * indexed.meta["postings"]["agencies:nasa"][1],
        indexed.meta["sections"]["postings"][0] + 4 * indexed.meta["postings"]["agencies:nasa"][0],
    )
    assert list(memoryview(nasa).cast("i")) == indexed.tagged("agencies", "nasa") == sorted(set(indexed.tagged("agencies", "nasa")))
    for query in (["agency", "NASA"], ["timeline", "--agency", "NASA", "--category", "launch"], ["search", "空间站", "--agency", "NASA"]):
        args = [*query, "--data", str(store), "--format", "jsonl"]
        plain, indexed = run(PLAIN, monkeypatch, *args), run(INDEXED, monkeypatch, *args)
        assert (indexed.exit_code, indexed.stdout) == (plain.exit_code, plain.stdout), query
        ids = [json.loads(line)["id"] for line in indexed.stdout.splitlines()]
        assert ids and len(ids) == len(set(ids)), query


def test_bad_lines_are_reported_the_same_way(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    make_store(store, 500, "compact")
    with store.open("ab") as f:
        f.write(b"not json\n" + b'{"id": "\xff"}\n')
    args = ["search", "空间站", "--data", str(store)]
    plain, indexed = run(PLAIN, monkeypatch, *args), run(INDEXED, monkeypatch, *args)
    assert indexed.stderr == plain.stderr
    assert f"{store}:501: invalid JSON: Expecting value (column 1) (line skipped)" in indexed.stderr
    assert f"{store}:502: not valid UTF-8 (byte 9) (line skipped)" in indexed.stderr
    assert run(INDEXED, monkeypatch, *args, "--strict").exit_code == 2


def test_a_changed_store_is_reindexed(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    make_store(store, 500, "compact")
    before = run(INDEXED, monkeypatch, "search", "卡西尼", "--data", str(store)).stdout
    events = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines()]
    events = [e for e in events if "卡西尼" not in e["text"]]
    store.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    after = run(INDEXED, monkeypatch, "search", "卡西尼", "--data", str(store))
    assert before and after.exit_code == 1 and after.stdout == ""


def test_hostile_lines_are_escaped_on_the_fast_path_too(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    event = dict(shipped_events()[0], text="1月3日，\u202egnp.exe\x9b\x7f")
    store.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    out = run(INDEXED, monkeypatch, "search", "1月3日", "--data", str(store), "--format", "jsonl").stdout
    assert "\u202e" not in out and "\x9b" not in out and "\x7f" not in out
    assert json.loads(out)["text"] == event["text"]


def test_table_rows_escape_hostile_text_among_many_safe_rows(tmp_path, monkeypatch):
    """Listings of many events decode them in blocks; a row is escaped cell by cell only when it must be."""
    store = tmp_path / "s.jsonl"
    base = shipped_events()[0]
    events = [dict(base, id=f"2017-{k:03d}", seq=k, text=f"1月3日，第{k}次\ttab" if k == 50 else f"1月3日，第{k}次") for k in range(1, 101)]
    store.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    rows = run(INDEXED, monkeypatch, "search", "1月3日", "--data", str(store), "--format", "tsv", "--fields", "id,text,seq").stdout.splitlines()
    assert len(rows) == 100
    assert rows[48:51] == ["2017-049\t1月3日，第49次\t49", "2017-050\t1月3日，第50次\\x09tab\t50", "2017-051\t1月3日，第51次\t51"]


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from spacelog.render import progress_bar

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress_bar() is None  # a pipe or a file gets nothing
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    update = progress_bar()
    assert update is not None
    update(50, 100)
    update(100, 100)  # done: the bar stops
    assert "indexing the store" in terminal.getvalue()


def test_the_inverted_index_finds_exactly_what_a_scan_finds(tmp_path, monkeypatch):
    """Every substring of some keys (1 to 7 characters), and pairs found apart but never together."""
    from conftest import REGISTRY
    from spacelog.index import open_index
    from spacelog.query import MemorySource
    from spacelog.registry import load_registry
    from spacelog.store import load_store

    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    store = tmp_path / "s.jsonl"
    make_store(store, 2400, "mixed")
    registry = load_registry(REGISTRY)
    memory = MemorySource(load_store([str(store)], registry))
    indexed = open_index(str(store), registry)
    assert indexed is not None
    keys = [memory.text_key(i) for i in range(memory.n)]
    rng = random.Random(3)
    terms = {"卡西尼", "猎鹰9", "空间站", "站", "9", "zz", "间空", "西卡"}
    for key in rng.sample(keys, 40):
        for length in range(1, 8):
            start = rng.randrange(max(1, len(key) - length))
            terms.add(key[start : start + length])
    for term in sorted(terms):
        assert indexed.containing(term) == memory.containing(term), term
    assert indexed.containing("猎鹰9") and "猎鹰9" not in store.read_text(encoding="utf-8")


def test_pairs_apart_are_not_a_match(tmp_path, monkeypatch):
    """卡西 and 西尼 in one event's text but not 卡西尼: the candidate is verified against its key."""
    monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
    base = shipped_events()[0]
    texts = ["卡西、西尼号", "“卡西”尼号抵达", "卡西尼号抵达", "猎鹰", "“猎”鹰9"]
    store = tmp_path / "s.jsonl"
    lines = [
        json.dumps(dict(base, id=f"2017-{k + 1:03d}", seq=k + 1, text=t, agencies=[], people=[], vehicles=[]), ensure_ascii=False) for k, t in enumerate(texts)
    ]
    store.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def found(*terms: str) -> list[str]:
        result = run(INDEXED, monkeypatch, "search", *terms, "--data", str(store), "--format", "jsonl")
        return [json.loads(line)["text"] for line in result.stdout.splitlines()]

    assert found("卡西尼") == ["“卡西”尼号抵达", "卡西尼号抵达"]
    assert found("猎鹰") == ["猎鹰", "“猎”鹰9"]
    assert found("猎鹰9") == ["“猎”鹰9"]
    assert found("西尼号", "卡西") == ["卡西、西尼号", "“卡西”尼号抵达", "卡西尼号抵达"]
    assert found("卡西尼号", "抵达") == ["“卡西”尼号抵达", "卡西尼号抵达"]


def split_store(store: Path, folder: Path, files: int, interleaved: bool) -> list[Path]:
    """The store's lines in `files` files: consecutive runs, or dealt out in turn (dates and ids then overlap)."""
    lines = store.read_bytes().splitlines(keepends=True)
    folder.mkdir()
    paths = [folder / f"part-{k}.jsonl" for k in range(files)]
    for k, path in enumerate(paths):
        path.write_bytes(b"".join(lines[k::files] if interleaved else lines[k * len(lines) // files : (k + 1) * len(lines) // files]))
    return paths


@pytest.mark.parametrize("interleaved", [False, True])
def test_a_folder_and_several_files_are_indexed_file_by_file(tmp_path, monkeypatch, interleaved):
    store = tmp_path / "s.jsonl"
    make_store(store, 2400, "mixed")
    with store.open("ab") as f:
        f.write(b"not json\n")
    paths = split_store(store, tmp_path / "folder", 3, interleaved)
    for data in (["--data", str(tmp_path / "folder")], [arg for p in paths for arg in ("--data", str(p))]):
        for query in QUERIES:
            for fmt in ("jsonl", "tsv"):
                args = [*query, *data, "--format", fmt]
                plain = run(PLAIN, monkeypatch, *args)
                indexed = run(INDEXED, monkeypatch, *args)
                assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr), (interleaved, args)
    from spacelog.cache import entry_name

    assert all((Path(os.environ["SPACELOG_CACHE"]) / f"{entry_name('index', p)}.idx").is_file() for p in paths)  # one index a file


def test_an_id_in_two_files_is_reported_as_a_full_read_reports_it(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    make_store(store, 1200, "compact")
    paths = split_store(store, tmp_path / "folder", 2, False)
    first = paths[0].read_bytes().splitlines(keepends=True)
    with paths[1].open("ab") as f:
        f.write(first[5] + first[5])  # an id of the first file, twice in the second
    for query in (["search", "空间站"], ["timeline", "--month", "3"], ["show", json.loads(first[5])["id"]]):
        args = [*query, "--data", str(tmp_path / "folder"), "--format", "jsonl"]
        plain, indexed = run(PLAIN, monkeypatch, *args), run(INDEXED, monkeypatch, *args)
        assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr)
        assert f"duplicate id {json.loads(first[5])['id']} (first at {paths[0]}:6)" in indexed.stderr


def test_a_path_written_another_way_is_reported_as_written(tmp_path, monkeypatch):
    store = tmp_path / "s.jsonl"
    make_store(store, 600, "compact")
    with store.open("ab") as f:
        f.write(store.read_bytes().splitlines(keepends=True)[0] + b"oops\n")
    run(INDEXED, monkeypatch, "search", "空间站", "--data", str(store))
    monkeypatch.chdir(tmp_path)
    for spelling in ("s.jsonl", "./s.jsonl"):
        stderr = run(INDEXED, monkeypatch, "search", "空间站", "--data", spelling).stderr
        assert f"{spelling}:601: duplicate id 1990-001 (first at {spelling}:1)" in stderr and f"{spelling}:602: invalid JSON" in stderr


@pytest.mark.parametrize("second_half", ["clean", "bad lines", "an id of the first half", "lines that start with a BOM"])
def test_a_build_on_two_cores_writes_the_same_index(tmp_path, monkeypatch, second_half):
    """The second half of the store read by a child process: the same bytes as one process writes."""
    from spacelog import builder

    store = tmp_path / "s.jsonl"
    make_store(store, 2403, "mixed")
    lines = store.read_bytes().splitlines(keepends=True)
    if second_half == "bad lines":
        lines[2000:2000] = [b"not json\n", b"\n", lines[1900]]  # a duplicate within the second half
    elif second_half == "an id of the first half":
        lines.insert(2100, lines[10])
    elif second_half == "lines that start with a BOM":  # only the store's first line may (the cut is among the others)
        for k in (0, *range(1100, 1300)):
            lines[k] = b"\xef\xbb\xbf" + lines[k]
    store.write_bytes(b"".join(lines))
    joined = []
    child_half = builder._child_half
    monkeypatch.setattr(builder, "_child_half", lambda child: joined.append(child_half(child)) or joined[-1])
    built = {}
    for cores, threshold in (("one", 10**12), ("two", 0)):
        monkeypatch.setattr(builder, "TWO_CORES_FROM", threshold)
        cache = tmp_path / f"cache-{cores}"
        monkeypatch.setenv("SPACELOG_CACHE", str(cache))
        result = run(INDEXED, monkeypatch, "search", "空间站", "--data", str(store), "--format", "jsonl")
        built[cores] = (result.stdout, result.stderr, next(cache.glob("index-*.idx")).read_bytes())
    assert built["one"] == built["two"]
    assert len(joined) == 1 and joined[0] is not None and joined[0][0].ids and joined[0][1]  # the child read the second half and paired its keys
    assert built["two"][0].count("\n") > 500
    assert ("duplicate id" in built["two"][1]) == (second_half in ("bad lines", "an id of the first half"))
    lines_said = {"clean": [], "bad lines": [2001, 2003, 1901], "an id of the first half": [2101, 11], "lines that start with a BOM": list(range(1101, 1301))}
    assert [int(n) for n in re.findall(r"s\.jsonl:(\d+)\b", built["two"][1])] == lines_said[second_half]  # counted from the store's first line
