"""The closest real word to a mistyped one: option names, commands and values of a closed list.

Close means a few edits away for the word's length (a typo, two swapped letters,
a dropped dash), or the start of exactly one candidate; difflib's ratio, which
Click uses, finds `--month` and `--sort` close to `--count` (shared letters),
so it is not used. No imports: this runs on the error path of every command.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import UsageError


def distance(a: str, b: str) -> int:
    """Edits between a and b: insertions, deletions, substitutions and swaps of neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    """How many edits still look like a typo of a word this long (its dashes not counted)."""
    n = len(word.lstrip("-"))
    return 0 if n <= 2 else 1 if n <= 5 else 2


def closest(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates that `word` is a typo or a start of, the closest first; none when nothing is close."""
    candidates = list(dict.fromkeys(candidates))
    folded = word.casefold()
    scored = sorted((distance(folded, c.casefold()), i, c) for i, c in enumerate(candidates))
    limit = allowed_edits(word)
    near = [c for d, _i, c in scored if d <= limit]
    if near:
        best = min(distance(folded, c.casefold()) for c in near)
        return [c for c in near if distance(folded, c.casefold()) == best]
    starts = [c for c in candidates if len(folded.lstrip("-")) >= 2 and c.casefold().startswith(folded)]
    return starts if len(starts) == 1 else []


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """'; did you mean X?' (or 'X or Y'), or '' when nothing is close."""
    from .i18n import _

    near = closest(word, candidates)
    return _("; did you mean {names}?").format(names=_(" or ").join(near[:3])) if near else ""


def check_choice(what: str, value: str, choices: Iterable[str]) -> None:
    """Refuse a value outside a closed list, with the closest one and the list."""
    choices = tuple(choices)
    if value in choices:
        return
    from .i18n import _

    hint = did_you_mean(value, choices)
    words = {"format": _("format"), "kind": _("kind"), "sort order": _("sort order"), "key for --by": _("key for --by"), "--color value": _("--color value")}
    names = {"what": words.get(what, what), "value": repr(value), "hint": hint, "names": ", ".join(choices)}
    raise UsageError(
        _("unknown {what} {value}{hint} (use one of {names})").format(**names) if hint else _("unknown {what} {value}; use one of {names}").format(**names)
    )
