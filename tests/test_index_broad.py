"""A broad search verifies its many candidates chunk by chunk of keys: every chunk it reads is
checked against the CRCs of the keys up to its ends, so a damaged key can never drop or add a
hit silently."""

from __future__ import annotations

import pytest

from conftest import REGISTRY
from spacelog import index, parallel
from spacelog.index import KEY_PAGE, MANY_CANDIDATES, open_index
from spacelog.registry import load_registry
from test_index import make_store
from test_index_safety import PLAIN, QUERY, in_process, index_file, sections


@pytest.mark.parametrize("where", ["middle", "last"])  # of the keys: the last is in the child's half of the candidates
@pytest.mark.parametrize("shared", [False, True])  # with a child that checks the second half of the candidates
@pytest.mark.parametrize("chunk", [index.CHUNK, KEY_PAGE, 3 * KEY_PAGE])
def test_a_damaged_key_read_by_a_broad_search_is_found_and_repaired(tmp_path, monkeypatch, chunk, shared, where):
    monkeypatch.setattr(index, "CHUNK", chunk)  # small: many chunks, each checked from the CRC of the keys before it
    monkeypatch.setattr(index, "INLINE_CHUNK", chunk)
    monkeypatch.setattr(index, "SHARED_CANDIDATES", 1 if shared else 10**9)
    monkeypatch.setattr(parallel, "_cores", 2)
    store, cache = tmp_path / "s.jsonl", tmp_path / "cache"
    make_store(store, 2400, "compact")
    expected = in_process(*QUERY, "--data", str(store), cache=tmp_path / "plain", env=PLAIN)
    assert in_process(*QUERY, "--data", str(store), cache=cache) == expected
    path = index_file(cache)
    indexed = open_index(str(store), load_registry(REGISTRY))
    assert indexed is not None and MANY_CANDIDATES * len(indexed._candidates("空间站")) > sections(path)["keys"][1]  # the many-candidates path
    indexed.close()
    data = bytearray(path.read_bytes())
    offset, length, _ = sections(path)["keys"]
    assert length > 4 * KEY_PAGE
    needle = "空间站".encode()
    hit = data.index(needle, offset + length // 2) if where == "middle" else data.rindex(needle, offset, offset + length)
    data[hit] ^= 0x01  # that key no longer holds the term: unchecked, its event would be dropped
    path.write_bytes(bytes(data))
    code, out, err = in_process(*QUERY, "--data", str(store), cache=cache)
    assert (code, out) == expected[:2]
    assert err.decode().startswith(f"spacelog: the index of {store} in the cache is damaged (section keys does not match its checksum); rebuilding it")
