"""A man page (roff, man(7) macros) written from the command tree's own help, so that it says
what `spacelog COMMAND --help` says: every command, its arguments and options, examples."""

from __future__ import annotations

from typing import Any


def roff(text: str) -> str:
    """Text as roff: backslashes and dashes escaped, no line taken for a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in text.split("\n"))


def paragraphs(text: str | None) -> list[str]:
    """Click help text as roff paragraphs; a block marked \\b (examples) keeps its lines."""
    out: list[str] = []
    for paragraph in (text or "").strip().split("\n\n"):
        if paragraph.startswith("\b\n"):
            heading, *lines = paragraph[2:].split("\n")
            out += [".PP", roff(heading.strip()), ".nf", ".RS 4", *(roff(line.strip()) for line in lines), ".RE", ".fi"]
        elif paragraph.strip():
            out += [".PP", roff(" ".join(paragraph.split()))]
    return out


def options(command: Any, ctx: Any) -> list[str]:
    out = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None:
            out += [".TP", f"\\fB{roff(record[0])}\\fR", roff(record[1])]
    return out


def manpage(group: Any, ctx: Any, version: str) -> str:
    """The man page of `group` (a Click group) in its context `ctx`."""
    summary = (group.help or "").strip().split("\n")[0]
    lines = [
        f'.TH SPACELOG 1 "" "spacelog {roff(version)}" "User Commands"',
        ".SH NAME",
        f"spacelog \\- {roff(summary)}",
        ".SH SYNOPSIS",
        ".B spacelog",
        "\\fICOMMAND\\fR [\\fIARGUMENTS\\fR] [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        *paragraphs("\n\n".join((group.help or "").strip().split("\n\n")[1:])),
        ".SH OPTIONS",
        *options(group, ctx),
        ".SH COMMANDS",
    ]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        with command.make_context(name, [], parent=ctx, resilient_parsing=True) as sub:
            usage = " ".join(command.collect_usage_pieces(sub))
            lines += [f".SS {roff(name)}", f".B spacelog {roff(name)}", roff(usage), *paragraphs(command.help), *paragraphs(command.epilog)]
            lines += options(command, sub)
    lines += [".SH SEE ALSO", "\\fBspacelog help\\fR \\fICOMMAND\\fR, \\fBspacelog\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR"]
    return "\n".join(lines) + "\n"
