"""The layout the code keeps: Rich in one module, no format branches in the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "spacelog"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_only_render_imports_rich():
    importers = sorted(p.name for p in SRC.glob("*.py") if any(m == "rich" or m.startswith("rich.") for m in imported_modules(p)))
    assert importers == ["render.py"]


def test_the_cli_never_asks_which_format():
    tree = ast.parse((SRC / "cli.py").read_text(encoding="utf-8"))
    compared = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Compare) and "format" in ast.unparse(node)]
    assert compared == []
    for name in ("table", "tsv", "csv", "jsonl"):
        literals = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == name]
        assert literals == [], name
