"""The `workshop` command: a thin click layer over the library, and the way into the TUI.

Commands that do not open the TUI never import Textual, so `workshop list` and
`workshop export` start fast and work without a terminal.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from workshop.db import DB_ENV_VAR, default_database_path, inspect_file
from workshop.errors import WorkshopError

if TYPE_CHECKING:
    from workshop.store import Store

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 2


def fail(message: str) -> None:
    """Print one clear line to stderr and exit with status 2."""
    click.echo(f"workshop: {message}", err=True)
    sys.exit(EXIT_ERROR)


def user_errors(command: F) -> F:
    """Turn the library's typed errors and OS errors into one line on stderr and exit 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WorkshopError as error:
            fail(str(error))
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            fail(f"{error.strerror or error}{where}.")
        return None

    return wrapper  # type: ignore[return-value]


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
    from workshop.store import Store

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


@click.group(
    cls=OneLineErrors,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    type=FilePath(path_type=Path, dir_okay=False),
    envvar=DB_ENV_VAR,
    help=f"Database file (default: your data folder; or set {DB_ENV_VAR}).",
)
@click.version_option(package_name="alignment-workshop")
@click.pass_context
@user_errors
def main(ctx: click.Context, db: Path | None) -> None:
    """Run and review sales-and-marketing alignment workshops.

    With no command, opens the workshop app on the database.
    """
    if ctx.invoked_subcommand is None:
        path = db if db is not None else default_database_path()
        inspect_file(path)  # refuse a foreign or newer file with one line before the screen opens
        launch_tui(path)


@main.command()
@click.option("--title", required=True, help="Headline of the workshop.")
@click.option("--organisation", default="", help="Company or business unit.")
@click.option("--facilitator", default="", help="Who runs the workshop.")
@click.option(
    "--date", "date_", type=click.DateTime(["%Y-%m-%d"]), help="Workshop date (YYYY-MM-DD)."
)
@click.option("--empty", is_flag=True, help="Start without the starter glossary and stages.")
@click.pass_context
@user_errors
def new(
    ctx: click.Context,
    title: str,
    organisation: str,
    facilitator: str,
    date_: dt.datetime | None,
    empty: bool,
) -> None:
    """Create a session and print its id."""
    from workshop.sessions import create_session

    with open_store(ctx) as store:
        session = create_session(
            store,
            title=title,
            organisation=organisation,
            facilitator=facilitator,
            date=date_.date() if date_ else dt.date.today(),
            starter=not empty,
        )
    click.echo(session.id)


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@user_errors
def list_sessions(ctx: click.Context, as_json: bool) -> None:
    """List the sessions in the database."""
    with open_store(ctx) as store:
        summaries = store.sessions()
    if as_json:
        import json

        click.echo(
            json.dumps(
                [
                    {
                        "id": s.session.id,
                        "title": s.session.title,
                        "organisation": s.session.organisation,
                        "date": s.session.date.isoformat(),
                        "step_reached": s.session.step_reached,
                        "agreed_terms": s.agreed_terms,
                        "open_actions": s.open_actions,
                    }
                    for s in summaries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not summaries:
        click.echo("No sessions yet. Create one with `workshop new --title ...` or `workshop`.")
        return
    click.echo(
        f"{'ID':>4}  {'DATE':10}  {'STEP':4}  {'TERMS':>7}  {'OPEN':>4}  TITLE (ORGANISATION)"
    )
    for s in summaries:
        org = f" ({s.session.organisation})" if s.session.organisation else ""
        click.echo(
            f"{s.session.id:>4}  {s.session.date.isoformat():10}  {s.session.step_reached:>4}  "
            f"{s.agreed_terms:>3}/{s.terms:<3}  {s.open_actions:>4}  {s.session.title}{org}"
        )


@main.command(name="open")
@click.argument("session_id", type=int)
@click.pass_context
@user_errors
def open_session(ctx: click.Context, session_id: int) -> None:
    """Open a session in the workshop app."""
    with open_store(ctx) as store:
        store.get_session(session_id)
    launch_tui(database_path(ctx), session_id=session_id)


@main.command(name="import")
@click.argument("file", type=FilePath(path_type=Path, dir_okay=False, exists=True))
@click.pass_context
@user_errors
def import_file(ctx: click.Context, file: Path) -> None:
    """Import a session JSON file (all or nothing) and print the new id."""
    from workshop.session_file import import_json

    data = file.read_bytes()
    with open_store(ctx) as store:
        session = import_json(store, data)
    click.echo(session.id)


@main.command()
@click.argument("session_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "csv", "ics", "json"]),
    default="md",
    show_default=True,
    help="md action plan, csv action items, ics calendar, json session file.",
)
@click.option(
    "-o",
    "--output",
    type=FilePath(path_type=Path, allow_dash=True),
    help="File to write, or - for stdout.",
)
@click.option(
    "--template",
    type=FilePath(path_type=Path, dir_okay=False, exists=True),
    help="Your own Jinja template (md only; runs sandboxed).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
@user_errors
def export(
    ctx: click.Context,
    session_id: int,
    fmt: str,
    output: Path | None,
    template: Path | None,
    force: bool,
) -> None:
    """Export a session: the action plan, its action items, a calendar, or the session file."""
    from workshop.export import default_filename, render, write_atomically

    if template is not None and fmt != "md":
        fail("--template works with --format md only.")
    with open_store(ctx) as store:
        session = store.get_session(session_id)
        text = render(store, session_id, fmt, template=template)
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    path = output if output is not None else Path(default_filename(session, fmt))
    written = write_atomically(path, text, force=force)
    click.echo(f"Wrote {written}")


@main.command()
@user_errors
def schema() -> None:
    """Print the JSON Schema of session files."""
    from workshop.session_file import json_schema

    click.echo(json_schema(), nl=False)


@main.command()
@click.option("--no-open", is_flag=True, help="Only create the copy and print where it is.")
@user_errors
def demo(no_open: bool) -> None:
    """Open the complete demo session in a temporary copy (your database is not touched)."""
    from workshop.resources import sample_session
    from workshop.session_file import import_json
    from workshop.store import Store

    folder = Path(tempfile.mkdtemp(prefix="workshop-demo-"))
    path = folder / "demo.db"
    with Store(path) as store:
        session = import_json(store, sample_session("demo").read_bytes())
    click.echo(f"Demo session {session.id} in {path}")
    if no_open:
        return
    try:
        launch_tui(path, session_id=session.id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _register_review_commands() -> None:
    """Add the follow-up review commands (`review`, `status`) kept in their own module."""
    try:
        from workshop import cli_review  # type: ignore[attr-defined, unused-ignore]
    except ImportError:  # pragma: no cover - the module arrives with the review feature
        return
    for command in cli_review.COMMANDS:
        main.add_command(command)


_register_review_commands()
