"""Table layout on a terminal: the faults of Chinese line breaking, counted in code.

Each view is run as a real process on a pseudo-terminal at a fixed width.
The output is cut back into table cells (columns from the header line, rows
from the first column), and every wrapped prose cell is checked against the
rules of Chinese text layout.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass

import pytest

from conftest import REGISTRY, shipped_events

CLOSING = set("，。、；：？！）」』”’》〉】…—·,.;:?!)%")
OPENING = set("（「『“‘《〈【([")
SGR = re.compile(r"\x1b\[[0-9;]*m")
# Columns and show fields whose cells hold event text or names, in every language of the interface.
PROSE = {"event", "中文", "English", "matched", "text", "事件", "英文", "匹配", "正文", "名称"}
VIEWS = {
    "timeline": ["timeline"],
    "agency NASA": ["agency", "NASA"],
    "search 出舱": ["search", "出舱"],
    "who 惠特森": ["who", "惠特森"],
    "show 50": ["show", "50"],
}
WIDTHS = (60, 80, 100, 160)
LANGS = ("C.UTF-8", "zh_CN.UTF-8")


def on_terminal(args: list[str], width: int, env: dict | None = None) -> str:
    """spacelog's stdout when it runs on a terminal `width` cells wide, without colour codes."""
    main, child = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("SPACELOG_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    full_env = {**base, "LANG": "C.UTF-8", "COLUMNS": str(width), "LINES": "50", "TERM": "xterm-256color", "NO_COLOR": "1", "SPACELOG_PAGER": "", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "spacelog", *args], stdout=child, stderr=subprocess.PIPE, env=full_env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read()
    return SGR.sub("", b"".join(chunks).decode("utf-8").replace("\r\n", "\n"))


def cells_of(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def cut(line: str, start: int, end: int | None) -> str:
    """The characters of `line` between cell columns start and end."""
    out, col = [], 0
    for ch in line:
        if col >= start and (end is None or col < end):
            out.append(ch)
        col += cells_of(ch)
    return "".join(out)


def width_of(text: str) -> int:
    return sum(cells_of(c) for c in text)


@dataclass
class Cell:
    column: str
    width: int
    lines: list[str]


def _starts(header: str) -> list[tuple[int, str]]:
    """(cell column, name) of each header word; words are separated by two spaces or more."""
    found, col = [], 0
    for part in re.split(r"( {2,})", header):
        if part.strip():
            found.append((col, part.strip()))
        col += width_of(part)
    return found


def prose_cells(output: str, width: int) -> list[Cell]:
    """Every cell of a prose column (event text, names) in tables with a header, and in field lists."""
    lines = output.split("\n")
    cells: list[Cell] = []
    i = 0
    while i < len(lines) - 1:
        if lines[i + 1].strip() and set(lines[i + 1].strip()) == {"─"}:
            cells += _table_cells(lines, i, width)
        i += 1
    cells += _field_cells(lines, width)
    return cells


def _table_cells(lines: list[str], header_at: int, width: int) -> list[Cell]:
    columns = _starts(lines[header_at])
    bounds = [(start, columns[n + 1][0] if n + 1 < len(columns) else width, name) for n, (start, name) in enumerate(columns)]
    first_end = bounds[0][1]
    open_cells: dict[str, Cell] = {}
    cells: list[Cell] = []
    for line in lines[header_at + 2 :]:
        if not line.strip() or not line.startswith(" "):
            if not line.strip() or not _is_heading(line):
                break
            continue  # a month heading inside the table
        new_row = bool(cut(line, 0, first_end).strip())
        for start, end, name in bounds:
            if name not in PROSE:
                continue
            part = cut(line, start, end).rstrip()
            if new_row:
                open_cells[name] = Cell(name, end - start - (3 if end < width else 1), [part])  # less padding and separator
                cells.append(open_cells[name])
            elif part and name in open_cells:
                open_cells[name].lines.append(part)
    return cells


def _is_heading(line: str) -> bool:
    return " · " in line


def _field_cells(lines: list[str], width: int) -> list[Cell]:
    """Fields of `show` and of the one-field-a-line layout: a label, then the value, wrapped under it."""
    cells: list[Cell] = []
    current: Cell | None = None
    value_at = 0
    for line in lines:
        match = re.match(r"^( ?)(\S+)( +)(\S.*)$", line)
        label = match.group(2) if match else None
        if match and label in PROSE | {
            "id",
            "date",
            "日期",
            "编号",
            "categories",
            "类别",
            "people",
            "人物",
            "vehicles",
            "航天器",
            "agencies",
            "机构",
            "kind",
            "类型",
            "score",
            "得分",
        }:
            value_at = len(match.group(1)) + width_of(label) + len(match.group(3))
            current = Cell(label, width - value_at - 1, [cut(line, value_at, None).rstrip()]) if label in PROSE else None
            if current:
                cells.append(current)
        elif current and line.strip() and not cut(line, 0, value_at).strip():
            current.lines.append(cut(line, value_at, None).rstrip())
        else:
            current = None
    return cells


def corpus() -> str:
    """Every text a prose cell can hold: event texts and registry names, to see whether a break was at a space."""
    import tomllib

    names = []
    for entities in tomllib.loads(REGISTRY.read_text(encoding="utf-8")).values():
        for entity in entities if isinstance(entities, list) else []:
            names += [entity.get("name_zh", ""), entity.get("name_en", ""), *entity.get("aliases", [])]
    return "\n".join([*(e["text"] for e in shipped_events()), *names])


CORPUS = corpus()


def _joined_without_space(before: str, after: str, corpus: str) -> bool:
    """True when the source has `before` and `after` touching (so a break between them split a word)."""
    return (before[-8:] + after[:8]) in corpus


def faults(cells: list[Cell], corpus: str = CORPUS) -> dict[str, list[str]]:
    kinds = ("closing at start", "opening at end", "word split", "number-unit split", "space at start", "orphan", "short line")
    found: dict[str, list[str]] = {k: [] for k in kinds}
    for cell in cells:
        if len(cell.lines) > 1 and len([c for c in cell.lines[-1] if c not in CLOSING]) == 1:
            found["orphan"].append(f"{cell.lines[-2][-10:]}⏎{cell.lines[-1]}")
        for n in range(1, len(cell.lines)):
            before, after = cell.lines[n - 1], cell.lines[n]
            where = f"{before[-10:]}⏎{after[:10]}"
            if after[:1] in CLOSING:
                found["closing at start"].append(where)
            if before[-1:] in OPENING:
                found["opening at end"].append(where)
            if after[:1] == " ":
                found["space at start"].append(where)
            if re.search(r"[A-Za-z0-9][.,:/-]?$", before) and re.match(r"[A-Za-z0-9]", after) and _joined_without_space(before, after, corpus):
                found["word split"].append(where)
            if before[-1:].isdigit() and after[:1] and unicodedata.east_asian_width(after[0]) == "W" and after[0] not in CLOSING:
                found["number-unit split"].append(where)
            if width_of(before) < cell.width / 2:
                found["short line"].append(where)
    return found


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, int, str], str]:
    return {(view, width, lang): on_terminal(args, width, {"LANG": lang}) for view, args in VIEWS.items() for width in WIDTHS for lang in LANGS}


