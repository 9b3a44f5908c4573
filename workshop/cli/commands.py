"""The `workshop` command: a thin click layer over the library, and the way into the TUI.

Commands that do not open the TUI never import Textual, so `workshop list` and
`workshop export` start fast and work without a terminal.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workshop.cli import common
from workshop.cli import review as review_commands
from workshop.cli.common import (
    FilePath,
    OneLineErrors,
    database_path,
    fail,
    open_store,
    user_errors,
)
from workshop.storage.database import (
    DB_ENV_VAR,
    default_database_path,
    holds_session,
    inspect_file,
)
from workshop.text import terminal_safe

if TYPE_CHECKING:
    from workshop.storage.store import SessionSummary


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
        common.launch_tui(path)


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
    """List the sessions in the database.

    A session whose stored row is damaged (edited by hand) is listed with the others, its
    unreadable fields shown as "?"; its problems follow on stderr, and the status is 2.
    """
    from workshop.storage.store import damaged

    with open_store(ctx) as store:
        summaries = store.sessions()
    if as_json:
        _print_sessions_json(summaries)
    elif not summaries:
        click.echo("No sessions yet. Create one with `workshop new --title ...` or `workshop`.")
    else:
        _print_sessions_table(summaries)
    problems = [problem for s in summaries for problem in s.problems]
    if problems:
        headline, *details = str(damaged(problems)).split("\n")
        fail(headline, [detail.strip() for detail in details])


def _print_sessions_json(summaries: list[SessionSummary]) -> None:
    import json

    from workshop.text import json_safe

    entries = []
    for s in summaries:
        entry: dict[str, Any] = {
            "id": s.session.id,
            "title": s.session.title,
            "organisation": s.session.organisation,
            "date": s.session.date.isoformat(),
            "step_reached": s.session.step_reached,
            "agreed_terms": s.agreed_terms,
            "open_actions": s.open_actions,
        }
        if s.problems:
            entry = {k: None if k in s.damaged else v for k, v in entry.items()}
            entry["problems"] = list(s.problems)
        entries.append(entry)
    click.echo(json_safe(json.dumps(entries, indent=2, ensure_ascii=False)))


def _print_sessions_table(summaries: list[SessionSummary]) -> None:
    click.echo(
        f"{'ID':>4}  {'DATE':10}  {'STEP':4}  {'TERMS':>7}  {'OPEN':>4}  TITLE (ORGANISATION)"
    )
    for s in summaries:
        session = s.session
        org = _cell(s, "organisation", session.organisation)
        mark = "  [damaged: see below]" if s.problems else ""
        click.echo(
            f"{session.id:>4}  {_cell(s, 'date', session.date.isoformat()):10}  "
            f"{_cell(s, 'step_reached', str(session.step_reached)):>4}  "
            f"{s.agreed_terms:>3}/{s.terms:<3}  {s.open_actions:>4}  "
            f"{_cell(s, 'title', session.title)}{f' ({org})' if org else ''}{mark}"
        )


def _cell(summary: SessionSummary, field: str, text: str) -> str:
    """A field of a listed session, terminal-safe, or "?" where the stored value is damaged."""
    return "?" if field in summary.damaged else terminal_safe(text)


@main.command(name="open")
@click.argument("session_id", type=int)
@click.pass_context
@user_errors
def open_session(ctx: click.Context, session_id: int) -> None:
    """Open a session in the workshop app."""
    path = database_path(ctx)
    if not holds_session(path, session_id):  # asked without the store: see holds_session
        fail(f"There is no session {session_id} in {path}.")
    common.launch_tui(path, session_id=session_id)


@main.command(name="import")
@click.argument("file", type=FilePath(path_type=Path))
@click.pass_context
@user_errors
def import_file(ctx: click.Context, file: Path) -> None:
    """Import a session JSON file (all or nothing) and print the new id.

    Only a regular file is read, and only after its size is checked (see
    `workshop.storage.session_file.read_session_file`).
    """
    from workshop.storage.session_file import import_document, parse_document, read_session_file

    document = parse_document(read_session_file(file))  # checked whole before the database
    with open_store(ctx) as store:
        session = import_document(store, document)
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
    from workshop.export import check_target, default_filename, render, write_atomically

    if template is not None and fmt != "md":
        fail("--template works with --format md only.")
    to_stdout = output is not None and str(output) == "-"
    database = database_path(ctx)
    if output is not None and not to_stdout:
        check_target(output, protect=database)  # refused at once, before the export renders
    with open_store(ctx) as store:
        session = store.get_session(session_id)
        text = render(store, session_id, fmt, template=template)
    if to_stdout:
        click.echo(text, nl=False)
        return
    path = output if output is not None else Path(default_filename(session, fmt))
    written = write_atomically(path, text, force=force, protect=database)
    click.echo(f"Wrote {terminal_safe(str(written))}")


@main.command()
@user_errors
def schema() -> None:
    """Print the JSON Schema of session files."""
    from workshop.storage.session_file import json_schema

    click.echo(json_schema(), nl=False)


@main.command()
@click.option("--no-open", is_flag=True, help="Only create the copy and print where it is.")
@user_errors
def demo(no_open: bool) -> None:
    """Open the complete demo session in a temporary copy (your database is not touched)."""
    from workshop.resources import sample_session
    from workshop.storage.session_file import import_json
    from workshop.storage.store import Store

    folder = Path(tempfile.mkdtemp(prefix="workshop-demo-"))
    path = folder / "demo.db"
    with Store(path) as store:
        session = import_json(store, sample_session("demo").read_bytes())
    click.echo(f"Demo session {session.id} in {terminal_safe(str(path))}")
    if no_open:
        return
    try:
        common.launch_tui(path, session_id=session.id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


for _command in review_commands.COMMANDS:
    main.add_command(_command)
