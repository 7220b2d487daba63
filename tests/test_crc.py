"""CRC-32 arithmetic: the CRC of joined pieces from the pieces' CRCs, exactly as zlib computes it."""

from __future__ import annotations

import array
import random
import zlib

import pytest

from spacelog.crc import crc32_combine, crcs_to


def test_crc32_combine_is_the_crc_of_the_two_pieces_joined():
    rng = random.Random(5)
    for length1, length2 in [(0, 0), (0, 7), (9, 0), (1, 1), (3, 4096), (70_000, 1), *((rng.randrange(300), rng.randrange(5000)) for _ in range(300))]:
        a, b = rng.randbytes(length1), rng.randbytes(length2)
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b), (length1, length2)


@pytest.mark.parametrize("length", [0, 1, 1023, 1024, 1025, 8 * 1024, 8 * 1024 + 1, 24 * 1024, 24 * 1024 - 1, 100_003])
@pytest.mark.parametrize(("size", "group"), [(1024, 8), (1000, 3), (7, 1)])
def test_crcs_to_are_the_crcs_of_each_prefix_that_ends_a_group(length, size, group):
    data = random.Random(length).randbytes(length)
    pieces = array.array("I", [zlib.crc32(data[k : k + size]) for k in range(0, length, size)])
    expected = [zlib.crc32(data[: k + size * group]) for k in range(0, length, size * group)]
    assert crcs_to(pieces, length, size, group).tolist() == expected
