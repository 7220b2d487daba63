"""Errors that end a command with one clear sentence and a documented exit status."""

from __future__ import annotations

EXIT_OK = 0  # a command that is not a query did what was asked (check, ingest)
EXIT_FOUND = 0  # a query found something
EXIT_NOT_FOUND = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class SpacelogError(Exception):
    """A problem the user can fix; the message is one sentence, shown without a traceback."""

    exit_code = EXIT_ERROR


class DataError(SpacelogError):
    """A store, registry or chronicle that cannot be read or is invalid."""


class UsageError(SpacelogError):
    """A query or option value that cannot be answered as given."""
