"""The Rich console that tables are printed on (imported only when a table is drawn).

Two changes to Rich's: a reader that went away raises BrokenPipeError (Rich exits
with status 1; the CLI makes it 0, as for every other format), and below a usable
width a table is printed one field a line (`id: …`), so that no column is dropped.
"""

from __future__ import annotations

from typing import Any

from rich.columns import Columns
from rich.console import Console
from rich.table import Table
from rich.text import Text

MIN_WIDTH = 40  # below this Rich drops or crushes columns of the event tables


class SafeConsole(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.width >= MIN_WIDTH or not any(isinstance(o, Table | Columns) for o in objects):
            super().print(*objects, **kwargs)
            return
        for o in objects:
            for line in field_lines(o):
                super().print(line, soft_wrap=True)


def field_lines(renderable: Any) -> list[Text | Any]:
    """A table as lines of `header: value`, a blank line between rows; other renderables as they are."""
    if isinstance(renderable, Columns):
        return [line for r in renderable.renderables for line in field_lines(r)]
    if not isinstance(renderable, Table):
        return [renderable]
    lines: list[Text | Any] = []
    if renderable.title:
        lines.append(Text(str(renderable.title)))
    headers = [str(c.header) for c in renderable.columns]
    cells = [[_plain(cell) for cell in c._cells] for c in renderable.columns]
    for row in range(renderable.row_count):
        values = [column[row] if row < len(column) else "" for column in cells]
        if renderable.show_header and any(headers):
            lines.extend(Text(f"{h}: {v}") for h, v in zip(headers, values, strict=True))
            lines.append(Text(""))
        else:
            lines.append(Text(": ".join(v for v in values[:2]) + "".join(f" {v}" for v in values[2:])))
    return lines


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)
