"""Rich text made safe for the terminal: user text from the database never acts on it.

Rich's `Text` and Textual's `Content` drop only BEL, BS, VT, FF and CR; ESC, NUL and the C1
controls would reach the terminal as they are (`ESC ] 52` sets the clipboard). Widgets
that assemble a `Text` from several typed values pass it through `safe_text` once.
"""

from __future__ import annotations

from rich.text import Text

from workshop.text import find_control, terminal_safe


def safe_text(text: Text | str) -> Text:
    """`text` with every control character but a line break shown by its stand-in (ESC → ␛).

    Each control becomes exactly one character (a tab a space), so the styles of the
    assembled text stay where they were.
    """
    rich = Text(text) if isinstance(text, str) else text
    plain = rich.plain
    if find_control(plain, multiline=True) is not None or "\t" in plain:
        lines = plain.split("\n")
        rich.plain = "\n".join(terminal_safe(line.replace("\t", " ")) for line in lines)
    return rich
