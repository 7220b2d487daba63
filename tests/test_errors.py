"""One error style: every usage error, Click's too, is one line `spacelog: ...` with the closest
real name when one is close, status 2; help with no arguments, `spacelog help`, the man page;
one rule for unknown names; nothing on stdout when nothing is found."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import cli, run_process
from spacelog.cli import COMMANDS, app
from spacelog.output import FORMATS as OUTPUT_FORMATS
from spacelog.suggest import closest

FORMATS = list(OUTPUT_FORMATS)  # every one: nothing is printed when nothing is found


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "x", "--coutn"], "no such option --coutn; did you mean --count?"),
        (["search", "x", "--colour", "never"], "no such option --colour; did you mean --color?"),
        (["timeline", "--revers"], "no such option --revers; did you mean --reverse?"),
        (["search", "x", "-z"], "no such option -z; see spacelog search --help"),
        (["check", "--count"], "no such option --count; see spacelog check --help"),  # not --data or --registry
        (["--bogus"], "no such option --bogus; see spacelog --help"),
        (["search", "x", "--month", "13"], "invalid value for --month: 13 is not in the range 1<=x<=12"),
        (["search", "x", "--limit", "0"], "invalid value for --limit: 0 is not in the range x>=1"),
        (["search"], "missing argument 'TERM...'; see spacelog search --help"),
        (["search", "x", "--month"], "option '--month' requires an argument; see spacelog search --help"),
        (["show", "1", "2"], "got unexpected extra argument(s) (2); see spacelog show --help"),
        (["serch", "x"], "no such command 'serch'; did you mean search?"),
        (["frobnicate"], "no such command 'frobnicate'; see spacelog --help"),
        (["search", "x", "--format", "jsn"], f"unknown format 'jsn'; did you mean json? (use one of {', '.join(OUTPUT_FORMATS)})"),
        (["search", "x", "--format", "xml"], f"unknown format 'xml'; use one of {', '.join(OUTPUT_FORMATS)}"),
        (["search", "x", "--sort", "relevence"], "unknown sort order 'relevence'; did you mean relevance? (use one of date, relevance)"),
        (["who", "x", "--kind", "persn"], "unknown kind 'persn'; did you mean person? (use one of agency, person, vehicle)"),
        (["help", "serch"], "no such command 'serch'; did you mean search?"),
    ],
)
def test_a_usage_error_is_one_line_with_the_closest_name_and_status_2(args, message):
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"spacelog: {message}\n")


def test_usage_errors_are_one_line_in_a_real_process_too():
    for args in (["search", "x", "--coutn"], ["search", "x", "--month", "13"], ["serch"], ["search"]):
        result = run_process(*args)
        assert result.returncode == 2 and result.stdout == b"", args
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(b"spacelog: "), args


def test_closeness_is_a_few_edits_not_shared_letters():
    options = ["--month", "--sort", "--on", "--data", "--strict"]
    assert closest("--count", options) == []  # difflib (Click) offered --month and --sort
    assert closest("--mnoth", options) == ["--month"]  # two letters swapped
    assert closest("--dat", options) == ["--data"]
    assert closest("--stirct", options) == ["--strict"]
    assert closest("--x", options) == []


def test_the_chinese_interface_says_it_in_chinese():
    result = run_process("search", "x", "--coutn", env={"SPACELOG_LANG": "zh"})
    assert (result.returncode, result.stderr.decode()) == (2, "spacelog: 没有选项 --coutn；你是不是想用 --count？\n")


# ------------------------------------------------------------------ help
def test_spacelog_alone_prints_its_help_on_stdout_with_status_0():
    alone = run_process()
    assert (alone.returncode, alone.stderr) == (0, b"")
    assert alone.stdout == run_process("--help").stdout
    assert alone.stdout.startswith(b"Usage: spacelog [OPTIONS] COMMAND [ARGS]...") and b"  search " in alone.stdout


@pytest.mark.parametrize("name", ["search", "who", "timeline", "agency", "show", "check", "ingest", "unknown", "help", "man"])
def test_help_command_prints_what_command_help_prints(name):
    helped = run_process("help", name)
    assert (helped.returncode, helped.stderr) == (0, b"")
    assert helped.stdout == run_process(name, "--help").stdout
    assert helped.stdout.startswith(f"Usage: spacelog {name} ".encode())


def test_help_alone_is_the_help_of_spacelog():
    assert run_process("help").stdout == run_process("--help").stdout


def test_help_is_translated_as_help_is():
    env = {"SPACELOG_LANG": "zh"}
    assert run_process("help", "search", env=env).stdout == run_process("search", "--help", env=env).stdout
    assert "查找正文包含全部 TERM 的事件。".encode() in run_process("help", "search", env=env).stdout


# ------------------------------------------------------------------ man page
def man_page() -> str:
    result = cli("man")
    assert result.exit_code == 0
    return result.stdout


def test_the_man_page_has_every_command_and_every_option():
    import typer.main

    page = man_page()
    plain = page.replace("\\-", "-").replace("\\e", "\\")
    group = typer.main.get_command(app)
    for fn in COMMANDS:
        name = fn.__name__.rstrip("_")
        assert f".SS {name}\n" in page, name
        command = group.commands[name]  # type: ignore[attr-defined]
        flags = [o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")]
        section = plain.split(f".SS {name}\n")[1].split("\n.SS ")[0]
        missing = [f for f in flags if not re.search(rf"\\fB[^\n]*{re.escape(f)}\b", section)]
        assert missing == [], name
    assert page.startswith(".TH SPACELOG 1 ") and ".SH SYNOPSIS" in page


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_the_man_page_renders_without_a_warning():
    rendered = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-ww"], input=man_page().encode(), capture_output=True, timeout=60)
    assert rendered.returncode == 0 and rendered.stderr == b""
    text = re.sub(r".\x08", "", rendered.stdout.decode("utf-8"))
    assert "spacelog search 出舱 --format jsonl | jq .id" in text and "--no-pager" in text


# ------------------------------------------------------------------ one rule for unknown names
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args, line",
    [
        (["who", "马斯克"], "no name matches '马斯克' well enough; did you mean 马克·范德海 (Mark Vande Hei), 兰道夫·布莱斯尼克 (Randy Bresnik)?"),
        (["agency", "马斯克"], "no agency matches '马斯克' well enough"),
        (["search", "空间站", "--agency", "马斯克"], "no agency matches '马斯克' well enough"),
        (
            ["timeline", "--person", "马斯克"],
            "no person matches '马斯克' well enough; did you mean 马克·范德海 (Mark Vande Hei), 兰道夫·布莱斯尼克 (Randy Bresnik)?",
        ),
        (["agency", "NASA", "--vehicle", "马斯克"], "no vehicle matches '马斯克' well enough"),
    ],
)
def test_a_name_the_registry_lacks_is_status_1_with_one_line_and_no_output(args, line, fmt):
    result = cli(*args, "--format", fmt)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"spacelog: {line}\n")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args",
    [
        ["search", "不存在的词语"],
        ["timeline", "--year", "2018"],
        ["agency", "NASA", "--month", "2", "--category", "eva"],
        ["search", "空间站", "--person", "惠特森", "--month", "12"],
        ["unknown", "--year", "2018"],
    ],
)
def test_nothing_found_leaves_stdout_empty_in_every_format(args, fmt):
    result = cli(*args, "--format", fmt)
    assert result.exit_code == 1 and result.stdout == "", result.stdout


def test_nothing_found_on_a_terminal_draws_no_empty_table():
    from conftest import run_on_terminal

    assert run_on_terminal("timeline", "--year", "2018") == "spacelog: no events found\n"


# ------------------------------------------------------------------ hints that respect the query
def test_no_closest_events_outside_the_filters():
    assert cli("search", "火星", "--year", "2018").stderr == "spacelog: no events found\n"
    hinted = cli("search", "火星火星", "--month", "12").stderr
    assert re.findall(r"\b2017-\d{3}\b", hinted) == ["2017-069", "2017-070"]  # December's, not 2017-020 of March
    assert hinted.endswith("spacelog: no events found\n")


def test_no_name_outside_the_filters():
    assert "did you mean 佩吉·惠特森" in cli("search", "惠特森斯").stderr
    assert "did you mean" in cli("search", "惠特森斯", "--month", "3").stderr  # she has events in March
    assert "did you mean" not in cli("search", "惠特森斯", "--month", "12").stderr  # and none in December


def test_a_date_gets_no_name():
    for query in ("11月18日", "2017-11-18", "11 月 18 日"):
        stderr = cli("search", query).stderr
        assert "did you mean" not in stderr and stderr.endswith("spacelog: no events found\n"), query


def test_help_completes_command_names():
    env = {"COMP_WORDS": "spacelog help se", "COMP_CWORD": "2", "_SPACELOG_COMPLETE": "complete_bash"}
    assert run_process(env=env).stdout == b"search\n"
