"""Control characters in user text: what a field refuses, and how text is shown safely.

A control character in a title can do things on a terminal: `ESC ] 52` sets the clipboard,
`ESC [ 2 J` clears the screen, a newline prints a fake row. Fields refuse them on the way
in (`check_text`); anything printed to a terminal or written into an export goes through
`terminal_safe` anyway, because a database edited by hand may still hold them.

"Control characters" are C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
Only fields meant to be multi-line accept a newline (and a tab).
"""

from __future__ import annotations

import re
from typing import Final

CONTROL_RANGE: Final = r"\x00-\x1f\x7f-\x9f"
"""The control characters as the inside of a regex character class, for patterns that
check for them in the same pass as other characters (the Markdown escaper's fast path)."""
CONTROL: Final = re.compile(f"[{CONTROL_RANGE}]")
"""Any C0 or C1 control character, DEL included."""
CONTROL_BUT_LINES: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters a multi-line field still refuses: all but newline and tab."""

_NAMES: Final = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "TAB",
    0x0A: "newline",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
    0x9B: "CSI",
    0x9D: "OSC",
}


def describe_control(char: str) -> str:
    """'U+001B ESC': a control character as a person can read it in a message."""
    code = ord(char)
    name = _NAMES.get(code, "")
    return f"U+{code:04X}{' ' + name if name else ''}"


def find_control(text: str, *, multiline: bool = False) -> str | None:
    """The first control character `text` may not hold, or None."""
    found = (CONTROL_BUT_LINES if multiline else CONTROL).search(text)
    return found.group() if found else None


def check_text(text: str, *, multiline: bool = False) -> str:
    """`text` unchanged, or ValueError naming the first control character it may not hold.

    A multi-line field takes newlines and tabs; a carriage return (from a Windows line
    ending) is turned into a newline first rather than refused.
    """
    if multiline and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    char = find_control(text, multiline=multiline)
    if char is not None:
        what = (
            "a line break" if char in "\n\r" else f"a control character ({describe_control(char)})"
        )
        raise ValueError(f"must not contain {what}")
    return text


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␀ for NUL
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # a C1 control has no picture


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character replaced by a visible stand-in (ESC → ␛).

    Safe to print to a terminal or write into an export: nothing in it can move the
    cursor, set the clipboard or start a new line (unless `keep_newlines`, which keeps
    newlines and turns tabs into spaces).
    """
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\t", " ")
        return CONTROL_BUT_LINES.sub(_picture, text)
    return CONTROL.sub(_picture, text)


_JSON_RAW: Final = re.compile(r"[\x7f-\x9f]")


def json_safe(encoded: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with DEL and C1 controls escaped.

    `json.dumps` escapes C0 controls itself but leaves DEL and U+0080–U+009F raw unless it
    escapes every non-ASCII character. They can only occur inside strings, so writing them
    as `\\u` escapes gives the same data.
    """
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


__all__ = [
    "CONTROL",
    "CONTROL_BUT_LINES",
    "CONTROL_RANGE",
    "check_text",
    "describe_control",
    "find_control",
    "json_safe",
    "terminal_safe",
]
