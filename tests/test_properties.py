"""Properties that must hold for any chronicle, store and term (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REGISTRY, cli
from spacelog.errors import UsageError
from spacelog.index import open_index
from spacelog.ingest import parse_chronicle
from spacelog.query import MemorySource, parse_day, parse_terms, search
from spacelog.registry import Registry, load_registry
from spacelog.store import load_store
from spacelog.text import search_key

REG = load_registry(REGISTRY)
EMPTY = Registry({})
# Text an event body may hold: CJK, Latin, digits, punctuation both widths, quotes, spaces.
BODY_CHARS = st.sampled_from(list("空间站航天员发射成功火星猎鹰号联盟飞船卡西尼国际。，；：、（）“”·—-ＡＢab01239 MSX"))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def non_space(text: str) -> str:
    return "".join(text.split())


@st.composite
def chronicles(draw):
    n = draw(st.integers(1, 12))
    bodies, lines = [], ["大事记", ""]
    for seq in range(1, n + 1):
        month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        body = f"{month}月{day}日，" + draw(st.text(BODY_CHARS, min_size=1, max_size=60)).strip()
        bodies.append(body)
        line = f"{seq}. {body}"
        cut = draw(st.integers(0, len(line)))
        if draw(st.booleans()) and 4 + len(f"{seq}") < cut < len(line) and not line[cut].isspace() and not line[cut:].lstrip()[:1].isdigit():
            lines += [line[:cut], "", line[cut:]]  # a page break inside the event
        else:
            lines.append(line)
        lines.append("")
    return "\n".join(lines), bodies


@SETTINGS
@given(chronicles())
def test_ingest_loses_no_character_and_keeps_order(chronicle):
    text, bodies = chronicle
    parsed = parse_chronicle(text, 2017, REG)
    assert parsed.errors == []
    assert [e["seq"] for e in parsed.events] == list(range(1, len(bodies) + 1))
    assert [non_space(e["text"]) for e in parsed.events] == [non_space(b) for b in bodies]


@st.composite
def stores(draw):
    n = draw(st.integers(0, 15))
    events = []
    for seq in range(1, n + 1):
        month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        events.append(
            {
                "id": f"2017-{seq:03d}",
                "seq": seq,
                "date": f"2017-{month:02d}-{day:02d}",
                "end": None,
                "text": draw(st.text(min_size=1, max_size=40).filter(lambda t: t.strip())),
                "agencies": [],
                "people": [],
                "vehicles": [],
                "categories": ["other"],
                **({"extra": draw(st.integers())} if draw(st.booleans()) else {}),
            }
        )
    return events


@SETTINGS
@given(stores(), st.sampled_from([(",", ":"), (", ", ": ")]), st.booleans())
def test_store_to_jsonl_and_back_is_unchanged(tmp_path_factory, events, separators, ascii_only):
    path = tmp_path_factory.mktemp("s") / "s.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=ascii_only, separators=separators) + "\n" for e in events), encoding="utf-8")
    result = cli("timeline", "--data", str(path), "--format", "jsonl")
    back = [json.loads(line) for line in result.stdout.splitlines()]
    expected = sorted(events, key=lambda e: (e["date"], len(e["id"]), e["id"]))
    assert back == expected
    assert result.exit_code == (0 if events else 1)


@SETTINGS
@given(stores(), st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=3), st.booleans())
def test_search_equals_a_brute_force_reference(tmp_path_factory, events, terms, any_term):
    if not all(search_key(t) for t in terms) or any(parse_day_safe(t) for t in terms):
        return  # empty terms are usage errors, dates match days: both tested elsewhere
    path = tmp_path_factory.mktemp("s") / "s.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    keys = [search_key(e["text"]) for e in events]
    want = [i for i, k in enumerate(keys) if (any if any_term else all)(search_key(t) in k for t in terms)]
    want.sort(key=lambda i: (events[i]["date"], len(events[i]["id"]), events[i]["id"]))
    parsed = parse_terms(terms, EMPTY)
    memory = MemorySource(load_store([str(path)], EMPTY))
    assert search(memory, parsed, any_term=any_term) == want
    indexed = open_index(str(path), EMPTY)
    assert indexed is not None and search(indexed, parsed, any_term=any_term) == want


def parse_day_safe(term: str):
    try:
        return parse_day(term)
    except UsageError:
        return True
