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
from workshop.text import terminal_safe

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
    raise ExportError(f"Cannot create a temporary file in {_shown(folder)}.")


def _publish(temporary: Path, path: Path, force: bool) -> None:
    """Move the finished file into place: replace only with force, else refuse atomically."""
    if force:
        os.replace(temporary, path)
        return
    try:
        # A hard link fails if the target exists, even one created a moment ago.
        os.link(temporary, path)
    except FileExistsError:
        raise ExportError(f"{_shown(path)} exists; use --force to overwrite.") from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if path.exists():  # a file system without hard links: check, then rename
            raise ExportError(f"{_shown(path)} exists; use --force to overwrite.") from None
        os.replace(temporary, path)
    else:
        temporary.unlink()


DATABASE_COMPANIONS: tuple[str, ...] = ("", "-wal", "-shm", "-journal")
"""Suffixes of the files SQLite keeps for a database: the file itself, its WAL, its shared
memory index and its rollback journal. None of them may ever be an export target."""


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words ('a named pipe (FIFO)'), from its
    `st_mode`; shared with the session-file reader, which refuses the same files."""
    if stat.S_ISDIR(mode):
        return "a folder (directory)"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class Unreadable(Exception):
    """A file `read_regular` would not read; `why` says so in words that follow its name:
    'does not exist', 'is a named pipe (FIFO)', 'is larger than 1,000,000 bytes'."""

    def __init__(self, why: str, *, special: bool = False, too_large: bool = False) -> None:
        super().__init__(why)
        self.why = why
        self.special = special
        self.too_large = too_large


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def _check_regular(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable(f"is {file_kind(info.st_mode)}", special=True)
    if info.st_size > limit:
        raise Unreadable(f"is larger than {limit:,} bytes", too_large=True)


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them, or Unreadable.

    A file you were sent may be anything: a folder, a device such as /dev/zero, a named
    pipe nobody writes to, a file of gigabytes. It is checked before it is opened, opened
    without waiting (a pipe swapped in meanwhile cannot block), checked again as opened,
    and read no further than the limit.
    """
    try:
        _check_regular(os.stat(path), limit)
        handle = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise Unreadable("does not exist") from None
    except OSError as error:
        raise Unreadable(f"cannot be read: {error.strerror or error}") from None
    with open(handle, "rb") as stream:
        _check_regular(os.fstat(handle), limit)
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise Unreadable(f"cannot be read: {error.strerror or error}") from None
    if len(data) > limit:  # it grew after the check
        raise Unreadable(f"is larger than {limit:,} bytes", too_large=True)
    return data


def _stat(path: Path) -> os.stat_result | None:
    """`path`'s status, following symbolic links; None if nothing (or a dangling link) is there."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise ExportError(f"Cannot write {_shown(path)}: {error.strerror or error}.") from None


def _shown(path: Path) -> str:
    """A path as a message shows it: control characters in its name made visible."""
    return terminal_safe(str(path))


def check_target(path: Path, *, protect: Path | None = None) -> None:
    """Refuse, before anything is written, an export target that must never be written.

    That is the open database `protect` or one of its companion files (`-wal`, `-shm`,
    `-journal`), however the target names it: the same file is recognised by its device
    and inode, so a symbolic or hard link to it is refused too, and a companion that does
    not exist yet by its resolved path. An existing target that is not a regular file (a
    folder, a named pipe, a device, a socket) is refused as well, even where `--force`
    would replace a file: nothing is opened, so a named pipe cannot block the export.
    """
    path = Path(path)
    found = _stat(path)
    if protect is not None:
        _refuse_database(path, found, Path(protect))
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise ExportError(f"{_shown(path)} is a folder; give a file name to export to.")
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise ExportError(
            f"{_shown(path)} is {file_kind(found.st_mode)}, not a regular file; "
            "choose a file to export to."
        )


def _refuse_database(path: Path, found: os.stat_result | None, database: Path) -> None:
    """Refuse `path` if it is the database or one of its companion files."""
    database = database.expanduser()
    target = path.resolve()
    for suffix in DATABASE_COMPANIONS:
        names = {Path(f"{database}{suffix}"), Path(f"{database.resolve()}{suffix}")}
        companion = next((s for s in map(_stat, names) if s is not None), None)
        same_file = (
            found is not None
            and companion is not None
            and (found.st_dev, found.st_ino) == (companion.st_dev, companion.st_ino)
        )
        if same_file or target in {name.resolve() for name in names}:
            what = "the open database" if not suffix else f"the open database's {suffix} file"
            raise ExportError(
                f"{_shown(path)} is {what} ({_shown(database)}); choose another file to export to."
            )


def write_atomically(
    path: Path, text: str, *, force: bool = False, protect: Path | None = None
) -> Path:
    """Write `text` (UTF-8, newlines as given) to `path` so a crash leaves the old file or the
    new one, never half; refuses an existing file unless `force`.

    `protect` is the open database: it, its companion files and any existing target that is
    not a regular file are refused before anything is written (see `check_target`).
    """
    path = Path(path)
    check_target(path, protect=protect)
    if path.exists() and not force:
        raise ExportError(f"{_shown(path)} exists; use --force to overwrite.")
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(
            f"Cannot write {_shown(path)}: the folder {_shown(folder)} does not exist."
        )
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
        # Checked again just before the rename: the target may have changed meanwhile.
        check_target(path, protect=protect)
        _publish(temporary, path, force)
        temporary = None
        _fsync_folder(folder)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"Cannot write {_shown(path)}: {reason}.") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
    return path
