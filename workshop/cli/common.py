"""What every `workshop` command shares: one-line errors, the database chosen, the store,
and the way into the TUI.

The command group (`workshop.cli.commands`) and the review commands (`workshop.cli.review`)
both import this module; it imports neither, so the two command modules are no circle.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from workshop.errors import DamagedData, SessionFileError, WorkshopError
from workshop.storage.database import default_database_path
from workshop.text import terminal_safe

if TYPE_CHECKING:
    from workshop.storage.store import Store

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 2
EXIT_PIPE_CLOSED = 128 + 13
"""What a shell reports for a program stopped by SIGPIPE, as `workshop list | head -1` is."""


def fail(message: str, details: Sequence[str] = ()) -> None:
    """Print one clear line to stderr (then any indented detail lines) and exit with status 2.

    Each line is terminal-safe: a control character or a line break in a title or a path is
    shown by its stand-in, so it cannot act on the terminal or split the line.
    """
    lines = [f"workshop: {terminal_safe(message)}", *(f"  {terminal_safe(d)}" for d in details)]
    click.echo("\n".join(lines), err=True)
    sys.exit(EXIT_ERROR)


def stdout_closed() -> NoReturn:
    """Leave quietly once the reader of stdout has gone (`workshop list | head -1`).

    No message and no "Exception ignored" noise at exit: stdout is pointed at the null
    device, so flushing what is left cannot fail again. The status is the conventional
    141 of a program stopped by SIGPIPE, so `set -o pipefail` scripts see the same as with
    any other command whose output was cut short.
    """
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout (a test runner's buffer)
        pass
    sys.exit(EXIT_PIPE_CLOSED)


def user_errors(command: F) -> F:
    """Turn the library's typed errors and OS errors into one line on stderr and exit 2.

    A session file's problems keep their form: a headline, then one indented line each.
    A closed stdout ends the command quietly (`stdout_closed`).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WorkshopError as error:
            fail(*_problem_list(error))
        except BrokenPipeError:
            stdout_closed()
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            fail(f"{error.strerror or error}{where}.")
        return None

    return wrapper  # type: ignore[return-value]


def _problem_list(error: WorkshopError) -> tuple[str, list[str]]:
    """A list of problems (a session file's, a damaged database's) as their headline and one
    detail each, else the message whole.

    Only that documented form ("The session file has 2 problems:" and indented lines) is
    split; any other message stays one line even when a path or a title holds a newline.
    """
    message = str(error)
    headline, *details = message.split("\n")
    listed = details and headline.endswith(":") and all(d.startswith("  ") for d in details)
    if isinstance(error, SessionFileError | DamagedData) and listed:
        return headline, [detail.strip() for detail in details]
    return message, []


class FilePath(click.Path):
    """click's Path that also refuses a NUL character (the OS cannot name such a file)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Refuse a name with a NUL byte with click's one-line usage error, then check as usual."""
        if "\x00" in str(value):
            self.fail(f"{str(value)!r} contains a NUL character.", param, ctx)
        return super().convert(value, param, ctx)


def database_path(ctx: click.Context) -> Path:
    """The database chosen with --db, WORKSHOP_DB, or the default in the user's data dir."""
    chosen: Path | None = ctx.find_root().params.get("db")
    return chosen if chosen is not None else default_database_path()


@contextmanager
def open_store(ctx: click.Context) -> Iterator[Store]:
    """The store on the chosen database, closed afterwards."""
    from workshop.storage.store import Store

    with Store(database_path(ctx), who=os.environ.get("USER", "")) as store:
        yield store


def launch_tui(db: Path, *, session_id: int | None = None, review: bool = False) -> None:
    """Run the Textual app (imported only here, so other commands never load Textual)."""
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        fail("the workshop app needs an interactive terminal; see `workshop --help`.")
    from tui.app import make_app

    app = make_app(db, session_id=session_id, review=review)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


class OneLineErrors(click.Group):
    """A click group whose usage errors are one line on stderr and exit 2, like every error."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; turn click's multi-line usage errors into one line."""
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            fail("aborted.")
        except click.ClickException as error:
            hint = " (see workshop --help)" if isinstance(error, click.UsageError) else ""
            fail(f"{error.format_message()}{hint}")
        return result if isinstance(result, int) else None
