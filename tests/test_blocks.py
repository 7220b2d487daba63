"""The build reads the store a block of lines at a time, and the usual line by a quick path:
whatever a line holds, the index says what a full read says."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import cli, shipped_events
from spacelog import blocks, builder
from spacelog.text import UNSAFE_JSON_BYTES


def test_blocks_hold_the_lines_that_start_in_the_range(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK", 16)
    lines = [b"a" * n for n in (0, 3, 15, 16, 17, 40, 1, 0, 5)]
    data = b"\n".join(lines) + b"\nlast line, no line end"
    path = tmp_path / "f"
    path.write_bytes(data)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    fd = os.open(path, os.O_RDONLY)
    try:
        for begin in starts[:4]:
            for end in [*starts[begin // 8 + 1 :], len(data)]:
                got = list(blocks.blocks(fd, begin, end))
                assert b"".join(b for _, b in got) == data[begin : data.find(b"\n", end - 1) + 1 or len(data)], (begin, end)
                assert all(at == begin + sum(len(b) for _, b in got[:k]) for k, (at, _) in enumerate(got))
                assert all(b.endswith(b"\n") for _, b in got[:-1]) and all(got)
    finally:
        os.close(fd)


def odd_store() -> bytes:
    """Events of every JSON style, and every kind of line the quick path must leave to a full read."""
    base = dict(shipped_events()[0], agencies=[], people=[], vehicles=[], categories=[], end=None)
    lines = []
    for k in range(1, 121):
        event = dict(base, id=f"2017-{k:03d}", seq=k, date=f"2017-{k % 12 + 1:02d}-{k % 28 + 1:02d}", text=f"{k}号，空间站“猎鹰”9 ＡＢ 奥侬-钱斯勒")
        style = k % 3
        lines.append(json.dumps(event, ensure_ascii=style == 1, separators=(", ", ": ") if style == 2 else (",", ":")).encode())
    event = dict(base, date="2017-05-05")

    def line(**fields: object) -> bytes:
        return json.dumps(dict(event, **fields), ensure_ascii=False).encode("utf-8")

    lines[0] = b"\xef\xbb\xbf" + lines[0]
    lines += [
        line(id="2017-500", seq=500) + b"\r",
        b"  " + line(id="2017-501", seq=501) + b" \t",
        b"",
        b" \t ",
        b"not json",
        b'{"id": "\xff"}',
        b"[1, 2]",
        line(id="2017-0502", seq=502),  # valid, but not the usual id form
        line(id="2017-503", seq=True),
        line(id="2017-504", seq=504, end="2017-01-01"),
        line(id="2017-505", seq=505, categories=["no-such"]),
        line(id="2017-506", seq=506, agencies=["no-such"]),
        line(id="2017-507", seq=507, text="空间站\x00ガ"),
        line(id="2017-509", seq=509, text="ｶﾞ空间站①"),
        line(id="2017-510", seq=510, text="空间站\u202e\x9b"),
        lines[5],
        line(id="2017-511", seq=511) + b" " + line(id="2017-512", seq=512),
        line(id="2017-513", seq=513, date="2017-02-30"),
        b'{"id": "2017-514", "seq": 1' + b"1" * 5000 + b"}",
        b'{"id": ' + b"[" * 3000 + b"]" * 3000 + b"}",
        json.dumps(dict(event, id="2017-515", seq=515, text="空间站\ud800"), ensure_ascii=True).encode(),  # half a pair: no character
        json.dumps(dict(event, id="2017-516", seq=516, text="空间站\U0001f680"), ensure_ascii=True).encode(),  # a pair: one character
        line(id="2017-1000", seq=1000, date="2017-12-31", end="2018-01-02"),
    ]
    return b"\n".join(lines)  # the last line without a line end


@pytest.mark.parametrize("block", [64, 1 << 20])
def test_every_kind_of_line_is_indexed_as_a_full_read_reads_it(tmp_path, monkeypatch, block):
    monkeypatch.setattr(blocks, "BLOCK", block)
    store = tmp_path / "s.jsonl"
    store.write_bytes(odd_store())
    built = []
    for cores, threshold in (("one", 10**12), ("two", 0)):
        monkeypatch.setattr(builder, "TWO_CORES_FROM", threshold)
        monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path / f"cache-{cores}"))
        for query in (
            ["search", "空间站"],
            ["search", "\U0001f680"],
            ["search", "ガ"],
            ["search", "猎鹰9ab"],
            ["search", "奥侬钱斯勒"],
            ["timeline", "--month", "1"],
        ):
            args = [*query, "--data", str(store), "--format", "jsonl"]
            monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", str(10**12))
            plain = cli(*args)
            monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
            indexed = cli(*args)
            assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr), (cores, query)
            assert indexed.stdout.count("\n") > 5 or query[0] != "search" or query[1] != "空间站"
        built.append(next((tmp_path / f"cache-{cores}").glob("index-*.idx")).read_bytes())
    assert built[0] == built[1]
    assert json.loads(cli("search", "\U0001f680", "--data", str(store), "--format", "jsonl").stdout)["id"] == "2017-516"
    stderr = cli("search", "空间站", "--data", str(store)).stderr
    for number, message in (
        (125, "invalid JSON"),
        (126, "not valid UTF-8"),
        (129, "seq must be a positive integer"),
        (136, "duplicate id 2017-006"),
        (137, "invalid JSON: Extra data"),
        (139, "too long"),
        (140, "nested too deeply"),
        (141, "field text holds \\ud800, half of a surrogate pair"),
    ):
        assert f"{store}:{number}: " in stderr and message in stderr.split(f"{store}:{number}: ")[1].split("\n")[0], (number, message)


def usual_lines(first: int, count: int) -> list[bytes]:
    """Compact lines of valid events, as a store written by spacelog holds them."""
    base = shipped_events()[0]
    return [
        json.dumps(dict(base, id=f"2017-{k:03d}", seq=k, text=f"{k}号，空间站"), ensure_ascii=False, separators=(",", ":")).encode()
        for k in range(first, first + count)
    ]


def test_a_usual_block_is_decoded_at_once_as_the_json_module_decodes_it():
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() for e in shipped_events()]
    block = b"\n".join(lines) + b"\n"
    quick = blocks.quick_lines(block)
    assert quick is not None
    decoded, starts, ends = quick
    assert [block[a:b] for a, b in zip(starts, ends, strict=True)] == lines
    assert [{name: getattr(line, name) for name in blocks.Line.__struct_fields__} for line in decoded] == [
        {name: e[name] for name in blocks.Line.__struct_fields__} for e in shipped_events()
    ]


# Lines the JSON module and msgspec might read apart, each set among usual lines in one block;
# True where the block is still decoded at once
_QUIRKS = {
    "unknown field": (b',"source":{"page":[1,2.5,null,true]}}', True),
    "a huge number in an unknown field": (b',"x":1e400}', True),
    "a field twice": (rb',"text":"\u7a7a\u95f4\u7ad9\uff0c\u7b2c\u4e8c\u6b21"}', True),
    "an escaped field name": (rb',"\u0074ext":"\u7a7a\u95f4\u7ad9"}', True),
    "unknown field, bad UTF-8": (b',"note":"\xff"}', False),
    "unknown key, bad UTF-8": (b',"\xc0\x80":1}', False),
    "NaN in an unknown field": (b',"x":NaN}', False),
    "two objects on a line": (
        b'}{"id":"2017-900","seq":900,"date":"2017-01-03","end":null,"text":"x","agencies":[],"people":[],"vehicles":[],"categories":[]}',
        False,
    ),
    "a control character": (b',"x":"a\tb"}', False),
    "a trailing comma": (b",}", False),
}


@pytest.mark.parametrize("quirk", _QUIRKS)
def test_a_quirk_among_usual_lines_is_read_as_a_full_read_reads_it(tmp_path, monkeypatch, quirk):
    tail, at_once = _QUIRKS[quirk]
    odd = usual_lines(50, 1)[0][:-1] + tail
    assert (blocks.quick_lines(b"\n".join([*usual_lines(1, 5), odd]) + b"\n") is not None) == at_once
    store = tmp_path / "s.jsonl"
    store.write_bytes(b"\n".join([*usual_lines(1, 5), odd, *usual_lines(6, 5)]) + b"\n")
    monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path / "cache"))
    for query in (["search", "空间站"], ["timeline", "--month", "1"]):
        args = [*query, "--data", str(store), "--format", "jsonl"]
        monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", str(10**12))
        plain = cli(*args)
        monkeypatch.setenv("SPACELOG_INDEX_MIN_BYTES", "0")
        indexed = cli(*args)
        assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (plain.exit_code, plain.stdout, plain.stderr), query
        assert indexed.stdout.count("\n") >= 10 or query[0] != "search"


# pieces of the unsafe sequences (their leads, and bytes that may follow) and their neighbours
_NEAR_UNSAFE = [b"\xe2\x80", b"\xe2\x81", b"\xe2", b"\xc2", b"\xc3"] + [
    bytes([b]) for b in (0x7E, 0x7F, 0x80, 0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9F, 0xA0, 0xA5, 0xA6, 0xA7, 0xA9, 0xAA, 0xAD, 0xAE, 0xAF, 0xB7, 0x0A, 0x22)
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_NEAR_UNSAFE), max_size=12).map(b"".join) | st.binary(max_size=40))
def test_holds_unsafe_says_what_the_expression_finds(block):
    assert blocks.holds_unsafe(block) == (UNSAFE_JSON_BYTES.search(block) is not None), block


def test_holds_unsafe_finds_each_sequence_at_either_end_of_a_block():
    for char in ["\x7f", "\x80", "\x9f", "\u200e", "\u200f", "\u2028", "\u202e", "\u2066", "\u2069"]:
        for block in (char.encode() + "空间站".encode(), "空间站".encode() + char.encode(), char.encode()):
            assert blocks.holds_unsafe(block), (char, block)
    for char in ["\xa0", "\xb7", "\u2014", "\u201c", "\u2027", "\u202f", "\u2065", "\u206a"]:
        assert not blocks.holds_unsafe(f"惠特森{char}出舱".encode()), char


def test_keeping_freed_memory_asks_glibc_and_is_skipped_where_there_is_none(monkeypatch):
    import ctypes

    calls = []

    class Libc:
        def mallopt(self, parameter, value):
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    builder._keep_freed_memory()
    assert calls == [(builder.M_MMAP_THRESHOLD, 256 << 20), (builder.M_TRIM_THRESHOLD, 512 << 20)]

    def missing(name):
        raise OSError("no C library")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    builder._keep_freed_memory()  # no error: the build goes on without it
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # a C library without mallopt (not glibc)
    builder._keep_freed_memory()


def test_decoding_a_block_leaves_the_collector_as_it_found_it():
    import gc

    block = b"\n".join(usual_lines(1, 3)) + b"\n"
    assert gc.isenabled()
    assert blocks.quick_lines(block) is not None and gc.isenabled()
    assert blocks.quick_lines(block[:-2] + b"x\n") is None and gc.isenabled()  # a fault: the collector runs again
    gc.disable()
    try:
        assert blocks.quick_lines(block) is not None and not gc.isenabled()
    finally:
        gc.enable()
