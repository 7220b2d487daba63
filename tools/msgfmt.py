"""Compile spacelog's gettext catalogs (.po) into the .mo files it ships.

    python tools/msgfmt.py            # every src/spacelog/locale/*/LC_MESSAGES/*.po
    python tools/msgfmt.py --check    # exit 1 when a shipped .mo differs from its .po

A small msgfmt (GNU msgfmt is not on every machine): msgid, msgid_plural,
msgstr and msgstr[N], strings over several lines, C escapes, comments. The
output is the standard .mo format that Python's gettext reads, with the
messages sorted, so the same .po always gives the same bytes.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "src" / "spacelog" / "locale"


def parse_po(text: str, name: str = "<po>") -> dict[str, str]:
    """msgid (singular NUL plural for plural forms) -> msgstr (forms joined by NUL); untranslated entries left out."""
    messages: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    key: str | None = None

    def finish() -> None:
        if "msgid" not in entry:
            return
        msgid = "".join(entry["msgid"])
        if "msgid_plural" in entry:
            msgid += "\0" + "".join(entry["msgid_plural"])
            forms = [("".join(entry[k])) for k in sorted((k for k in entry if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))]
            msgstr = "\0".join(forms)
        else:
            msgstr = "".join(entry.get("msgstr", []))
        if msgstr.replace("\0", ""):
            messages[msgid] = msgstr

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"{name}:{number}: a string outside an entry")
            entry[key].append(_string(line, name, number))
            continue
        word, _, rest = line.partition(" ")
        if word == "msgid":
            finish()
            entry = {}
        if word not in ("msgid", "msgid_plural", "msgstr") and not (word.startswith("msgstr[") and word.endswith("]")):
            raise ValueError(f"{name}:{number}: unknown keyword {word!r}")
        key = word
        entry[key] = [_string(rest.strip(), name, number)]
    finish()
    return messages


def _string(literal: str, name: str, number: int) -> str:
    if not (len(literal) >= 2 and literal[0] == literal[-1] == '"'):
        raise ValueError(f"{name}:{number}: expected a quoted string")
    return ast.literal_eval(literal)


def mo_bytes(messages: dict[str, str]) -> bytes:
    """The .mo file of `messages`: header, two offset tables, then the strings (no hash table)."""
    ids = sorted(messages)
    keys = [k.encode("utf-8") for k in ids]
    values = [messages[k].encode("utf-8") for k in ids]
    start = 7 * 4 + 16 * len(ids)  # header, then the two tables of (length, offset)
    key_table, value_table, data = [], [], b""
    for key in keys:
        key_table += [len(key), start + len(data)]
        data += key + b"\0"
    for value in values:
        value_table += [len(value), start + len(data)]
        data += value + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(ids), 7 * 4, 7 * 4 + 8 * len(ids), 0, 0)
    return header + struct.pack(f"<{len(key_table)}I", *key_table) + struct.pack(f"<{len(value_table)}I", *value_table) + data


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def main(argv: list[str]) -> int:
    stale = []
    for po in catalogs():
        compiled = mo_bytes(parse_po(po.read_text(encoding="utf-8"), str(po)))
        mo = po.with_suffix(".mo")
        if "--check" in argv:
            if not mo.exists() or mo.read_bytes() != compiled:
                stale.append(mo)
        else:
            mo.write_bytes(compiled)
            print(f"wrote {mo}")
    for mo in stale:
        print(f"{mo} is not compiled from its .po: run python tools/msgfmt.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
