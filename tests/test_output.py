"""Output: Rich tables on a terminal, plain lines in a pipe, data never acting on the terminal."""

from __future__ import annotations

import functools
import io
import json
import re
import sys

import pytest
from rich.cells import cell_len

from conftest import REGISTRY, SGR, STORE, FakeTerminal, cli, run_process, shipped_events
from spacelog.output import TableOutput, choose_output
from spacelog.render import events as events_table

ESC = "\x1b"
BOX = re.compile("[\u2500-\u257f]")


def render(events, highlight=None) -> str:
    stream = FakeTerminal()
    out = choose_output(None, stream)  # a terminal gets a table
    assert isinstance(out, TableOutput)
    out.console.print(events_table(events, highlight))
    return stream.getvalue()


def test_terminal_default_is_a_table_with_highlighted_matches(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = render(shipped_events()[1:2], highlight=["锂离子电池"])
    assert "2017-002" in out and "─" in out
    assert f"{ESC}[1;7m锂离子电池{ESC}[0m" in out


def test_table_lines_have_equal_width_at_80_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    out = SGR.sub("", render(shipped_events()[:10]))
    widths = {cell_len(line) for line in out.splitlines() if line.strip()}
    assert widths == {80}


COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-8]|4[0-8]|9[0-7])m")


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}, {"NO_COLOR": "1", "TERM": "dumb"}])
def test_no_color_and_dumb_terminal_emit_no_colour_but_matches_stay_visible(monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = render(shipped_events()[:2], highlight=["国际空间站"])
    assert not COLOUR.search(out)
    assert f"{ESC}[1;7m国际空间站{ESC}[0m" in out  # bold reverse: attributes, which NO_COLOR allows


@functools.cache
def shipped_source():
    from spacelog.query import MemorySource
    from spacelog.store import load_store

    return MemorySource(load_store([str(STORE)]))


@functools.cache
def shipped_registry():
    from spacelog.registry import load_registry

    return load_registry(REGISTRY)


def table_of(color: str, stream=None) -> str:
    """Event 2017-002 as a table, its match highlighted, written to a terminal (or to `stream`)."""
    stream = stream if stream is not None else FakeTerminal()
    choose_output("table", stream, color=color).listing(shipped_source(), [1], shipped_registry(), highlight=["锂离子电池"])
    return stream.getvalue()


def test_color_never_draws_no_escape_even_where_colour_is_forced(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert ESC not in table_of("never")


def test_color_always_colours_a_pipe_and_beats_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = table_of("always", io.StringIO())
    assert f"{ESC}[1;7m锂离子电池{ESC}[0m" in out and COLOUR.search(out) is None  # no colour in an event list but its bold
    monkeypatch.setenv("TERM", "xterm-256color")
    chart = io.StringIO()
    choose_output("table", chart, color="always").timeline(shipped_source(), [("2017-01", [1])], shipped_registry())
    assert COLOUR.search(chart.getvalue())  # the month chart's bars are cyan


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "CLICOLOR_FORCE"])
def test_force_color_and_clicolor_force_style_a_table_in_a_pipe(monkeypatch, variable):
    assert ESC not in table_of("auto", io.StringIO())
    monkeypatch.setenv(variable, "1")
    assert f"{ESC}[1;7m锂离子电池" in table_of("auto", io.StringIO())
    monkeypatch.setenv(variable, "0")  # 0 forces nothing
    assert ESC not in table_of("auto", io.StringIO())


def test_color_never_leaves_tsv_and_json_as_they_are():
    for fmt in ("tsv", "csv", "json", "jsonl"):
        assert cli("search", "空间站", "--format", fmt, "--color", "always").stdout == cli("search", "空间站", "--format", fmt).stdout


def test_an_unknown_color_is_a_usage_error_with_the_closest_value():
    result = cli("search", "空间站", "--color", "allways")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "spacelog: unknown --color value 'allways'; did you mean always? (use one of auto, always, never)\n"


@pytest.mark.parametrize("command", [["search", "空间站"], ["timeline", "--month", "3"], ["agency", "NASA"], ["agency"], ["who", "惠特森"], ["show", "29"]])
def test_piped_output_has_no_escapes_and_no_box_drawing(command):
    result = cli(*command)
    assert result.exit_code == 0
    assert ESC not in result.stdout and not BOX.search(result.stdout)
    assert result.stdout and all("\t" in line for line in result.stdout.splitlines())


