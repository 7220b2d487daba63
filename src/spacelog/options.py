"""The options every listing command shares, declared once, handed to a command as one value.

`QueryOptions` is that value; its annotations are the one declaration of the
shared options (Typer metadata included). `takes_options` appends them to a
command's signature, which Typer reads through `inspect.signature` (it honours
`__signature__`), and hands the body one `options` argument. A new filter is a
field here, a field of `query.EventFilter` and a line of `QueryOptions.event_filter`.
"""

# No `from __future__ import annotations`: Typer needs the annotations as objects.
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from . import completion
from .errors import UsageError

if TYPE_CHECKING:
    from .lookup import Match
    from .output import Output
    from .query import EventFilter
    from .registry import Registry


T = TypeVar("T")


DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        metavar="PATH",
        help="Store file, folder of *.jsonl, or - for stdin; repeatable. Default: $SPACELOG_DATA, else the shipped store.",
    ),
]

RegistryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--registry",
        metavar="PATH",
        help="An entity registry file read on top of the shipped one, the user's (~/.config/spacelog/entities.toml) and $SPACELOG_REGISTRY; repeatable.",
    ),
]


def _name_option(kind: str, help: str) -> Any:
    """A repeatable filter by a registry name of one kind: --agency, --person, --vehicle."""
    return typer.Option(f"--{kind}", metavar="NAME", help=help, autocompletion=completion.names(kind))


