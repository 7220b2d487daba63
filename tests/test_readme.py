"""The README shows what users see: every console example is run and compared, the options tables are checked.

In an example, a line `...` stands for any number of lines, a line ending in `...`
for a line that starts so and any lines after it, and `…` inside a line for any text.
Commands run through bash on a terminal of 80 columns without colour, from the top of the
checkout, with the `spacelog` of this environment first on PATH.
"""

from __future__ import annotations

import os
import re
import sys

import pytest
import typer.main

from conftest import ROOT, terminal_output
from spacelog.cli import app
from spacelog.options import SHARED, STORE_AND_FORMAT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, list[str]]]:
    """(command line, expected output lines) of every `$ ` line in a console block."""
    examples: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            else:
                examples[-1][1].append(line)
    return examples


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` lines fit `expected`, with its elisions (see the module's docstring)."""
    if not expected:
        return not actual
    head, rest = expected[0].rstrip(), expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    if head.endswith("..."):
        return actual[0].startswith(head[:-3]) and matches(["...", *rest], actual[1:])
    pattern = ".*".join(re.escape(part) for part in head.split("…"))
    return re.fullmatch(pattern, actual[0]) is not None and matches(rest, actual[1:])


def trimmed(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("command, expected", console_examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_console_example(command, expected, tmp_path):
    bin_dir = os.path.dirname(sys.executable)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "SPACELOG_CACHE": str(tmp_path)}
    shown = terminal_output(["bash", "--noprofile", "--norc", "-c", command], env=env, cwd=ROOT)
    actual = trimmed(shown.split("\n"))
    assert matches(trimmed(expected), actual), "\n".join(actual)


def command_options(name: str) -> dict[str, list[str]]:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {p.name: [o for o in p.opts if o.startswith("-")] for p in command.params if p.name is not None}


def section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n### ", start + 1)
    return README[start : end if end != -1 else None]


def test_the_shared_options_table_lists_exactly_the_shared_options():
    table = section("### Shared options")
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    search = command_options("search")
    assert set(re.findall(r"`(-[-\w]+)[ `]", " ".join(first_cells))) == {flag for name in SHARED for flag in search[name]}
    assert "`show` takes the first six" in table  # --data, --registry, --format, --fields, --no-header, --strict
    assert [re.findall(r"`(--[-\w]+)", cell)[0] for cell in first_cells[:6]] == [search[name][0] for name in STORE_AND_FORMAT]


@pytest.mark.parametrize("name", ["search", "who", "timeline", "agency", "people", "vehicles", "show", "check", "ingest", "unknown", "stats", "help", "man"])
def test_every_option_of_a_command_is_in_its_readme_section(name):
    own = {option: flags for option, flags in command_options(name).items() if option not in SHARED}
    title = {"ingest": "## Building a store from another chronicle", "help": "### help and man:", "man": "### help and man:"}.get(name, f"### {name}:")
    text = section(title)
    missing = [flag for flags in own.values() for flag in flags if not re.search(rf"`{re.escape(flag)}\b", text)]
    assert missing == []
