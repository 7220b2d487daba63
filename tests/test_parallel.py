"""parallel: a child process makes and writes every other part, in order; whatever goes wrong
in it, the output and the errors are the ones one process gives."""

from __future__ import annotations

import errno
import os
import time

import pytest

from spacelog import parallel


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setattr(parallel, "_cores", 2)  # the mechanism is tested on any machine


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def tagged_part(i: int, fail_in_child: bool = False):
    """Part i: two blocks naming the part and the process that made it."""

    def make():
        if fail_in_child and parallel._in_child:
            raise ValueError("cannot make it here")
        return [f"{i}a:{os.getpid()}\n".encode(), f"{i}b:{os.getpid()}\n".encode()]

    return make


def run_in_turn(tmp_path, parts, write=None):
    out = (tmp_path / "out").open("wb")
    try:
        parallel.in_turn(parts, write or out.write, out.flush)
    finally:
        out.close()
    return [line.split(":") for line in (tmp_path / "out").read_text().splitlines()]


@pytest.mark.parametrize("count", [1, 2, 3, 8, 9])
def test_parts_come_out_in_order_every_other_one_made_by_the_child(tmp_path, count):
    lines = run_in_turn(tmp_path, [tagged_part(i) for i in range(count)])
    assert [name for name, _ in lines] == [f"{i}{half}" for i in range(count) for half in "ab"]
    makers = {name: int(pid) for name, pid in lines}
    assert {makers[f"{i}a"] for i in range(0, count, 2)} == {os.getpid()}
    if count > 1:
        (child,) = {makers[f"{i}a"] for i in range(1, count, 2)}
        assert child != os.getpid()
    assert no_child_left()


def test_a_part_the_child_cannot_make_is_made_here_and_so_is_the_rest(tmp_path):
    lines = run_in_turn(tmp_path, [tagged_part(i, fail_in_child=True) for i in range(6)])
    assert [name for name, _ in lines] == [f"{i}{half}" for i in range(6) for half in "ab"]
    assert {int(pid) for _, pid in lines} == {os.getpid()}
    assert no_child_left()


def test_a_child_that_ended_before_its_turn_does_not_stop_the_output(tmp_path):
    def slow_first():
        time.sleep(0.3)  # the child has failed and ended before its turn is passed to it
        return [b"0\n"]

    lines = run_in_turn(tmp_path, [slow_first, *(tagged_part(i, fail_in_child=True) for i in range(1, 4))])
    assert [line[0] for line in lines] == ["0", "1a", "1b", "2a", "2b", "3a", "3b"]
    assert no_child_left()


def test_an_error_making_a_part_here_comes_out_after_the_parts_before(tmp_path):
    def broken():
        raise ValueError("the store changed")

    parts = [tagged_part(0), tagged_part(1), broken, tagged_part(3)]
    out = (tmp_path / "out").open("wb")
    with pytest.raises(ValueError, match="the store changed"):
        parallel.in_turn(parts, out.write, out.flush)
    out.close()
    assert [line.split(":")[0] for line in (tmp_path / "out").read_text().splitlines()] == ["0a", "0b", "1a", "1b"]
    assert no_child_left()


def test_the_childs_error_writing_is_raised_here_as_the_write_raised_it(tmp_path):
    parent = os.getpid()
    out = (tmp_path / "out").open("wb")

    def write(data: bytes) -> None:
        if os.getpid() != parent:
            raise OSError(errno.ENOSPC, "No space left on device")
        out.write(data)

    with pytest.raises(OSError, match="No space left on device") as raised:
        parallel.in_turn([tagged_part(i) for i in range(4)], write, out.flush)
    out.close()
    assert raised.value.errno == errno.ENOSPC
    assert no_child_left()


def test_a_reader_that_went_away_is_a_broken_pipe_in_the_parent():
    read_end, write_end = os.pipe()
    os.close(read_end)
    with pytest.raises(BrokenPipeError):
        parallel.in_turn([tagged_part(i) for i in range(4)], lambda data: os.write(write_end, data), lambda: None)
    os.close(write_end)
    assert no_child_left()


def test_both_gives_the_childs_bytes_and_makes_them_here_if_it_fails():
    def second() -> bytes:
        if parallel._in_child and os.environ.get("SPACELOG_TEST_FAIL") == "1":
            raise ValueError("no")
        return str(os.getpid()).encode()

    mine, theirs = parallel.both(os.getpid, second)
    assert mine == os.getpid() and int(theirs) != os.getpid()
    os.environ["SPACELOG_TEST_FAIL"] = "1"
    try:
        mine, theirs = parallel.both(os.getpid, second)
    finally:
        del os.environ["SPACELOG_TEST_FAIL"]
    assert int(theirs) == os.getpid()
    assert no_child_left()


def test_a_child_shares_with_no_one():
    _, theirs = parallel.both(lambda: None, lambda: str(parallel.available()).encode())
    assert theirs == b"False" and parallel.available()


def test_a_child_that_ends_while_it_writes_is_an_error_not_a_silent_gap(tmp_path):
    import signal

    parent = os.getpid()
    out = (tmp_path / "out").open("wb")

    def write(data: bytes) -> None:
        out.write(data)
        if os.getpid() != parent:
            out.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would

    with pytest.raises(parallel.ChildLost, match="a helper process ended while it wrote its part of the output"):
        parallel.in_turn([tagged_part(i) for i in range(4)], write, out.flush)
    out.close()
    assert no_child_left()


def _running(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie waiting for its new parent has)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:\tZ") for line in status)
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="Linux: prctl and /proc")
def test_a_worker_ends_when_its_parent_is_killed():
    """A build's or a check's worker reads its half for seconds: killed parent (kill -9, timeout's
    SIGTERM: no finally runs), it ends too, rather than read on with no one to take its work."""
    import signal

    r, w = os.pipe()
    ready_r, ready_w = os.pipe()
    middle = os.fork()
    if middle == 0:  # the parent that is killed: never returns to pytest
        try:
            parent = os.getpid()
            worker = os.fork()
            if worker == 0:
                parallel.die_with_parent(parent)
                os.write(ready_w, b".")
                time.sleep(60)
                os._exit(0)
            os.write(w, str(worker).encode())
            os.read(ready_r, 1)  # killed once the worker has asked, not before (it checks that case itself)
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    os.close(ready_w)
    os.close(ready_r)
    os.close(w)
    worker = int(os.read(r, 32))
    os.close(r)
    os.waitpid(middle, 0)
    try:
        deadline = time.time() + 10
        while _running(worker) and time.time() < deadline:
            time.sleep(0.01)
        assert not _running(worker)
    finally:
        if _running(worker):  # without die_with_parent: stop the sleeper
            os.kill(worker, signal.SIGKILL)
