"""Where an export goes: its default file name, and a write that never leaves half a file.

Standard library only, so the CLI can name and write files without importing Jinja.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from workshop.errors import ExportError

if TYPE_CHECKING:
    from workshop.models import Session

FILE_SUFFIXES: dict[str, str] = {
    "md": "action-plan.md",
    "csv": "action-items.csv",
    "ics": "calendar.ics",
    "json": "session.json",
}
"""What each format's default file name ends with."""
_SLUG_LIMIT = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """An ASCII file-name part from a title: 'Q3 Revenue — Alignment!' → 'q3-revenue-alignment'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(words) > _SLUG_LIMIT:
        words = words[:_SLUG_LIMIT].rsplit("-", 1)[0] or words[:_SLUG_LIMIT]
    return words or "workshop"


def default_filename(session: Session, fmt: str) -> str:
    """The file an export is written to unless told otherwise, e.g.
    '2026-11-17-q3-revenue-alignment-action-plan.md'."""
    if fmt not in FILE_SUFFIXES:
        raise ExportError(
            f"Unknown export format '{fmt}': choose one of {', '.join(FILE_SUFFIXES)}."
        )
    return f"{session.date.isoformat()}-{slug(session.title)}-{FILE_SUFFIXES[fmt]}"


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not every platform can open a folder."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _temporary(folder: Path, name: str) -> tuple[Path, int]:
    """A new empty file next to the target; created with mode 0666 so the umask applies."""
    for _ in range(100):
        candidate = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return candidate, os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
    raise ExportError(f"Cannot create a temporary file in {folder}.")


def _publish(temporary: Path, path: Path, force: bool) -> None:
    """Move the finished file into place: replace only with force, else refuse atomically."""
    if force:
        os.replace(temporary, path)
        return
    try:
        # A hard link fails if the target exists, even one created a moment ago.
        os.link(temporary, path)
    except FileExistsError:
        raise ExportError(f"{path} exists; use --force to overwrite.") from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if path.exists():  # a file system without hard links: check, then rename
            raise ExportError(f"{path} exists; use --force to overwrite.") from None
        os.replace(temporary, path)
    else:
        temporary.unlink()


def write_atomically(path: Path, text: str, *, force: bool = False) -> Path:
    """Write `text` (UTF-8, newlines as given) to `path` so a crash leaves the old file or the
    new one, never half; refuses an existing file unless `force`."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name to export to.")
    if path.exists() and not force:
        raise ExportError(f"{path} exists; use --force to overwrite.")
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"Cannot write {path}: the folder {folder} does not exist.")
    data = text.encode("utf-8")
    temporary: Path | None = None
    try:
        temporary, handle = _temporary(folder, path.name)
        with os.fdopen(handle, "wb") as stream:
            if force and path.exists():
                # Overwriting keeps the permissions the user gave the old file.
                os.chmod(stream.fileno(), stat.S_IMODE(path.stat().st_mode))
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _publish(temporary, path, force)
        temporary = None
        _fsync_folder(folder)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"Cannot write {path}: {reason}.") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
    return path
