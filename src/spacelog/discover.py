"""Names the events mention that the registry does not know: people, organisations, vehicles.

Found by patterns of the genre, never by lists of any chronicle's names:
- transliterated names `X·Y` (also `X·Y·Z`, `X·Y-Z`), and their surname alone elsewhere;
- a role before a Chinese name (`航天员 杨利伟`; a Japanese name after `日本航天员`);
- quoted names with 号, a serial or a type word after them (“卡西尼”号, “联盟”MS-05, “风云”4);
- Chinese designations: a stem, an ordinal and 号, a variant letter, a flight (天问一号,
  长征八号甲, 长征二号F遥十二); Latin designations with a digit or a hyphen (GSAT-19, H-3);
- organisations ending in 公司, 局, 署, 中心, 委员会, ... with a proper name before the suffix.
Places (launch and landing sites, bases, states) and generic words are not entities. A
name is known when one of its forms is a registry name, or it lies inside a registry alias
in the text; a known name extended by a serial (“进步”MS-07) is a new member of a family.

Fixed words and characters are looked for with str methods, not expressions: compiling an
expression expands each class of Han characters one character at a time, and `unknown` and
`check` paid more for that than for reading a small store (tests/test_discover.py holds each
replaced expression and checks the two agree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from .registry import KINDS, Registry
from .text import search_key


def _longest_first(words: str) -> tuple[str, ...]:
    """`a|b|c` as a tuple to try with endswith: the longest that ends a name is what an
    expression `(?:a|b|c)$` would remove (its leftmost match)."""
    return tuple(sorted(words.split("|"), key=len, reverse=True))


# Characters of the standard tables for transliterating foreign names into Chinese.
TRANSLIT = frozenset(
    "阿埃艾爱安昂奥敖巴拜班邦包保鲍贝本比彼毕边别宾滨波伯勃博布查彻达戴丹道德登迪蒂丁东杜敦多厄恩尔法凡范方菲费芬丰"
    "冯佛夫弗伏福富盖甘冈高戈哥格根古瓜圭贵哈海汉豪赫黑亨洪胡华怀惠霍基吉季加佳贾杰捷金京久居喀卡凯坎康柯科可克肯孔库"
    "夸奎昆拉腊莱赖兰朗劳勒雷蕾累里理力历利莉丽连廉良列林琳铃柳隆娄卢鲁陆路伦罗洛吕马玛迈麦曼芒毛茂梅美门蒙孟米密苗敏"
    "明摩莫默姆穆纳娜奈南内尼妮涅宁纽努诺欧帕派潘庞佩彭皮珀普奇契恰钱乔琼丘屈萨塞赛桑瑟森沙莎山尚舍申圣施什史舒斯松"
    "宋苏索塔泰坦汤唐特滕提廷通图托瓦万旺威韦维温文沃乌伍武西希锡席夏先谢辛欣休雅亚扬耶叶伊因英尤约泽扎詹朱兹佐"
    "茨赞梁甫琴若热侬娅娃科大延泰汀妥宰祖芙茜黛琪缇薇丝朵萝奈内涅聂丘蔡书肖日珍瑞烈翰逊顿廖绍翁治莲珊苔思乐洁葛斐芭蓓碧茱露璐恺荷"
)
# Common Chinese surnames, for a name after a role word (航天员 杨利伟).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔"
    "伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍喻祁"
    "蒲房滕屈饶牟艾尤穆卓古吉缪简项芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩佘池迟邝"
)
ROLES = (
    "航天员|宇航员|指令长|副局长|局长|署长|副主任|主任|副总统|总统|总理|主席|部长|总设计师|总指挥|院士|教授|博士|科学家"
    "|工程师|发言人|首席执行官|总裁|董事长|创始人|负责人|大使|司令|飞行员|领导人|国务卿|专家"
)
COUNTRIES = (
    "中华人民共和国|中国|美国|俄罗斯|日本|欧洲|印度|英国|法国|德国|意大利|加拿大|以色列|韩国|朝鲜|乌克兰|哈萨克斯坦|阿联酋"
    "|巴西|澳大利亚|新西兰|西班牙|荷兰|比利时|瑞士|瑞典|挪威|芬兰|丹麦|卢森堡|伊朗|土耳其|埃及|沙特|南非|阿根廷|墨西哥"
    "|越南|泰国|印度尼西亚|印尼|马来西亚|新加坡|菲律宾|巴基斯坦|白俄罗斯|波兰|捷克|奥地利|葡萄牙|希腊|爱尔兰|国际|欧盟|俄|美|中|日|欧"
)
_COUNTRY_WORDS = tuple(COUNTRIES.split("|"))  # in this order, as an alternation tries them: 美国 before 美
_CN_NUM = "零〇一二三四五六七八九十百"
_DELIMIT = "和与及、，。；：,;:（(）)的在等乘搭进完成于表宣说将是也已曾再先后则并共均两一随分担作抵返出执飞介指透强称认参会访接主签到来去回获被向对从为所率带亲观发视致讲谈答提要希计赴"

# Person: given name(s) · surname, hyphens inside the surname as in 奥侬-钱斯勒.
_DOT = "·・•‧\u30fb\u2027"
_DOTS = tuple(dict.fromkeys(_DOT))  # each once, each found with str.find
_NO_DOTS = str.maketrans("", "", _DOT)
_ONE_DOT = str.maketrans(dict.fromkeys(_DOT, "·"))
_ROLE_WORDS = tuple(ROLES.split("|"))
_ROLE_NAME = re.compile(f"(?:{ROLES})\\s*")  # 日本 before it looked at apart: a leading optional group slows every position
# Quoted name and what follows it: a serial, 号, or a Chinese ordinal and 号.
_QUOTED = re.compile(f"“([^“”，。、；\\s]{{1,10}})”(-?[A-Za-z0-9][A-Za-z0-9.\\-]*(?:号|型)?|[{_CN_NUM}]+号|号)?")
_VEHICLE_WORDS = (
    "货运飞船|载人飞船|飞船|运载火箭|火箭|探测器|卫星|空间站|充气式太空舱|太空舱|实验舱|核心舱|舱|太空飞机|空天飞机|航天飞机"
    "|飞行器|着陆器|巡视器|火星车|月球车|望远镜|返回舱|轨道器|太空船"
)
_VEHICLE_WORD_LIST = tuple(_VEHICLE_WORDS.split("|"))
_BEFORE_A_QUOTED_VEHICLE = (*_VEHICLE_WORD_LIST, "星座")  # 飞船“X”, 星座“X”
_NOT_IN_A_DESCRIPTION = frozenset("的和与及在是将")  # “X”新型飞船 is a vehicle; “X”的飞船 says whose
# Chinese designation: a stem, an ordinal and 号; a variant letter or Latin serial; a flight 遥N.
_NOT_BEFORE_ORDINAL = frozenset(_CN_NUM + "第")
_VARIANT_LETTERS = "甲乙丙丁"
_LATIN_SERIAL = re.compile(r"\s?[A-Z]{1,2}\d{0,2}(?![A-Za-z])")
_NOT_IN_A_STEM = frozenset(_CN_NUM + "第的了和在是该这每其与及、")
_STEM_CUT = re.compile(f"{_VEHICLE_WORDS}|星座")
_LATIN = re.compile(r"[A-Z](?<![A-Za-z0-9.\-”][A-Z])[A-Za-z]*(?:\d*(?:-[A-Za-z0-9]+)+|\d+[A-Z]?)(?![A-Za-z0-9])")
_PLACE_NAMES = "发射台|发射工位|工位|发射场|发射区|发射中心|着陆场|基地|文件"
_PLACE_AFTER = re.compile(f"\\s*(?:{_PLACE_NAMES})")
_PLACE_NAME = re.compile(_PLACE_NAMES)  # without the spaces before it, a search skips to its first characters
# Organisations: a proper name before one of these suffixes. Each begins with its own character,
# what comes before it looked at after (局(?<!…局)), so a search skips every other character.
_ORG_SUFFIX = re.compile(
    "(?:公司|集团|管理局|航天局|空间局|宇航局|航空局|局(?<![布格结当大全内外底头局背顶药邮]局)|署(?<![签部]署)|科学院|工程院|研究院|设计院|研究所"
    "|大学|学院|实验室(?<!空间实验室)|研究中心|中心|机构|办公室|委员会|天文台|研究组织|基金会|协会|学会|联合会|政府|国会|议会|空军|海军|陆军|国防部)(?!长)"
)
_ORG_CUT = re.compile(
    "和(?!国)|[与及同由向对在是为将从被把给跟了的称让于或并也还又而则就即已曾正其该这那此、籍着里]|前往|宣布|表示|发布|签署|签订|授予"
    "|选择|委托|加入|成立|组建|合并|收购|中标|宣称|公布|获得|击败|包括|旗下|所属|下属|通过|利用|使用|访问|参观|代表|批准|要求"
    "|资助|支持|负责|承担|提供|牵头|主导|参与|邀请|派遣|任命|领导|达成|携手|携带|搭载|运送|完成|进行|开展|启动|计划|准备|决定"
    "|同意|推出|研发|测试|交付|购买|采购|出售|投资|联手|指出|透露|证实|确认|报告|报道|隶属|航天员|宇航员|发射|修理|维修|更换|安装"
    "|检查|建造|建设|组装|拆除|研制|[^\\s]州|" + ROLES
)
_PLACE_ENDINGS = ("发射中心", "航天中心", "宇宙中心", "太空中心", "会展中心", "会议中心", "展览中心", "州", "省", "市", "县")
_PLACE_WORDS = ("发射场", "着陆场", "基地", "发射台")
_DETERMINERS = frozenset(_CN_NUM + "两数多几某各每本全整另首该这那此其诸")
_GENERIC_ORG = re.compile(
    "航天|航空|宇航|太空|空间|商业|私营|民营|国有|控股|科技|技术|火箭|卫星|服务|运营|制造|工业|国家|联邦|管理|研究|开发"
    "|合资|上市|跨国|外国|本土|子|母|分|总|新|老|大|小"
)
_ORG_TYPES = _longest_first("公司|集团|局|署|院|所|大学|学院|实验室|中心|机构|办公室|委员会|天文台|组织|基金会|协会|学会|联合会|政府|国会|议会|军|部")
# Suffixes dropped from a name to test whether the registry knows it (and a flight 遥N).
_GENERIC_TAILS = _longest_first(f"号|{_VEHICLE_WORDS}|公司|集团")
# Characters that tell apart members of a family (the serial), and what a stem is without them.
_SERIAL_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz" + _CN_NUM + "甲乙丙丁遥")
_NO_SERIAL = str.maketrans("", "", "".join(_SERIAL_CHARS) + "号-.")


class UnknownName:
    """A name the events use that no registry entity has, with its spellings and events.

    A plain class: importing dataclasses and applying it to two classes took 1.2 ms of every `unknown` and `check`."""

    __slots__ = ("name", "kind", "events", "variants", "like")

    def __init__(self, name: str, kind: str, events: list[str], variants: list[str] | None = None, like: str | None = None) -> None:
        self.name, self.kind, self.events = name, kind, events
        self.variants = [] if variants is None else variants
        self.like = like

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "events": self.events, "variants": self.variants, "like": self.like}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnknownName) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return "UnknownName(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"


class _Mention:
    __slots__ = ("surface", "kind", "event", "start", "end", "weight")

    def __init__(self, surface: str, kind: str, event: str, start: int, end: int, weight: int = 1) -> None:
        self.surface, self.kind, self.event, self.start, self.end = surface, kind, event, start, end
        self.weight = weight  # how many events it stands for


def discover(events: Iterable[dict], registry: Registry) -> list[UnknownName]:
    """The names `events` mention that `registry` does not know, by kind, then first mention."""
    events = list(events)
    aliases = _alias_keys(registry)
    found: list[_Mention] = []
    seen: dict[str, list[_Mention]] = {}  # an event repeated in a store is read once
    for event in events:
        text = event["text"]
        if text not in seen:
            seen[text] = _mentions(text, registry, aliases)
        found.extend(_Mention(m.surface, m.kind, event["id"], m.start, m.end) for m in seen[text])
    records = _add_surnames(_group(found), events, registry)
    for record in records:
        record.like = _like(record, registry)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(records, key=lambda r: order[r.kind])


class TextTally:
    """The texts of a stream of events, each with how many events have it, within a bound on memory.

    What `count_unknown` needs to give `len(discover(events))` without keeping
    the events: whether two names share an event, and which spelling is used
    most, depend only on the texts and how often each occurs. A store whose
    distinct texts pass `limit` characters overflows: the count is then not known.
    """

    __slots__ = ("counts", "size", "limit", "overflowed")

    def __init__(self, limit: int = 8_000_000) -> None:
        self.counts: dict[str, int] = {}  # text -> events with it, in order of first appearance
        self.size, self.limit, self.overflowed = 0, limit, False

    def add(self, text: str | None) -> None:
        """Count one event's text; None: a text that could not be kept (the count is then not known)."""
        if text is None:
            self.overflowed = True
            self.counts.clear()
            return
        n = self.counts.get(text)
        if n is not None:
            self.counts[text] = n + 1
        elif not self.overflowed:
            self.size += len(text)
            if self.size > self.limit:
                self.overflowed = True
                self.counts.clear()
            else:
                self.counts[text] = 1


