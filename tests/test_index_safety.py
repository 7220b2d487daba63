"""The index under concurrency, damage and a cache that cannot hold it: every answer
is byte for byte what a full read gives, or one warning and then that answer."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spacelog import index, parallel
from test_index import make_store

PLAIN = {"SPACELOG_INDEX_MIN_BYTES": str(10**12)}
INDEXED = {"SPACELOG_INDEX_MIN_BYTES": "0"}
QUERY = ["search", "空间站", "--format", "jsonl"]


def spacelog(*args: str, cache: Path, env: dict | None = None, **kwargs) -> subprocess.Popen:
    full_env = {**os.environ, **INDEXED, "SPACELOG_CACHE": str(cache), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "spacelog", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, **kwargs)


def run(*args: str, cache: Path, env: dict | None = None, **kwargs) -> tuple[int, bytes, bytes]:
    proc = spacelog(*args, cache=cache, env=env, **kwargs)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def full_read(store: Path, tmp_path: Path, args=QUERY) -> tuple[int, bytes, bytes]:
    return run(*args, "--data", str(store), cache=tmp_path / "plain-cache", env=PLAIN)


def in_process(*args: str, cache: Path, env: dict | None = None) -> tuple[int, bytes, bytes]:
    """The CLI in this process (faster), for what is not about processes."""
    from typer.testing import CliRunner

    from spacelog.cli import app

    result = CliRunner().invoke(app, list(args), env={**INDEXED, "SPACELOG_CACHE": str(cache), **(env or {})})
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def index_file(cache: Path) -> Path:
    (found,) = cache.glob("index-*.idx")
    return found


def sections(path: Path) -> dict:
    from spacelog.index import read_meta  # imported here, so that the other tests run on any version

    with open(path, "rb") as f:
        return read_meta(f)["sections"]


# ------------------------------------------------------------------ concurrency
def concurrent_first_queries(tmp_path: Path, events: int, processes: int, rounds: int) -> None:
    store = tmp_path / "s.jsonl"
    make_store(store, events, "mixed")
    queries = [QUERY, ["timeline", "--month", "3", "--format", "jsonl"], ["search", "卡西尼", "--format", "tsv"], ["agency", "NASA", "--format", "csv"]]
    expected = [full_read(store, tmp_path, q) for q in queries]
    assert expected[0][0] == 0 and expected[0][1].count(b"\n") > events // 20
    for round_ in range(rounds):
        cache = tmp_path / f"cache-{round_}"  # a fresh cache: every process finds no index
        procs = [(k, spacelog(*queries[k % len(queries)], "--data", str(store), cache=cache)) for k in range(processes)]
        for k, proc in procs:
            out, err = proc.communicate(timeout=120)
            assert (proc.returncode, out, err) == expected[k % len(queries)], (round_, k, err.decode())
        assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_concurrent_first_queries_answer_exactly(tmp_path):
    concurrent_first_queries(tmp_path, events=2400, processes=4, rounds=3)


@pytest.mark.slow
def test_concurrent_first_queries_answer_exactly_many_rounds(tmp_path):
    concurrent_first_queries(tmp_path, events=30000, processes=6, rounds=8)


def readers_while_the_store_is_replaced(tmp_path: Path, events: int, seconds: float) -> int:
    """One process replaces the store as ingest does (copy, then rename) and queries it;
    readers query it all the while; each answer is exactly the full read of one version."""
    versions = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    make_store(versions[0], events, "compact", seed=1)
    make_store(versions[1], events + events // 10, "spaced", seed=2)  # other lines at other offsets
    expected = {full_read(v, tmp_path) for v in versions}
    assert len(expected) == 2
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    store.write_bytes(versions[0].read_bytes())
    writer = f"""
import os, shutil, subprocess, sys, time
end = time.time() + {seconds}
k = 0
while time.time() < end:
    k += 1
    shutil.copyfile({str(versions[0])!r} if k % 2 == 0 else {str(versions[1])!r}, {str(store)!r} + ".tmp")
    os.replace({str(store)!r} + ".tmp", {str(store)!r})
    subprocess.run([sys.executable, "-m", "spacelog", "search", "卡西尼", "--data", {str(store)!r}], stdout=subprocess.DEVNULL)
