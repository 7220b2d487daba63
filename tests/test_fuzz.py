"""The store loader and the chronicle parser survive arbitrary input.

CI runs a short version; `SPACELOG_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py` runs a long one.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REGISTRY
from spacelog.errors import DataError
from spacelog.ingest import parse_chronicle
from spacelog.registry import load_registry
from spacelog.store import load_store

REG = load_registry(REGISTRY)
EXAMPLES = int(os.environ.get("SPACELOG_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Lines that look like store lines, broken in every way, and raw bytes.
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["id", "seq", "date", "end", "text", "agencies", "people", "vehicles", "categories", "x"]), inner, max_size=9)
    ),
    max_leaves=20,
)


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=200), json_like.map(lambda v: __import__("json").dumps(v).encode())), max_size=8))
def test_store_loader_never_crashes(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("f") / "s.jsonl"
    path.write_bytes(b"\n".join(lines))
    try:
        store = load_store([str(path)], REG, check_order=True)
    except DataError:
        return
    data = b"\n".join(lines).removeprefix(b"\xef\xbb\xbf")
    filled = [n for n, line in enumerate(data.split(b"\n"), start=1) if line.rstrip(b"\r").strip()]
    # every line with content is an event or is named by an error; none is both
    error_lines = {d.line for d in store.errors}
    assert error_lines <= set(filled)
    assert len(store.events) + len(error_lines) == len(filled)


@FUZZ
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
    | st.text(st.sampled_from(list("0123456789. 月日年—-，\n大事记空间站")), max_size=200)
)
def test_chronicle_parser_never_crashes(text):
    parsed = parse_chronicle(text, 2017, REG, "fuzz.txt")
    for diagnostic in (*parsed.errors, *parsed.warnings):
        assert diagnostic.path == "fuzz.txt" and diagnostic.line >= 1
    assert all(e["text"] for e in parsed.events)