def count_unknown(tally: TextTally, registry: Registry) -> int | None:
    """How many names the tallied events mention that `registry` does not know: len(discover(events)); None after an overflow."""
    return None if tally.overflowed else len(tallied_names(tally, registry))


def tallied_names(tally: TextTally, registry: Registry) -> list[UnknownName]:
    """discover's names, spellings and kinds, from the tallied texts; their events are numbers of texts.

    Each distinct text stands for its events as one event whose mentions weigh
    as many: two names share an event exactly when they share a text.
    """
    aliases = _alias_keys(registry)
    found: list[_Mention] = []
    texts = [{"id": str(i), "text": text} for i, text in enumerate(tally.counts)]
    for text, weight in zip(texts, tally.counts.values(), strict=True):
        found.extend(_Mention(m.surface, m.kind, text["id"], m.start, m.end, weight) for m in _mentions(text["text"], registry, aliases))
    return _add_surnames(_group(found), texts, registry)


# ------------------------------------------------------------------ finding mentions
def _alias_keys(registry: Registry) -> list[str]:
    """The registry's tagging spellings as search keys, longest first."""
    return sorted((k for k in registry.tag_keys() if len(k) >= 2), key=len, reverse=True)


def _in_registered_name(text: str, c: _Mention, aliases: list[str]) -> bool:
    """Whether the text around `c` holds a registry spelling that contains it (MK3 in
    地球同步轨道卫星运载火箭MK3), or a person's registered name begins it (托马斯·佩斯凯历时)."""
    key = search_key(c.surface)
    for alias in aliases:
        if key in alias:
            reach = 2 * len(alias)  # the text may hold spaces, quotes and dots the key drops
            if alias in search_key(text[max(0, c.start - reach) : c.end + reach]):
                return True
        elif c.kind == "person" and len(alias) >= 4 and key.startswith(alias):
            return True
        elif c.kind == "agency" and len(alias) >= 3 and key.endswith(alias):
            return True  # words before a registered organisation (驾驶…公司的) are not a new one
    return False


