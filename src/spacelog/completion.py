"""Shell completion: names, event ids, categories, formats, kinds and stats keys.

Each function gets what the user typed of a word and returns the words it may
become. Bash puts a completion on the line as it is, so a value the shell
would split or read (`Blue Origin`; `“龙”飞船` is fine) is escaped for bash
(`Blue\\ Origin`); zsh and fish quote for themselves. Nothing is imported until a word is completed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

# What bash splits a word at or reads as syntax: a value holding one is quoted.
_SHELL_SPECIAL = re.compile(r"[\s'\"\\$`!&|;<>()\[\]{}*?#~=%]")


def for_the_shell(values: list[str]) -> list[str]:
    """Values as bash must receive them: each character it would split at or read escaped with a backslash
    (not quoted: Typer keeps only the completions that start with what was typed)."""
    if not os.environ.get("_SPACELOG_COMPLETE", "").endswith("_bash"):
        return values
    return [_SHELL_SPECIAL.sub(r"\\\g<0>", v) for v in values]


def _starting(incomplete: str, values: list[str]) -> list[str]:
    folded = incomplete.casefold()
    return for_the_shell([v for v in values if v.casefold().startswith(folded)])


def names(kind: str | None) -> Callable[[str], list[str]]:
    """The registry's names of one kind (all kinds when None): English, Chinese and every alias."""

    def complete(incomplete: str) -> list[str]:
        from .errors import SpacelogError
        from .locations import registry_paths
        from .registry import load_registry

        try:
            registry = load_registry(registry_paths())
        except SpacelogError:
            return []
        return _starting(incomplete, sorted({n for e in registry.of_kind(kind) for n in (e.name_en, e.name_zh, *e.aliases) if n}))

    return complete


def event_ids(incomplete: str) -> list[str]:
    """The ids of the default store's events ($SPACELOG_DATA, else the shipped store)."""
    from .errors import SpacelogError
    from .locations import default_store_paths
    from .store import load_store

    try:
        store = load_store(default_store_paths())
    except SpacelogError:
        return []
    return _starting(incomplete, [e["id"] for e in store.events])


def categories(incomplete: str) -> list[str]:
    from .i18n import CATEGORY_ZH

    return _starting(incomplete, [c for pair in CATEGORY_ZH.items() for c in pair])


def formats(incomplete: str) -> list[str]:
    from .output import FORMATS

    return _starting(incomplete, list(FORMATS))


def unknown_formats(incomplete: str) -> list[str]:
    from .output import FORMATS

    return _starting(incomplete, [*FORMATS, "toml"])


def kinds(incomplete: str) -> list[str]:
    from .registry import KINDS

    return _starting(incomplete, list(KINDS))


def stats_keys(incomplete: str) -> list[str]:
    from .stats import KEYS

    return _starting(incomplete, list(KEYS))
