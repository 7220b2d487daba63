"""The shared options: declared once (options.QueryOptions), accepted by every listing command."""

from __future__ import annotations

import pytest
import typer.main

from conftest import REGISTRY, STORE, cli
from spacelog.cli import app
from spacelog.options import FILTERS, LISTING, SHARED, STORE_AND_FORMAT, TERMINAL, QueryOptions

LISTING_COMMANDS = ("search", "who", "timeline", "agency")
# Every shared option given at once, narrowing the shipped store to one event (2017-021).
EVERY_OPTION = [
    *("--agency", "NASA", "--person", "金布罗", "--vehicle", "国际空间站", "--category", "eva"),
    *("--year", "2017", "--month", "3", "--from", "2017-03-01", "--to", "2017-03-31", "--on", "03-24", "--day", "2017-03-24"),
    *("--data", str(STORE), "--registry", str(REGISTRY), "--format", "tsv", "--strict"),
    *("--limit", "1", "--reverse", "--color", "never", "--no-pager"),
]


def command_options(name: str) -> dict[str, list[str]]:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {p.name: p.opts for p in command.params}


def test_the_shared_options_are_filters_then_source_and_format():
    assert FILTERS == ("agency", "person", "vehicle", "category", "year", "month", "date_from", "date_to", "on", "day")
    assert STORE_AND_FORMAT == ("data", "registry", "format", "fields", "no_header", "strict")
    assert LISTING == ("limit", "reverse", "count") and TERMINAL == ("color", "no_pager")
    assert SHARED == FILTERS + STORE_AND_FORMAT + LISTING + TERMINAL


def test_every_listing_command_declares_every_shared_option_last_in_order():
    for name in LISTING_COMMANDS:
        options = command_options(name)
        assert list(options)[-len(SHARED) :] == list(SHARED), name
        assert options["date_from"] == ["--from"] and options["format"] == ["--format", "-f"], name


def test_show_takes_only_why_data_registry_format_strict_color_and_no_pager():
    assert list(command_options("show")) == ["event_id", "why", *STORE_AND_FORMAT, *TERMINAL]


def test_unknown_takes_every_shared_option_but_its_own_format():
    assert list(command_options("unknown"))[2:] == [name for name in SHARED if name != "format"]


def test_every_listing_command_applies_every_shared_option():
    expected = {
        "search": ["空间站"],
        "who": ["金布罗"],
        "timeline": [],
        "agency": ["NASA"],
    }
    for name, arguments in expected.items():
        result = cli(name, *arguments, *EVERY_OPTION)
        assert result.exit_code == 0, (name, result.stderr)
        first_fields = [line.split("\t")[0] for line in result.stdout.splitlines()]
        assert first_fields == (["shane-kimbrough"] if name == "who" else ["2017-021"]), name
        assert cli(name, *arguments, *EVERY_OPTION, "--count").stdout == "1\n", name
    for args, whole in ((["search", "空间站"], 37), (["timeline"], 73), (["agency", "NASA"], 24), (["agency"], 28)):
        assert cli(*args, "--count").stdout == f"{whole}\n", args
        assert cli(*args, "--count", "--limit", "5").stdout == "5\n", args  # as grep -c -m 5
        assert cli(*args, "--count", "--limit", "500").stdout == f"{whole}\n", args
    assert cli("who", "金布罗", *EVERY_OPTION).stdout.split("\t")[-1] == "2017-021\n"


def test_options_value_has_defaults_and_refuses_unknown_names():
    options = QueryOptions(month=3)
    assert options.month == 3 and options.agency is None and options.strict is False and options.format is None
    with pytest.raises(TypeError, match="colour"):
        QueryOptions(colour="red")
