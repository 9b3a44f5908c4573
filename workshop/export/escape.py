"""Jinja filters that print user text as Markdown data and numbers the way the plan shows them.

User text never becomes Markdown structure: every character that could start emphasis,
code, a link, raw HTML, an entity or a table cell is backslash-escaped, every character that
could start a block at the beginning of a line is escaped there, and line breaks become hard
breaks (`md`), spaces (`md_inline`) or `<br>` (`cell`, the only HTML the exporter emits).
A control character (from a hand-edited database) is shown by its stand-in (ESC as ␛, see
`workshop.text.terminal_safe`) and a tab as a space: the plan holds no raw control character.
Only the standard library is used, so the filters are cheap to import and to call.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workshop.text import CONTROL_RANGE, terminal_safe

# Characters that are significant anywhere in a line: emphasis, code, links, raw HTML,
# entities, table cells, strikethrough and the escape character itself.
_ANYWHERE = tuple((char, "\\" + char) for char in "\\`*_[]<&|~")  # backslash first
# A `#` at a line start opens a heading; after a space it can close one.
_HASH = re.compile(r"(^|[ \t])#")
# What can open a block at the start of a line: quotes, lists, breaks, setext underlines,
# table delimiter rows, and ordered-list markers such as `1.` or `12)`.
_BLOCK_START = re.compile(r"^(?:([>+\-=:])|(\d{1,9})(?=[.)]))")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_RISKY_FIRST = frozenset(">+-=:0123456789")
# Text with nothing to escape (most names and titles), in one match: no significant or control
# character anywhere, no risky or blank first character and no blank last one.
_PLAIN = re.compile(rf"(?![>+\-=:0-9\s])[^\\`*_\[\]<&|~#{CONTROL_RANGE}]*(?<!\s)")
_CENT = Decimal("0.01")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _escape_block_start(match: re.Match[str]) -> str:
    # A list marker `1.` is made harmless by escaping the `.` or `)` after its digits.
    return "\\" + match.group(1) if match.group(1) else match.group(2) + "\\"


def _escape_line(line: str) -> str:
    """Escape one line of user text so it reads as plain text wherever it starts."""
    line = terminal_safe(line.strip(), keep_newlines=True)  # no line break is left in it
    for char, escaped in _ANYWHERE:  # str.replace beats re.sub and str.translate here
        if char in line:
            line = line.replace(char, escaped)
    if "#" in line:
        line = _HASH.sub(r"\1\\#", line)
    if line and line[0] in _RISKY_FIRST:
        line = _BLOCK_START.sub(_escape_block_start, line, count=1)
    return line


def _escaped_lines(text: str) -> list[str]:
    """The non-blank lines of `text`, each escaped (a blank line would end the block)."""
    lines = [_escape_line(line) for line in _LINE_BREAK.split(text)]
    return [line for line in lines if line]


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    return "" if value is None else str(value)


def is_plain(text: str) -> bool:
    """Whether the text has nothing to escape: most names and titles (checked fast)."""
    return _PLAIN.fullmatch(text) is not None


def _escaped(value: Any, line_break: str) -> str:
    """User text escaped line by line, its line breaks joined with `line_break`."""
    text = value if type(value) is str else _text(value)
    if is_plain(text):
        return text
    if "\n" not in text and "\r" not in text:
        return _escape_line(text)
    return line_break.join(_escaped_lines(text))


def md(value: Any) -> str:
    """User text for a paragraph or list item; its line breaks become Markdown hard breaks."""
    return _escaped(value, "\\\n")


def md_inline(value: Any) -> str:
    """User text for a heading or a label: one line, line breaks folded into spaces."""
    return _escaped(value, " ")


def cell(value: Any) -> str:
    """User text for a table cell: `|` escaped, line breaks as `<br>`; the row keeps its columns."""
    return _escaped(value, "<br>")


def _decimal(value: Decimal | int | str) -> Decimal | int:
    """A number given as text ('12.50', as the Progress data has them) read exactly."""
    return Decimal(value) if isinstance(value, str) else value


def plain_number(value: Decimal | int | str | None) -> str:
    """A number without exponent or trailing zeros: 30 → '30', 12.50 → '12.5'."""
    if value is None:
        return ""
    value = _decimal(value)
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Decimal | int | str | None) -> str:
    """A count or measure with thousands separators: 1200000 → '1,200,000', 13.80 → '13.8'."""
    if value is None:
        return ""
    value = _decimal(value)
    if isinstance(value, int):
        return f"{value:,}"
    whole, _, fraction = f"{value:,f}".partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def money(value: Decimal | int | None, currency: str = "") -> str:
    """An amount with its currency code: 'USD 1,200,000'; cents only when there are any."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        amount = f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,f}"
    else:
        amount = f"{int(value):,}"
    return f"{currency} {amount}".strip()


def percent(value: Decimal | int | None) -> str:
    """A percentage as entered: 25 → '25%', 12.5 → '12.5%'."""
    return "" if value is None else f"{plain_number(value)}%"


def month_label(value: str | None) -> str:
    """'2026-12' → 'December 2026'; empty for no month."""
    if not value:
        return ""
    # Month names are spelled out here, not by strftime, so a locale cannot change the bytes.
    year, month = date.fromisoformat(f"{value}-01").year, int(value[5:7])
    return f"{_MONTHS[month - 1]} {year}"


FILTERS: dict[str, Any] = {
    "md": md,
    "md_inline": md_inline,
    "cell": cell,
    "number": number,
    "plain_number": plain_number,
    "money": money,
    "percent": percent,
    "month_label": month_label,
}
"""The filters every action-plan template (shipped or `--template`) can use."""