"""
    env = {**os.environ, **INDEXED, "SPACELOG_CACHE": str(cache)}
    writing = subprocess.Popen([sys.executable, "-c", writer], env=env)
    answers = 0
    try:
        while writing.poll() is None:
            readers = [spacelog(*QUERY, "--data", str(store), cache=cache) for _ in range(3)]
            for proc in readers:
                out, err = proc.communicate(timeout=120)
                assert (proc.returncode, out, err) in expected, err.decode()
                answers += 1
    finally:
        writing.wait(timeout=120)
    assert writing.returncode == 0
    return answers


def test_readers_while_the_store_is_replaced(tmp_path):
    assert readers_while_the_store_is_replaced(tmp_path, events=2400, seconds=4) >= 6


@pytest.mark.slow
def test_readers_while_the_store_is_replaced_many_rounds(tmp_path):
    assert readers_while_the_store_is_replaced(tmp_path, events=30000, seconds=60) >= 30


# ------------------------------------------------------------------ stale and damaged indexes
def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path):
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 8000, "compact")  # 4 MB: the edit is far from both ends
    assert in_process(*QUERY, "--data", str(store), cache=cache)[0] == 0
    before = os.stat(store)
    data = store.read_bytes()
    middle = data.index("成功".encode(), len(data) // 2)
    lines = (data[:middle] + "独角".encode() + data[middle + 6 :]).split(b"\n")  # the same length in bytes
    k = len(lines) // 2
    assert len(lines[k]) != len(lines[k + 1])
    lines[k], lines[k + 1] = lines[k + 1], lines[k]  # every line boundary between them moves
    store.write_bytes(b"\n".join(lines))
    os.utime(store, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (os.stat(store).st_size, os.stat(store).st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    for args in (["search", "独角", "--format", "jsonl"], QUERY):
        expected = in_process(*args, "--data", str(store), cache=tmp_path / "plain", env=PLAIN)
        assert expected[0] == 0
        assert in_process(*args, "--data", str(store), cache=cache) == expected


def damage_cases(path: Path) -> dict:
    s = sections(path)

    def flip(name: str, at: int = 1, byte: int = 0x10):
        def apply(data: bytearray) -> bytearray:
            data[s[name][0] + at] ^= byte
            return data

        return apply

    def zero(name: str):
        def apply(data: bytearray) -> bytearray:
            data[s[name][0] : s[name][0] + s[name][1]] = bytes(s[name][1])
            return data

        return apply

    return {
        "keys truncated to half": lambda d: d[: s["keys"][0] + s["keys"][1] // 2],
        "a bit of key_off flipped": flip("key_off", 8 * 1200 + 1),
        "a bit of line_off flipped": flip("line_off", 8 * 1000 + 1),
        "a bit of keys flipped": flip("keys", s["keys"][1] // 2, 0x01),
        "a bit of the last key flipped": flip("keys", s["keys"][1] - 3, 0x01),
        "key_off zeroed": zero("key_off"),
        "line_off zeroed": zero("line_off"),
        "line_len zeroed": zero("line_len"),  # read ahead by a thread while a search verifies its candidates
        "postings zeroed": zero("postings"),
        "ids zeroed": zero("ids"),
        "grams zeroed": zero("grams"),
        "gram_start zeroed": zero("gram_start"),
        "gram_crc zeroed": zero("gram_crc"),
        "key_crc zeroed": zero("key_crc"),
        "key_crc_to zeroed": zero("key_crc_to"),
        "gram_postings zeroed": zero("gram_postings"),
        "trailer damaged": lambda d: d[:-30] + bytes(10) + d[-20:],
        "emptied": lambda d: bytearray(),
    }


@pytest.mark.parametrize(
    "case",
    [
        "keys truncated to half",
        "a bit of key_off flipped",
        "a bit of line_off flipped",
        "a bit of keys flipped",
        "key_off zeroed",
        "line_off zeroed",
        "line_len zeroed",
        "postings zeroed",
        "ids zeroed",
        "grams zeroed",
        "gram_start zeroed",
        "gram_crc zeroed",
        "key_crc zeroed",
        "key_crc_to zeroed",
        "gram_postings zeroed",
        "trailer damaged",
        "emptied",
    ],
)
def test_a_damaged_index_is_rebuilt_with_one_warning(tmp_path, case):
    rebuilt_with_one_warning(tmp_path, case)


@pytest.mark.parametrize("case", ["keys truncated to half", "a bit of keys flipped", "a bit of the last key flipped", "key_crc zeroed", "key_crc_to zeroed"])
def test_damaged_keys_are_found_by_a_child_that_checks_half_the_candidates(tmp_path, monkeypatch, case):
    monkeypatch.setattr(index, "SHARED_CANDIDATES", 2)  # the broad and the selective search share their candidates
    monkeypatch.setattr(parallel, "_cores", 2)
    rebuilt_with_one_warning(tmp_path, case)


def rebuilt_with_one_warning(tmp_path: Path, case: str) -> None:
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    selective = ["search", "卡西尼", "--format", "jsonl"]  # few candidates: each checked by its blocks of keys
    queries = [QUERY, selective, ["search", "zzzzqqq"], ["agency", "NASA", "--format", "jsonl"], ["show", "1995-010", "--format", "jsonl"]]
    expected = [in_process(*q, "--data", str(store), cache=tmp_path / "plain", env=PLAIN) for q in queries]
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected[0]
    pristine = index_file(cache).read_bytes()
    warned: dict[str, int] = {}
    for query, answer in zip(queries, expected, strict=True):
        path = index_file(cache)
        path.write_bytes(bytes(damage_cases(path)[case](bytearray(pristine))))
        code, out, err = in_process(*query, "--data", str(store), cache=cache)
        assert (code, out) == answer[:2], (query, err.decode())
        extra = err.decode().removesuffix(answer[2].decode()).splitlines()
        assert err.decode().endswith(answer[2].decode()) and len(extra) <= 1, err.decode()  # a query that reads no damaged byte says nothing
        assert all(line.startswith(f"spacelog: the index of {store} in the cache is damaged (") and line.endswith("); rebuilding it") for line in extra)
        warned[case] = warned.get(case, 0) + len(extra)
        assert in_process(*query, "--data", str(store), cache=cache) == answer  # repaired, or still unread: no warning
    assert warned[case] >= 1


def test_a_missing_index_file_is_rebuilt_silently(tmp_path):
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    expected = in_process(*QUERY, "--data", str(store), cache=tmp_path / "plain", env=PLAIN)
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected
    index_file(cache).unlink()
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected


def test_an_index_of_another_format_is_rebuilt_silently(tmp_path):
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    expected = in_process(*QUERY, "--data", str(store), cache=tmp_path / "plain", env=PLAIN)
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected
    path = index_file(cache)
    data = bytearray(path.read_bytes())
    data[6:8] = data[-2:] = b"%02d" % (int(index.MAGIC[6:]) - 1)  # what an earlier spacelog wrote
    path.write_bytes(bytes(data))
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected
    assert index_file(cache).read_bytes()[:8] == index.MAGIC
    data[6:8] = data[-2:] = b"x8"  # not a version: damage
    path.write_bytes(bytes(data))
    code, out, err = in_process(*QUERY, "--data", str(store), cache=cache)
    assert (code, out) == expected[:2] and err.decode().startswith(f"spacelog: the index of {store} in the cache is damaged (")


# ------------------------------------------------------------------ leftovers and a cache that cannot hold the index
def test_killed_builds_leave_nothing_behind(tmp_path):
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 20000, "compact")
    proc = spacelog(*QUERY, "--data", str(store), cache=cache)
    deadline = time.time() + 60
    while not list(cache.glob(".index-*")) and time.time() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(cache.glob(".index-*"))  # what a killed build leaves
    old = cache / ".index-0badcafe"  # an older spacelog's temporary folder, two hours old
    old.mkdir()
    (old / "keys").write_bytes(b"x" * 1000)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    expected = full_read(store, tmp_path)
    assert run(*QUERY, "--data", str(store), cache=cache) == expected
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []


def test_a_cache_that_cannot_hold_the_index_warns_once(tmp_path):
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    expected = full_read(store, tmp_path)
    cache.mkdir()
    name = f"index-{__import__('binascii').crc32(str(store).encode()):08x}.idx"
    (cache / name).mkdir()  # something else where the index should go
    code, out, err = run(*QUERY, "--data", str(store), cache=cache)
    assert (code, out) == expected[:2]
    assert err.decode().startswith(f"spacelog: cannot keep an index of {store} in {cache} (")
    assert err.decode().count("\n") == 1
    for _ in range(2):
        assert run(*QUERY, "--data", str(store), cache=cache) == expected  # remembered: no warning, no build
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []


def test_a_nearly_full_disk_is_noticed_once(tmp_path):
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    expected = full_read(store, tmp_path)

    def small_files() -> None:  # writes past 200 kB fail, as on a nearly full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    code, out, err = run(*QUERY, "--data", str(store), cache=cache, preexec_fn=small_files)
    assert (code, out) == expected[:2]
    assert "File too large" in err.decode() and err.decode().count("\n") == 1
    start = time.perf_counter()
    assert run(*QUERY, "--data", str(store), cache=cache, preexec_fn=small_files) == expected
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []
    assert run(*QUERY, "--data", str(store), cache=cache) == expected  # the marker stands until the store changes
    store.write_bytes(store.read_bytes() + b"\n")
    assert run(*QUERY, "--data", str(store), cache=cache) == expected  # then the index is built
    assert list(cache.glob("index-*.idx")) and not list(cache.glob("*.unusable"))
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize("failing", ["the thread beside", "the building thread", "the other sections"])
def test_a_disk_that_fills_during_the_postings_is_noticed_as_ever(tmp_path, monkeypatch, failing):
    """Both threads write bigram postings: whichever meets a full disk, the same one sentence and answer."""
    import errno
    import threading

    from spacelog import builder, grams

    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    expected = in_process(*QUERY, "--data", str(store), cache=tmp_path / "plain", env=PLAIN)
    monkeypatch.setattr(grams, "RANGE_POSTINGS", 1)  # a range a bigram: ranges for both threads
    failed, write_at, write_sections = threading.Event(), grams.write_at, builder._write_sections
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_disk_at(fd: int, data, offset: int) -> int:  # the other thread writes once this one failed
        if (threading.current_thread() is threading.main_thread()) == (failing == "the building thread"):
            failed.set()
            raise full
        assert failed.wait(30)
        return write_at(fd, data, offset)

    def full_disk_sections(*args):
        failed.set()
        raise full

    if failing == "the other sections":
        monkeypatch.setattr(builder, "_write_sections", full_disk_sections)
    else:
        monkeypatch.setattr(grams, "write_at", full_disk_at)
    code, out, err = in_process(*QUERY, "--data", str(store), cache=cache)
    assert (code, out) == expected[:2]
    assert err.decode() == f"spacelog: cannot keep an index of {store} in {cache} (No space left on device); reading the store whole until it changes\n"
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == [] and not list(cache.glob("index-*.idx"))
    monkeypatch.setattr(grams, "write_at", write_at)
    monkeypatch.setattr(builder, "_write_sections", write_sections)
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected  # the marker stands until the store changes
    assert not list(cache.glob("index-*.idx"))


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError])
def test_a_build_that_stops_early_ends_the_child_reading_the_other_half(tmp_path, monkeypatch, stop):
    """Ctrl-C sent to the parent alone (kill -INT), or an error while it reads its half: the child
    reading the other half is ended and reaped, not left to read on."""
    from spacelog import builder
    from spacelog.registry import load_registry

    store = tmp_path / "s.jsonl"
    make_store(store, 3000, "compact")
    monkeypatch.setattr(builder, "TWO_CORES_FROM", 0)
    monkeypatch.setattr(parallel, "available", lambda: True)
    parent, children = os.getpid(), []
    scan_in_child = builder._scan_in_child

    def forked(*args):
        child = scan_in_child(*args)
        children.append(child[0])
        return child

    def scan(*args, **kwargs):
        if os.getpid() != parent:
            time.sleep(60)  # the child: still reading when the parent stops
        raise stop

    monkeypatch.setattr(builder, "_scan_in_child", forked)
    monkeypatch.setattr(builder.Half, "scan", scan)
    try:
        with store.open("rb") as f, (tmp_path / "index").open("wb") as out, pytest.raises(stop):
            builder.build(str(store), f, load_registry([]), out, {}, None, tmp_path)
        assert len(children) == 1
        with pytest.raises(ChildProcessError):  # reaped: no such child any more
            os.waitpid(children[0], os.WNOHANG)
    finally:
        for pid in children:  # without the fix: stop the sleeper
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
