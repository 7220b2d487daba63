"""The event store: JSON Lines files, one event per line, loaded and validated.

An event is kept as the dict its line decodes to, so fields this version does
not know survive a round trip through `--format jsonl` unchanged.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .errors import DataError
from .meanings import MEANINGS
from .text import noun

if TYPE_CHECKING:
    from .registry import Registry

CATEGORIES = tuple(MEANINGS)  # the names, in the order the help and README list them
# Which field of an event lists the entity ids of each kind of the registry.
FIELD_OF_KIND = {"agency": "agencies", "person": "people", "vehicle": "vehicles"}
ENTITY_FIELDS = tuple(FIELD_OF_KIND.values())
TAG_FIELDS = (*ENTITY_FIELDS, "categories")  # every list an event is tagged with
# Every field an event must have, in the order the store writes them.
FIELDS = ("id", "seq", "date", "end", "text", *ENTITY_FIELDS, "categories")
STDIN = "-"
# An event as one row of tsv or csv output.
EVENT_COLUMNS = ("id", "date", "end", "text")

_ID = re.compile(r"(\d{4})-(\d{3,})", re.ASCII)  # used with fullmatch: $ would allow a trailing newline
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_FIELD_SET = frozenset(FIELDS)
_CATEGORY_SET = frozenset(CATEGORIES)


class Event(dict):
    """An event as its store line decodes to; `line` is that line's text, verbatim.

    jsonl and json output print `line`, so what a store holds is what comes
    out (field order, escapes, unknown fields), whichever way it was found.
    """

    __slots__ = ("line",)
    line: str


def event_row(event: Event) -> tuple[str, str, str | None, str]:
    """The values of EVENT_COLUMNS."""
    return event["id"], event["date"], event["end"], event["text"]


def date_range(event: Event) -> str:
    """The event's date, or its first and last day (2017-06-05—2017-06-09)."""
    return f"{event['date']}—{event['end']}" if event.get("end") else event["date"]


class Diagnostic:
    """A problem at a line of a file: `FILE:LINE: message`."""

    __slots__ = ("path", "line", "message", "severity")

    def __init__(self, path: str, line: int, message: str, severity: str = "error") -> None:
        self.path, self.line, self.message, self.severity = path, line, message, severity  # or "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    def __repr__(self) -> str:
        return f"Diagnostic({str(self)!r})"


class Store:
    """Loaded events, the problems found on the way, and where each event came from."""

    __slots__ = ("events", "diagnostics", "files")

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.diagnostics: list[Diagnostic] = []
        self.files: list[str] = []  # the files read, in order ("<stdin>" for -)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def dump_event(event: Event) -> str:
    """One store line: UTF-8 text, no ASCII escaping, compact separators."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_date(value: object) -> str | None:
    """`value` when it is a real calendar date `YYYY-MM-DD`, else None.

    Checked by hand rather than with datetime, whose import would cost every
    command 2 ms; ISO dates compare correctly as strings.
    """
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month]:
        return None
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return None
    return value


def expand_paths(paths: list[str]) -> list[str]:
    """Files to read: a directory stands for its `*.jsonl` files, `-` for standard input."""
    files: list[str] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(str(p) for p in path.glob("*.jsonl") if p.is_file())
            if not found:
                raise DataError(f"{raw}: the folder has no *.jsonl store files")
            files.extend(found)
        else:
            files.append(raw)
    return files


def open_file(path: str, what: str, missing_hint: str = "") -> BinaryIO:
    """A file opened for reading bytes, or a DataError that says in one sentence why not."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{path}: no such {what} file{missing_hint}") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a {what} file") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read the {what} ({err.strerror or err})") from None


def read_file(path: str, what: str, missing_hint: str = "") -> bytes:
    """A whole file's bytes, or a DataError that says in one sentence why not."""
    with open_file(path, what, missing_hint) as f:
        try:
            return f.read()
        except OSError as err:
            raise DataError(f"{path}: cannot read the {what} ({err.strerror or err})") from None


