"""linebreak: where Chinese text may break, measured in terminal cells."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spacelog.linebreak import CLOSING, OPENING, atoms, cell_width, full_width, min_width, wrap


def lines(text: str, width: int) -> list[str]:
    return [text[s:e] for s, e in wrap(text, width)]


def cells(text: str) -> int:
    return sum(cell_width(c) for c in text)


@pytest.mark.parametrize(
    "text, width, expected",
    [
        ("国际空间站上的航天员", 8, ["国际空间", "站上的航", "天员"]),  # between any two Chinese characters
        ("完成出舱活动，任务是", 12, ["完成出舱活", "动，任务是"]),  # ， never starts a line: 动 goes with it
        ("运载火箭“猎鹰”9发射", 11, ["运载火箭“猎", "鹰”9发射"]),  # “ never ends a line; 9 keeps 发
        ("运载火箭“猎鹰”9发射", 10, ["运载火箭", "“猎鹰”", "9发射"]),  # and 射 alone on the last line takes 9发 with it
        ("累计时间达53小时25分钟。", 20, ["累计时间达53小时", "25分钟。"]),  # an orphan with its stop too
        ("9 月 18 日，NASA 宣布", 8, ["9 月", "18 日，", "NASA 宣", "布"]),  # 18 日 across the PDF space
        ("历时 6 小时", 6, ["历时", "6 小时"]),
        ("于 2019 年建成", 8, ["于", "2019 年", "建成"]),
        ("共携带了 2.9 吨物资", 10, ["共携带了", "2.9 吨物资"]),
        ("Peggy Whitson", 8, ["Peggy", "Whitson"]),  # a space at a break is dropped, not carried over
        ("两名航天员——美国航天员", 11, ["两名航天", "员——美国航", "天员"]),  # —— never split, never first
        ("等……等", 5, ["等……", "等"]),
        ("1月6日", 2, ["1", "月", "6", "日"]),  # narrower than an atom: cut by cells, the only split
        ("Soyuz-FG", 4, ["Soyu", "z-FG"]),
        ("", 10, [""]),
    ],
)
def test_breaks(text, width, expected):
    assert lines(text, width) == expected


def test_widths_are_terminal_cells():
    assert [cell_width(c) for c in "空Ａa“,é\u0301"] == [2, 2, 1, 1, 1, 1, 0]
    assert cells("1 月 18 日") == 10
    pieces = atoms("9 月 18 日，NASA 宣布")
    assert [("9 月 18 日，NASA 宣布"[s:e], w, sp) for s, e, w, sp in pieces] == [
        ("9 月 ", 4, 1),
        ("18 日，", 7, 0),
        ("NASA ", 4, 1),
        ("宣", 2, 0),
        ("布", 2, 0),
    ]
    assert (min_width(pieces), full_width(pieces)) == (7, 21)


def test_a_newline_always_ends_a_line():
    assert lines("甲乙\n丙丁戊", 10) == ["甲乙", "丙丁戊"]


TEXT = st.text(alphabet=st.sampled_from(list("航天员出舱活动NASA Peggy 2017 年 9.8，。、“”（）《》—… 　abc\u3000")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=1, max_value=30))
def test_wrapping_keeps_the_text_and_the_rules(text, width):
    spans = wrap(text, width)
    # nothing lost or reordered: only spaces at the breaks are left out
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")
    rest = [text[e:s] for (_, e), (s, _) in zip(spans, spans[1:], strict=False)]
    assert all(gap.strip(" ") == "" for gap in rest)
    for n, (s, e) in enumerate(spans):
        line = text[s:e]
        longest = min_width(atoms(text))
        assert cells(line) <= max(width, 0) or cells(line) <= longest
        if longest <= width and n:  # no atom had to be cut: the rules hold at every break
            assert line[:1] not in CLOSING and line[:1] != " "
            assert text[spans[n - 1][1] - 1 : spans[n - 1][1]] not in OPENING
