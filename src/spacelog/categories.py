"""The categories of an event, read from its text by the meanings in meanings.py.

Each category has cues: the verbs and nouns that report it, in the forms the
genre writes them (发射升空, 成功发射, 发射“X”; 对接, 停靠, 被机械臂抓捕,
抵达空间站; 返回地球, 返回舱…着陆). A cue counts only where the sentence
reports it as something that happened in this event. It does not count when:

- planned: after 计划, 将于, 预计, 拟, 如果, a later year… in its sentence;
- background: after 此前, 曾, or a date before the event's, in its sentence;
- negated (未, 没有, 推迟, 暂停), or told back (此次发射 refers to a launch
  stated elsewhere), or an attribute (发射的卫星, 发生故障的转发器);
- a noun compound or a word that only contains the cue (发射场, 对接机构,
  监测试验卫星, 试飞员).

A landing counts as a return only when what lands is a crew or a return
capsule; a rocket stage landing is a test, a probe landing on another world
is science, a cargo ship's is the end of its mission. `classify` returns the
categories, main one first, with the cues that decided them and the cues it
set aside with the reason.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass, field
from importlib import resources

from .text import search_key, search_key_with_map

# Categories that report something happening, so plans, background and negation apply.
HAPPENING = frozenset({"launch", "eva", "docking", "return", "crew", "test", "mission-end", "failure", "science", "conference"})
# Any of these reported makes an announcement an event of that kind, not a policy.
FACT = frozenset({"launch", "eva", "docking", "return", "failure", "mission-end", "recruitment", "contract", "conference"})
# Order of categories reported in the same sentence: what the event mainly reports first.
RANK = ("failure", "launch", "return", "docking", "eva", "mission-end", "recruitment", "contract", "budget", "policy", "conference", "test", "science", "crew")

# Categories are read from the start of an event, so a pathological event costs at most this.
MAX_CHARS = 4000
_STOP = "。!?;\n"  # sentence ends in the key (full-width ！？； fold to ASCII)
_CLAUSE = _STOP + ",:"
_NOT_PUNCT = f"[^{re.escape(_CLAUSE)}]"


def _within(n: int) -> str:
    """Up to n characters inside one clause, as few as possible."""
    return f"{_NOT_PUNCT}{{0,{n}}}?"


BODIES = "月球|月面|月背|火星|金星|水星|木星|土星|天王星|海王星|冥王星|小行星|彗星|土卫|木卫"


# ---------------------------------------------------------------- cues
@dataclass(frozen=True)
class CueRule:
    """A pattern whose matches speak for a category (cues.toml); it runs on the search key."""

    category: str
    pattern: re.Pattern[str]
    what: str
    ends_on_object: bool  # 送入…轨道, 抵达…空间站: exempt from the …的 check


def _load_cue_rules() -> list[CueRule]:
    """The cue table, with {within:N} and {bodies} spelled out."""
    with resources.files(__package__).joinpath("cues.toml").open("rb") as f:
        table = tomllib.load(f)["cue"]
    rules = []
    for row in table:
        pattern = row["pattern"] if isinstance(row["pattern"], str) else "|".join(row["pattern"])
        pattern = re.sub(r"\{within:(\d+)\}", lambda m: _within(int(m.group(1))), pattern).replace("{bodies}", BODIES)
        rules.append(CueRule(row["category"], re.compile(pattern), row["what"], row.get("ends_on_object", False)))
    return rules


_CUE_RULES = _load_cue_rules()

# A plan, condition or purpose: what follows it in its sentence has not happened.
_PLAN = re.compile(
    r"(?<!按)(?<!按照)(?<!根据)(?<!依照)计划|将于|将在|将会|将要|即将|预计(?!轨道)|预定于|(?<![模虚])拟|(?<!做好了)(?<!做好)(?<!做)准备|打算|有望|定于|力争|争取|希望"
    r"|未来|设想|构想|第[一二三四五六\d]阶段|要求|指示|应该|应当|可以|能够|论证|方案[是为]|目标[是为]|任务[是为]|旨在|以期|可能(?!性)|或将"
    r"|将(?=[于在会要可能是与被用为从向对由把使有]|成为|进行|进一步|进入|开展|开始|启动|继续|首次|正式|再次|获得|实现|实施|达到|推出|发射|研制|建造|建成"
    r"|参加|参与|承担|安装|使用|利用|执行|采用|搭载|面向|直接|主要|展开|准备|共建|斥资|遴选|连接|支撑|接受|带回|提供|收起|成立|从事|比较|作为|装入|逐步|全面|完成|选拔|部署)"
)
# 将 + object + one of these is the disposal construction (将卫星送入轨道), not the future.
_DISPOSAL = re.compile(r"送|运|安装|设立|改为|命名|转移|分离|更换|放入|装入|纳入|列入|带回|接入|取出|封堵|推向|投入|释放|部署|置于|固定|连接")
_PURPOSE = re.compile(r"为了|为(?!期|止|主|此)")  # at the start of a clause: 为嫦娥四号着陆提供支持
_CONVENER = re.compile(r"委员会|理事会|国会|议会|内阁|政府")  # a meeting these hold is policy
_CONDITION = re.compile(r"只要|如果|假如|一旦|(?<!若)若(?!干)")
# Narration of what came before the event.
_PAST = re.compile(r"此前|先前|早先|上次|上一次|此后|曾经|曾(?!国|是)")
_CAUSE = re.compile(r"原因[是为]")  # the cause of something else: to the end of the sentence
_NEGATOR = re.compile(r"(?:未(?!来)|没有|没能|无法|不能|不会|未能|取消|推迟|暂停|停止)(?:了|再|按时|成功)?$")
_ANAPHORA = ("此次", "这次", "本次", "该次")
_ATTRIBUTE = re.compile(r"(?:过|失败|成功)?的")
_AFTER_PLAN = re.compile(rf"{_within(6)}(?:定于|推迟|延期|延迟|取消|将[于在会]|计划|预计|拟于)")
# 测试/试验 named without a verb of doing it (进行, 完成…): a topic, whose status its predicate gives.
_DOING = re.compile(r"进行|完成|开展|实施|成功|接受|通过|开始|举行")
_BEFORE_EVENT = re.compile(rf"{_within(6)}后")  # 失败后的首次…: a failure before this event
_CAREER = re.compile(r"累计|共计|总共|一共|生涯|(?:进行|完成|执行|参加|参与)过")
_RECORD = re.compile(r"(?:次数|时间|时长|纪录|记录)")
_ANNOUNCE = re.compile(r"宣布|表示|声称|(?<![名堪号])称(?!为|号)|透露|声明|证实|提出|指出|强调|公布|发布消息")

_DATE = re.compile(r"(\d{4})年代|(\d{1,2})世纪(\d{1,2})年代|(?:(\d{4})年)?(?:(\d{1,2})月)?(?:(\d{1,2})日)?")
_ATTRIBUTE_DATE = re.compile(rf"{_within(6)}的")
_SINCE_BEFORE = ("自", "从")
_SINCE_AFTER = re.compile(r"(?:以来|起|至今|开始)")
_NO_CREW = re.compile(r"无人")

# What lands, nearest before the landing in its sentence.
_LANDER = re.compile(
    r"(?P<crew>航天员|宇航员|乘组|乘员|机组|游客|他们|三人|两人|二人|返回舱|回收舱|载人飞船)"
    r"|(?P<stage>火箭|一级|一子级|芯级|助推器|箭体)"
    r"|(?P<probe>探测器|着陆器|登陆器|巡视器|火星车|月球车|漫游车)"
    r"|(?P<cargo>货运飞船|货运)"
    r"|(?P<testcraft>验证机|飞行器|太空飞机|样机)"
)
_ABORT = re.compile(r"中止|逃逸|应急|弹道式|紧急(?:着陆|返回|降落)")
_CREW_NOUN = re.compile(r"(?:航天员|宇航员|乘组|乘员|游客)(?!的|补给|生活|中心|大队|选拔|招募|训练|候选|人选|班底|队伍|服|出身)")
_CREW_VERB = re.compile(r"搭载|载着|载有|乘坐|搭乘|送入|送上|送往|送到|运送|进入|返回|着陆|抵达|登上|飞天|升空|前往")
_CREWED_CRAFT = re.compile(r"载人飞船|载人航天器")
_STAY = re.compile(r"驻留|考察|飞行")


@dataclass(frozen=True)
class Cue:
    """Words of the text that speak for a category; `rejected` says why they do not count."""

    category: str
    words: str
    at: int  # where the cue starts and ends in the search key
    end: int
    sentence: int
    rejected: str = ""


@dataclass
class Classification:
    categories: list[str]
    cues: list[Cue] = field(default_factory=list)

    def why(self) -> dict[str, list[str]]:
        """For each category, main one first, the words that decided it."""
        found: dict[str, list[str]] = {c: [] for c in self.categories}
        for cue in self.cues:
            if not cue.rejected and cue.category in found and cue.words not in found[cue.category]:
                found[cue.category].append(cue.words)
        return found

    def rejected(self) -> list[Cue]:
        return [cue for cue in self.cues if cue.rejected]


class _Reading:
    """An event's text as the search key, with its sentences and the scopes of plans and background."""

    def __init__(self, text: str, date: str | None) -> None:
        self.text = text
        text = text[:MAX_CHARS]
        self.key, self.positions = search_key_with_map(text)
        if not self.positions:
            self.key = search_key(text)
        key = self.key
        self.sentence_ends = [i for i, ch in enumerate(key) if ch in _STOP] + [len(key)]
        self.clause_marks = [i for i, ch in enumerate(key) if ch in _CLAUSE]
        self.landers = list(_LANDER.finditer(key))
        self.lander_starts = [m.start() for m in self.landers]
        self.scopes: list[tuple[int, int, str, str]] = []  # start, end, kind, words
        for pattern, kind in ((_PLAN, "planned"), (_CONDITION, "a condition"), (_PAST, "background"), (_CAUSE, "a cause")):
            for m in pattern.finditer(key):
                once = kind == "planned" and key[max(0, m.start() - 2) : m.start()].endswith(("原", "原本"))  # 原定于, 原本预计
                end = self.clause_end(m.start()) if once else self.sentence_end(m.start())
                self.scopes.append((m.start(), end, kind, m.group()))
        disposals = [m.start() for m in _DISPOSAL.finditer(key)]
        for m in re.finditer("将", key):
            after = bisect_left(disposals, m.end() + 1)
            disposal = after < len(disposals) and disposals[after] < self.clause_end(m.start())
            if not _PLAN.match(key, m.start()) and not disposal:
                self.scopes.append((m.start(), self.sentence_end(m.start()), "planned", "将"))
        for m in _PURPOSE.finditer(key):
            if m.start() == self.clause_start(m.start()):
                self.scopes.append((m.start(), self.clause_end(m.start()), "a purpose", m.group()))
        if date:
            self._date_scopes(int(date[:4]), int(date[5:7]), int(date[8:10]))

    def _date_scopes(self, year: int, month: int, day: int) -> None:
        key = self.key
        for m in _DATE.finditer(key):
            if not m.group() or (m.start() > 0 and key[m.start() - 1].isdigit()):
                continue
            if m.group(1) or m.group(2):  # 2020年代, 21世纪30年代: a decade
                decade = int(m.group(1)) if m.group(1) else (int(m.group(2)) - 1) * 100 + int(m.group(3))
                if decade > year:
                    self.scopes.append((m.start(), self.sentence_end(m.start()), "planned", m.group()))
                continue
            y = int(m.group(4)) if m.group(4) else year
            mo = int(m.group(5)) if m.group(5) else (0 if m.group(4) else month)
            d = int(m.group(6)) if m.group(6) else 0
            if y > year:
                self.scopes.append((m.start(), self.sentence_end(m.start()), "planned", m.group()))
                continue
            earlier = y < year or (mo and (mo < month or (mo == month and d and d < day)))
            if not earlier or key[max(0, m.start() - 1) : m.start()] in _SINCE_BEFORE or _SINCE_AFTER.match(key, m.end()):
                continue
            # 于2月17日发射的卫星: the date is the attribute's (a verb stands between it and 的);
            # 2017年11月的事故: the date is the noun's, and the scope runs on
            attribute = _ATTRIBUTE_DATE.match(key, m.end())
            end = attribute.end() if attribute and attribute.end() - m.end() > 1 else self.sentence_end(m.start())
            self.scopes.append((m.start(), end, "an earlier event", m.group()))

    def sentence_end(self, i: int) -> int:
        return self.sentence_ends[self.sentence_of(i)]

    def sentence_of(self, i: int) -> int:
        return min(bisect_left(self.sentence_ends, i), len(self.sentence_ends) - 1)

    def sentence_start(self, i: int) -> int:
        n = self.sentence_of(i)
        return self.sentence_ends[n - 1] + 1 if n else 0

    def clause_start(self, i: int) -> int:
        k = bisect_left(self.clause_marks, i)
        return self.clause_marks[k - 1] + 1 if k else 0

    def clause_end(self, i: int) -> int:
        k = bisect_left(self.clause_marks, i)
        return self.clause_marks[k] if k < len(self.clause_marks) else len(self.key)

    def lander(self, i: int) -> re.Match[str] | None:
        """The nearest noun of what may land that ends before position i in its sentence."""
        k = bisect_left(self.lander_starts, i) - 1
        while k >= 0 and self.landers[k].end() > i:
            k -= 1
        return self.landers[k] if k >= 0 and self.landers[k].start() >= self.sentence_start(i) else None

    def words(self, start: int, end: int) -> str:
        """The text as written for key[start:end]."""
        if not self.positions:
            return self.key[start:end]
        return self.text[self.positions[start] : self.positions[end - 1] + 1]

    def scope(self, i: int, kinds: tuple[str, ...]) -> str:
        """Why position i is not a fact (the first scope over it of those kinds), or ''."""
        for start, end, kind, words in self.scopes:
            if kind in kinds and start < i < end:
                return f"{kind} ({words})"
        return ""


