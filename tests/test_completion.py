"""Shell completion in a real bash, through the installed script: names (escaped when bash would split
them), event ids, formats, kinds and stats keys; a completed line runs as it was meant."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

BIN = os.path.dirname(sys.executable)


def bash(script: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    return subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, env=env, timeout=60)


def completions(*words: str) -> list[str]:
    """What bash offers for the last word, from the completion script spacelog gives bash."""
    script = f"""
eval "$(_SPACELOG_COMPLETE=source_bash spacelog)"
COMP_WORDS=({" ".join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}
_spacelog_completion spacelog
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = bash(script)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.decode("utf-8").splitlines() if line]  # printf prints one empty line for none


@pytest.mark.parametrize(
    "words, expected",
    [
        (("spacelog", "agency", "Blue"), ["Blue\\ Origin"]),
        (("spacelog", "timeline", "--vehicle", "Soyuz\\ MS-0"), []),  # typed with an escaped space: nothing rather than a broken word
        (("spacelog", "who", "惠特"), ["惠特森"]),
        (("spacelog", "who", "Peggy"), ["Peggy\\ Whitson"]),
        (("spacelog", "show", "2017-07"), ["2017-070", "2017-071", "2017-072", "2017-073"]),
        (("spacelog", "search", "x", "--format", "ma"), ["markdown"]),
        (("spacelog", "unknown", "--format", "t"), ["table", "tsv", "toml"]),
        (("spacelog", "who", "x", "--kind", "v"), ["vehicle"]),
        (("spacelog", "stats", "--by", "pe"), ["person"]),
        (("spacelog", "timeline", "--category", "e"), ["eva"]),
    ],
)
def test_bash_completes(words, expected):
    assert completions(*words) == expected


def test_brackets_are_escaped_too():
    assert completions("spacelog", "timeline", "--vehicle", "Soyuz")[:3] == ["Soyuz\\ \\(spacecraft\\)", "Soyuz\\ MS-02", "Soyuz\\ MS-03"]


def test_a_completed_name_with_a_space_runs_as_one_argument():
    script = """
eval "$(_SPACELOG_COMPLETE=source_bash spacelog)"
COMP_WORDS=(spacelog agency Blue); COMP_CWORD=2
_spacelog_completion spacelog
eval "spacelog agency ${COMPREPLY[0]} --fields id,date"
"""
    result = bash(script)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"2017-071\t2017-12-12\n", b"")
