"""Action items as CSV (RFC 4180) with the columns common trackers import.

The header is `Summary,Description,Assignee,Due Date,Priority,Status,Labels`; labels are the
category and the team, separated by spaces, with spaces inside a label turned into `-`.
A cell whose first visible character is `=`, `+`, `-` or `@` (or their full-width forms
`＝＋－＠`), after any spaces, tabs, line breaks or zero-width characters, or that starts with
a tab or a carriage return, is prefixed with a single quote, so a spreadsheet opening the
file never runs user text as a formula. User text holds no raw control character: a tab
becomes a space and any other control its stand-in (see `workshop.text.terminal_safe`).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from workshop.text import terminal_safe

HEADER = ("Summary", "Description", "Assignee", "Due Date", "Priority", "Status", "Labels")
_FORMULA_START = re.compile(r"[\t\r]|[\s\u200b\u200c\u200d\u2060\ufeff]*[=+\-@＝＋－＠]")
"""A tab or CR first, or a formula sign after blank and zero-width characters (BOM included)."""


def defuse(text: str) -> str:
    """Text a spreadsheet shows as typed, never evaluates (CSV formula injection)."""
    return "'" + text if _FORMULA_START.match(text) else text


def _safe(text: str) -> str:
    """User text for a cell: no control character but line breaks, never a formula."""
    return defuse(terminal_safe(text, keep_newlines=True))


def _label(text: str) -> str:
    return "-".join(text.split())


def _description(item: dict[str, Any]) -> str:
    parts = [item["description"]] if item["description"] else []
    if item["serves"]:
        parts.append("Serves: " + "; ".join(item["serves"]))
    return "\n\n".join(parts)


def render_csv(context: dict[str, Any]) -> str:
    """The session's action items, in plan order, one row each, lines ending CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for item in context["actions"]["all"]:
        labels = " ".join(_label(label) for label in (item["category"], item["team"]) if label)
        writer.writerow(
            (
                _safe(item["title"]),
                _safe(_description(item)),
                _safe(item["owner"] or ""),
                item["due"] or "",
                item["priority"].capitalize(),
                item["status"].title(),
                _safe(labels),
            )
        )
    return buffer.getvalue()