def _context(r: _Reading, category: str, start: int, end: int, object_final: bool = False) -> str:
    """Why a cue at key[start:end] does not report this event, or '' when it does."""
    key = r.key
    before = key[max(r.clause_start(start), start - 6) : start]  # the few characters a negator or 此次 takes
    if category in HAPPENING or category in ("contract", "budget", "recruitment"):
        if before.endswith(_ANAPHORA):
            return f"refers to the event stated elsewhere ({before[-2:]})"
    if category in HAPPENING:
        negated = _NEGATOR.search(before[-4:]) if not key.startswith(("未", "没"), start) else None
        if negated:
            return f"negated ({negated.group()})"
        if category not in ("conference", "science") and not object_final and _ATTRIBUTE.match(key, end):
            return "describes a thing (…的), not an event"
        after = _AFTER_PLAN.match(key, end)
        if after:
            return f"planned ({after.group()[-2:]})"
        why = r.scope(start, ("planned", "a condition", "background", "an earlier event", "a purpose"))
        if why:
            return why
        convener = _CONVENER.search(key, r.clause_start(start), start) if category == "conference" and key[start:end] == "会议" else None
        if convener:
            return f"a meeting of a government body ({convener.group()}): policy"
        if category == "test" and key[start:end] in ("测试", "试验") and not _DOING.search(key, r.clause_start(start), start):
            later = [s for s in r.scopes if s[2] == "planned" and end <= s[0] < r.sentence_end(start)]
            if later:
                return f"a test named as the topic of a plan ({later[0][3]})"
        if category == "failure":
            if _BEFORE_EVENT.match(key, end):
                return "a failure before this event (…后)"
            return r.scope(start, ("a cause",))
        return ""
    if category in ("contract", "budget", "recruitment"):
        return r.scope(start, ("a condition", "background", "an earlier event"))
    return ""


