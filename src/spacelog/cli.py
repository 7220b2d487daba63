"""The spacelog command line: parse options, call the core, hand results to `output`.

Only typer is imported at start-up; each command imports what it needs, so
`spacelog search` never loads rapidfuzz and piped output never loads Rich.
Exit status, as grep: 0 found, 1 nothing found, 2 usage or data error, 130 Ctrl-C.
"""

# No `from __future__ import annotations` here: Typer evaluates string annotations
# of every command with eval() at each start (12 ms); real annotations cost nothing.
import functools
import inspect
import os
import sys
from collections.abc import Callable
from itertools import compress, count
from operator import methodcaller
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import __version__, completion
from .errors import EXIT_ERROR, EXIT_FOUND, EXIT_INTERRUPTED, EXIT_NOT_FOUND, EXIT_OK, SpacelogError, UsageError
from .options import FILTERS, LISTING, STORE_AND_FORMAT, TERMINAL, DataOption, QueryOptions, RegistryOption, takes_options
from .output import finish as finish_output
from .usage import SpacelogCommand, SpacelogGroup
from .usage import say as _say

if TYPE_CHECKING:
    from .discover import TextTally
    from .lookup import Match
    from .output import Output
    from .query import EventFilter, EventSource, Term
    from .registry import Registry

