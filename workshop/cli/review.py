"""The follow-up review commands: `workshop review [ID]` and `workshop status ID [--json]`.

`workshop.cli.commands` registers `COMMANDS` from here; the shared helpers come from
`workshop.cli.common`, which imports neither command module. What a command needs is
imported when it runs, so `workshop` with no command starts without the review modules.
`status` never imports Textual, so it runs anywhere, for people who never open the app.
Its text is terminal-safe and its JSON escapes every control character, so a title edited
by hand cannot act on the terminal that shows it.
"""

from __future__ import annotations

import datetime as dt

import click

from workshop.cli import common
from workshop.cli.common import database_path, fail, open_store, user_errors


@click.command()
@click.argument("session_id", type=int, required=False)
@click.pass_context
@user_errors
def review(ctx: click.Context, session_id: int | None) -> None:
    """Open a session in review mode: since last time, progress, KPIs (default: the latest)."""

    with open_store(ctx) as store:
        if session_id is None:
            summaries = store.sessions()  # newest workshop first
            if not summaries:
                fail("there are no sessions to review yet; create one with `workshop`.")
                return
            session_id = summaries[0].session.id
        else:
            store.get_session(session_id)
    common.launch_tui(database_path(ctx), session_id=session_id, review=True)


@click.command()
@click.argument("session_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Count overdue items as of this date (YYYY-MM-DD; default: today).",
)
@click.pass_context
@user_errors
def status(ctx: click.Context, session_id: int, as_json: bool, as_of: dt.datetime | None) -> None:
    """Print the review summary of a session: overdue, open, done since last review, KPIs, notes."""

    import json

    from workshop.blind_round import disclosure_of
    from workshop.review.board import summary_from_rows
    from workshop.review.report import assessment_report, board_report
    from workshop.review.status_text import assessment_lines, status_lines
    from workshop.storage.rows import read_session
    from workshop.text import json_safe, terminal_safe

    today = as_of.date() if as_of else dt.date.today()
    with open_store(ctx) as store:
        rows = read_session(store, session_id)
    board, assessment = summary_from_rows(rows, today), disclosure_of(rows)
    if as_json:
        report = board_report(board) | {"assessment": assessment_report(assessment)}
        click.echo(json_safe(json.dumps(report, indent=2, ensure_ascii=False)))
    else:
        lines = [*status_lines(board), *assessment_lines(assessment)]
        click.echo("\n".join(terminal_safe(line) for line in lines))


COMMANDS = [review, status]
"""The commands `workshop` adds to its group."""
