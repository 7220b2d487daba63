"""Checking a big store file on two cores: a forked worker decodes and validates its second half.

`check` spends nearly all its time decoding and validating lines, which need
nothing from each other; what does (duplicate ids, date order, the count of
texts) stays in the parent, which checks the first half itself, then takes the
worker's verdicts in file order. The worker writes them to a temporary file
(ids, dates and each distinct text once), so neither process holds the store.
If the worker fails, the parent checks the second half itself: the answer is
the same either way, only slower.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from . import parallel
from .store import decode_line, line_after_middle, read_lines, split_lines

if TYPE_CHECKING:
    from .registry import Registry

MIN_BYTES = 32 * 2**20  # below this a fork and its replay cost more than they save
TEXT_BUDGET = 8_000_000  # characters of distinct text the worker sends, as TextTally keeps
Checked = tuple[int, dict | None, list[str], bytes]  # line number, object (None if it does not decode), problems, raw line


def middle(path: str) -> int | None:
    """The offset of the first line at or after the middle of a big regular file, if it is worth halving."""
    if not parallel.available():
        return None
    try:
        size = os.stat(path).st_size
        if size < MIN_BYTES:
            return None
        with open(path, "rb") as f:
            return line_after_middle(f.fileno(), size)
    except OSError:
        return None  # the sequential read says what is wrong


def checked_lines(path: str, registry: Registry | None, mid: int) -> Iterator[Checked]:
    """What `checked_line` gives for each non-blank line of `path`; past `mid`, objects hold only id, date and text
    (text None once the worker's budget of distinct text is spent)."""
    import tempfile

    with tempfile.TemporaryFile() as out:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                parallel.die_with_parent(parent)
                _work(path, mid, registry, out)
                code = 0
            finally:
                os._exit(code)
        done = False
        try:
            first = 0
            for first, raw in read_lines(path, stop=mid):
                if raw.strip():
                    yield checked_line(first, raw, registry)
            _, status = os.waitpid(pid, 0)
            done = True
            if os.waitstatus_to_exitcode(status) == 0:
                out.seek(0)
                yield from _verdicts(out, first)
                return
            with open(path, "rb") as f:  # the worker failed: check the second half here
                f.seek(mid)
                for line_no, raw in split_lines(f, path, first_line=False):
                    if raw.strip():
                        yield checked_line(first + line_no, raw, registry)
        finally:
            if not done:  # stopped early (Ctrl-C, a closed pipe): the worker is not needed
                parallel.stop_child(pid)


def checked_line(line_no: int, raw: bytes, registry: Registry | None) -> Checked:
    obj, problems = decode_line(raw, registry)
    return line_no, obj, problems, raw


def _work(path: str, mid: int, registry: Registry | None, out: IO[bytes]) -> None:
    import pickle  # here: `check` of a small store never halves it, and pickle costs 1.5 ms to import

    texts: dict[str, int] = {}
    size, batch = 0, list[tuple]()  # verdicts: (line, problems) or (line, id, date, text number, the text if new)
    with open(path, "rb") as f:
        f.seek(mid)
        for line_no, raw in split_lines(f, path, first_line=False):
            if not raw.strip():
                continue
            obj, problems = decode_line(raw, registry)
            if problems or obj is None:
                batch.append((line_no, problems))
            else:
                text, new = obj["text"], None
                number = texts.get(text)
                if number is None and size <= TEXT_BUDGET:
                    number = texts[text] = len(texts)
                    size += len(text)
                    new = text
                batch.append((line_no, obj["id"], obj["date"], -1 if number is None else number, new))
            if len(batch) >= 4096:
                pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
                batch = []
    pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out)
    out.flush()


def _verdicts(out: IO[bytes], first: int) -> Iterator[Checked]:
    import pickle

    texts: list[str] = []
    while (batch := pickle.load(out)) is not None:
        for verdict in batch:
            if len(verdict) == 2:
                yield first + verdict[0], None, verdict[1], b""
                continue
            line_no, event_id, date, number, new = verdict
            if new is not None:
                texts.append(new)
            yield first + line_no, {"id": event_id, "date": date, "text": texts[number] if number >= 0 else None}, [], b""
