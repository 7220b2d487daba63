"""Output longer than the screen goes through a pager, as git's does.

The pager is `$SPACELOG_PAGER`, else `$PAGER`, else `less -FRX`; an empty value
or `cat` means none. Output is held until it is longer than the screen (rows,
counting lines the terminal wraps), so a short answer is written straight to
the terminal whatever the pager is. Imported only when stdout is a terminal.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from typing import IO

DEFAULT = "less -FRX"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's styles take no cells


def pager_command(environ: dict | os._Environ = os.environ) -> str | None:
    """The pager to run, or None."""
    for name in ("SPACELOG_PAGER", "PAGER"):
        if name in environ:
            command = environ[name].strip()
            break
    else:
        command = DEFAULT
    return None if command in ("", "cat") else command


def paged(stream: IO[str]) -> IO[str]:
    """`stream` (a terminal), or a stream that pages what is written to it once it is longer than the screen."""
    command = pager_command()
    if command is None:
        return stream
    size = shutil.get_terminal_size()
    return PagedStream(stream, command, size.lines, size.columns)  # type: ignore[return-value]


def cells(line: str) -> int:
    from .linebreak import cell_width

    return sum(map(cell_width, SGR.sub("", line)))


class PagedStream:
    """A text stream to the terminal that starts the pager when what it holds no longer fits on the screen."""

    encoding = "utf-8"

    def __init__(self, terminal: IO[str], command: str, rows: int, columns: int) -> None:
        self.terminal, self.command = terminal, command
        self.rows, self.columns = max(rows, 1), max(columns, 1)
        self.held: list[str] = []
        self.used = 0  # terminal rows of the held lines
        self.line = ""  # the held line not yet ended
        self.pager: subprocess.Popen | None = None
        self.direct = False  # the pager could not be started: write to the terminal

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.pager is not None:
            assert self.pager.stdin is not None
            self.pager.stdin.write(text)
        elif self.direct:
            self.terminal.write(text)
        else:
            self.held.append(text)
            *ended, self.line = (self.line + text).split("\n")
            self.used += sum(max(1, -(-cells(line) // self.columns)) for line in ended)
            if self.used >= self.rows:
                self._start()
        return len(text)

    def flush(self) -> None:
        if self.pager is not None and self.pager.stdin is not None:
            self.pager.stdin.flush()
        elif self.direct:
            self.terminal.flush()

    def _start(self) -> None:
        held, self.held = "".join(self.held), []
        if shutil.which(shlex.split(self.command)[0]) is None:
            if self.command != DEFAULT:  # no less on this machine is no one's mistake
                from .i18n import _

                sys.stderr.write("spacelog: " + _("cannot run the pager {pager}; writing to the terminal").format(pager=repr(self.command)) + "\n")
            self.direct = True
            self.terminal.write(held)
            return
        self.terminal.flush()
        env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
        errors = getattr(self.terminal, "errors", None) or "surrogateescape"
        self.pager = subprocess.Popen(self.command, shell=True, stdin=subprocess.PIPE, env=env, encoding="utf-8", errors=errors)
        self.write(held)

    def close_pager(self) -> None:
        """The end of the output: write what is held (it fits on the screen), or close the pager's input and wait for it."""
        if self.pager is None:
            self.terminal.write("".join(self.held))
            self.held = []
            self.terminal.flush()
            return
        try:
            assert self.pager.stdin is not None
            self.pager.stdin.close()
        except OSError:  # the user left the pager before the end
            pass
        while True:
            try:
                self.pager.wait()
                return
            except KeyboardInterrupt:  # Ctrl-C is the pager's to handle; spacelog ends when it does
                continue
