"""Action items as CSV (RFC 4180) with the columns common trackers import.

The header is `Summary,Description,Assignee,Due Date,Priority,Status,Labels`; labels are the
category and the team, separated by spaces, with spaces inside a label turned into `-`.
A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a
single quote, so a spreadsheet opening the file never runs user text as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

HEADER = ("Summary", "Description", "Assignee", "Due Date", "Priority", "Status", "Labels")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """Text a spreadsheet shows as typed, never evaluates (CSV formula injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


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
                defuse(item["title"]),
                defuse(_description(item)),
                defuse(item["owner"] or ""),
                item["due"] or "",
                item["priority"].capitalize(),
                item["status"].title(),
                defuse(labels),
            )
        )
    return buffer.getvalue()
