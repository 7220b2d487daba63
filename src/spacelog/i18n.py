"""The interface's language: English, or Chinese when the locale says so.

The language is read from the environment as gettext reads it (LANGUAGE,
LC_ALL, LC_MESSAGES, LANG; `SPACELOG_LANG` first), without asking the C
library, so a Chinese interface needs no installed locale. Messages come from
the gettext catalog in `locale/`; English, the source language, opens no
file. Only what a person reads is translated: piped output never is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .meanings import NAMES_ZH as CATEGORY_ZH  # the one definition of the categories

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "spacelog"

CATEGORY_BY_ZH = {zh: en for en, zh in CATEGORY_ZH.items()}

_translation: Any = None


def language(environ: Any = None) -> str:
    """'zh_CN' or 'en', from SPACELOG_LANG, else the first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set."""
    env = os.environ if environ is None else environ
    chosen = env.get("SPACELOG_LANG", "")
    if not chosen:
        for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
            if env.get(name):
                chosen = env[name]
                break
    for candidate in chosen.split(":"):  # LANGUAGE is a list in order of preference
        code = candidate.split(".")[0].split("@")[0]
        if code.lower().startswith("zh"):
            return "zh_CN"
        if code.lower().startswith("en") or code in ("C", "POSIX"):
            return "en"
    return "en"


def translation() -> Any:
    """The catalog of the chosen language (gettext.NullTranslations for English, which reads nothing)."""
    global _translation
    if _translation is None:
        import gettext

        lang = language()
        if lang == "en":
            _translation = gettext.NullTranslations()
        else:
            _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return _translation


def reset() -> None:
    """Forget the chosen catalog (tests change the environment)."""
    global _translation
    _translation = None


def _(message: str) -> str:
    return message if language() == "en" else translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if language() == "en":
        return singular if n == 1 else plural
    return translation().ngettext(singular, plural, n)


def category_name(category: str) -> str:
    """A category as the interface names it."""
    return CATEGORY_ZH.get(category, category) if language() == "zh_CN" else category


def canonical_category(name: str) -> str:
    """The store's name of a category given in English or Chinese (出舱 -> eva); unknown names unchanged."""
    return CATEGORY_BY_ZH.get(name.strip(), name.strip())


def month_label(month: str) -> str:
    """'2017-03' as the interface writes a month: 2017-03, 2017年3月."""
    year, _sep, number = month.partition("-")
    if not number.isdigit():
        return month
    return _("{year}-{month:02d}").format(year=year, month=int(number))
