"""Exporting a session: the action plan (Markdown), action items (CSV), a calendar (ICS), JSON.

This module stays light: Jinja, icalendar and the renderers are imported only when an
export runs, so starting the app or the CLI does not pay for them.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workshop.errors import ExportError
from workshop.export.files import check_target, default_filename, write_atomically

if TYPE_CHECKING:
    from workshop.storage.store import Store

FORMATS: tuple[str, ...] = ("md", "csv", "ics", "json")
"""The export formats, as `--format` spells them."""

__all__ = [
    "FORMATS",
    "build_context",
    "check_target",
    "default_filename",
    "render",
    "write_atomically",
]


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an export builds and renders.

    An export allocates tens of thousands of dicts, lists and tuples that hold no reference
    cycles; the collector would only rescan them again and again, so the time grew faster
    than the number of action items (20,000 took about 2.4 times as long as 10,000).
    Reference counting still frees everything as usual; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_context(
    store: Store, session_id: int, *, today: dt.date | None = None, tables: bool = True
) -> dict[str, Any]:
    """The data a template gets (documented in docs/templates.md); `today` sets overdue flags.

    `tables=False` skips the Markdown rows of the action tables (the CSV and ICS need none).
    """
    from workshop.export.context import build_context as build

    return build(store, session_id, today=today, tables=tables)


def render(
    store: Store,
    session_id: int,
    fmt: str,
    *,
    template: Path | None = None,
    today: dt.date | None = None,
) -> str:
    """The session exported as `fmt` (md, csv, ics or json); `template` replaces the shipped
    Markdown template and runs sandboxed. Raises ExportError with a one-line message."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format '{fmt}': choose one of {', '.join(FORMATS)}.")
    if template is not None and fmt != "md":
        raise ExportError(f"--template applies to the Markdown export only, not to {fmt}.")
    if fmt == "json":
        from workshop.storage.session_file import export_json

        return export_json(store, session_id)  # a plain NotFound for a missing session
    with _without_cycle_collection():
        context = build_context(store, session_id, today=today, tables=fmt == "md")
        if fmt == "md":
            from workshop.export import markdown

            if template is not None:
                return markdown.render_user_template(context, Path(template))
            return markdown.render_action_plan(context)
        if fmt == "csv":
            from workshop.export.tabular import render_csv

            return render_csv(context)
        from workshop.export.ics import render_ics

        return render_ics(context)