def _mentions(text: str, registry: Registry, aliases: list[str]) -> list[_Mention]:
    """The names in one text the registry does not know, in order (their event is set later)."""
    candidates, blocked = _candidates(text)
    kept = []
    for c in candidates:
        if any(s <= c.start and c.end <= e for s, e in blocked):
            continue  # inside a place
        if any(o is not c and o.start <= c.start and c.end <= o.end and (o.end - o.start) > (c.end - c.start) for o in candidates):
            continue  # part of a longer name (实验室 in 喷气推进实验室)
        if _known(c.surface, c.kind, registry, aliases) or _in_registered_name(text, c, aliases):
            continue
        kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _candidates(text: str) -> tuple[list[_Mention], list[tuple[int, int]]]:
    """What each pattern finds in `text`, and the spans of places (where nothing is a name)."""
    candidates: list[_Mention] = []
    blocked: list[tuple[int, int]] = []

    def add(surface: str, kind: str, start: int) -> None:
        candidates.append(_Mention(surface, kind, "", start, start + len(surface)))

    for m in _ORG_SUFFIX.finditer(text):
        name_start = _org_start(text, m.start())
        surface = text[name_start : m.end()].strip()
        if surface and _is_place(surface) or (m.group() == "中心" and _PLACE_AFTER.match(text, m.end())):
            blocked.append((name_start, m.end()))
        elif surface and _is_org_name(surface, m.group()):
            add(surface, "agency", name_start)
    for start, end in _places(text):  # a name that runs into 发射场 is part of a place
        blocked.append((_org_start(text, start), end))
    for start, surface in _dotted_names(text):
        add(surface, "person", start)
    for start, surface in _role_names(text):
        add(surface, "person", start)
    for m in _QUOTED.finditer(text):
        inner, tail = m.group(1), m.group(2)
        vehicle = bool(tail) or inner.endswith("号") or inner[-1:].isdigit()
        described = _described(text, m.end())
        vehicle = vehicle or (described is not None and not _ORG_CUT.search(described))
        vehicle = vehicle or text.endswith(_BEFORE_A_QUOTED_VEHICLE, 0, m.start())
        if vehicle and not text[m.end() :].lstrip().startswith(("公司", "集团")):
            add(m.group(), "vehicle", m.start())
    for start, end in _designations(text):
        stem = _stem(text, start)
        if stem and not _PLACE_AFTER.match(text, end):
            add(stem + text[start:end], "vehicle", start - len(stem))
    for m in _LATIN.finditer(text):
        if not _PLACE_AFTER.match(text, m.end()) and not _after_ordinal(text, m.start()):
            add(m.group(), "vehicle", m.start())  # not Y3 of 长征八号 Y3, which the designation holds
    return candidates, blocked