def test_tsv_is_id_date_end_text_then_categories_and_names():
    first = cli("timeline", "--month", "6").stdout.splitlines()[2]
    text = shipped_events()[35]["text"]
    assert first.split("\t") == ["2017-036", "2017-06-05", "", text, "launch,test", "印度空间研究组织", "", "地球同步轨道卫星运载火箭MK3; GSAT-19卫星"]
    row = [line for line in cli("timeline").stdout.splitlines() if line.startswith("2017-037")][0]
    assert row.split("\t")[:3] == ["2017-037", "2017-06-05", "2017-06-09"]


def test_hostile_text_is_inert_in_every_format(tmp_path):
    event = dict(shipped_events()[0])
    event["text"] = "1月3日，[bold red]x[/] [link=file:///etc/passwd]y \x1b[2J \x1b]52;c;aGk=\x07 \u202egnp.exe\x9b tab\there"
    store = tmp_path / "h.jsonl"
    store.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    for fmt in ("tsv", "csv", "json", "jsonl", "table"):
        out = cli("search", "1月3日", "--data", str(store), "--format", fmt).stdout
        assert ESC not in out and "\x07" not in out and "\u202e" not in out and "\x9b" not in out, fmt
        if fmt in ("json", "jsonl"):
            parsed = json.loads(out)
            assert (parsed[0] if fmt == "json" else parsed)["text"] == event["text"]
        else:
            assert "[bold red]x[/]" in out and "\\x1b[2J" in out and "\\u202e" in out, fmt
    tsv = cli("search", "1月3日", "--data", str(store)).stdout
    assert tsv.count("\t") == 7  # the tab inside the text is escaped


def big_store(tmp_path, n: int = 3000):
    """A store whose output is far larger than a pipe's buffer, so `head` really closes it early."""
    base = shipped_events()
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            year, seq = 2000 + i // 900, i % 900 + 1
            event = dict(base[i % len(base)], id=f"{year}-{seq:03d}", seq=seq, date=f"{year}-01-01", end=None)
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "table"])
def test_head_on_a_pipe_exits_0_with_empty_stderr(tmp_path, fmt):
    store = big_store(tmp_path)
    command = f"{sys.executable} -m spacelog search 空间站 --data {store} --format {fmt} | head -1; exit ${{PIPESTATUS[0]}}"
    result = run_process(shell=command)
    assert result.returncode == 0
    assert result.stderr == b""
    assert len(result.stdout.splitlines()) == 1


def test_exit_statuses_as_a_real_process():
    assert run_process("search", "空间站").returncode == 0
    assert run_process("search", "不存在的词语").returncode == 1
    assert run_process("search", "x", "--month", "13").returncode == 2
    assert run_process("bogus").returncode == 2


def test_ctrl_c_exits_130_quietly():
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "spacelog", "search", "x", "--data", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(1.0)  # it is waiting for the store on stdin
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err


