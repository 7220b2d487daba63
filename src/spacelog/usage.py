"""Click's usage errors (unknown option or command, bad value, missing argument) as spacelog's
own: one line `spacelog: ...` on stderr, the closest real name when one is close, status 2.

`SpacelogGroup` runs the command tree as Typer does, but catches the errors
Typer would print as Click's four-line block. Imported at start-up with
typer: it adds no module of its own besides this one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer.core
from typer._click import exceptions as click_errors

from .errors import EXIT_ERROR


class SpacelogGroup(typer.core.TyperGroup):
    """The spacelog command: Typer's group, with usage errors in one line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_errors.UsageError as err:
            say(one_line(err))
            result = EXIT_ERROR
        except click_errors.ClickException as err:
            say(sentence(err.format_message()))
            result = err.exit_code
        code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise UnknownCommand(unknown_command(name, self.list_commands(ctx), ctx.command_path), ctx)
        return super().resolve_command(ctx, args)


class SpacelogCommand(typer.core.TyperCommand):
    """A spacelog command: its parsing errors know which command they are about (for `see ... --help`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click_errors.UsageError as err:
            err.ctx = err.ctx or ctx
            raise


class UnknownCommand(click_errors.UsageError):
    """A command name that is none of spacelog's; the message is already spacelog's."""


def unknown_command(name: str, commands: list[str], path: str) -> str:
    from .i18n import _
    from .suggest import closest

    near = closest(name, commands)
    if near:
        return _("no such command {name}; did you mean {names}?").format(name=repr(name), names=_(" or ").join(near))
    return _("no such command {name}; see {command} --help").format(name=repr(name), command=path)


def help_text(ctx: Any, name: str | None) -> str:
    """What `spacelog NAME --help` prints (`spacelog --help` without a name); an unknown name is a usage error."""
    from .errors import UsageError

    group_ctx = ctx.find_root()
    group = group_ctx.command
    if name is None:
        return group.get_help(group_ctx)
    command = group.get_command(group_ctx, name)
    if command is None:
        raise UsageError(unknown_command(name, group.list_commands(group_ctx), group_ctx.command_path))
    with command.make_context(name, [], parent=group_ctx, resilient_parsing=True) as sub:
        return command.get_help(sub)


def one_line(err: click_errors.UsageError) -> str:
    """The error as one sentence, with the closest option when the option is unknown."""
    from .i18n import _
    from .suggest import closest

    ctx = err.ctx
    command = ctx.command_path if ctx is not None else "spacelog"
    if isinstance(err, click_errors.NoSuchOption) and ctx is not None:
        options = [o for p in ctx.command.get_params(ctx) for o in (*p.opts, *p.secondary_opts) if o.startswith("-")]
        near = closest(err.option_name, options)
        if near:
            return _("no such option {option}; did you mean {names}?").format(option=err.option_name, names=_(" or ").join(near))
        return _("no such option {option}; see {command} --help").format(option=err.option_name, command=command)
    if isinstance(err, click_errors.BadParameter) and not isinstance(err, click_errors.MissingParameter) and err.param is not None:
        names = [o for o in err.param.opts if o.startswith("--")] or err.param.opts
        option = names[0] if names else err.param.human_readable_name
        return _("invalid value for {option}: {reason}").format(option=option, reason=in_language(sentence(err.message)))
    if isinstance(err, UnknownCommand):
        return err.message
    return _("{message}; see {command} --help").format(message=in_language(sentence(err.format_message())), command=command)


def in_language(reason: str) -> str:
    """Click's own words for a bad or missing value, in the interface's language where spacelog knows them."""
    from .i18n import _

    if found := re.fullmatch(r"(.+) is not in the range (.+)", reason):
        return _("{value} is not in the range {range}").format(value=found[1], range=found[2])
    if found := re.fullmatch(r"(.+) is not a valid (?:int range|integer|float range|float)", reason):
        return _("{value} is not a number").format(value=found[1])
    if found := re.fullmatch(r"missing argument (.+)", reason):
        return _("missing argument {name}").format(name=found[1])
    if found := re.fullmatch(r"missing option (.+)", reason):
        return _("missing option {name}").format(name=found[1])
    return reason


def sentence(message: str) -> str:
    """Click's 'Missing argument 'X'.' as part of a sentence: 'missing argument 'X''."""
    message = " ".join(message.split()).rstrip(".")
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return message


def say(message: str) -> None:
    from .text import visible

    try:
        sys.stderr.write(f"spacelog: {visible(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