def _places(text: str) -> Iterable[tuple[int, int]]:
    """Spans of the words of places (发射场, 基地), each with the white space before it."""
    for m in _PLACE_NAME.finditer(text):
        start = m.start()
        while start and text[start - 1].isspace():  # never into the word before: it ends in no space
            start -= 1
        yield start, m.end()


def _is_place(surface: str) -> bool:
    return surface.endswith(_PLACE_ENDINGS) or any(word in surface for word in _PLACE_WORDS)


def _described(text: str, at: int) -> str | None:
    """The words between a quoted name and a vehicle word after it (“X”新型飞船: 新型; “X”飞船: ""),
    at most ten Han characters, none of 的和与及在是将; None when no vehicle word follows."""
    while at < len(text) and text[at].isspace():
        at += 1
    for k in range(11):
        if text.startswith(_VEHICLE_WORD_LIST, at + k):
            return text[at : at + k]
        ch = text[at + k : at + k + 1]
        if not ch or not "\u4e00" <= ch <= "\u9fff" or ch in _NOT_IN_A_DESCRIPTION:
            return None
    return None


def _designations(text: str) -> Iterable[tuple[int, int]]:
    """Spans of ordinals with 号 after a Han character (天问一号, 长征2号F遥十二), left to right, not
    overlapping: one to three Chinese or Arabic numerals before each 号, and what may follow it."""
    after = 0  # where the last span ended
    at = text.find("号")
    while at != -1:
        start = at
        if start and text[start - 1] in _CN_NUM:
            while start and text[start - 1] in _CN_NUM:
                start -= 1
        else:
            while start and text[start - 1].isdecimal():  # what \d is in an expression
                start -= 1
        before = text[start - 1] if start else ""
        if start >= after and 1 <= at - start <= 3 and "\u4e00" <= before <= "\u9fff" and before not in _NOT_BEFORE_ORDINAL:
            end = at + 1
            if text[end : end + 1] and text[end] in _VARIANT_LETTERS:
                end += 1
            else:
                serial = _LATIN_SERIAL.match(text, end)
                end = serial.end() if serial else end
            if text.startswith("遥", end) and _is_numeral(text[end + 1 : end + 2]):
                end += 2
                while end < len(text) and _is_numeral(text[end]):
                    end += 1
            yield start, end
            after = end
        at = text.find("号", max(at + 1, after))