def wrapped_lines(cells: list[Cell]) -> int:
    return sum(len(c.lines) for c in cells)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", VIEWS)
def test_no_typesetting_faults(rendered, view, width, lang):
    output = rendered[view, width, lang]
    cells = prose_cells(output, width)
    assert wrapped_lines(cells) >= len(cells) > 0  # the scan found the cells it checks
    found = faults(cells)
    for fault in ("closing at start", "opening at end", "word split", "number-unit split", "space at start", "orphan"):
        assert found[fault] == [], f"{view} at {width} in {lang}: {fault}"
    assert len(found["short line"]) < 0.03 * wrapped_lines(cells), found["short line"]


def test_every_event_text_is_scanned_whole(rendered):
    """The scan sees each event's text, less only the spaces dropped at breaks: nothing is lost."""
    for width in WIDTHS:
        cells = [c for c in prose_cells(rendered["timeline", width, "C.UTF-8"], width) if c.column == "event"]
        drawn = ["".join(c.lines).replace(" ", "") for c in cells]
        assert sorted(drawn) == sorted(e["text"].replace(" ", "") for e in shipped_events())


def test_the_fault_counter_finds_faults():
    """The counter is not blind: text wrapped without the rules has every kind of fault."""
    wrapped = Cell(
        "event", 30, ["9 月 22 日", "，JA", "XA 宣布，2020", "年代实施的火星卫星无人探测任务选定“", "福布斯”作为登陆器，探测器将用约三年时间多次登", "陆"]
    )
    spaced = Cell("event", 12, ["9 月 22 日，JAXA", " 宣布"])
    decimal = Cell("event", 12, ["共携带了 2.", "9 吨物资"])
    assert faults([decimal])["word split"] == ["共携带了 2.⏎9 吨物资"]
    found = faults([wrapped, spaced])
    assert all(found[k] for k in found), found


