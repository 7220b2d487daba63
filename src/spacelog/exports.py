"""Results for publication: markdown and html tables, and the numbered chronicle text (大事记) back.

Imported only when one of these formats is asked for. Cells come from
`LineOutput.rows`, already through `text.visible`; here they are escaped for
the format, so a store's `<script>`, `&` or `|` is text, never markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from .errors import UsageError
from .lines import LineOutput
from .text import visible

if TYPE_CHECKING:
    from .query import EventSource
    from .registry import Registry
    from .store import Event

EXPORT_FORMATS = ("markdown", "html", "chronicle")
# Every character CommonMark (and GFM tables: |) could read as markup; a backslash makes each literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_PAGE_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>spacelog</title>
<style>
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
td { white-space: pre-wrap; }
</style>
</head>
<body>
<table>
"""
_PAGE_TAIL = "</table>\n</body>\n</html>\n"


class ExportOutput(LineOutput):
    """markdown: a GFM table; html: a standalone page with one table; chronicle: `N. text` events, as `ingest` reads them."""

    def __init__(self, fmt: str, stream: IO[str], fields: list[str] | None = None, header: bool = True) -> None:
        if fields and fmt == "chronicle":
            raise UsageError("--fields chooses columns; --format chronicle writes each event's number and text")
        super().__init__(fmt, stream, fields, header)

    def table(self, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
        if self.format == "chronicle":
            raise UsageError("--format chronicle writes events; this command lists something else (use markdown, html or csv)")
        if self.format == "markdown":
            self._markdown(header, rows)
        else:
            self._html(header, rows)

    def _markdown(self, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
        def line(cells: Iterable[str]) -> str:
            return "| " + " | ".join(_MARKDOWN_SPECIAL.sub(r"\\\1", cell) for cell in cells) + " |"

        self.line(line(header))  # a markdown table cannot lose its header row
        self.line("|" + "---|" * len(header))
        for row in rows:
            self.line(line(row))

    def _html(self, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
        def line(tag: str, cells: Iterable[str]) -> str:
            return "<tr>" + "".join(f"<{tag}>{html.escape(cell)}</{tag}>" for cell in cells) + "</tr>"

        self.stream.write(_PAGE_HEAD)
        if self.header:
            self.line("<thead>" + line("th", header) + "</thead>")
        self.line("<tbody>")
        for row in rows:
            self.line(line("td", row))
        self.line("</tbody>")
        self.stream.write(_PAGE_TAIL)

    def listing(self, source: EventSource, numbers: list[int], registry: Registry, highlight: list[str] | None = None) -> None:
        if self.format == "chronicle":
            self.chronicle([source.event(i) for i in sorted(numbers)])  # the store's order is the chronicle's
        else:
            super().listing(source, numbers, registry, highlight)

    def event(self, event: Event, registry: Registry, extra: dict | None = None, *, related: list[tuple[Event, list[str]]] | None = None) -> None:
        if self.format == "chronicle":
            self.chronicle([event])
        else:
            super().event(event, registry, extra, related=related)

    def chronicle(self, events: list[Event]) -> None:
        """`12. 2月6日，…` a paragraph each: the numbered text `spacelog ingest` reads back into the same events."""
        seen: dict[int, str] = {}
        for event in events:
            if event["seq"] in seen:
                raise UsageError(
                    f"events {seen[event['seq']]} and {event['id']} both have number {event['seq']}: "
                    "a chronicle numbers one year's events; choose one with --year"
                )
            seen[event["seq"]] = event["id"]
        self.stream.write("\n".join(f"{event['seq']}. {visible(event['text'])}\n" for event in events))