def _is_numeral(ch: str) -> bool:
    return ch != "" and (ch in _CN_NUM or ch.isdecimal())


def _after_ordinal(text: str, at: int) -> bool:
    """Whether 号 ends the text before `at`, or comes before one white space there."""
    before = text[max(0, at - 2) : at]
    return before.endswith("号") or (len(before) == 2 and before[0] == "号" and before[1].isspace())


def _org_start(text: str, suffix_start: int) -> int:
    """Where the proper name before an organisation suffix begins."""
    i = suffix_start
    while i > 0 and suffix_start - i < 20:
        ch = text[i - 1]
        if "\u4e00" <= ch <= "\u9fff" or ch in "“”" or ch in _DOT or (ch.isascii() and ch.isalpha()):
            i -= 1
        elif ch == " " and i >= 2 and (text[i - 2].isascii() and text[i - 2].isalpha() or text[i].isascii() and text[i].isalpha()):
            i -= 1
        else:
            break
    run = text[i:suffix_start]
    cuts = list(_ORG_CUT.finditer(run))
    if cuts:
        i += cuts[-1].end()
    while i < suffix_start and text[i] in " ”":
        i += 1
    return i


def _stem(text: str, numeral_start: int) -> str | None:
    """The programme name before an ordinal: 3 characters after a word boundary (东方红), else 2."""
    i = numeral_start
    while i > 0 and numeral_start - i < 6 and "\u4e00" <= text[i - 1] <= "\u9fff":
        i -= 1
    run = text[i:numeral_start]
    bounded = i == 0 or not "\u4e00" <= text[i - 1] <= "\u9fff"
    for pattern in (_ORG_CUT, _STEM_CUT):
        cuts = list(pattern.finditer(run))
        if cuts:
            run, bounded = run[cuts[-1].end() :], True
    if len(run) > 3 or (len(run) == 3 and not bounded):
        run = run[-2:]
    if len(run) < 2 or not _NOT_IN_A_STEM.isdisjoint(run):
        return None
    return run


def _is_org_name(surface: str, suffix: str) -> bool:
    stem = surface[: len(surface) - len(suffix)].strip()
    if suffix in ("国会", "议会"):
        return stem[:1] not in _DETERMINERS
    if len(search_key(stem)) < 2 or stem[:1] in _DETERMINERS:
        return False
    bare = _without_country(stem)
    proper = _GENERIC_ORG.sub("", search_key(bare))
    if suffix in ("公司", "集团", "中心", "机构", "组织", "大学", "学院", "实验室", "研究中心"):
        return len(proper) >= 2 or any("a" <= c <= "z" for c in proper)
    return bool(proper) or bare != stem or stem.startswith("国家")


def _dot_positions(text: str) -> list[int]:
    found = []
    for dot in _DOTS:
        at = text.find(dot)
        while at != -1:
            found.append(at)
            at = text.find(dot, at + 1)
    return sorted(found)


def _has_dot(name: str) -> bool:
    return any(dot in name for dot in _DOTS)


