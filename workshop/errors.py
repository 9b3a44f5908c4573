"""Typed errors of the workshop library; the CLI and the TUI decide how to show them."""

from __future__ import annotations


class WorkshopError(Exception):
    """Base of every error the library raises for a user's mistake or a refused file.

    The message is one plain sentence fit to show a facilitator as it is.
    """


class ValidationFailed(WorkshopError):
    """Input that breaks a rule of the domain (a field, a range, a reference)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = problems or [message]


class RevenueInputError(ValidationFailed):
    """Numbers the revenue maths cannot work with (zero deal size, conversion over 100%)."""


class DatabaseRefused(WorkshopError):
    """A file that is not a workshop database, or is from a newer version; left untouched."""


class StorageError(WorkshopError):
    """A write that did not reach the disk (read-only file, disk full, lock held too long)."""


class DatabaseMoved(StorageError):
    """The open database file was deleted, renamed or replaced: no change can be saved to it.

    What was saved before is still readable through the open connection, so the app offers
    to save a copy of everything elsewhere (`Store.save_copy`).
    """


class DamagedData(WorkshopError):
    """Stored rows that fail validation (a file edited outside the app).

    `problems` has one line per bad field, naming the table, the row and the field.
    """

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems: list[str] = problems


class NotFound(WorkshopError):
    """A session or row id that does not exist (or no longer exists)."""


class StaleEdit(WorkshopError):
    """An edit based on a version of a row that someone else has changed or deleted since."""


class DuplicateName(ValidationFailed):
    """A name that must be unique in its session (a term) is already used."""


class SessionFileError(ValidationFailed):
    """A session JSON file that cannot be imported; `problems` lists each with its path."""


class ExportError(WorkshopError):
    """An export that cannot be written (file exists, bad template, unwritable path)."""
