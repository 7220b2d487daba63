#!/usr/bin/env python3
"""Regenerate src/spacelog/traditional.txt: the characters zhconv-rs changes when it
converts to simplified Chinese (zh-cn), one line of text.

spacelog converts a query only when it holds one of these characters, which saves
the converter's ~6 ms table load on every simplified or ASCII query.
"""

from pathlib import Path

from zhconv_rs import zhconv

from spacelog.text import HAN_RANGES

changed = [chr(c) for lo, hi in HAN_RANGES for c in range(lo, hi + 1) if zhconv(chr(c), "zh-cn") != chr(c)]
out = Path(__file__).resolve().parents[1] / "src" / "spacelog" / "traditional.txt"
out.write_text("".join(changed) + "\n", encoding="utf-8")
print(f"{len(changed)} characters -> {out}")
