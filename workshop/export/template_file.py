"""Reading a user's `--template` file: a regular file of at most 1 MB of UTF-8, read once.

The file is opened without blocking and checked before a byte is read, so a named pipe
never hangs the export and a device such as `/dev/zero` is never read until memory runs
out. Its text is all a user's template gets from the disk: the loader in markdown.py
serves it by name and otherwise only the shipped templates.
"""

from __future__ import annotations

from pathlib import Path

from workshop.errors import ExportError
from workshop.export.files import Unreadable, read_regular
from workshop.text import terminal_safe

MAX_TEMPLATE_BYTES = 1_000_000
"""The size of a template file, at most: the shipped one with its partials is about 20 KB."""


def shown(path: Path | str) -> str:
    """A template's path as a message shows it: control characters made visible."""
    return terminal_safe(str(path))


def read_template(path: Path) -> str:
    """The text of the template file `path`, or ExportError with one line saying why not."""
    try:
        data = read_regular(path, MAX_TEMPLATE_BYTES)
    except Unreadable as refused:
        if refused.special and refused.why == "is a folder (directory)":
            raise ExportError(f"Template {shown(path)} is a folder, not a file.") from None
        if refused.special:
            raise ExportError(
                f"Template {shown(path)} {refused.why}, not a regular file; "
                "give the path of a template file."
            ) from None
        if refused.too_large:
            raise ExportError(
                f"Template {shown(path)} is larger than {MAX_TEMPLATE_BYTES:,} bytes, "
                "the limit for a template file."
            ) from None
        raise ExportError(f"Template {shown(path)} {refused.why}.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"Template {shown(path)} is not UTF-8 text.") from None