def read_lines(path: str, stop: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line without its line end) for each line of a store file, read as it goes
    (up to the line that starts at byte `stop`)."""
    if path == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise DataError("--data - reads a store from standard input, but standard input is a terminal; pipe a store in")
        yield from split_lines(sys.stdin.buffer, "standard input")
        return
    with open_file(path, "store", "; give a store with --data PATH or set SPACELOG_DATA") as f:
        yield from split_lines(f, path, stop=stop)


def split_lines(f: BinaryIO, name: str, first_line: bool = True, stop: int | None = None) -> Iterator[tuple[int, bytes]]:
    """The lines of `f` from where it stands, numbered from 1; a BOM is dropped only from a `first_line` of a file."""
    line_no = offset = 0
    lines = iter(f)
    while stop is None or offset < stop:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except OSError as err:
            raise DataError(f"{name}: cannot read the store after line {line_no} ({err.strerror or err})") from None
        line_no += 1
        offset += len(raw)
        if line_no == 1 and first_line and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield line_no, (raw[:-1] if raw.endswith(b"\n") else raw).rstrip(b"\r")


# One JSON value at an offset of a str: (value, where it ends). json.loads without its Python
# wrappers, for the lines a build or a long listing decodes by the hundred thousand.
scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

# A \ud800-\udfff escape in JSON that is not half of a pair decodes to a lone surrogate: text
# no UTF-8 output can carry (a pair decodes to its one character, outside this range).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # where a line may hold one: it is then fully checked


def validate_event(obj: object, registry: Registry | None = None) -> list[str]:
    """Everything wrong with one decoded store line, as short phrases (empty when valid)."""
    if not isinstance(obj, dict):
        return [f"expected a JSON object, found {type(obj).__name__}"]
    problems: list[str] = []
    missing = [name for name in FIELDS if name not in obj]
    if missing:
        problems.append(f"missing {noun(len(missing), 'field')} {', '.join(missing)}")

    event_id, seq = obj.get("id"), obj.get("seq")
    if "id" in obj:
        if not isinstance(event_id, str):
            problems.append(f'field id must be a string like "2017-029", found {json.dumps(event_id, ensure_ascii=False)}')
        elif not (m := _ID.fullmatch(event_id)):
            problems.append(f'field id {event_id!r} is not <year>-<sequence> like "2017-029"')
        elif isinstance(seq, int) and not isinstance(seq, bool) and int(m.group(2)) != seq:
            problems.append(f"field id {event_id!r} does not match seq {seq}")
    if "seq" in obj and (not isinstance(seq, int) or isinstance(seq, bool) or seq < 1):
        problems.append(f"field seq must be a positive integer, found {json.dumps(seq, ensure_ascii=False)}")

    start = None
    if "date" in obj:
        start = parse_date(obj["date"])
        if start is None:
            problems.append(f"field date {json.dumps(obj['date'], ensure_ascii=False)} is not a real date YYYY-MM-DD")
        elif isinstance(event_id, str) and _ID.fullmatch(event_id) and event_id[:4] != obj["date"][:4]:
            problems.append(f"field id {event_id!r} names another year than date {obj['date']}")
    if obj.get("end") is not None:
        end = parse_date(obj["end"])
        if end is None:
            problems.append(f"field end {json.dumps(obj['end'], ensure_ascii=False)} is not null or a real date YYYY-MM-DD")
        elif start is not None and end < start:
            problems.append(f"field end {obj['end']} is before date {obj['date']}")

    if "text" in obj and not isinstance(obj["text"], str):
        problems.append("field text must be a string")
    elif "text" in obj and not obj["text"].strip():
        problems.append("field text is empty")
    elif "text" in obj and (half := LONE_SURROGATE.search(obj["text"])):
        problems.append(f"field text holds \\u{ord(half.group()):04x}, half of a surrogate pair: no character a UTF-8 file can hold")

    for name in TAG_FIELDS:
        value = obj.get(name)
        if name in obj and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            problems.append(f"field {name} must be a list of strings")
    if isinstance(obj.get("categories"), list):
        unknown = [c for c in obj["categories"] if isinstance(c, str) and c not in CATEGORIES]
        if unknown:
            problems.append(f"unknown {noun(len(unknown), 'category', 'categories')} {', '.join(unknown)}")
    if registry is not None:
        problems.extend(_entity_problems(obj, registry))
    return problems


def _entity_problems(obj: dict, registry: Registry) -> list[str]:

    problems = []
    for kind, name in FIELD_OF_KIND.items():
        ids = obj.get(name)
        if not isinstance(ids, list):
            continue
        for entity_id in ids:
            entity = registry.get(entity_id) if isinstance(entity_id, str) else None
            if entity is None:
                problems.append(f"{name}: {entity_id!r} is not in the entity registry")
            elif entity.kind != kind:
                problems.append(f"{name}: {entity_id!r} is {_article(entity.kind)}, not {_article(kind)}")
    return problems


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def load_store(paths: list[str], registry: Registry | None = None, check_order: bool = False) -> Store:
    """Read and validate store files; bad lines become diagnostics, good lines events.

    Raises DataError only when a file cannot be read at all; everything wrong
    with a single line is reported as `FILE:LINE: ...` and the line skipped.
    """
    store = Store()
    scan = StoreScan(paths, registry, check_order)
    for item in scan:
        if isinstance(item, Diagnostic):
            store.diagnostics.append(item)
        else:
            event = Event(item[0])
            event.line = item[1].decode("utf-8").strip()
            store.events.append(event)
    store.files = scan.files
    return store


class StoreScan:
    """The lines of store files, read as they go: each valid event as (object, raw line), each problem as a Diagnostic.

    Memory does not grow with the store but for a few bytes an id (see seen.py),
    kept to find an id used twice anywhere. `check_order` adds a warning for
    each event dated before the one above it (wanted by `check`; noise for a query).
    `light`: a big file may be checked on two cores (see halves.py); then the
    objects of its second half hold only id, date and text, and no raw line.
    """

    def __init__(self, paths: list[str], registry: Registry | None = None, check_order: bool = False, light: bool = False) -> None:
        self.paths, self.registry, self.check_order, self.light = expand_paths(paths), registry, check_order, light
        self.files: list[str] = []  # the files read so far, in order ("<stdin>" for -)

    def _checked(self, path: str) -> Iterator[tuple[int, dict | None, list[str], bytes]]:
        """(line number, object, problems, raw line) of each line that is not blank."""
        if self.light and path != STDIN:
            from . import halves

            mid = halves.middle(path)
            if mid is not None:
                yield from halves.checked_lines(path, self.registry, mid)
                return
        for line_no, raw in read_lines(path):
            if raw.strip():
                obj, problems = decode_line(raw, self.registry)
                yield line_no, obj, problems, raw

    def __iter__(self) -> Iterator[Diagnostic | tuple[dict, bytes]]:
        from .seen import FirstSeen

        seen = FirstSeen()
        for path in self.paths:
            name = "<stdin>" if path == STDIN else path
            file_no = len(self.files)
            self.files.append(name)
            previous: tuple[str, str] | None = None  # id and date of the last valid event
            for line_no, obj, problems, raw in self._checked(path):
                if problems or obj is None:
                    yield from (Diagnostic(name, line_no, p) for p in problems)
                    continue
                first = seen.add(obj["id"], file_no << 40 | line_no)
                if first is not None:
                    yield Diagnostic(name, line_no, f"duplicate id {obj['id']} (first at {self.files[first >> 40]}:{first & (1 << 40) - 1})")
                    continue
                if self.check_order and previous is not None and obj["date"] < previous[1]:
                    message = f"event {obj['id']} ({obj['date']}) is dated before the event above it ({previous[0]}, {previous[1]})"
                    yield Diagnostic(name, line_no, message, "warning")
                previous = obj["id"], obj["date"]
                yield obj, raw


def line_after_middle(fd: int, size: int) -> int | None:
    """The offset of the first line that starts after the middle of a file of `size` bytes, if there is one:
    where a big store is cut in two for two cores."""
    at = size // 2
    while at < size:
        data = os.pread(fd, 1 << 16, at)
        if not data:
            return None
        newline = data.find(b"\n")
        if newline != -1:
            return at + newline + 1 if at + newline + 1 < size else None
        at += len(data)
    return None


def decode_line(raw: bytes, registry: Registry | None = None) -> tuple[dict | None, list[str]]:
    """Decode and validate one store line: the object, and everything wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, [f"not valid UTF-8 (byte {err.start + 1})"]
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        return None, [f"invalid JSON: {err.msg} (column {err.colno})"]
    except RecursionError:
        return None, ["invalid JSON: nested too deeply"]
    except ValueError:  # Python will not turn more than 4,300 digits into an int
        return None, ["invalid JSON: a number too long to read"]
    if _plainly_valid(obj, registry):
        return obj, []
    return obj, validate_event(obj, registry)


def _plainly_valid(obj: object, registry: Registry | None) -> bool:
    """True only if validate_event finds nothing wrong: the usual case, tested in a few C calls.

    False sends the object through validate_event, which says what is wrong.
    """
    if type(obj) is not dict or not _FIELD_SET.issubset(obj):
        return False
    event_id, seq, date, end, text = obj["id"], obj["seq"], obj["date"], obj["end"], obj["text"]
    if type(event_id) is not str or type(seq) is not int or type(text) is not str or not text or text.isspace() or LONE_SURROGATE.search(text):
        return False
    m = _ID.fullmatch(event_id)
    if m is None or int(m.group(2)) != seq or seq < 1 or parse_date(date) is None or event_id[:4] != date[:4]:
        return False
    if end is not None and (parse_date(end) is None or end < date):
        return False
    try:
        if type(obj["categories"]) is not list or not _CATEGORY_SET.issuperset(obj["categories"]):
            return False
        for kind, name in FIELD_OF_KIND.items():
            ids = obj[name]
            if type(ids) is not list or (registry is not None and not registry.ids_of_kind(kind).issuperset(ids)):
                return False
            if registry is None and not all(type(i) is str for i in ids):
                return False
    except TypeError:  # an unhashable value in a list
        return False
    return True
