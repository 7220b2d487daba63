"""A query's work shared with a forked child on a second core: half of many candidates (`both`),
every other part of a long listing (`in_turn`).

The child is a copy of this process at the fork: it reads through the descriptors
the parent holds, does its share and leaves by `os._exit`, so nothing of the
parent's (atexit, buffered output, finally blocks) runs twice. When the child
fails before it has written anything, the parent does the child's share itself:
an answer and its errors are the ones one process gives, only later.
"""

from __future__ import annotations

import os
import signal
import struct
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
Part = Callable[[], Iterable[bytes]]

_in_child = False
PR_SET_PDEATHSIG = 1  # prctl's option, from linux/prctl.h
_cores: int | None = None

# what the child tells the parent of its part (in_turn): it could not make it; it starts writing it
# (so an end after this may have cut it short); it wrote it; writing it failed (errno and message follow)
_NOT_MADE, _WRITING, _WRITTEN, _WRITE_FAILED = b"n", b"s", b"w", b"e"


class ChildLost(OSError):
    """The child ended while it wrote its part: what it wrote of it is not known."""


def available() -> bool:
    """Whether a second process may share the work (of a query, a build, a check): a second core,
    fork, and not already a child."""
    global _cores
    if _in_child or not hasattr(os, "fork"):
        return False
    if _cores is None:
        try:
            _cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            _cores = os.cpu_count() or 1
    return _cores > 1


def both(first: Callable[[], T], second: Callable[[], bytes]) -> tuple[T, bytes]:
    """first() here and second() in a child, at once; second() here too, after first(), if the child fails."""
    read_end, write_end = os.pipe()
    pid = _fork(lambda: _send_all(write_end, second()), close=(read_end,))
    os.close(write_end)
    theirs: bytes | None = None
    try:
        mine = first()
        theirs = _receive_all(read_end)
    finally:
        os.close(read_end)
        _reap(pid, stop=theirs is None)
    return mine, second() if theirs is None else theirs


def in_turn(parts: Sequence[Part], write: Callable[[bytes], object], flush: Callable[[], object]) -> None:
    """Write the parts' bytes in order, as `for part in parts: write each block of part()` would; the
    parent makes the even parts, a child the odd ones, each while the other writes, and each writes
    its part once the one before is written and flushed (a token passed on a pipe), so the output
    is the same bytes in the same order. What a process holds is the part it made.

    The child's part that it could not make the parent makes (and goes on alone, raising what
    the part raises); an error writing it is raised here, as the write would have raised it.
    """
    flush()  # what is buffered would be written twice
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = _fork(lambda: _child_parts(parts, write, flush, to_child_r, to_parent_w), close=(to_child_w, to_parent_r))
    os.close(to_child_r)
    os.close(to_parent_w)
    alone = False  # the child stopped: the parent makes the rest
    done = False
    try:
        for i in range(0, len(parts), 2):
            try:
                blocks = list(parts[i]())
            except Exception:
                if i and not alone:  # the part before comes out first, as it would from one process
                    _child_wrote(parts[i - 1], to_parent_r, write, flush)
                raise
            if i and not alone:
                alone = _child_wrote(parts[i - 1], to_parent_r, write, flush)
            _write(blocks, write, flush)
            if i + 1 < len(parts):
                if alone:
                    _write(parts[i + 1](), write, flush)
                else:
                    _pass_turn(to_child_w)
        if len(parts) % 2 == 0 and not alone:
            _child_wrote(parts[-1], to_parent_r, write, flush)
        done = True
    finally:
        os.close(to_child_w)
        os.close(to_parent_r)
        _reap(pid, stop=not done)


