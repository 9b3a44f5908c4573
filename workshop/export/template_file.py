"""Reading a user's `--template` file: a regular file of at most 1 MB of UTF-8, read once.

The file is opened without blocking and checked before a byte is read, so a named pipe
never hangs the export and a device such as `/dev/zero` is never read until memory runs
out. Its text is all a user's template gets from the disk: the loader in markdown.py
serves it by name and otherwise only the shipped templates.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from workshop.errors import ExportError
from workshop.export.files import file_kind
from workshop.text import terminal_safe

MAX_TEMPLATE_BYTES = 1_000_000
"""The size of a template file, at most: the shipped one with its partials is about 20 KB."""

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def shown(path: Path | str) -> str:
    """A template's path as a message shows it: control characters made visible."""
    return terminal_safe(str(path))


def read_template(path: Path) -> str:
    """The text of the template file `path`, or ExportError with one line saying why not."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise ExportError(f"Template {shown(path)} does not exist.") from None
    except OSError as error:
        raise ExportError(f"Cannot read template {shown(path)}: {error.strerror}.") from None
    try:
        data = _read_checked(descriptor, path)
    finally:
        os.close(descriptor)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"Template {shown(path)} is not UTF-8 text.") from None


def _read_checked(descriptor: int, path: Path) -> bytes:
    """The bytes of the open file, once it is known to be a regular file within the limit."""
    mode, size = (info := os.fstat(descriptor)).st_mode, info.st_size
    if stat.S_ISDIR(mode):
        raise ExportError(f"Template {shown(path)} is a folder, not a file.")
    if not stat.S_ISREG(mode):
        raise ExportError(
            f"Template {shown(path)} is {file_kind(mode)}, not a regular file; "
            "give the path of a template file."
        )
    if size > MAX_TEMPLATE_BYTES:
        raise _too_large(path)
    chunks, total = [], 0
    while chunk := _read(descriptor, path, MAX_TEMPLATE_BYTES + 1 - total):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_TEMPLATE_BYTES:  # the file grew after it was checked
            raise _too_large(path)
    return b"".join(chunks)


def _read(descriptor: int, path: Path, size: int) -> bytes:
    try:
        return os.read(descriptor, size)
    except OSError as error:
        raise ExportError(f"Cannot read template {shown(path)}: {error.strerror}.") from None


def _too_large(path: Path) -> ExportError:
    return ExportError(
        f"Template {shown(path)} is larger than {MAX_TEMPLATE_BYTES:,} bytes, "
        "the limit for a template file."
    )