def _landing(r: _Reading, start: int, end: int) -> tuple[str, str]:
    """(category, reason) for a landing: what lands decides what it reports."""
    key = r.key
    sentence = key[r.sentence_start(start) : r.sentence_end(start)]
    abort = _ABORT.search(sentence)
    if abort:
        return "", f"an abort, not a return ({abort.group()})"
    clause = key[r.clause_start(start) : r.clause_end(end)]
    lander = r.lander(start)
    kind = lander.lastgroup if lander else None
    what = lander.group() if lander else ""
    world = re.search(BODIES, clause)
    if world and not re.search("地球|地面", key[start:end]):
        if re.search("失败|坠毁|坠落|失去联系", clause):
            return "", f"a landing on another world that failed ({world.group()})"
        return "science", f"a landing on another world ({world.group()})"
    if kind == "crew":
        return "return", ""
    if kind == "stage":
        return "test", f"what lands is a rocket stage ({what})"
    if kind == "probe":
        return "science", f"what lands is a probe ({what})"
    if kind == "cargo":
        return "mission-end", f"what lands is a cargo ship ({what})"
    if kind == "testcraft":
        return "", f"what lands is a test vehicle ({what})"
    return "", "no crew or return capsule is named as what lands"


def classify(text: str, date: str | None = None) -> Classification:
    """The categories of an event's text, main one first, with the cues for and against.

    `date` (YYYY-MM-DD) is the event's date: dates before it mark background,
    later years mark plans.
    """
    r = _Reading(text, date)
    cues: list[Cue] = []

    def add(category: str, start: int, end: int, rejected: str = "", words: str = "") -> None:
        cues.append(Cue(category, words or r.words(start, end), start, end, r.sentence_of(start), rejected))

    for rule in _CUE_RULES:
        category = rule.category
        for m in rule.pattern.finditer(r.key):
            start, end = m.span()
            why = _context(r, category, start, end, rule.ends_on_object)
            if not why and category == "return":
                becomes, reason = _landing(r, start, end)
                if becomes != "return":
                    add("return", start, end, reason)
                    if becomes:
                        add(becomes, start, end)
                    continue
            if not why and rule.what == "a mission ended" and (_STAY.search(m.group()) or _crew_before(r, start)):
                why = "a crew's stay ending (return)"
            if not why and category == "eva" and m.group() == "出舱":
                sentence = r.key[r.sentence_start(start) : r.sentence_end(start)]
                if re.search("着陆|返回舱|返回地球", sentence):
                    why = "leaving the capsule after landing"
            if not why and category == "eva":
                career = _CAREER.search(r.key, r.clause_start(start), start)
                if career:
                    why = f"a career in passing ({career.group()})"
                elif _RECORD.match(r.key, end):
                    why = "a record in passing"
            add(category, start, end, why)

    failing = {cue.sentence for cue in cues if cue.category == "failure" and not cue.rejected}
    for i, cue in enumerate(cues):
        if cue.category == "mission-end" and not cue.rejected and cue.sentence in failing:
            cues[i] = Cue(cue.category, cue.words, cue.at, cue.end, cue.sentence, "an end the failure caused (failure)")
        elif cue.category == "science" and cue.words == "发现" and not cue.rejected and cue.sentence in failing:
            cues[i] = Cue(cue.category, cue.words, cue.at, cue.end, cue.sentence, "what was found is the failure")
    accepted = {cue.category for cue in cues if not cue.rejected}
    _crew(r, cues, accepted, add)
    _announced_plan(r, cues, accepted, add)

    first: dict[str, int] = {}
    last = len(r.sentence_ends)
    for cue in cues:
        if not cue.rejected:
            # 在…大会上表示: the meeting is the setting of what is reported, so it comes after it
            where = last if cue.category == "conference" and r.key.startswith("上", cue.end) else cue.sentence
            first[cue.category] = min(first.get(cue.category, where), where)
    categories = sorted(first, key=lambda c: (first[c], RANK.index(c)))
    cues.sort(key=lambda cue: (cue.at, cue.category))
    return Classification(categories or ["other"], cues)