def _without_country(name: str) -> str:
    """`name` without the country or region that begins it (美国SpaceX公司: SpaceX公司)."""
    if name.startswith(_COUNTRY_WORDS):
        for country in _COUNTRY_WORDS:
            if name.startswith(country):
                return name[len(country) :]
    return name


def _without_ending(name: str, endings: tuple[str, ...]) -> str:
    if not name.endswith(endings):
        return name
    for ending in endings:  # longest first
        if name.endswith(ending):
            return name[: -len(ending)]
    return name


def _without_flight(name: str, at_end: int | None = None) -> str | None:
    """`name` up to a flight number 遥N that ends it (or ends at `at_end`); None if there is none."""
    end = len(name) if at_end is None else at_end
    flight = name.rfind("遥", 0, end)
    if flight == -1 or flight == end - 1 or not all(_is_numeral(c) for c in name[flight + 1 : end]):
        return None
    return name[:flight]


def _without_generic_tail(name: str) -> str:
    """`name` without the flight (遥N), 号, vehicle word or 公司 that ends it."""
    flightless = _without_flight(name)
    return _without_ending(name, _GENERIC_TAILS) if flightless is None else flightless


def _without_numbering(key: str) -> str:
    """A vehicle's key without the 遥N号, 遥N or 号 that ends it: what its family is grouped by."""
    numbered = len(key) - 1 if key.endswith("号") else len(key)
    flightless = _without_flight(key, numbered)
    return key[:numbered] if flightless is None else flightless


def _dotted_names(text: str) -> Iterable[tuple[int, str]]:
    """`X·Y` names: the given name back to the first character that is not used in transliteration."""
    for start in _dot_positions(text):
        if start > 0 and text[start - 1] in _DOT:
            continue
        i = start
        while i > 0 and start - i < 5 and text[i - 1] in TRANSLIT:
            i -= 1
        if i == start or (i > 0 and text[i - 1] in _DOT):
            continue  # no given name, or a later dot of a name already taken
        for k in range(i + 1, start):
            if text.endswith(_ROLE_WORDS, 0, k):
                i = k  # 总理贾斯汀·特鲁多: 理 ends a role, not begins a name
        given = _without_country(text[i:start])
        i = start - len(given)
        j = start
        while j < len(text) and (text[j] in _DOT or text[j] == "-" or text[j] in TRANSLIT) and j - start < 14:
            j += 1
        while j > start and text[j - 1] in _DOT + "-":
            j -= 1
        surname = text[start + 1 : j]
        if len(given) < 1 or len(surname.translate(_NO_DOTS).replace("-", "")) < 1:
            continue
        if _ORG_SUFFIX.match(text, j) or text.startswith(("号", "航天", "宇宙", "太空", "发射"), j):
            continue  # 萨迪什·达万航天中心 is a place named after a person
        yield i, text[i:j]


def _role_names(text: str) -> Iterable[tuple[int, str]]:
    """Chinese (or, after 日本, Japanese) names after a role word, and the names listed with them."""
    for m in _ROLE_NAME.finditer(text):
        at, japanese = m.end(), m.start() >= 2 and text.startswith("日本", m.start() - 2)
        while True:
            name = _name_at(text, at, japanese)
            if not name:
                break
            yield at, name
            at += len(name)
            if at < len(text) and text[at] in "和与及、":
                at += 1
            else:
                break


def _name_at(text: str, at: int, japanese: bool) -> str | None:
    for n in (2, 3, 4) if japanese else (2, 3):
        name, after = text[at : at + n], text[at + n : at + n + 1]
        if len(name) < n or not all("\u4e00" <= c <= "\u9fff" for c in name) or (after and after not in _DELIMIT and not after.isspace()):
            continue
        if name[0] in _DELIMIT:
            continue
        if n == 4 or name[0] in SURNAMES or all(c in TRANSLIT for c in name):
            return name
    return None


# ------------------------------------------------------------------ known or new
def _forms(surface: str) -> set[str]:
    """The surface and what remains without a country before it and a generic word after it."""
    forms = {surface}
    for form in list(forms):
        forms.add(_without_country(form))
    for form in list(forms):
        bare = form
        while True:
            shorter = _without_generic_tail(bare).strip()
            if shorter == bare or not shorter:
                break
            bare = shorter
            forms.add(bare)
    return {f for f in forms if f}


def _known(surface: str, kind: str, registry: Registry, aliases: list[str]) -> bool:
    if any(registry.exact(form) for form in _forms(surface)):
        return True
    if kind == "person":
        return False
    key = search_key(surface)
    return len(key) >= 3 and not _serial(key) and any(key in alias for alias in aliases if len(alias) > len(key))


def _serial(key: str) -> str:
    """What distinguishes one member of a family: digits, ordinals, Latin letters, variant letters."""
    return "".join(c for c in key if c in _SERIAL_CHARS)