def test_every_command_has_help_with_a_chinese_example():
    for command in ("search", "who", "timeline", "agency", "show", "check", "ingest", "unknown"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        examples = result.stdout.split("Examples:")[1]
        assert re.search(r"[\u4e00-\u9fff]", examples), command


def test_version_and_bare_command():
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("spacelog 0.")
    bare = cli()  # as gh: the help, on stdout, status 0
    assert (bare.exit_code, bare.stderr) == (0, "") and bare.stdout.startswith("Usage: spacelog [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.parametrize(
    "words, cword, expected",
    [
        ("spacelog timeline --agency NA", 3, "NASA"),
        ("spacelog timeline --category e", 3, "eva"),
        ("spacelog search x --person 惠", 4, "惠特森"),
        ("spacelog agency Rosc", 2, "Roscosmos"),
    ],
)
def test_shell_completion_of_names_and_categories(words, cword, expected):
    # through the installed script, as a shell calls it (under python -m the program name differs)
    import os
    import subprocess

    script = os.path.join(os.path.dirname(sys.executable), "spacelog")
    env = {**os.environ, "_SPACELOG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = subprocess.run([script], capture_output=True, env=env, timeout=60)
    assert result.returncode == 0
    assert expected in result.stdout.decode("utf-8").split()


def test_a_long_listing_is_drawn_in_parts_that_line_up(monkeypatch):
    """Past LISTING_PART events a terminal listing is printed a part at a time (bounded memory, the first
    screen at once): the same lines as one table whose id and date columns are as wide as any can be."""
    import spacelog.output

    monkeypatch.setattr(spacelog.output, "LISTING_PART", 7)
    numbers = list(range(30))
    parts = FakeTerminal()
    choose_output("table", parts).listing(shipped_source(), numbers, shipped_registry(), highlight=["空间站"])
    whole = FakeTerminal()
    events = [shipped_source().event(i) for i in numbers]
    choose_output("table", whole).console.print(events_table(events, ["空间站"], id_cells=len("2017-001")))
    assert parts.getvalue() == whole.getvalue()
    assert parts.getvalue().count("id") == 1 and "\n\n" not in parts.getvalue()
    dated = [line for line in parts.getvalue().splitlines() if line.startswith(" 2017-")]
    assert len(dated) == 30 and {line.index("2017", 5) for line in dated} == {len(" 2017-001   ")}
    unchanged = FakeTerminal()
    monkeypatch.setattr(spacelog.output, "LISTING_PART", 30)
    choose_output("table", unchanged).listing(shipped_source(), numbers, shipped_registry(), highlight=["空间站"])
    assert unchanged.getvalue() == render(events, highlight=["空间站"])  # a listing that fits one part is one table


def test_a_long_timeline_is_drawn_in_parts_with_each_month_headed_once(monkeypatch):
    import spacelog.output
    from spacelog.query import group_by_month
    from spacelog.render import timeline_table

    monkeypatch.setattr(spacelog.output, "LISTING_PART", 4)
    source = shipped_source()
    groups = group_by_month(source, source.in_order(range(20)))
    parts = FakeTerminal()
    choose_output("table", parts).timeline(source, groups, shipped_registry())
    whole = FakeTerminal()
    console = choose_output("table", whole).console
    from spacelog.render import month_chart

    for shown in month_chart([(month, len(numbers)) for month, numbers in groups]):
        console.print(shown)
    console.print(timeline_table([(m, (len(ns), len(ns)), [source.event(i) for i in ns]) for m, ns in groups], id_cells=len("2017-001")))
    assert parts.getvalue() == whole.getvalue()
    assert [line.split(" · ")[0].strip() for line in parts.getvalue().splitlines() if " · " in line] == [
        line.split(" · ")[0].strip() for line in whole.getvalue().splitlines() if " · " in line
    ]
    assert len({m for m, _ in groups}) >= 3 and any(len(ns) > 4 for _, ns in groups)  # a month runs over two parts


def test_a_long_agency_listing_is_drawn_in_parts_under_one_title(monkeypatch):
    import spacelog.output
    from spacelog.query import AgencySummary, tagged_with

    registry, source = shipped_registry(), shipped_source()
    nasa = registry.get("nasa")
    numbers = tagged_with(source, nasa)

    def shown(part: int) -> str:
        monkeypatch.setattr(spacelog.output, "LISTING_PART", part)
        stream = FakeTerminal()
        choose_output("table", stream).agency(AgencySummary(nasa, source, numbers), registry)
        return stream.getvalue()

    whole, parts = shown(1000), shown(5)
    title = f"{len(numbers)} events"
    assert parts[: parts.index(title)] == whole[: whole.index(title)]  # the summary, counted in one pass
    assert parts.count(title) == 1 and len(numbers) > 10
    assert re.findall(r"^ (2017-\d{3}) ", parts, re.M) == [source.event_id(i) for i in numbers]


def test_a_long_timeline_cut_by_limit_counts_every_match_in_its_chart_and_headings(monkeypatch):
    import spacelog.output
    from spacelog.query import group_by_month

    source = shipped_source()
    every = source.in_order(range(20))
    months = [(m, len(ns)) for m, ns in group_by_month(source, every)]
    groups = group_by_month(source, every[:13])  # cut inside a month
    drawn = []
    for part in (4, 1000):  # in parts, and whole
        monkeypatch.setattr(spacelog.output, "LISTING_PART", part)
        out = FakeTerminal()
        choose_output("table", out).timeline(source, groups, shipped_registry(), every=every)
        drawn.append(out.getvalue())
    headings = [[line.strip() for line in d.splitlines() if " · " in line] for d in drawn]
    charts = [[line for line in d.splitlines() if "█" in line] for d in drawn]
    assert headings[0] == headings[1] and charts[0] == charts[1]  # the same headings and chart, in parts or whole
    cut_month, listed = groups[-1][0], len(groups[-1][1])
    total = dict(months)[cut_month]
    assert listed < total and f"{cut_month} · {listed} of {total} events" in drawn[0]
    assert all(f"{m} · {n} event" in drawn[0] for m, ns in groups[:-1] for n in [len(ns)])
    assert [row.split()[:2] for row in charts[0]] == [[m, str(dict(months)[m])] for m, _ in groups]  # the listed months, every match counted
