"""The event categories and what each one means: the one definition.

The README's table and `spacelog timeline --help` print these words (a test
checks the README), and the classifier (categories.py) follows them. Kept
free of imports: the help of `timeline` reads it at every start.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# name -> what an event of that category reports, and what it is not.
MEANINGS: dict[str, str] = {
    "launch": "a rocket lifts off with its payload; not a launch planned, or recalled from before the event",
    "eva": "a spacewalk is carried out; not a record or a career mentioned in passing",
    "docking": "a craft docks or berths (also grappled by the arm, arrives at a station); not one planned",
    "return": "a crew comes back to Earth; not a rocket stage, a test vehicle, a probe landing on another world, a cargo ship",
    "crew": "people fly up or down (with launch, docking or return); not a selection or an assignment",
    "policy": "plans, strategies, programme announcements, government decisions, laws, cooperation, appointments, a new agency",
    "budget": "money: a budget, an appropriation, funding",
    "contract": "a contract, an agreement, a purchase, a contracted delivery; not a statement of cooperation",
    "test": "a test or trial of hardware or procedure: firings, test and maiden flights, rocket-stage landings; not science",
    "mission-end": "a spacecraft's mission ends: de-orbit, re-entry, a deliberate crash, retirement, a last flight",
    "conference": "a congress, summit, exhibition or forum is held; not a meeting of a government body",
    "science": "results, experiments, observations, samples; a probe arriving or landing to do science",
    "recruitment": "astronauts are recruited or selected",
    "failure": "something fails in this event: an explosion, a failed launch, a fault, a leak; not an earlier failure",
    "other": "none of the above applies",
}


# name -> its Chinese name: accepted by --category in every locale, shown in a Chinese interface.
NAMES_ZH: dict[str, str] = {
    "launch": "发射",
    "eva": "出舱",
    "docking": "对接",
    "return": "返回",
    "crew": "载人",
    "policy": "政策",
    "budget": "预算",
    "contract": "合同",
    "test": "试验",
    "mission-end": "任务结束",
    "conference": "会议",
    "science": "科学",
    "recruitment": "选拔",
    "failure": "故障",
    "other": "其他",
}


def _wrap(name: str, meaning: str, width: int = 78) -> list[str]:
    """One category as help lines: the name, then its meaning wrapped under a hanging indent."""
    indent = " " * 15
    lines, line = [], f"  {name:<12} "
    for word in meaning.split(" "):
        if len(line) + len(word) > width and line.strip() != name:
            lines.append(line.rstrip())
            line = indent
        line += word + " "
    return [*lines, line.rstrip()]


def category_help() -> str:
    """The epilog of `timeline --help` (built only for that command); \\b keeps Click from re-flowing it."""
    lines = ["\b", "Categories (an event can have several; the first is the one it mainly reports):"]
    return "\n".join(lines + [line for name, meaning in MEANINGS.items() for line in _wrap(name, meaning)])


def category_help_translated(translate: "Callable[[str], str]") -> str:
    """The epilog in another language: each category with its Chinese name, its meaning through `translate`, wrapped by cells."""
    from .linebreak import cell_width, wrap

    indent = 25  # cells: the names, then the meaning
    lines = ["\b", translate("Categories (an event can have several; the first is the one it mainly reports):")]
    for name, meaning in MEANINGS.items():
        head = f"  {name:<12} {NAMES_ZH[name]}"
        pad = " " * (indent - sum(map(cell_width, head)))
        text = translate(meaning)
        lines += [(head + pad if n == 0 else " " * indent) + text[s:e] for n, (s, e) in enumerate(wrap(text, 78 - indent))]
    return "\n".join(lines)