# ------------------------------------------------------------------ grouping
def _group_key(m: _Mention) -> str:
    key = search_key(m.surface)
    if m.kind == "vehicle":
        key = _without_numbering(key)
    elif m.kind == "agency":
        rest = _without_country(key)
        if _GENERIC_ORG.sub("", _without_ending(rest, _ORG_TYPES)):  # 美国SpaceX公司 is SpaceX公司; 英国政府 is not 日本政府
            key = rest
    return f"{m.kind}:{key}"


def _group(mentions: list[_Mention]) -> list[UnknownName]:
    groups: dict[str, list[_Mention]] = {}
    for m in mentions:
        groups.setdefault(_group_key(m), []).append(m)
    merged = _merge_people([g for g in groups.values()])
    records = []
    for group in merged:
        counts: dict[str, int] = {}
        for m in group:
            counts[m.surface] = counts.get(m.surface, 0) + m.weight
        name = max(counts, key=lambda s: counts[s])  # first of the most used: dicts keep order
        events = list(dict.fromkeys(m.event for m in group))
        records.append(UnknownName(name, group[0].kind, events, [s for s in counts if s != name]))
    return records


def _parts(name: str) -> tuple[str, str]:
    pieces = name.translate(_ONE_DOT).split("·")
    return (pieces[0], pieces[-1].replace("-", "")) if len(pieces) > 1 else ("", name)


def _similar(a: str, b: str) -> bool:
    """Two transliterations of one word: one character changed, added or dropped (two, from five characters on)."""
    shorter = min(len(a), len(b))
    return a == b or (shorter >= 2 and _within(a, b, 1 + (shorter >= 5)))


def _within(a: str, b: str, most: int) -> bool:
    """Whether the Levenshtein distance of two short names is at most `most`: row by row, stopping
    once every cell of a row is over (names are a few characters: rapidfuzz's import would cost
    more than all the rows `unknown` computes)."""
    if abs(len(a) - len(b)) > most:
        return False
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        above, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            above, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, above + (x != y))
        if min(row) > most:
            return False
    return row[-1] <= most


def _merge_people(groups: list[list[_Mention]]) -> list[list[_Mention]]:
    """Full names of one person spelt two ways (伊丽莎白·霍尔特, 伊丽莎·霍尔特), never named in one event together."""
    result: list[list[_Mention]] = []
    for group in groups:
        if group[0].kind == "person" and _has_dot(group[0].surface):
            given, surname = _parts(group[0].surface)
            for other in result:
                if other[0].kind != "person" or not _has_dot(other[0].surface):
                    continue
                o_given, o_surname = _parts(other[0].surface)
                same_given = given == o_given or given[:1] == o_given[:1]
                if same_given and _similar(surname, o_surname) and not {m.event for m in group} & {m.event for m in other}:
                    other.extend(group)
                    break
            else:
                result.append(group)
        else:
            result.append(group)
    return result


def _add_surnames(records: list[UnknownName], events: list[dict], registry: Registry) -> list[UnknownName]:
    """A surname alone (霍尔特), or a shortened one (福伊斯特 for 福伊斯特尔), where the full name is known.

    A name found alone (航天员霍尔特) that is such a surname joins the full name's record.
    """
    people = [r for r in records if r.kind == "person" and _has_dot(r.name)]
    forms: dict[str, list[UnknownName]] = {}
    for record in people:
        for spelling in (record.name, *record.variants):
            surname = _parts(spelling)[1]
            for form in (surname, surname[:-1] if len(surname) >= 4 else ""):
                if len(form) >= 2 and not registry.exact(form) and record not in forms.setdefault(form, []):
                    forms[form].append(record)
    attached: set[tuple[str, str]] = set()
    for event in events:
        text = event["text"]
        for form, owners in forms.items():
            for at in _occurrences(form, text):
                before = text[at - 1] if at else " "
                after = text[at + len(form)] if at + len(form) < len(text) else " "
                if before in _DOT or before in TRANSLIT or after in TRANSLIT or after == "-":
                    continue
                owner = _owner(owners, event["id"], text[:at])
                if owner is None:
                    continue
                if form != owner.name and form not in owner.variants:
                    owner.variants.append(form)
                if event["id"] not in owner.events:
                    owner.events.append(event["id"])
                attached.add((form, event["id"]))
    ordering = {e["id"]: i for i, e in enumerate(events)}
    for record in people:
        record.events.sort(key=ordering.__getitem__)
    kept = [r for r in records if r.kind != "person" or r.variants or not all((r.name, e) in attached for e in r.events)]
    for bare in [r for r in kept if r.kind == "person" and not _has_dot(r.name) and all(c in TRANSLIT for c in r.name)]:
        similar = [p for p in people if len(bare.name) >= 3 and any(_similar(bare.name, _parts(s)[1]) for s in (p.name, *p.variants))]
        if len(similar) == 1:  # 费舍尔 alone, where the text also names 杰克·费希尔
            owner = similar[0]
            owner.variants.extend(v for v in (bare.name, *bare.variants) if v not in owner.variants)
            owner.events = sorted(set(owner.events) | set(bare.events), key=ordering.__getitem__)
            kept.remove(bare)
    return kept