APP_SETTINGS: dict[str, Any] = dict(
    name="spacelog",
    help="Query chronicles of spaceflight events (大事记): search, who, timeline, agency, people, vehicles, stats, show, unknown.\n\n"
    "Exit status: 0 when something was found, 1 when nothing was (also when a name matches no entity), "
    "2 on a usage or data error.\n\n"
    "Environment: SPACELOG_DATA (the store), SPACELOG_REGISTRY (more registry files), SPACELOG_CACHE, SPACELOG_LANG (zh or en), "
    "SPACELOG_PAGER, then PAGER (default: less -FRX), NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE.\n\n"
    "spacelog help COMMAND shows the options of a command; spacelog man writes the manual page.",
    add_completion=True,
    cls=SpacelogGroup,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# ------------------------------------------------------------------ error handling
def _silence_stdout() -> None:
    """After the reader of a pipe went away: send what is left to /dev/null, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def command(fn: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command body: its return value is the exit status; errors are one sentence on stderr."""

    @functools.wraps(fn)
    def run(*args, **kwargs) -> None:
        try:
            _check_text([*args, *kwargs.values()])
            code = fn(*args, **kwargs) or EXIT_OK
            finish_output()
            sys.stdout.flush()
        except SpacelogError as err:
            for line in str(err).split("\n"):
                _say(line)
            code = err.exit_code
        except BrokenPipeError:
            _silence_stdout()  # like ripgrep: `spacelog search X | head -1` is a success
            code = EXIT_OK
        except OSError as err:  # a full disk or a closed stdout; reading errors are DataErrors
            _silence_stdout()
            _say(f"{err.filename}: {err.strerror}" if err.filename else f"cannot write the output ({err.strerror or err})")
            code = EXIT_ERROR
        except UnicodeEncodeError as err:  # a name that the locale's encoding (of file names) cannot hold
            _say(f"{err.object[err.start : err.end]!r} cannot be encoded as {err.encoding}; use a UTF-8 locale, e.g. LC_ALL=C.UTF-8")
            code = EXIT_ERROR
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        finally:
            _finish_quietly()
        raise typer.Exit(code)

    return run


def _finish_quietly() -> None:
    """After an error or an interrupt: show what is held, wait for the pager; nothing more can fail."""
    try:
        finish_output()
    except (OSError, ValueError):
        pass


def _check_choice(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:  # the suggestion is worked out only for a wrong value
        from .suggest import check_choice

        check_choice(what, value, choices)


def _check_text(values: list) -> None:
    """Arguments must be text: bytes that are not UTF-8 arrive as lone surrogates."""
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\ud800" <= c <= "\udfff" for c in item):
                raise UsageError(f"argument {item!r} is not valid UTF-8 text; check the terminal's or the script's encoding")


# ------------------------------------------------------------------ shared steps
def _open(options: QueryOptions) -> "tuple[EventSource, Registry]":
    """The events a command works on, and the registry; bad lines are warned about (or fatal with --strict)."""
    from .errors import DataError
    from .locations import default_store_paths
    from .sources import open_source
    from .text import noun, plural

    registry = _registry(options.registry)
    progress = None if options.color == "never" else _progress_bar  # a bar redraws itself with escape sequences
    source, problems = open_source(options.data or default_store_paths(), registry, progress=progress, warn=_say)
    for problem in problems:
        _say(f"{problem} (line skipped)")
    if options.strict and problems:
        n = len(problems)
        raise DataError(f"the store has {plural(n, 'bad line')}; fix {noun(n, 'it', 'them')} (spacelog check shows each) or drop --strict")
    return source, registry


def _registry(extra: list[str] | None) -> "Registry":
    """The shipped registry, the user's file, $SPACELOG_REGISTRY, then each --registry, each read on top of the ones before."""
    from .locations import registry_paths
    from .registry import load_registry

    return load_registry(registry_paths(extra))


def _filter(options: QueryOptions, registry: "Registry") -> "EventFilter":
    """The command's filters; a name taken as an entity it is not a registry spelling of is said on stderr."""
    return options.event_filter(registry, resolved=lambda name, match: _say_taken(name, [match]))


def _say_taken(name: str, matches: "list[Match]") -> None:
    from .lookup import ALIAS

    if any(m.how != ALIAS for m in matches):
        _say(f"taking {name!r} as " + ", ".join(m.entity.label for m in matches))


def _progress_bar() -> "Callable[[int, int], None] | None":
    from .render import progress_bar

    return progress_bar()


def _count(out: "Output", n: int, options: QueryOptions) -> int:
    """--count: the number alone (0 too, as grep -c prints it), at most --limit (as grep -c -m);
    the status says whether anything was found."""
    out.count(n if options.limit is None else min(n, options.limit))
    return EXIT_FOUND if n else EXIT_NOT_FOUND


def _found(n: int) -> int:
    if n == 0:
        from .i18n import _

        _say(_("no events found"))
        return EXIT_NOT_FOUND
    return EXIT_FOUND


# ------------------------------------------------------------------ commands
def _version(value: bool) -> None:
    if value:
        typer.echo(f"spacelog {__version__}")
        raise typer.Exit()


def main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Query chronicles of spaceflight events (大事记)."""
    if ctx.invoked_subcommand is None:  # spacelog alone: what it can do, on stdout, status 0 (as gh)
        typer.echo(ctx.get_help())


@command
@takes_options()
def search(
    terms: Annotated[list[str], typer.Argument(metavar="TERM...", help="Words to find; every one must match (Chinese substring, or a date like 1月18日).")],
    any_term: Annotated[bool, typer.Option("--any", help="Match events with any of the terms instead of all.")] = False,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", "-x", metavar="TERM", help="Drop events that match this term; repeatable.")] = None,
    sort: Annotated[str, typer.Option("--sort", metavar="date|relevance", help="Order by date (default) or by number of matches.")] = "date",
    *,
    options: QueryOptions,
) -> int:
    """Find events whose text contains every TERM.

    Matching ignores spaces, quotes, ·, width and case, and accepts
    traditional characters; a name also finds the events tagged with it
    (Whitson finds 惠特森); a date finds the events of that day.

    \b
    Examples:
      spacelog search 空间站
      spacelog search 出舱 --format jsonl | jq .id
      spacelog search 猎鹰9 回收 --sort relevance
      spacelog search Whitson --exclude 1月
    """
    from .query import parse_terms
    from .query import search as run_search

    _check_choice("sort order", sort, ("date", "relevance"))
    out = options.output()
    source, registry = _open(options)
    event_filter = _filter(options, registry)
    parsed = parse_terms(terms, registry)
    excluded = parse_terms(exclude or [], registry)
    hits = run_search(source, parsed, any_term=any_term, exclude=excluded, event_filter=event_filter, sort=sort)
    if options.count:
        return _count(out, len(hits), options)
    if hits:
        out.listing(source, options.listed(hits), registry, highlight=[k for t in parsed for k in t.highlight_keys])
    else:
        _suggest(" ".join(terms), parsed, source, registry, event_filter)
    return _found(len(hits))


def _suggest(query: str, terms: "list[Term]", source: "EventSource", registry: "Registry", event_filter: "EventFilter") -> None:
    """Hints when a search found nothing: close names and events, among those the filters let through.

    A date is not a name: a date term gets no name suggestion.
    """
    from .i18n import _
    from .lookup import MAX_NAME, lookup
    from .query import closest_events, tagged_with

    within = event_filter.select(source) if event_filter.restricts else None  # not a list of every event (1M at 1M events)
    filtered = within is not None and len(within) < source.n
    names = [] if len(query) > MAX_NAME or any(t.day is not None for t in terms) else lookup(query, registry)
    if filtered:
        names = [m for m in names if tagged_with(source, m.entity, event_filter)]
    if names:
        _say(_("did you mean {names}?").format(names=", ".join(m.entity.label for m in names[:3])))
    near = [source.event(i) for i in closest_events(source, query, within=within if filtered else None)]
    if near:
        _say(_("closest events: {events}").format(events="; ".join(f"{e['id']} {e['text'][:24]}…" for e in near)))


MAX_MATCHES = 50  # who --limit


@command
@takes_options()
def who(
    name: Annotated[str, typer.Argument(help="A name in any spelling: Chinese, English, pinyin, with typos.", autocompletion=completion.names(None))],
    kind: Annotated[str | None, typer.Option("--kind", "-k", metavar="KIND", help="Only agency, person or vehicle.", autocompletion=completion.kinds)] = None,
    *,
    options: QueryOptions,
) -> int:
    """Look up a person, agency or vehicle across spellings, and list its events.

    \b
    Examples:
      spacelog who 惠特森
      spacelog who Whitson
      spacelog who 范德海 --format json
      spacelog who huitesen
      spacelog who 布莱斯尼克 --category eva

    A name is taken to mean an entity when it is one of its registry spellings,
    a close variant with the same designation (MS-09 is not MS-02), or a whole
    part of it; a line on stderr says so when it is not a registry spelling.
    Close names that are none of these are suggestions, never matches.
    Exit status 1 when the name matches no entity.
    """
    from .lookup import check_length, find
    from .query import tagged_with
    from .registry import KINDS

    if kind is not None:
        _check_choice("kind", kind, KINDS)
    if not name.strip():
        raise UsageError("give a name to look up, e.g. spacelog who 惠特森")
    if (options.limit or 0) > MAX_MATCHES:
        raise UsageError(f"who lists at most {MAX_MATCHES} names; give --limit {MAX_MATCHES} or less")
    check_length(name)
    out = options.output()
    source, registry = _open(options)
    event_filter = _filter(options, registry)
    found = find(name, registry, kind, limit=options.limit or 5)
    if not found.matches:
        raise found.not_found()
    _say_taken(name, found.matches)
    numbers = [tagged_with(source, m.entity, event_filter) for m in found.matches]
    if options.count:  # the status of the listing: the name is found, whether or not the filters leave it events
        out.count(len(set().union(*numbers)))
        return EXIT_FOUND
    out.who(name, found.matches, found.suggestions, [n[::-1] if options.reverse else n for n in numbers], source)
    return EXIT_FOUND


@command
@takes_options()
def timeline(*, options: QueryOptions) -> int:
    """Events in date order, grouped by month, with a chart of events per month.

    \b
    Examples:
      spacelog timeline --month 3
      spacelog timeline --category eva
      spacelog timeline --agency 美国航天局 --from 2017-06-01 --to 2017-09-30
      spacelog timeline --person 惠特森 --format csv > whitson.csv
    """
    from .query import group_by_month

    out = options.output()
    source, registry = _open(options)
    event_filter = _filter(options, registry)
    numbers = source.in_order(event_filter.select(source))
    if options.count:
        return _count(out, len(numbers), options)
    if numbers:
        listed = options.listed(numbers)
        # a table of a listing cut by --limit still counts every match of its months, in its chart and headings
        out.timeline(source, group_by_month(source, listed), registry, every=None if len(listed) == len(numbers) else numbers)
    return _found(len(numbers))


@command
@takes_options()
def agency(
    name: Annotated[
        str | None, typer.Argument(help="An agency or company in any spelling; omit to list them all.", autocompletion=completion.names("agency"))
    ] = None,
    *,
    options: QueryOptions,
) -> int:
    """Summarise one agency's events, or list every agency with its event count.

    \b
    Examples:
      spacelog agency
      spacelog agency NASA
      spacelog agency 美国航天局
      spacelog agency 能源 --format json
      spacelog agency 美国航天局 --month 6
      spacelog agency --category launch
    """
    from .lookup import resolve
    from .query import AgencySummary, tagged_with

    if name is None:
        return _entity_list("agency", options)
    out = options.output()
    source, registry = _open(options)
    event_filter = _filter(options, registry)
    if not name.strip():
        raise UsageError("give an agency name, e.g. spacelog agency NASA")
    match = resolve(name, registry, "agency")
    _say_taken(name, [match])
    entity = match.entity
    numbers = tagged_with(source, entity, event_filter)
    if options.count:
        return _count(out, len(numbers), options)
    if numbers:
        out.agency(AgencySummary(entity, source, numbers, listed=options.listed(numbers)), registry)
    return _found(len(numbers))


def _entity_list(kind: str, options: QueryOptions) -> int:
    """Every agency, person or vehicle with its number of events, busiest first; with filters, those with events."""
    from .query import entity_counts

    out = options.output()
    source, registry = _open(options)
    rows = entity_counts(source, registry, kind, _filter(options, registry))
    if any(getattr(options, name) for name in FILTERS):  # which of them these events name: none with 0
        rows = [row for row in rows if row[1]]
    if options.count:
        return _count(out, len(rows), options)
    if rows:
        out.entities(kind, options.listed(rows), source)
    return _found(len(rows))


@command
@takes_options()
def people(*, options: QueryOptions) -> int:
    """List every person of the registry with the number of events naming them, busiest first.

    With filters, only the people their events name. The same for vehicles:
    spacelog vehicles; for agencies: spacelog agency.

    \b
    Examples:
      spacelog people
      spacelog people --category eva
      spacelog people --agency NASA --format csv
    """
    return _entity_list("person", options)


@command
@takes_options()
def vehicles(*, options: QueryOptions) -> int:
    """List every vehicle of the registry (rockets, craft, stations) with its number of events, busiest first.

    With filters, only the vehicles their events name.

    \b
    Examples:
      spacelog vehicles
      spacelog vehicles --year 2017 --category launch
      spacelog vehicles --person 惠特森
    """
    return _entity_list("vehicle", options)


@command
@takes_options((*STORE_AND_FORMAT, *TERMINAL))
def show(
    event_id: Annotated[
        str, typer.Argument(metavar="ID", help="An event id (2017-029) or its number in the chronicle (29).", autocompletion=completion.event_ids)
    ],
    why: Annotated[bool, typer.Option("--why", help="Also say which words of the text decided each category, and which were set aside.")] = False,
    *,
    options: QueryOptions,
) -> int:
    """Show one event in full, with its entities in Chinese and English.

    \b
    Examples:
      spacelog show 2017-029
      spacelog show 29 --format json
      spacelog show 50 --why
      spacelog search 天舟 | cut -f1 | head -1 | xargs spacelog show
    """
    out = options.output()
    source, registry = _open(options)
    asked = event_id.strip()
    ids = source.event_ids()  # compared in C: a million ids are read in milliseconds, not one call each
    if asked.isdigit():  # the event's number in its chronicle: its seq
        seq = int(asked)
        numbers = list(compress(count(), map(methodcaller("endswith", f"-{seq:03d}"), ids)))
        numbers = [i for i in numbers if source.event(i).get("seq") == seq]
    else:
        numbers = list(compress(count(), map(asked.__eq__, ids)))
    found = [source.event(i) for i in numbers]
    if not found:
        from .i18n import _

        example = source.event_id(0) if source.n else "2017-029"  # the store's own form
        number = example.rpartition("-")[2].lstrip("0") or "0"
        _say(_("no event has id {id}; ids look like {example}, or give the number {number}").format(id=repr(asked), example=example, number=number))
        return EXIT_NOT_FOUND
    if len(found) > 1:
        raise UsageError(f"{len(found)} events have number {asked} ({', '.join(e['id'] for e in found)}); give the full id")
    event = found[0]
    if not why:
        from .query import related

        out.event(event, registry, related=[(source.event(i), shared) for i, shared in related(source, event, numbers[0])])
        return EXIT_FOUND
    from .categories import classify

    result = classify(event["text"], event["date"])
    if result.categories != event["categories"]:
        _say(
            f"note: the store gives {event['id']} the categories {', '.join(event['categories'])}; "
            f"this version reads {', '.join(result.categories)}, and the reasons are for those (rebuild the store with spacelog ingest)"
        )
    out.event_why(event, registry, result)
    return EXIT_FOUND


@command
def check(
    paths: Annotated[
        list[str] | None, typer.Argument(metavar="[PATH]...", help="Store files or folders; default: --data, $SPACELOG_DATA, else the shipped store.")
    ] = None,
    data: DataOption = None,
    registry_files: RegistryOption = None,
) -> int:
    """Validate a store: every bad line is reported as FILE:LINE: what is wrong.

    Exit status 0 when the store is valid (warnings allowed), 2 when any line
    is bad or a file cannot be read.

    \b
    Examples:
      spacelog check
      spacelog check data/events.jsonl
      spacelog ingest 大事记2018.txt --year 2018 | spacelog check -
    """
    from .discover import TextTally
    from .locations import default_store_paths
    from .store import Diagnostic, StoreScan
    from .text import plural

    registry = _registry(registry_files)
    scan = StoreScan([*(paths or []), *(data or [])] or default_store_paths(), registry, check_order=True, light=True)
    texts = TextTally()
    valid = errors = warnings = 0
    for item in scan:  # streamed: a store of millions of events is never held whole
        if isinstance(item, Diagnostic):
            typer.echo(_visible(str(item)))
            errors += item.severity == "error"
            warnings += item.severity == "warning"
        else:
            valid += 1
            texts.add(item[0]["text"])
    _say(f"checked {', '.join(scan.files)}: {plural(valid, 'valid event')}: {plural(errors, 'error')}, {plural(warnings, 'warning')}")
    _report_unknown(texts, registry, [*(paths or []), *(data or [])], registry_files)
    return EXIT_ERROR if errors else EXIT_OK


@command
def ingest(
    chronicle: Annotated[
        str, typer.Argument(metavar="SOURCE", help="A chronicle text file (UTF-8), numbered events like 1. 1月3日，...; - reads standard input.")
    ],
    year: Annotated[int, typer.Option("--year", "-y", min=1, max=9999, help="The chronicle's year: its dates give month and day only.")],
    output: Annotated[str, typer.Option("--output", "-o", metavar="PATH", help="Store file to write atomically; - for stdout (default).")] = "-",
    registry_files: RegistryOption = None,
) -> int:
    """Parse a chronicle into an event store (JSON Lines).

    Page breaks inside events are joined; the text is otherwise kept verbatim.
    Lines that cannot be placed are errors naming the line (nothing is
    written); date-order and numbering anomalies are warnings.

    \b
    Examples:
      spacelog ingest data/sources/2017.txt --year 2017 --output data/events.jsonl
      spacelog ingest 大事记2018.txt -y 2018 | spacelog check -
    """
    from .ingest import parse_chronicle, read_chronicle, write_store
    from .store import dump_event
    from .text import plural

    registry = _registry(registry_files)
    parsed = parse_chronicle(read_chronicle(chronicle), year, registry, chronicle)
    for line, heading in parsed.headings:
        _say(f"{chronicle}:{line}: heading {heading!r} is not an event; not stored")
    for problem in [*parsed.errors, *parsed.warnings]:
        _say(str(problem))
    if parsed.errors:
        raise UsageError(f"{plural(len(parsed.errors), 'line')} of {chronicle} could not be placed; nothing was written")
    if output == "-":
        for event in parsed.events:
            sys.stdout.write(dump_event(event) + "\n")
    else:
        write_store(parsed.events, output, chronicle)
        _say(f"wrote {plural(len(parsed.events), 'event')} to {output}")
    _report_unknown(_tally(parsed.events), registry, [output], registry_files)
    return EXIT_OK


def _tally(events: list) -> "TextTally":
    from .discover import TextTally

    texts = TextTally()
    for event in events:
        texts.add(event["text"])
    return texts


def _report_unknown(texts: "TextTally", registry: "Registry", stores: list[str], registry_files: list[str] | None) -> None:
    """One line when the events name people, agencies or vehicles the registry lacks."""
    import shlex

    from .discover import count_unknown

    n = count_unknown(texts, registry)
    if n == 0:
        return
    command = "spacelog unknown" + "".join(f" --data {shlex.quote(store)}" for store in stores)
    command += "".join(f" --registry {shlex.quote(path)}" for path in registry_files or [])
    if n is None:
        _say(f"the store has too many different texts to count the names the registry lacks here; {command} lists them")
        return
    names = "1 name in these events is" if n == 1 else f"{n} names in these events are"
    if stores == ["-"]:  # the store went to stdout
        _say(f"{names} not in the registry; piped to {command}, this store lists them")
    else:
        _say(f"{names} not in the registry; {command} lists them")


UNKNOWN_FORMATS = "table, tsv, csv, excel, json, jsonl, markdown, html, or toml (registry entries to review). Default: table on a terminal, tsv in a pipe."


@command
@takes_options((*FILTERS, "data", "registry", "fields", "no_header", "strict", *LISTING, *TERMINAL))
def unknown(
    kind: Annotated[str | None, typer.Option("--kind", "-k", metavar="KIND", help="Only agency, person or vehicle.", autocompletion=completion.kinds)] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", metavar="FORMAT", help=UNKNOWN_FORMATS, autocompletion=completion.unknown_formats)] = None,
    *,
    options: QueryOptions,
) -> int:
    """List the people, agencies and vehicles the events name that the registry lacks.

    Each name comes with the other spellings the text uses for it, its events,
    and the registry entity it may be a new spelling of (like). --format toml
    prints registry entries to review and add to your registry file.

    \b
    Examples:
      spacelog ingest 大事记2018.txt -y 2018 -o events-2018.jsonl
      spacelog unknown --data events-2018.jsonl
      spacelog unknown --data events-2018.jsonl --kind person --agency 俄罗斯航天局
      spacelog unknown --data events-2018.jsonl --format toml > review.toml
      spacelog unknown --data events-2018.jsonl --format jsonl | jq -r .name
    """
    from .discover import discover
    from .output import FORMATS
    from .registry import KINDS

    if kind is not None:
        _check_choice("kind", kind, KINDS)
    out = options.output(fmt, formats=(*FORMATS, "toml"))
    source, registry = _open(options)
    event_filter = options.event_filter(registry)
    numbers = sorted(event_filter.select(source))
    records = [r for r in discover((source.event(i) for i in numbers), registry) if kind is None or r.kind == kind]
    if options.count:
        return _count(out, len(records), options)
    if not numbers:
        return _found(0)  # no event passes the filters: nothing was looked at
    if not records:
        _say(f"every {kind or 'name'} these events mention is in the registry")
        return EXIT_NOT_FOUND
    out.unknown(options.listed(records), registry)
    return EXIT_FOUND


@command
@takes_options((*FILTERS, *STORE_AND_FORMAT, *TERMINAL))
def stats(
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            metavar="KEY",
            help="Count events by category, month, agency, person or vehicle (default: category); twice (or KEY,KEY) for pairs.",
            autocompletion=completion.stats_keys,
        ),
    ] = None,
    *,
    options: QueryOptions,
) -> int:
    """Count the events by category, month, agency, person or vehicle, or by two of them.

    An event counts under each value it has (two agencies: once for each) and
    under - when it has none; months run without gaps, zeros where nothing
    happened. A bar chart on a terminal; tsv (the values, then the count) in a pipe.

    \b
    Examples:
      spacelog stats --by month
      spacelog stats --by person --category eva
      spacelog stats --by category --by month --format csv > categories.csv
      spacelog stats -b agency,category --year 2017
    """
    from .stats import KEYS, tally

    keys = tuple(k.strip() for value in by or ["category"] for k in value.split(",") if k.strip())
    for key in keys:
        _check_choice("key for --by", key, KEYS)
    if not 1 <= len(keys) <= 2 or len(set(keys)) < len(keys):
        raise UsageError("--by takes one key or two different ones, e.g. --by category --by month")
    out = options.output()
    source, registry = _open(options)
    event_filter = _filter(options, registry)
    rows = tally(source, event_filter.select(source), keys, event_filter)
    if rows:
        out.stats(keys, rows, registry)
    return _found(len(rows))


def _complete_command(incomplete: str) -> list[str]:
    return [_name(fn) for fn in COMMANDS if _name(fn).startswith(incomplete)]


@command
def help_(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(metavar="[COMMAND]", help="A command; omit it for the list of commands.", autocompletion=_complete_command)
    ] = None,
) -> int:
    """Show the help of a COMMAND (as spacelog COMMAND --help), or of spacelog.

    \b
    Examples:
      spacelog help
      spacelog help search
    """
    from .usage import help_text

    typer.echo(help_text(ctx, name))
    return EXIT_OK


@command
def man(ctx: typer.Context) -> int:
    """Write spacelog's man page (roff), made from the same help as --help.

    \b
    Examples:
      spacelog man > ~/.local/share/man/man1/spacelog.1
      spacelog man | man -l -
    """
    from .manpage import manpage

    root = ctx.find_root()
    sys.stdout.write(manpage(root.command, root, __version__))
    return EXIT_OK


def _visible(text: str) -> str:
    from .text import visible

    return visible(text)


COMMANDS = (search, who, timeline, agency, people, vehicles, show, check, ingest, unknown, stats, help_, man)
WHOLE_TREE = ("help", "man")  # commands that read the help of every command


def _name(fn: Callable) -> str:
    return fn.__name__.rstrip("_")  # help_ is spacelog help


def _epilog(name: str) -> str | None:
    """timeline's help ends with what each category means: where the filter by category is first met."""
    if name != "timeline":
        return None
    from .meanings import category_help

    return category_help()


def build_app(commands=COMMANDS) -> typer.Typer:
    application = typer.Typer(**APP_SETTINGS)
    application.callback(invoke_without_command=True)(main)
    for fn in commands:
        application.command(_name(fn), epilog=_epilog(fn.__name__), cls=SpacelogCommand)(fn)
    return application


app = build_app()


def run() -> None:
    """Run the app (the console script enters through entry.py, which prepares streams first).

    Typer converts every command's signature into Click parameters at each
    start; when the first argument names a command, only that command is
    built (3 ms less). Help, completion and unknown commands use the full app.
    """
    _move_leading_no_pager(sys.argv)
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    chosen = [fn for fn in COMMANDS if _name(fn) == name and name not in WHOLE_TREE]
    completing = any(k.startswith("_SPACELOG_COMPLETE") for k in os.environ)
    application = build_app(chosen) if chosen and not completing else app
    if len(sys.argv) == 1 or name in WHOLE_TREE or any(a in ("--help", "-h") for a in sys.argv[1:]):
        from .i18n import language

        if language() != "en":
            command = typer.main.get_command(application)
            _translate_help(command)
            command(prog_name="spacelog")
            return
    application(prog_name="spacelog")  # also as python -m spacelog: the name its messages and help give


def _move_leading_no_pager(argv: list[str]) -> None:
    """`spacelog --no-pager CMD ...` as git takes it: the option goes after the command, or away
    for a command that never pages (check, ingest, help, man)."""
    if len(argv) > 2 and argv[1] == "--no-pager":
        pages = any(_name(fn) == argv[2] and "no_pager" in inspect.signature(fn).parameters for fn in COMMANDS)
        argv[1:3] = [argv[2], "--no-pager"] if pages else [argv[2]]


def _translate_help(command) -> None:
    """Put the help of a command tree in the interface's language, in place.

    Each paragraph is translated on its own; in an example block only the
    heading is, the commands stay as they are typed. Typer's own section
    titles (Options, Arguments) come from the same catalog.
    """
    import typer.core

    from .i18n import _

    typer.core._ = _  # type: ignore[attr-defined]

    def translated(text: str | None) -> str | None:
        if not text:
            return text
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("\b\n"):  # an example block: \b, its heading, the commands
                first, heading, *rest = paragraph.split("\n")
                paragraphs.append("\n".join([first, _(heading), *rest]))
            else:
                paragraphs.append(_(paragraph))
        return "\n\n".join(paragraphs)

    command.help = translated(command.help)
    if command.epilog:
        from .meanings import category_help, category_help_translated

        if command.epilog == category_help():
            command.epilog = category_help_translated(_)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = translated(param.help)
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)
