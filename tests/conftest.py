"""Shared helpers: run the CLI in-process (CliRunner) or as a real process (pipes)."""

from __future__ import annotations

import io
import json
import os
import re
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
SGR = re.compile(r"\x1b\[[0-9;]*m")  # a style: bold, reverse, a colour


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, as stdout does in a shell."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path_factory):
    """Tests never depend on the developer's environment, terminal or cache."""
    for name in ("SPACELOG_DATA", "SPACELOG_REGISTRY", "FORCE_COLOR", "CLICOLOR_FORCE", "NO_COLOR", "TTY_COMPATIBLE", "SPACELOG_PAGER", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    for name in ("SPACELOG_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):  # the interface is English unless a test says
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("SPACELOG_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "config"))  # no user registry


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


def terminal_output(argv: list[str], env: dict | None = None, cwd: Path | None = None, columns: int = 80) -> str:
    """What a terminal (a pty) of `columns` cells without colour or pager shows while `argv` runs: stdout and stderr.

    Rich pads each line with spaces; they are removed, and so are the bold and
    reverse (SGR) codes that NO_COLOR keeps.
    """
    import pty

    leader, follower = pty.openpty()
    full_env = {**os.environ, **(env or {}), "COLUMNS": str(columns), "LINES": "50", "NO_COLOR": "1", "TERM": "dumb", "SPACELOG_PAGER": ""}
    with subprocess.Popen(argv, stdout=follower, stderr=follower, env=full_env, cwd=cwd) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(leader)
    shown = SGR.sub("", b"".join(chunks).decode("utf-8").replace("\r\n", "\n"))
    return "\n".join(line.rstrip(" ") for line in shown.split("\n"))


def run_on_terminal(*args: str, columns: int = 80) -> str:
    """Run spacelog as a real process whose stdout is a terminal; what it shows (see terminal_output)."""
    return terminal_output([sys.executable, "-m", "spacelog", *args], columns=columns)


def shipped_events() -> list[dict]:
    return [json.loads(line) for line in STORE.read_text(encoding="utf-8").splitlines()]
