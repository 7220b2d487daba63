"""Shared helpers: run the CLI in-process (CliRunner) or as a real process (pipes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spacelog.cli import app

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "sources" / "2017.txt"
STORE = ROOT / "data" / "events.jsonl"
REGISTRY = ROOT / "data" / "entities.toml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path_factory):
    """Tests never depend on the developer's environment, terminal or cache."""
    for name in ("SPACELOG_DATA", "SPACELOG_REGISTRY", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    for name in ("SPACELOG_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):  # the interface is English unless a test says
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


def cli(*args: str, input: str | None = None):
    """Run spacelog in-process; stdout is not a terminal, as in a pipe."""
    return CliRunner().invoke(app, list(args), input=input)


def ids(output: str) -> list[str]:
    """Event ids from tsv output (first column)."""
    return [line.split("\t")[0] for line in output.splitlines() if line]


def eids(*seqs: int) -> list[str]:
    return [f"2017-{s:03d}" for s in seqs]


def run_process(*args: str, input: bytes | None = None, env: dict | None = None, shell: str | None = None):
    """Run spacelog as a real process, for pipes and exit statuses."""
    full_env = {**os.environ, **(env or {})}
    if shell is not None:
        return subprocess.run(shell, shell=True, executable="/bin/bash", capture_output=True, env=full_env, input=input, timeout=60)
    return subprocess.run([sys.executable, "-m", "spacelog", *args], capture_output=True, env=full_env, input=input, timeout=60)


def shipped_events() -> list[dict]:
    return [json.loads(line) for line in STORE.read_text(encoding="utf-8").splitlines()]