def _joined(r: _Reading, first: re.Match[str], last: re.Match[str]) -> str:
    """Two cue words as one reason: 搭载了航天员, or 搭载…航天员 when words stand between."""
    if first.end() >= last.start():
        return r.words(first.start(), last.end())
    return f"{r.words(first.start(), first.end())}…{r.words(last.start(), last.end())}"


def _crew_before(r: _Reading, start: int) -> bool:
    """Whether what comes nearest before `start` in its sentence is a crew (then 结束了… is their stay)."""
    lander = r.lander(start)
    return lander is not None and lander.lastgroup == "crew"


def _crew(r: _Reading, cues: list[Cue], accepted: set[str], add) -> None:
    """crew: people aboard a launch, docking or return the event reports."""
    if not accepted & {"launch", "docking", "return"}:
        return
    key = r.key
    returns = {c.sentence for c in cues if c.category == "return" and not c.rejected}
    seen: set[int] = set()
    for m in _CREW_NOUN.finditer(key):
        clause = (r.clause_start(m.start()), r.clause_end(m.end()))
        if clause[0] in seen:  # one cue a clause: its first crew noun
            continue
        verb = _CREW_VERB.search(key, *clause)
        if not verb and r.sentence_of(m.start()) not in returns:
            continue
        seen.add(clause[0])
        # with a verb of flying; without one, the people of a landing sentence are the ones landing
        first, last = sorted([m, verb], key=lambda x: x.start()) if verb else (m, m)
        words = r.words(first.start(), first.end()) if first is last else _joined(r, first, last)
        why = _context(r, "crew", first.start(), last.end())
        add("crew", first.start(), last.end(), why, words)
        if not why:
            accepted.add("crew")
    for m in _CREWED_CRAFT.finditer(key):
        sentence = key[r.sentence_start(m.start()) : r.sentence_end(m.start())]
        launched = any(c.sentence == r.sentence_of(m.start()) and c.category in ("launch", "return") and not c.rejected for c in cues)
        if launched:
            why = "an uncrewed flight (无人)" if _NO_CREW.search(sentence) else _context(r, "crew", m.start(), m.end())
            add("crew", m.start(), m.end(), why)


def _announced_plan(r: _Reading, cues: list[Cue], accepted: set[str], add) -> None:
    """policy: an announcement of something planned, when the event reports nothing that happened."""
    if "policy" in accepted or accepted & FACT:
        return
    key = r.key
    for m in _ANNOUNCE.finditer(key):
        plans = [s for s in r.scopes if s[2] == "planned" and m.end() <= s[0] < r.sentence_end(m.start())]
        if plans:
            plan = plans[0]
            words = f"{r.words(m.start(), m.end())}…{r.words(plan[0], plan[0] + len(plan[3]))}"
            add("policy", m.start(), m.end(), words=words)
            return


def categorize(text: str, date: str | None = None) -> list[str]:
    """The categories of an event's text, main one first (`other` when none applies)."""
    return classify(text, date).categories
