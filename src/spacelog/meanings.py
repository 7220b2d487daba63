"""The event categories and what each one means: the one definition.

The README's table and `spacelog timeline --help` print these words (a test
checks the README), and the classifier (categories.py) follows them. Kept
free of imports: the help of `timeline` reads it at every start.
"""

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