def _occurrences(word: str, text: str) -> Iterable[int]:
    """Where `word` is in `text`, left to right, not overlapping."""
    at = text.find(word)
    while at != -1:
        yield at
        at = text.find(word, at + len(word))


def _owner(owners: list[UnknownName], event_id: str, before: str) -> UnknownName | None:
    """The person a surname alone refers to: the one last named before it, else the only one."""
    last, where = None, -1
    for record in owners:
        for spelling in (record.name, *record.variants):
            at = before.rfind(spelling) if _has_dot(spelling) else -1
            if at > where:
                last, where = record, at
    if last is not None:
        return last
    return owners[0] if len(owners) == 1 else None


def _like(record: UnknownName, registry: Registry) -> str | None:
    """The registry entity this may be a new spelling of: same kind, same serial, one sound changed."""
    spellings = [record.name, *record.variants]
    for entity in registry.of_kind(record.kind):
        for alias in (*entity.aliases, entity.name_zh):
            for spelling in spellings:
                if _same_entity(spelling, alias, record.kind):
                    return entity.id
    return None


def _same_entity(spelling: str, alias: str, kind: str) -> bool:
    if kind == "person":
        if not _has_dot(spelling) or not _has_dot(alias):
            return False
        given, surname = _parts(spelling)
        a_given, a_surname = _parts(alias)
        return len(surname) >= 3 and (given == a_given or not given) and surname != a_surname and _similar(surname, a_surname)
    (a, serial_a, bare_a, stem_a), (b, serial_b, bare_b, stem_b) = _name_parts(spelling), _name_parts(alias)
    if serial_a != serial_b or a == b:
        return False
    if bare_a == bare_b:
        return True  # “织女”-C and “织女”C
    return len(stem_a) >= 3 and len(stem_a) == len(stem_b) and _similar(stem_a, stem_b)


@cache
def _name_parts(name: str) -> tuple[str, str, str, str]:
    """A name's search key, its serial, the key without dashes and dots, and its stem (no serial):
    each registry alias is compared with every unknown name of its kind."""
    key = search_key(name)
    return key, _serial(key), key.replace("-", "").replace(".", ""), key.translate(_NO_SERIAL)


# ------------------------------------------------------------------ registry entries
_VARIANT_LETTER = {"甲": "A", "乙": "B", "丙": "C", "丁": "D"}


def chinese_number(numeral: str) -> int:
    """一 -> 1, 十一 -> 11, 二十 -> 20, 一百零二 -> 102 (Arabic digits pass through)."""
    if numeral.isdigit():
        return int(numeral)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    total, current = 0, 0
    for ch in numeral:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def romanise(name: str, kind: str) -> str:
    """An English name to review, where one can be guessed: a Latin designation as it is, a
    Chinese person's name in pinyin (Jing Haipeng), a Chinese designation (Tiangong 1);
    else "" (a transliterated foreign name is not its pinyin)."""
    if name.isascii():
        return name
    if kind == "person" and not _has_dot(name) and 2 <= len(name) <= 3 and name[0] in SURNAMES:
        return f"{_pinyin(name[0]).capitalize()} {_pinyin(name[1:]).capitalize()}"
    m = re.fullmatch(f"([\u4e00-\u9fff]{{2,3}})([{_CN_NUM}]+|\\d+)号\\s?([甲乙丙丁]|[A-Z]{{1,2}}\\d{{0,2}})?(?:遥[{_CN_NUM}\\d]+)?", name)
    if kind == "vehicle" and m:
        letter = _VARIANT_LETTER.get(m.group(3) or "", m.group(3) or "")
        return f"{_pinyin(m.group(1)).capitalize()} {chinese_number(m.group(2))}{letter}"
    return ""


def suggest_id(name: str, kind: str, used: set[str]) -> str:
    """A registry id for a new entity: lowercase ASCII words joined by hyphens, not in `used`."""
    english = romanise(name, kind)
    if english:
        words = re.findall(r"[a-z0-9]+", english.lower())
    else:
        words = []
        for piece in re.findall("[A-Za-z0-9]+|[\u4e00-\u9fff]+", name):
            words.append(piece.lower() if piece.isascii() else _pinyin(piece))
    base = "-".join(w for w in words if w) or kind
    entity_id, n = base, 2
    while entity_id in used:
        entity_id, n = f"{base}-{n}", n + 1
    return entity_id
