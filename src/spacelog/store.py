"""The event store: JSON Lines files, one event per line, loaded and validated.

An event is kept as the dict its line decodes to, so fields this version does
not know survive a round trip through `--format jsonl` unchanged.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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

    __slots__ = ("events", "diagnostics", "files", "origin")

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.diagnostics: list[Diagnostic] = []
        self.files: list[str] = []  # the files read, in order ("<stdin>" for -)
        self.origin: dict[str, str] = {}  # id -> "path:line", for messages that point back to the file

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


def read_file(path: str, what: str, missing_hint: str = "") -> bytes:
    """A whole file's bytes, or a DataError that says in one sentence why not."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise DataError(f"{path}: no such {what} file{missing_hint}") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a {what} file") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read the {what} ({err.strerror or err})") from None


def read_lines(path: str) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line without its line end) for each line of a store file."""
    if path == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise DataError("--data - reads a store from standard input, but standard input is a terminal; pipe a store in")
        data = sys.stdin.buffer.read()
    else:
        data = read_file(path, "store", "; give a store with --data PATH or set SPACELOG_DATA")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for line_no, line in enumerate(data.split(b"\n"), start=1):
        yield line_no, line.rstrip(b"\r")


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

    `check_order` adds a warning for each event dated before the one above it
    (wanted by `check`; noise for a query).

    Raises DataError only when a file cannot be read at all; everything wrong
    with a single line is reported as `FILE:LINE: ...` and the line skipped.
    """
    store = Store()
    for path in expand_paths(paths):
        name = "<stdin>" if path == STDIN else path
        store.files.append(name)
        previous: Event | None = None
        for line_no, raw in read_lines(path):
            if not raw.strip():
                continue
            event = _read_event(raw, name, line_no, store, registry)
            if event is None:
                continue
            if check_order and previous is not None and event["date"] < previous["date"]:
                store.diagnostics.append(
                    Diagnostic(
                        name,
                        line_no,
                        f"event {event['id']} ({event['date']}) is dated before the event above it ({previous['id']}, {previous['date']})",
                        "warning",
                    )
                )
            previous = event
            store.events.append(event)
    return store


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
    return obj, validate_event(obj, registry)


def _read_event(raw: bytes, name: str, line_no: int, store: Store, registry: Registry | None) -> Event | None:
    obj, problems = decode_line(raw, registry)
    if problems or obj is None:
        store.diagnostics.extend(Diagnostic(name, line_no, p) for p in problems)
        return None
    first = store.origin.get(obj["id"])
    if first is not None:
        store.diagnostics.append(Diagnostic(name, line_no, f"duplicate id {obj['id']} (first at {first})"))
        return None
    store.origin[obj["id"]] = f"{name}:{line_no}"
    event = Event(obj)
    event.line = raw.decode("utf-8").strip()
    return event
