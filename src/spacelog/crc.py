"""CRC-32 arithmetic that Python's zlib lacks: the CRC of joined pieces from the pieces' CRCs.

The index build knows the CRC of each piece it wrote, and needs those of larger spans
without reading the bytes again: appending n bytes to a piece multiplies its CRC by
x^(8n) modulo the polynomial, which is linear in the CRC's bits.
"""

from __future__ import annotations

import array

CRC_POLY = 0xEDB88320  # CRC-32's polynomial, bits reflected, as zlib computes it


def _times_mod_p(a: int, b: int) -> int:
    """a * b modulo CRC-32's polynomial (reflected: bit 31 is x^0)."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ CRC_POLY if b & 1 else b >> 1
    return product


_X_2N = [1 << 30]  # x^(2^k) modulo the polynomial, k = 0, 1, ...
for _ in range(31):
    _X_2N.append(_times_mod_p(_X_2N[-1], _X_2N[-1]))


def _shift(length: int) -> int:
    """x^(8 * length) modulo the polynomial: what a CRC is multiplied by when `length` bytes follow."""
    shift, k = 1 << 31, 3  # x^0; the bits of 8 * length from bit 3 on
    while length:
        if length & 1:
            shift = _times_mod_p(_X_2N[k % 32], shift)
        length >>= 1
        k += 1
    return shift


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from that of A, that of B and the length of B, as zlib's crc32_combine
    (not in Python's zlib): the CRC of A shifted by 8 * length2 zero bits, added to that of B."""
    return _times_mod_p(_shift(length2), crc1) ^ crc2


def _shift_tables(length: int) -> list[list[int]]:
    """For each byte of a CRC, what each of its 256 values becomes when `length` bytes follow:
    the shift of a CRC is the XOR of its four bytes' entries."""
    basis = [_times_mod_p(_shift(length), 1 << bit) for bit in range(32)]
    tables = []
    for byte in range(4):
        table = [0] * 256
        for value in range(1, 256):
            low = value & -value  # the lowest bit set, then the rest
            table[value] = basis[8 * byte + low.bit_length() - 1] ^ table[value ^ low]
        tables.append(table)
    return tables


def crcs_to(crcs: array.array, length: int, size: int, group: int) -> array.array:
    """The CRC-32 of bytes 0..the end of each `group` pieces of `length` bytes, from the CRCs of
    its pieces of `size` bytes (the last may be shorter).

    The pieces of each group are joined with numpy, four table lookups a piece for all
    groups at once, the groups one after the other in Python; the last, which may be
    short, piece by piece."""
    import numpy as np

    pieces, out = len(crcs), array.array("I")
    groups = -(-pieces // group)
    if not groups:
        return out
    tables = np.array(_shift_tables(size), np.uint32)
    flat = np.zeros(groups * group, np.uint32)
    flat[:pieces] = np.frombuffer(crcs, np.uint32)
    grid = flat.reshape(groups, group)
    joined = grid[:, 0].copy()
    for k in range(1, group):
        joined = tables[0][joined & 255] ^ tables[1][(joined >> 8) & 255] ^ tables[2][(joined >> 16) & 255] ^ tables[3][joined >> 24] ^ grid[:, k]
    t0, t1, t2, t3 = _shift_tables(size * group)
    crc = 0
    for value in joined[:-1].tolist():
        crc = t0[crc & 255] ^ t1[(crc >> 8) & 255] ^ t2[(crc >> 16) & 255] ^ t3[crc >> 24] ^ value
        out.append(crc)
    first = (groups - 1) * group
    for k in range(first, pieces):  # the last group, piece by piece
        crc = crc32_combine(crc, crcs[k], min(size, length - k * size))
    out.append(crc)
    return out
