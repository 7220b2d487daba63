"""Designations inside names: the numbers, serials and acronyms that tell members of a family apart.

Two names whose designations differ are different things however alike they look:
`MS-09` is not `MS-02`, `四号` is not `五号`, `长征八号甲` is not `长征九号`, `CNES` is
not `CNSA`. `signature` extracts what must be equal; `continues_with_designation`
says whether a family name is followed by a serial (`“进步”MS-08`), which makes
it the name of one member, not of the family.
"""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100}
_CN_NUMERAL = "零〇一二三四五六七八九十百"
_STEMS = "甲乙丙丁"  # variants after 号: 长征八号甲
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"

# One token of a designation: an ASCII number, a Chinese numeral, a Heavenly stem after 号, a Latin letter run.
_TOKEN = re.compile(f"(?P<digits>[0-9]+)|(?P<cn>[{_CN_NUMERAL}]+)|(?<=号)(?P<stem>[{_STEMS}])|(?P<letters>[A-Za-z]+)")
# A Chinese numeral is a designation where it numbers something: before 号/型, after 第/遥, or ending a word.
_CN_AFTER = re.compile(f"[号型{_STEMS}]|[^\u3400-\u9fff]|$")  # not before another word: 五颗 counts five things
_CN_BEFORE = "第遥"
_MAX_ACRONYM = 6
_MAX_SERIAL = 4  # letters joined to a number: MS-09, TMA-18M, 2C; not a word like Tiangong-2

# What directly after a family name makes it one member's name: a dash or letters then a number
# (MS-08, -1, TMA-18M, OA-7), or a Chinese numeral with 号 (一号).
_DESIGNATION_START = re.compile(f"[{_DASHES}]?[A-Za-z]{{0,4}}[{_DASHES}]?[0-9]|[{_CN_NUMERAL}]+号")


def chinese_number(numeral: str) -> int:
    """十一 -> 11, 二十 -> 20, 一百零五 -> 105; without 十/百 digit by digit: 二〇一六 -> 2016."""
    if not any(ch in _CN_UNITS for ch in numeral):
        return int("".join(str(_CN_DIGITS[ch]) for ch in numeral))
    total, digit = 0, 0
    for ch in numeral:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def signature(name: str) -> tuple:
    """The designation of `name`, in order: numbers (ASCII or Chinese, as ints), stems, serial letters.

    Latin letters count when they are a serial or an acronym: upper case and at
    most six letters (MS, TMA, FG, CNSA), or at most four of one case joined to a number
    (18M, 2C, ms-09); other words (Soyuz, Whitson, Souz-2) do not.
    """
    return tuple(token for token, _, _ in _designations(unicodedata.normalize("NFKC", name)))


def without_designation(name: str) -> str:
    """`name` with its designation taken out: what must be alike besides it (天问 of 天问一号)."""
    text = unicodedata.normalize("NFKC", name)
    for _, start, end in reversed(_designations(text)):
        text = text[:start] + text[end:]
    return text


def _designations(text: str) -> list[tuple]:
    found: list[tuple] = []
    for m in _TOKEN.finditer(text):
        if m.group("digits"):
            found.append((int(m.group("digits")), m.start(), m.end()))
        elif m.group("cn"):
            before = text[m.start() - 1] if m.start() else ""
            if before in _CN_BEFORE or _CN_AFTER.match(text, m.end()):
                found.append((chinese_number(m.group("cn")), m.start(), m.end()))
        elif m.group("stem"):
            found.append((m.group("stem"), m.start(), m.end()))
        else:
            letters = m.group("letters")
            serial = (letters.isupper() or letters.islower()) and len(letters) <= _MAX_SERIAL and _touches_digit(text, m.start(), m.end())
            if (letters.isupper() and len(letters) <= _MAX_ACRONYM) or serial:
                found.append((letters.casefold(), m.start(), m.end()))
    return found


def _touches_digit(text: str, start: int, end: int) -> bool:
    """Whether the letters at text[start:end] are joined to a number, directly or by one dash."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (before[-1:].isdigit() or (before[-1:] in _DASHES and before[:1].isdigit())) or (
        after[:1].isdigit() or (after[:1] in _DASHES and after[1:2].isdigit())
    )


def continues_with_designation(text: str, end: int) -> bool:
    """Whether text[end:] starts with a serial or number that would name one member of a family."""
    return _DESIGNATION_START.match(text, end) is not None


def key_continues_with_designation(rest: str) -> bool:
    """The same test on a normalised key (lower case, no spaces)."""
    return re.match(f"-?[a-z]{{0,4}}-?[0-9]|[{_CN_NUMERAL}]+号", rest) is not None
