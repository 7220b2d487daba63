"""The build's batch of search keys is exactly the keys of its texts, one by one (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from spacelog.batchkeys import SEPARATOR, joined_keys
from spacelog.text import HAN_RANGES, dashes_dropped, search_key

# What normalisation treats specially: full-width forms, dashes and tildes, dropped
# quotes and dots, whitespace, combining marks, compatibility forms, Han and astral
# Han, case that folds to two letters, a lone surrogate, and the batch's separator.
SPECIAL = list("空间站猎鹰号“”‘’\"'「」《》·・ \t\u3000\n-‐‑–—―−﹘﹣－～〜ＡＺａｚ０９，（）＂＇ßİﬁK\u0301\u0308\u00e9e\u1100\u1161ｶﾞ①") + [
    "\U00020001",
    "\ud800",
    SEPARATOR,
]
TEXTS = st.lists(st.text(st.one_of(st.sampled_from(SPECIAL), st.characters()), max_size=30), max_size=12)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_batch_is_each_text_keyed_alone(texts):
    assert joined_keys(texts) == "\n".join(map(search_key, texts))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from(SPECIAL[:60]), min_size=1, max_size=20), min_size=1, max_size=12))
def test_batch_of_chronicle_characters(texts):
    assert joined_keys(texts) == "\n".join(map(search_key, texts))


def test_each_path_of_the_batch():
    common = ["“猎鹰”9号，发射（成功）", "奥侬-钱斯勒 -- Ａb"]
    assert joined_keys(common) == "猎鹰9号,发射(成功)\n奥侬钱斯勒-ab"  # one pass over the batch
    assert joined_keys([*common, "ｶﾞ"]) == "猎鹰9号,发射(成功)\n奥侬钱斯勒-ab\nガ"  # NFKC for one text
    assert joined_keys([*common, "a\x00b"]) == "猎鹰9号,发射(成功)\n奥侬钱斯勒-ab\na\x00b"  # a text holds the separator
    assert joined_keys([*common, "\ud800"]) == "猎鹰9号,发射(成功)\n奥侬钱斯勒-ab\n\ud800"  # not encodable
    assert joined_keys([]) == ""


def test_a_dash_beside_the_first_and_last_han_characters_of_each_range():
    edges = [0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4DFF, 0x4E00, 0x9FFF, 0xA000, 0xF8FF, 0xF900, 0xFAFF, 0xFB00, 0x1FFFF, 0x20000, 0x3134F, 0x31350]
    texts = [f"{chr(a)}-{chr(b)}" for a in edges for b in edges] + [f"{chr(a)}--{chr(a)}" for a in edges]
    assert joined_keys(texts) == "\n".join(map(search_key, texts))


_HAN_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in HAN_RANGES)
_HAN_DASH = re.compile(f"-(?<=[{_HAN_CLASS}]-)(?=[{_HAN_CLASS}])")  # the rule, as an expression


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from(list("-一二鿿㐀䶿丄ꀀ豈﫿\U00020000\U0003134f\U00031350a·")), max_size=14))
def test_dashes_dropped_is_the_expression(key):
    expected = _HAN_DASH.sub("", key)
    assert dashes_dropped(key) == re.sub("-{2,}", "-", expected)