def test_ids_and_dates_never_wrap_and_a_range_does_not_widen_the_date_column(rendered):
    for width in WIDTHS:
        output = rendered["timeline", width, "C.UTF-8"]
        assert re.search(r"^ 2017-037   2017-06-05   ", output, re.M)
        assert re.search(r"^            —06-09      ", output, re.M)  # the range's end, under its start
        for line in output.splitlines():
            assert not re.match(r"^ 2017-\d{0,2}$", line.rstrip())


EXACT = [
    (
        ["timeline", "--month", "8"],
        60,
        "C.UTF-8",
        """\
events per month
 2017-08  2  ████████████████████████████████████████

 id         date         event
────────────────────────────────────────────────────────────
2017-08 · 2 events
 2017-048   2017-08-14   8 月 14 日，SpaceX 公司发射的“猎
                         鹰”9 火箭携带“龙”货运飞船从佛罗里
                         达州卡角空军基地升空，执行的国际空
                         间站第 12 次货运补给任务，飞船共携
                         带了 2.9 吨物资。这是 SpaceX 公司
                         最后一次使用第一代“龙”飞船执行货运
                         任务，剩下的货运任务将由翻新的二手
                         “龙”飞船完成。
 2017-049   2017-08-18   8 月 18 日，国际空间站的两名俄罗斯
                         航天员成功执行了一次出舱活动，完成
                         了手动释放五颗纳米卫星的任务。执行
                         此次任务的是航天员是费奥多尔·尤尔
                         奇欣和谢尔盖·梁赞斯基。他们的出舱
                         活动持续了 7 小时 34 分，超出了之
                         前计划的 6 小时零 5 分。
""",
    ),
    (
        ["search", "全球航天探索大会"],
        60,
        "zh_CN.UTF-8",
        """\
 编号       日期         事件
────────────────────────────────────────────────────────────
 2017-037   2017-06-05   6月5日—6月9日，2017年全球航天探索
            —06-09       大会在北京召开。2017年全球航天探索
                         大会属于国际宇航联合会(IAF)单位竞
                         争举办的专题性会议。此次大会的主题
                         是“分享”与“合作”，回顾了近年来世界
                         各国在航天探索领域取得的成就，聚焦
                         月球探索、火星探索、小行星探索等
                         13个技术领域。
""",
    ),
    (
        ["who", "惠特森", "--month", "5"],
        60,
        "zh_CN.UTF-8",
        """\
查找 惠特森
 编号            类型   中文        英文      得分   匹配
────────────────────────────────────────────────────────────
 peggy-whitson   人物   佩吉·       Peggy      100   惠特森
                        惠特森      Whitson

佩吉·惠特森 (Peggy Whitson) · 1 条
 编号       日期         事件
────────────────────────────────────────────────────────────
 2017-032   2017-05-23   5 月 23 日，美国航天员惠特森和费舍
                         尔进行了紧急出舱活动，更换国际空间
                         站上发生故障的转发器。国际空间站上
                         的一个转发器 5 月 20 日发生故障，
                         但损坏对机组乘员的生活和空间站运转
                         不构成危险。
""",
    ),
    (
        ["who", "惠特森", "--month", "5"],
        100,
        "C.UTF-8",
        """\
who 惠特森
 id              kind     中文          English         score   matched
────────────────────────────────────────────────────────────────────────
 peggy-whitson   person   佩吉·惠特森   Peggy Whitson     100   惠特森

1 event of 佩吉·惠特森 (Peggy Whitson)
 id         date         event
────────────────────────────────────────────────────────────────────────────────────────────────────
 2017-032   2017-05-23   5 月 23 日，美国航天员惠特森和费舍尔进行了紧急出舱活动，更换国际空间站上发
                         生故障的转发器。国际空间站上的一个转发器 5 月 20 日发生故障，但损坏对机组
                         乘员的生活和空间站运转不构成危险。
""",
    ),
]


