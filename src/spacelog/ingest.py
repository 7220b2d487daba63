"""Chronicle text (大事记) to store events: page breaks, dates, entities, categories.

The parser keeps every event's text verbatim. The only change is joining a
line that a page break split, without a space between two CJK characters.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .categories import categorize
from .errors import DataError
from .registry import Registry
from .store import STDIN, Diagnostic, Event, dump_event, read_file
from .text import is_cjk

# "12. " or "12．" or "12、" at the start of a line, not "3.4 米"; any number of digits.
_NUMBERED = re.compile(r"^(\d+)\s*[.．、](?!\d)\s*")
MAX_DIGITS = 18  # an event number longer than this is a typo (and int() refuses 4,300 digits)
_DATE = re.compile(
    r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"(?:\s*[-—–~～至到]+\s*(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日)?"
)
_HEADING_MAX = 30


@dataclass
class ParsedChronicle:
    events: list[Event] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Draft:
    line: int
    seq: int
    parts: list[str]  # the first line, then continuations; joined once (joining as they come is quadratic)

    @property
    def text(self) -> str:
        """The parts joined as `join_continuation` joins two texts: its choice depends on the two characters that meet."""
        pieces = self.parts[:1]
        for before, part in zip(self.parts, self.parts[1:], strict=False):
            # "" or " ", then the part; the first part is empty when its line holds the number alone ("0.")
            pieces.append(join_continuation(before[-1:], part[:1])[len(before[-1:]) : -1] + part)
        return "".join(pieces)


def join_continuation(text: str, continuation: str) -> str:
    """Join a line split by a page break: no space between CJK, one between Latin words."""
    if not text or not continuation:
        return text + continuation
    last, first = text[-1], continuation[0]
    if not is_cjk(last) and not is_cjk(first) and last.isalnum() and first.isalnum():
        return f"{text} {continuation}"
    return text + continuation


def parse_event_date(text: str, year: int) -> tuple[dt.date, dt.date | None] | None:
    """The date (and range end) an event's text starts with, or None."""
    m = _DATE.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    start_year = int(m.group(1) or year)
    start = dt.date(start_year, int(m.group(2)), int(m.group(3)))
    if m.group(6) is None:
        return start, None
    end_month = int(m.group(5) or start.month)
    end = dt.date(int(m.group(4) or start_year), end_month, int(m.group(6)))
    if end < start and m.group(4) is None:
        end = end.replace(year=end.year + 1)  # 12月30日—1月2日 runs into the next year
    return start, end


def parse_chronicle(text: str, year: int, registry: Registry, name: str = "<chronicle>") -> ParsedChronicle:
    """Parse a chronicle's text. Problems are collected, never raised, so all are reported."""
    result = ParsedChronicle()
    drafts: list[_Draft] = []
    # Line ends only: str.splitlines would also cut at U+2028, \x1c-\x1e and \x85 inside a line.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for line_no, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line:
            continue
        numbered = _NUMBERED.match(line)
        if numbered and len(numbered.group(1)) > MAX_DIGITS:
            result.errors.append(Diagnostic(name, line_no, f"event number {numbered.group(1)[:24]}… has more than {MAX_DIGITS} digits"))
        elif numbered:
            drafts.append(_Draft(line_no, int(numbered.group(1)), [line[numbered.end() :]]))
        elif drafts:
            drafts[-1].parts.append(line)
        elif len(line) <= _HEADING_MAX and not re.search(r"[。，,；;]", line):
            result.headings.append((line_no, line))
        else:
            result.errors.append(Diagnostic(name, line_no, "text before the first numbered event is not a heading; number it or remove it"))

    seen: dict[int, int] = {}
    previous: Event | None = None
    for draft in drafts:
        event_text = draft.text
        if draft.seq in seen:
            result.errors.append(Diagnostic(name, draft.line, f"event number {draft.seq} repeats the one at line {seen[draft.seq]}"))
            continue
        seen[draft.seq] = draft.line
        try:
            dates = parse_event_date(event_text, year)
        except ValueError as err:
            result.errors.append(Diagnostic(name, draft.line, f"event {draft.seq} has an impossible date ({err})"))
            continue
        if dates is None:
            result.errors.append(Diagnostic(name, draft.line, f"event {draft.seq} does not start with a date like 1月3日"))
            continue
        start, end = dates
        if previous is not None and draft.seq != previous["seq"] + 1:
            result.warnings.append(Diagnostic(name, draft.line, f"event {draft.seq} follows event {previous['seq']}: numbering gap", "warning"))
        if previous is not None and start.isoformat() < previous["date"]:
            result.warnings.append(
                Diagnostic(name, draft.line, f"event {draft.seq} ({start.isoformat()}) is dated before event {previous['seq']} ({previous['date']})", "warning")
            )
        tags = registry.tag(event_text)
        event = Event(
            {
                "id": f"{start.year}-{draft.seq:03d}",
                "seq": draft.seq,
                "date": start.isoformat(),
                "end": end.isoformat() if end else None,
                "text": event_text,
                "agencies": tags["agencies"],
                "people": tags["people"],
                "vehicles": tags["vehicles"],
                "categories": categorize(event_text, start.isoformat()),
            }
        )
        result.events.append(event)
        previous = event
    if not drafts and not result.errors:
        result.errors.append(Diagnostic(name, 1, "no numbered events found (lines like 1. 1月3日，...)"))
    return result


def read_chronicle(path: str) -> str:
    """A chronicle's text; `-` reads standard input (`spacelog timeline -f chronicle | spacelog ingest -`)."""
    if path == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise DataError("-: standard input is a terminal; pipe a chronicle in, or give its file")
        data = sys.stdin.buffer.read()
    else:
        data = read_file(path, "chronicle")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text (byte {err.start + 1}); convert it with iconv first") from None


def write_store(events: list[Event], output: str, chronicle: str | None = None) -> None:
    """Write events atomically: a temporary file beside the output, then a rename.

    An interrupted run leaves the previous store as it was. Refuses to write
    through a symlink or over the chronicle being read.
    """
    out = Path(output)
    if out.is_symlink():
        raise DataError(f"{output}: is a symbolic link; give the real path to write the store to")
    if out.is_dir():
        raise DataError(f"{output}: is a folder; give a file path such as {out / 'events.jsonl'}")
    try:
        existing = os.stat(out)
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise DataError(f"{output}: is not a regular file (a FIFO, socket or device); give the path of a store file to write")
    if chronicle not in (None, STDIN) and existing is not None and os.path.samefile(out, chronicle):
        raise DataError(f"{output}: is the chronicle being read; write the store to another file")
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise DataError(f"{directory}: no such folder to write the store into")
    payload = "".join(dump_event(event) + "\n" for event in events).encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise DataError(f"{directory}: cannot create a file there ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)  # a private store stays private
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, out)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise DataError(f"{output}: cannot write the store ({err.strerror or err}); the previous store is unchanged") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