class QueryOptions:
    """The shared options of a command, as parsed: filters, then where the events come from and how they are printed."""

    agency: Annotated[list[str] | None, _name_option("agency", "Only events of this agency (any spelling; exit 1 when it names none).")] = None
    person: Annotated[list[str] | None, _name_option("person", "Only events naming this person (any spelling; exit 1 when it names none).")] = None
    vehicle: Annotated[list[str] | None, _name_option("vehicle", "Only events naming this vehicle (any spelling; exit 1 when it names none).")] = None
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            metavar="CATEGORY",
            help="Only events of this category: launch, eva, docking, return, crew, policy, budget, contract, test, mission-end, "
            "conference, science, recruitment, failure, other, or its Chinese name: 发射, 出舱, 对接, ... (what each means: spacelog timeline --help).",
            autocompletion=completion.categories,
        ),
    ] = None
    year: Annotated[int | None, typer.Option("--year", metavar="YEAR", min=1, max=9999, help="Only events of this year.")] = None
    month: Annotated[int | None, typer.Option("--month", "-m", metavar="1-12", min=1, max=12, help="Only events in this month.")] = None
    date_from: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="Only events on or after this date.")] = None
    date_to: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="Only events on or before this date.")] = None
    on: Annotated[str | None, typer.Option("--on", metavar="MM-DD", help="Only events on this day of any year (a range counts when it holds the day).")] = None
    day: Annotated[str | None, typer.Option("--day", metavar="YYYY-MM-DD", help="Only events on this day (a range counts when it holds the day).")] = None
    data: DataOption = None
    registry: RegistryOption = None
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table, tsv, csv, excel (csv with a BOM and CRLF), json, jsonl, markdown, html (a page) or chronicle (numbered text that ingest reads). "
            "Default: table on a terminal, tsv in a pipe.",
            autocompletion=completion.formats,
        ),
    ] = None
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--fields",
            metavar="FIELD,...",
            help="The columns of tsv, csv, excel, markdown and html (the keys of json and jsonl), in order: id, seq, date, end, text, categories, agencies, people, "
            "vehicles (Chinese names), agencies_en, people_en, vehicles_en, agency_ids, person_ids, vehicle_ids.",
        ),
    ] = None
    no_header: Annotated[bool, typer.Option("--no-header", help="No header row in csv and excel.")] = False
    strict: Annotated[bool, typer.Option("--strict", help="Stop with status 2 when any store line is bad, instead of skipping it with a warning.")] = False
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", metavar="N", min=1, help="List at most N events (who: N names, default 5; agency alone: agencies; unknown: names)."),
    ] = None
    reverse: Annotated[bool, typer.Option("--reverse", help="List in the reverse order: newest events first.")] = False
    count: Annotated[
        bool, typer.Option("--count", help="Print only the number of events found (agency alone: of agencies; unknown: of names), at most --limit.")
    ] = False
    color: Annotated[str, typer.Option("--color", metavar="WHEN", help="Colour in tables: auto (on a terminal, unless NO_COLOR), always or never.")] = "auto"
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Print straight to the terminal; by default output longer than the screen goes through a pager.")
    ] = False

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            if name not in SHARED:
                raise TypeError(f"QueryOptions has no option {name!r}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        return "QueryOptions(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in SHARED) + ")"

    def output(self, fmt: str | None = None, formats: tuple[str, ...] | None = None) -> "Output":
        """Where results go: the format and columns, the colour and the pager these options ask for (`formats`: the command's own list)."""
        from .output import FORMATS, choose_output

        fmt = fmt or self.format
        return choose_output(fmt, fields=self.fields, header=not self.no_header, color=self.color, page=not self.no_pager, formats=formats or FORMATS)

    def listed(self, records: "list[T]") -> "list[T]":
        """The records a listing prints: reversed with --reverse, the first N with --limit."""
        ordered = records[::-1] if self.reverse else records
        return ordered if self.limit is None else ordered[: self.limit]

    def event_filter(self, registry: "Registry", resolved: "Callable[[str, Match], None] | None" = None) -> "EventFilter":
        """The filters as a query condition; names resolved against `registry`, dates and categories checked.

        A name that names no entity raises `lookup.NotFound` (exit 1); `resolved`
        is told the match of each name, so the command can say how it took it.
        """
        from .i18n import _, canonical_category, category_name
        from .lookup import resolve
        from .query import EventFilter
        from .store import CATEGORIES, parse_date

        categories = [canonical_category(c) for c in self.category or []]  # 出舱 is eva in every locale
        for c in categories:
            if c not in CATEGORIES:
                from .suggest import did_you_mean

                names = _(", ").join(map(category_name, CATEGORIES))
                raise UsageError(_("unknown category {name}; use one of {names}").format(name=repr(c), names=names) + did_you_mean(c, CATEGORIES))
        for label, value in (("--from", self.date_from), ("--to", self.date_to)):
            if value is not None and parse_date(value) is None:
                raise UsageError(
                    _("{option} {value} is not a date; write it as YYYY-MM-DD, e.g. {example}").format(option=label, value=repr(value), example="2017-03-01")
                )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UsageError(_("--from {start} is after --to {end}").format(start=self.date_from, end=self.date_to))
        if self.day is not None and parse_date(self.day) is None:
            raise UsageError(
                _("{option} {value} is not a date; write it as YYYY-MM-DD, e.g. {example}").format(option="--day", value=repr(self.day), example="2017-02-06")
            )
        on = month_day(self.on) if self.on is not None else None

        def entity_id(name: str, kind: str) -> str:
            match = resolve(name, registry, kind)
            if resolved is not None:
                resolved(name, match)
            return match.entity.id

        return EventFilter(
            agencies=[entity_id(n, "agency") for n in self.agency or []],
            people=[entity_id(n, "person") for n in self.person or []],
            vehicles=[entity_id(n, "vehicle") for n in self.vehicle or []],
            categories=categories,
            year=self.year,
            month=self.month,
            date_from=self.date_from,
            date_to=self.date_to,
            on=on,
            day=self.day,
        )


def month_day(value: str) -> tuple[int, int]:
    """--on's MM-DD (or M-D) as (month, day); February 29 is a day of leap years."""
    from .store import parse_date

    month, _dash, day = value.strip().partition("-")
    if not (month.isdigit() and day.isdigit() and len(month) <= 2 and len(day) <= 2) or parse_date(f"2000-{int(month):02d}-{int(day):02d}") is None:
        from .i18n import _

        raise UsageError(
            _("{option} {value} is not a day of the year; write it as MM-DD, e.g. {example}").format(option="--on", value=repr(value), example="02-06")
        )
    return int(month), int(day)


SHARED = tuple(QueryOptions.__annotations__)  # every shared option, in --help order
FILTERS = SHARED[: SHARED.index("data")]  # the options that narrow which events are listed
STORE_AND_FORMAT = SHARED[
    len(FILTERS) : SHARED.index("limit")
]  # --data, --registry, --format, --fields, --no-header, --strict: every command that reads a store and prints events
LISTING = ("limit", "reverse", "count")  # how much of a listing is printed, in which order
TERMINAL = ("color", "no_pager")  # how output looks on a terminal


def takes_options(names: tuple[str, ...] = SHARED) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the shared options `names`: Typer sees them as parameters, the body one `options` value."""
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=QueryOptions.__annotations__[name], default=getattr(QueryOptions, name))
        for name in names
    ]

    def decorate(body: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(body)
        own = [p for p in signature.parameters.values() if p.name != "options"]

        @functools.wraps(body)
        def command(*args: Any, **kwargs: Any) -> Any:
            options = QueryOptions(**{name: kwargs.pop(name) for name in names if name in kwargs})
            return body(*args, options=options, **kwargs)

        command.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in [*own, *shared]} | {"return": signature.return_annotation}
        return command

    return decorate