def _child_wrote(part: Part, messages: int, write: Callable[[bytes], object], flush: Callable[[], object]) -> bool:
    """Wait for the child's word on its part; True when the parent made and wrote it itself (the child stopped)."""
    said = os.read(messages, 1)
    if said in (_NOT_MADE, b""):  # b"": the child ended before it took its turn
        _write(part(), write, flush)  # raises what made the child stop, if it was not the child's own trouble
        return True
    said = os.read(messages, 1)  # it took its turn (_WRITING)
    if said == _WRITTEN:
        return False
    if said == _WRITE_FAILED:
        number, message = _receive_error(messages)
        raise OSError(number, message)  # the subclass of the errno: BrokenPipeError for EPIPE
    raise ChildLost(0, "a helper process ended while it wrote its part of the output")


def _pass_turn(fd: int) -> None:
    try:
        os.write(fd, b"go")
    except BrokenPipeError:  # the child ended (it could not make its part): its word says so
        pass


def _child_parts(parts: Sequence[Part], write: Callable[[bytes], object], flush: Callable[[], object], tokens: int, messages: int) -> None:
    for i in range(1, len(parts), 2):
        try:
            blocks = list(parts[i]())
        except Exception:
            os.write(messages, _NOT_MADE)
            return
        if os.read(tokens, 2) != b"go":  # the parent stopped
            return
        os.write(messages, _WRITING)
        try:
            _write(blocks, write, flush)
        except OSError as err:
            message = (err.strerror or str(err)).encode("utf-8", "replace")
            os.write(messages, _WRITE_FAILED + struct.pack("<ii", err.errno or 0, len(message)) + message)
            return
        os.write(messages, _WRITTEN)


def _write(blocks: Iterable[bytes], write: Callable[[bytes], object], flush: Callable[[], object]) -> None:
    for block in blocks:
        write(block)
    flush()


def _receive_error(fd: int) -> tuple[int, str]:
    number, size = struct.unpack("<ii", _read_exactly(fd, 8))
    return number, _read_exactly(fd, size).decode("utf-8", "replace")


def _fork(work: Callable[[], object], close: tuple[int, ...]) -> int:
    """Start a child that runs `work` and exits; it first closes the pipes' ends that are the parent's,
    so that each end sees the other's end of file."""
    pid = os.fork()
    if pid:
        return pid
    global _in_child
    _in_child = True
    code = 1
    try:
        for fd in close:
            os.close(fd)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches both; the parent says what happened
        work()
        code = 0
    except BaseException:  # noqa: S110 - the parent does the work again, or reports the write's error
        pass
    finally:
        os._exit(code)
    raise AssertionError  # not reached: for the type checker


def die_with_parent(parent: int) -> None:
    """In a child that works for seconds: have Linux end it when `parent` dies, however the parent
    was stopped (`kill`, timeout's SIGTERM), as no one wants its work then. Elsewhere a no-op."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None).prctl
    except (OSError, AttributeError, TypeError):  # not Linux, or no C library to load by name
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the call
        os._exit(1)


def stop_child(pid: int) -> None:
    """End and reap a child whose work is not wanted any more (the parent gave up, or stopped early:
    an error, or Ctrl-C sent to the parent alone, as `kill -INT` does)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == 0:  # not reaped yet, so the pid is still the child's
            os.kill(pid, signal.SIGKILL)  # children write only to pipes and files already unlinked
            os.waitpid(pid, 0)
    except ChildProcessError:  # reaped already: the pid may be another process's now
        pass


def _reap(pid: int, stop: bool) -> None:
    if stop:  # the parent gave up: the child's share is not needed
        stop_child(pid)
    else:
        os.waitpid(pid, 0)


def _send_all(fd: int, data: bytes) -> None:
    view = memoryview(struct.pack("<q", len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive_all(fd: int) -> bytes | None:
    """What _send_all sent; None when the child ended before it sent all of it."""
    head = _read_exactly(fd, 8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack("<q", head)
    data = _read_exactly(fd, size)
    return data if len(data) == size else None


def _read_exactly(fd: int, size: int) -> bytes:
    """`size` bytes, or fewer at the end of the pipe."""
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if not n:
            break
        got += n
    view.release()
    return bytes(buffer[:got])
