"""Streams, signals and locales, as real processes: a full disk, closed streams, closed
pipes, Ctrl-C during start-up, non-UTF-8 locales and names, a narrow terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REGISTRY, STORE, cli, run_process
from test_index import make_store

SPACELOG = f"{sys.executable} -m spacelog"


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """Enough events that every format's output overflows a pipe's buffer."""
    path = tmp_path_factory.mktemp("big") / "s.jsonl"
    make_store(path, 2400, "compact")
    return path


def test_a_full_disk_is_one_sentence_and_status_2():
    result = run_process(shell=f"{SPACELOG} search 空间站 > /dev/full")
    assert (result.returncode, result.stderr) == (2, b"spacelog: cannot write the output (No space left on device)\n")


def test_a_closed_stdout_is_one_sentence_and_status_2():
    result = run_process(shell=f"{SPACELOG} search 空间站 >&-")
    assert (result.returncode, result.stderr) == (2, b"spacelog: cannot write the output (Bad file descriptor)\n")


@pytest.mark.parametrize("args", ["", "--help", "search --help", "--version", "--show-completion bash"])
def test_help_and_version_that_cannot_be_written_are_one_sentence_and_status_2(args):
    for redirect, reason in (("> /dev/full", "No space left on device"), (">&-", "Bad file descriptor")):
        result = run_process(shell=f"{SPACELOG} {args} {redirect}")
        assert (result.returncode, result.stderr) == (2, f"spacelog: cannot write the output ({reason})\n".encode()), (args, redirect)
    closed_pipe = run_process(shell=f"{SPACELOG} {args} | (exec 0<&-; sleep 0.5); exit ${{PIPESTATUS[0]}}")
    assert (closed_pipe.returncode, closed_pipe.stderr) == (0, b""), args


def test_a_closed_stderr_changes_neither_output_nor_status(tmp_path):
    store = tmp_path / "s.jsonl"
    store.write_bytes(STORE.read_bytes() + b"not json\n")  # a warning on every query
    normal = run_process(shell=f"{SPACELOG} search 空间站 --data {store}")
    closed = run_process(shell=f"{SPACELOG} search 空间站 --data {store} 2>&-")
    assert normal.returncode == closed.returncode == 0
    assert b"line skipped" in normal.stderr
    assert closed.stdout == normal.stdout and len(closed.stdout.splitlines()) == 37


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl"])
def test_a_closed_pipe_is_status_0_for_every_command(big_store, fmt):
    for command in ("search 空间站", "timeline", "agency NASA", "agency", "who 惠特森", "show 1990-001"):
        result = run_process(shell=f"{SPACELOG} {command} --data {big_store} --format {fmt} | head -c 1 > /dev/null; exit ${{PIPESTATUS[0]}}")
        assert (result.returncode, result.stderr) == (0, b""), (command, fmt)


def test_the_process_ends_at_once_with_every_byte_written_and_the_index_kept(big_store, tmp_path):
    """entry.end skips the interpreter's teardown: the output and the index it built must be whole."""
    env = {"SPACELOG_INDEX_MIN_BYTES": "1", "SPACELOG_CACHE": str(tmp_path / "cache")}
    expected = cli("search", "空间站", "--data", str(big_store), "--format", "jsonl").stdout.encode()
    assert len(expected.splitlines()) > 1000
    built = []
    for run in ("build", "reuse"):
        result = run_process(shell=f"{SPACELOG} search 空间站 --data {big_store} --format jsonl > {tmp_path / run}", env=env)
        assert (result.returncode, result.stderr, (tmp_path / run).read_bytes()) == (0, b"", expected), run
        built.append({p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache").iterdir() if p.suffix in (".idx", ".tmp")})
    assert built[0] == built[1] and [name.endswith(".idx") for name in built[0]] == [True]  # built once, whole, then reused
    nothing = run_process("search", "zzzzqqq", "--data", str(big_store), env=env)
    assert (nothing.returncode, nothing.stdout) == (1, b"")


def test_a_command_runs_without_the_cycle_collector_and_its_cycles_do_not_grow_with_the_store(big_store):
    """The collector only walked the rows a command lists: the cycles a process leaves are its imports'."""
    enter = (
        "import gc, os, spacelog.entry as e; ending = e.end;"
        "e.end = lambda status: os.write(2, b'%d %d' % (gc.isenabled(), gc.collect())) and ending(status); e.run()"
    )
    left = {}
    for store in (STORE, big_store):
        result = subprocess.run([sys.executable, "-c", enter, "search", "空间站", "--data", str(store), "--format", "jsonl"], capture_output=True)
        enabled, cycles = map(int, result.stderr.split())
        assert (result.returncode, enabled) == (0, 0) and result.stdout.count(b"\n") > (10 if store == STORE else 1000)
        left[store] = cycles
    assert abs(left[STORE] - left[big_store]) < 100, left


def test_color_never_draws_no_progress_bar_while_the_index_is_built(big_store, tmp_path):
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "SPACELOG_INDEX_MIN_BYTES": "1", "SPACELOG_CACHE": str(tmp_path / "cache"), "SPACELOG_PAGER": ""}
    env.pop("NO_COLOR", None)
    argv = [sys.executable, "-m", "spacelog", "search", "空间站", "--count", "--color", "never", "--data", str(big_store)]
    with subprocess.Popen(argv, stdout=follower, stderr=follower, env=env) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 0
    os.close(leader)
    assert list((tmp_path / "cache").glob("*.idx")) and b"\x1b" not in shown and shown.strip().isdigit()


def test_ctrl_c_during_start_up_exits_130_without_a_traceback():
    """SIGINT at every moment of spacelog's start-up (imports of Typer, the store, the query).

    The child says when the interpreter's own start-up and the import of the entry module
    are over (a SIGINT inside Python's site initialisation, before any code of spacelog's
    runs, is Python's to report), then enters as the console script does.
    """
    enter = "import os, spacelog.entry; os.write(1, b'R'); spacelog.entry.run()"
    for delay in [0.004 * k for k in range(25)]:
        proc = subprocess.Popen([sys.executable, "-c", enter, "search", "空间站"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout.read(1) == b"R"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        # 130, or killed by the SIGINT itself once Python has restored the default handler
        # while exiting (the shell reports both as 130), and never a word on stderr
        assert proc.returncode in (130, -signal.SIGINT) or (proc.returncode, len(out.splitlines())) == (0, 37), (delay, proc.returncode)
        assert err == b"", (delay, err.decode())


# ------------------------------------------------------------------ locales and names
@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl"])
def test_chinese_is_written_as_utf8_whatever_pythonioencoding_says(fmt):
    normal = run_process("search", "空间站", "--format", fmt)
    latin = run_process("search", "空间站", "--format", fmt, env={"PYTHONIOENCODING": "latin-1"})
    assert (latin.returncode, latin.stdout, latin.stderr) == (0, normal.stdout, b"")


@pytest.fixture(scope="module")
def latin1_locale(tmp_path_factory) -> dict:
    """A real ISO-8859-1 locale, compiled into a private folder (LOCPATH)."""
    folder = tmp_path_factory.mktemp("locales")
    made = subprocess.run(["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(folder / "en_US.ISO-8859-1")], capture_output=True)
    env = {"LOCPATH": str(folder), "LC_ALL": "en_US.ISO-8859-1"}
    check = subprocess.run([sys.executable, "-c", "import sys; print(sys.getfilesystemencoding())"], capture_output=True, env={**os.environ, **env})
    if made.returncode not in (0, 1) or check.stdout.strip() != b"iso8859-1":
        pytest.skip("localedef cannot make an ISO-8859-1 locale here")
    return env


def test_utf8_arguments_under_a_latin1_locale_are_read_as_typed(latin1_locale):
    normal = run_process("search", "空间站", "--format", "tsv")
    latin = run_process("search", "空间站", "--format", "tsv", env=latin1_locale)
    assert (latin.returncode, latin.stdout, latin.stderr) == (0, normal.stdout, b"")
    assert len(latin.stdout.splitlines()) == 37


def test_latin1_arguments_under_a_latin1_locale_are_read_as_the_locale_says(latin1_locale):
    result = run_process(shell=SPACELOG + " who \"$(printf 'caf\\351')\"", env=latin1_locale)
    assert result.returncode == 1
    assert "no name matches 'café' well enough".encode() in result.stderr


def test_a_utf8_file_name_that_a_latin1_locale_cannot_encode_is_one_sentence(latin1_locale, tmp_path):
    folder = tmp_path / "数据"
    folder.mkdir()
    (folder / "events.jsonl").write_bytes(STORE.read_bytes())
    result = run_process("search", "空间站", "--data", str(folder / "events.jsonl"), env=latin1_locale)
    assert result.returncode == 2
    assert result.stderr == "spacelog: '数据' cannot be encoded as latin-1; use a UTF-8 locale, e.g. LC_ALL=C.UTF-8\n".encode()


def test_store_and_registry_paths_that_are_not_utf8_work(tmp_path):
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/\xff\xfe"))
    folder.mkdir()
    (folder / "events.jsonl").write_bytes(b"".join([STORE.read_bytes()] * 1))
    (folder / "entities.toml").write_bytes(REGISTRY.read_bytes())
    cache = tmp_path / "cache"
    normal = run_process("search", "空间站", env={"SPACELOG_CACHE": str(cache)})
    for index in ("0", str(10**12)):
        env = {
            "SPACELOG_DATA": os.fsencode(folder / "events.jsonl"),
            "SPACELOG_REGISTRY": os.fsencode(folder / "entities.toml"),
            "SPACELOG_CACHE": str(cache),
            "SPACELOG_INDEX_MIN_BYTES": index,
        }
        for _ in range(2):  # the second run reads the caches the first wrote
            result = run_process("search", "空间站", env=env)
            assert (result.returncode, result.stdout, result.stderr) == (0, normal.stdout, b"")
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []  # no temporary file leaked
    assert len(list(cache.glob("registry-*.json"))) == 2 and len(list(cache.glob("index-*.idx"))) == 1


# ------------------------------------------------------------------ a narrow terminal
@pytest.mark.parametrize("command", [["search", "卡西尼"], ["timeline", "--month", "9"], ["show", "2017-051"], ["agency", "NASA", "--month", "9"]])
def test_a_narrow_terminal_prints_one_field_a_line_and_keeps_every_value(monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "10")
    result = cli(*command, "--format", "table")
    assert result.exit_code == 0
    text = "9 月 15 日，NASA“卡西尼”号探测器主动坠入土星大气，结束了成就卓越的探索之旅。“卡西尼”号于 2004 年 7 月 1 日进入土星轨道，此后通过多次调整运行轨道，对土星及其卫星进行了细致入微的观测，得到了很多重要发现，这使得土卫二成为搜索地外生命的重要候选目标。"
    lines = result.stdout.splitlines()
    assert "id: 2017-051" in lines
    assert "date: 2017-09-15" in lines
    assert f"event: {text}" in lines or f"text: {text}" in lines


def test_the_narrow_listing_is_exact(monkeypatch):
    monkeypatch.setenv("COLUMNS", "10")
    result = cli("search", "卡西尼", "--format", "table")
    assert result.stdout.splitlines()[:3] == ["id: 2017-051", "date: 2017-09-15", result.stdout.splitlines()[2]]
    assert result.stdout.splitlines()[2].startswith("event: 9 月 15 日，NASA“卡西尼”号") and result.stdout.splitlines()[3] == ""
