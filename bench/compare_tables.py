#!/usr/bin/env python3
"""Time the table commands of two spacelog source trees side by side, in one run.

    git worktree add /tmp/old 65bdbdf
    python bench/compare_tables.py /tmp/old/src src --runs 15

Each command runs as a whole process with `--format table` at COLUMNS=100,
old and new alternating so both see the same machine load; the figure is the
median CPU time (user + system) of the process, which other work on a shared
machine disturbs less than wall time. A synthetic store of --big events (bench/make_store.py)
measures a table of thousands of wrapped rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["timeline"],
    ["timeline", "--month", "3"],
    ["search", "空间站"],
    ["search", "卡西尼"],
    ["agency", "NASA"],
    ["agency"],
    ["who", "惠特森"],
    ["show", "50"],
]


def run(src: str, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": src, "COLUMNS": "100", "LANG": "C.UTF-8"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "spacelog", *args, "--format", "table"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--big", type=int, default=3000, help="events in the synthetic store (0: none)")
    options = parser.parse_args()
    commands = list(COMMANDS)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPACELOG_CACHE"] = tmp
        if options.big:
            store = Path(tmp) / "big.jsonl"
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "make_store.py"), str(ROOT / "data" / "events.jsonl"), str(options.big), str(store)], check=True
            )
            commands.append(["search", "空间站", "--data", str(store)])
        print("| command | old (CPU ms) | new (CPU ms) | new ÷ old |\n| --- | ---: | ---: | ---: |")
        ratios = []
        for args in commands:
            times: dict[str, list[float]] = {"old": [], "new": []}
            for tree in ("old", "new"):  # warm-up
                run(getattr(options, tree), args)
            for _ in range(options.runs):
                for tree in ("old", "new"):
                    times[tree].append(run(getattr(options, tree), args))
            old, new = statistics.median(times["old"]), statistics.median(times["new"])
            ratios.append(new / old)
            label = " ".join(a if "/" not in a else Path(a).name for a in args)
            print(f"| `{label}` | {old * 1000:.0f} | {new * 1000:.0f} | {new / old:.2f} |", flush=True)
        print(f"\ngeometric mean of new ÷ old: {statistics.geometric_mean(ratios):.2f}")


if __name__ == "__main__":
    main()
