"""The benchmark runs end to end on a small store, so it cannot rot (it times nothing in CI)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "BENCH.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--runs", "1", "--sizes", "1000", "--styles", "mixed", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text(encoding="utf-8")
    assert "## Start-up on the shipped store" in report
    assert "### 1,000 events, `--style mixed`" in report
    assert report.count("| `search 空间站` |") == 1 and "search 卡西尼 (selective)" in report
    assert "## Names the registry lacks (`spacelog unknown`)" in report and "| **all** |" in report
    assert "## `check` at scale" in report and "| 1,000 | 1 MB |" in report


def test_a_quick_run_writes_no_file(tmp_path):
    before = (ROOT / "BENCHMARKS.md").read_bytes()
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--runs", "1", "--sizes", "", "--skip-startup"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# spacelog benchmarks")
    assert (ROOT / "BENCHMARKS.md").read_bytes() == before
    assert list(tmp_path.iterdir()) == []
