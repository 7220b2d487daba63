"""The discover module's string checks, each equal to the regular expression it stands for.

Names are found with str methods where an expression cost more to compile than `unknown` spends
using it (a class of Han characters is expanded one character at a time); each expression is
kept here as the specification, and random text built of the characters and words it looks at
must give the same answer both ways.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from spacelog import discover as d

CN_NUM = "零〇一二三四五六七八九十百"
VEHICLE_WORDS = (
    "货运飞船|载人飞船|飞船|运载火箭|火箭|探测器|卫星|空间站|充气式太空舱|太空舱|实验舱|核心舱|舱|太空飞机|空天飞机|航天飞机"
    "|飞行器|着陆器|巡视器|火星车|月球车|望远镜|返回舱|轨道器|太空船"
)
DESIGNATION = re.compile(
    f"(?<=[\u4e00-\u9fff])(?<![{CN_NUM}第])(?:[{CN_NUM}]{{1,3}}|\\d{{1,3}})号(?:[甲乙丙丁]|\\s?[A-Z]{{1,2}}\\d{{0,2}}(?![A-Za-z]))?(?:遥[{CN_NUM}\\d]+)?"
)
AFTER_QUOTE_VEHICLE = re.compile(f"\\s*((?:(?![的和与及在是将])[\u4e00-\u9fff]){{0,10}}?)(?:{VEHICLE_WORDS})")
BEFORE_QUOTE_VEHICLE = re.compile(f"(?:{VEHICLE_WORDS}|星座)$")
COUNTRY_PREFIX = re.compile(f"^(?:{d.COUNTRIES})")
ENDS_WITH_ROLE = re.compile(f"(?:{d.ROLES})$")
ORG_TYPE = re.compile("(?:公司|集团|局|署|院|所|大学|学院|实验室|中心|机构|办公室|委员会|天文台|组织|基金会|协会|学会|联合会|政府|国会|议会|军|部)$")
GENERIC_TAIL = re.compile(f"(?:遥[{CN_NUM}\\d]+|号|{VEHICLE_WORDS}|公司|集团)$")
NUMBERING = re.compile(f"(?:遥[{CN_NUM}\\d]+)?号?$")
PLACE = re.compile("(?:发射|航天|宇宙|太空|会展|会议|展览)中心$|发射场|着陆场|基地|发射台|[州省市县]$")
PLACE_AFTER = re.compile(r"\s*(?:发射台|发射工位|工位|发射场|发射区|发射中心|着陆场|基地|文件)")
DETERMINER = re.compile(f"^[{CN_NUM}两数多几某各每本全整另首该这那此其诸]")
NOT_A_STEM = re.compile(f"[{CN_NUM}第的了和在是该这每其与及、]")
DOTTED = re.compile("[·・•‧\u30fb\u2027]")
SERIAL = re.compile(f"[0-9a-z{CN_NUM}甲乙丙丁遥]")
NOT_STEM = re.compile(f"[0-9a-z{CN_NUM}甲乙丙丁遥号\\-.]")
ORG_SUFFIX = re.compile(
    "(?:公司|集团|管理局|航天局|空间局|宇航局|航空局|(?<![布格结当大全内外底头局背顶药邮])局|(?<![签部])署|科学院|工程院|研究院|设计院|研究所"
    "|大学|学院|(?<!空间)实验室|研究中心|中心|机构|办公室|委员会|天文台|研究组织|基金会|协会|学会|联合会|政府|国会|议会|空军|海军|陆军|国防部)(?!长)"
)
LATIN = re.compile(r"(?<![A-Za-z0-9.\-”])[A-Z][A-Za-z]*(?:\d*(?:-[A-Za-z0-9]+)+|\d+[A-Z]?)(?![A-Za-z0-9])")

# What the checks look at: numerals of both kinds, 号 and what follows it, Han characters that
# are and are not stems, vehicle, place and organisation words, countries, roles, dots, spaces.
PIECES = [
    *CN_NUM, *"0123456789２", "第", "号", "遥", *"甲乙丙丁", *"ABXYZab", "-", ".", "”", "“", " ", "\n", "\u3000",
    "天", "宫", "长", "征", "的", "和", "在", "新", "型", "A", "局", "署", "布", "签", "部", "空间", "实验室", "长", "院", "军",
    "飞船", "货运飞船", "火箭", "卫星", "舱", "星座", "公司", "集团", "发射场", "发射中心", "中心", "基地", "发射台", "工位",
    "州", "市", "美国", "美", "中华人民共和国", "中国", "日本", "航天员", "总理", "副局长", "·", "・", "•", "号 ", "遥十二",
    "一二三四", "1234", "二十", "长长长长长长长长长长", "布局", "签署", "部署", "空间实验室", "会展中心", "基地 ", " 发射场", "号A1",
]  # fmt: skip
TEXT = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
# For the checks of what ends a text: `$` also matches before a final line break, which no
# ingested text holds and which "ends with" does not mean.
UNBROKEN = TEXT.map(lambda t: t.replace("\n", ""))
MANY = settings(max_examples=2500, deadline=None)


@MANY
@given(TEXT)
def test_designations_are_the_expression_s_matches(text):
    assert list(d._designations(text)) == [m.span() for m in DESIGNATION.finditer(text)]


@MANY
@given(TEXT, st.integers(0, 20))
def test_a_description_before_a_vehicle_word_is_the_expression_s_group(text, at):
    at = min(at, len(text))
    m = AFTER_QUOTE_VEHICLE.match(text, at)
    assert d._described(text, at) == (m.group(1) if m else None)


@MANY
@given(UNBROKEN)
def test_endings_and_beginnings_are_the_expressions(text):
    assert d._without_country(text) == COUNTRY_PREFIX.sub("", text)
    assert d._without_ending(text, d._ORG_TYPES) == ORG_TYPE.sub("", text)
    assert d._is_place(text) == bool(PLACE.search(text))
    assert (text[:1] in d._DETERMINERS) == bool(DETERMINER.search(text))
    assert (not d._NOT_IN_A_STEM.isdisjoint(text)) == bool(NOT_A_STEM.search(text))
    for end in range(len(text) + 1):
        assert text.endswith(d._ROLE_WORDS, 0, end) == bool(ENDS_WITH_ROLE.search(text, 0, end))
        assert text.endswith(d._BEFORE_A_QUOTED_VEHICLE, 0, end) == bool(BEFORE_QUOTE_VEHICLE.search(text, 0, end))
        assert d._after_ordinal(text, end) == bool(re.search(r"号\s?$", text[max(0, end - 2) : end]))


@MANY
@given(UNBROKEN)
def test_generic_tails_and_numbering_are_the_expressions(name):
    assert d._without_generic_tail(name) == GENERIC_TAIL.sub("", name)
    assert d._without_numbering(name) == NUMBERING.sub("", name)


@MANY
@given(TEXT)
def test_dots_serials_and_stems_are_the_expressions(text):
    assert d._dot_positions(text) == [m.start() for m in DOTTED.finditer(text)]
    assert d._has_dot(text) == bool(DOTTED.search(text))
    assert text.translate(d._NO_DOTS) == DOTTED.sub("", text)
    assert d._serial(text) == "".join(SERIAL.findall(text))
    key = d._name_parts(text)[0]
    assert d._name_parts(text)[1:] == ("".join(SERIAL.findall(key)), re.sub(r"[-.]", "", key), NOT_STEM.sub("", key))


@MANY
@given(TEXT)
def test_reordered_expressions_find_what_the_lookbehind_first_forms_found(text):
    assert [m.span() for m in d._ORG_SUFFIX.finditer(text)] == [m.span() for m in ORG_SUFFIX.finditer(text)]
    assert [m.span() for m in d._LATIN.finditer(text)] == [m.span() for m in LATIN.finditer(text)]
    assert list(d._places(text)) == [m.span() for m in PLACE_AFTER.finditer(text)]
    for at in range(len(text) + 1):
        expected = ORG_SUFFIX.match(text, at)
        got = d._ORG_SUFFIX.match(text, at)
        assert (got and got.span()) == (expected and expected.span())


def test_the_checks_find_what_names_are_made_of():
    """Matches, not only misses, are compared above: these pieces make each kind of match."""
    assert list(d._designations("天宫二号遥十和长征2号F发射")) == [(2, 6), (9, 12)]
    assert d._described("“天鹅座” 新型货运飞船", 5) == "新型"
    assert d._described("“天鹅座”的飞船", 5) is None
    assert d._without_country("美国SpaceX公司") == "SpaceX公司"
    assert d._without_ending("喷气推进实验室", d._ORG_TYPES) == "喷气推进"
    assert d._without_generic_tail("长征二号F遥十二") == "长征二号F"
    assert d._without_numbering("天宫二号") == "天宫二"
    assert d._is_place("酒泉卫星发射中心") and not d._is_place("国家航天局")
    assert list(d._places("在 发射场和基地")) == [(1, 5), (6, 8)]
    assert d._dot_positions("杰克·费希尔・") == [2, 6]
    assert d._after_ordinal("长征八号 Y3", 5)