@pytest.mark.parametrize("args, width, lang, expected", EXACT)
def test_exact_tables_for_review(args, width, lang, expected):
    drawn = "\n".join(line.rstrip() for line in on_terminal(args, width, {"LANG": lang}).splitlines())
    assert drawn + "\n" == expected


def readme_examples() -> list[tuple[dict, list[str], int, str]]:
    """(environment, arguments, width, output) of each README example marked 'on a terminal, N columns'."""
    import shlex

    from conftest import ROOT

    found = []
    for block in re.findall(r"```(?:console|text)\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S):
        lines = block.split("\n")
        for n, line in enumerate(lines):
            marked = re.match(r"\$ (.*?)\s+#.*on a terminal, (\d+) columns", line)
            if not marked:
                continue
            words = shlex.split(marked.group(1))
            env = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
            args = [w for w in words if w not in {f"{k}={v}" for k, v in env.items()}][1:]
            end = next((m for m in range(n + 1, len(lines)) if lines[m].startswith("$ ")), len(lines))
            found.append((env, args, int(marked.group(2)), "\n".join(lines[n + 1 : end]).strip("\n")))
    return found


def test_readme_terminal_examples_are_real_output():
    examples = readme_examples()
    assert any(width != 80 for _env, _args, width, _out in examples)  # the narrow layout is shown
    for env, args, width, expected in examples:
        drawn = "\n".join(line.rstrip() for line in on_terminal(args, width, env).splitlines()).strip("\n")
        assert drawn == expected, " ".join(args)


def test_no_typesetting_faults_on_another_chronicle(tmp_path):
    """The 2016 chronicle, which the rules were not written from: the same faults, counted the same way."""
    from conftest import ROOT

    store = tmp_path / "2016.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "spacelog", "ingest", str(ROOT / "tests/fixtures/2016.txt"), "--year", "2016", "--output", str(store)], capture_output=True
    )
    assert result.returncode == 0
    texts = [json.loads(line)["text"] for line in store.read_text(encoding="utf-8").splitlines()]
    for width in WIDTHS:
        cells = prose_cells(on_terminal(["timeline", "--data", str(store)], width), width)
        assert sorted("".join(c.lines).replace(" ", "") for c in cells) == sorted(t.replace(" ", "") for t in texts)
        found = faults(cells, "\n".join(texts))
        assert all(found[k] == [] for k in found if k != "short line"), found
        assert len(found["short line"]) < 0.03 * wrapped_lines(cells)


def test_cell_size_is_richs_width():
    """render.cell_size answers Rich's get_character_cell_size without its table search for the characters of Chinese text."""
    from rich.cells import get_character_cell_size

    from spacelog.render import cell_size

    different = [hex(c) for c in range(0x20, 0x30000) if not 0xD800 <= c <= 0xDFFF and cell_size(chr(c)) != get_character_cell_size(chr(c))]
    assert different == []


@pytest.mark.parametrize("width", [72, 80, 101, 131])
def test_fitted_rows_are_what_richs_table_draws(width):
    """FittedTable draws its rows itself, for speed: the same characters and colours, byte for byte,
    as a Rich Table of the same widths, for prose, wrapped names, dim rows, ranges and right-aligned numbers."""
    import io

    from rich.text import Text

    from spacelog import render
    from spacelog.render import Column, FittedTable

    events = shipped_events()
    columns = (Column("id"), Column("date"), Column("名称", "name"), Column("n", justify="right"), Column("event", "text"))
    table = FittedTable(columns, title=render.safe("t"))
    for n, e in enumerate(events[20:45]):
        names = render.prose(e["text"][3 : 3 + n % 11], balanced=True)
        text = render.events([e], ["空间站", "航天员"]).rows[0][2]
        table.add_row(render.safe(e["id"]), render.date_cell(e), names, render.safe(str(n * 37)), text, style="dim" if n % 3 == 0 else None)
    table.add_row(render.safe("x"), Text(""), render.prose(""), render.safe(" 7 "), render.prose("  缩进 的 text with  spaces "))

    def drawn(renderable) -> str:
        out = io.StringIO()
        render.SafeConsole(file=out, width=width, markup=False, emoji=False, highlight=False, force_terminal=True, color_system="truecolor").print(renderable)
        return out.getvalue()

    widths = table.widths(width)
    assert widths is not None
    expected = drawn(render.safe("t")) + drawn(table._table(widths, 0, len(table.rows), header=True))
    assert "\x1b[2m" in expected and "\x1b[1;7m" in expected
    assert drawn(table) == expected
