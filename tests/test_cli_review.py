"""`workshop status` and `workshop review`: text, JSON, exit codes, and no Textual for status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workshop import models as m
from workshop.cli import main
from workshop.storage.store import Store


@pytest.fixture
def reviewed(store: Store, session: m.Session) -> m.Session:
    """A session with one overdue item, one open item, a KPI with a reading and a review."""
    sid = session.id or 0
    owner = store.add(m.Participant(name="Ann Lee", team=m.Team.SALES), sid)
    store.add(m.ActionItem(title="Fix the sync", due=dt.date(2026, 12, 1), owner_id=owner.id), sid)
    store.add(m.ActionItem(title="Joint training", due=dt.date(2027, 2, 1)), sid)
    kpi = store.add(
        m.Kpi(
            name="Speed to lead", unit="hours", baseline=31, target=4, direction=m.Direction.DOWN
        ),
        sid,
    )
    store.add(m.KpiReading(kpi_id=kpi.id or 0, value=19, date=dt.date(2026, 12, 10)), sid)
    store.add(m.Review(date=dt.date(2026, 12, 5), reviewer="Fay"), sid)
    return session


def _run(db_path: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["--db", str(db_path), *args])


def test_status_text(reviewed: m.Session, db_path: Path) -> None:
    result = _run(db_path, "status", str(reviewed.id), "--as-of", "2026-12-20")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    text = result.output  # type: ignore[attr-defined]
    assert "since the review of 2026-12-05 (Fay)" in text
    assert (
        "Overdue (1)\n  - Fix the sync — Ann Lee (other), open, due 2026-12-01, 19 days late"
        in text
    )
    assert "Open and blocked, by owner (1)\n  - Joint training — no owner" in text
    assert (
        "Speed to lead: baseline 31 hours, target 4 hours; latest 19 hours on 2026-12-10 — on track"
        in text
    )


def test_status_json(reviewed: m.Session, db_path: Path) -> None:
    result = _run(db_path, "status", str(reviewed.id), "--json", "--as-of", "2026-12-20")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    report = json.loads(result.output)  # type: ignore[attr-defined]
    assert report["as_of"] == "2026-12-20"
    assert report["since"] == {
        "date": "2026-12-05",
        "label": "since the review of 2026-12-05 (Fay)",
        "review": True,
    }
    assert [(i["title"], i["owner"], i["days_late"]) for i in report["overdue"]] == [
        ("Fix the sync", "Ann Lee", 19)
    ]
    assert [i["title"] for i in report["open"]] == ["Joint training"]
    assert report["done_since"] == []
    [kpi] = report["kpis"]
    assert (kpi["latest"], kpi["on_track"], kpi["verdict"]) == ("19", True, "on track")


def test_status_of_a_session_without_anything_still_exits_zero(
    session: m.Session, db_path: Path
) -> None:
    result = _run(db_path, "status", str(session.id))
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "not reviewed yet" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [("status", "99"), ("status", "x"), ("review", "99"), ("status", "1", "--as-of", "soon")],
)
def test_errors_exit_2_with_one_line(session: m.Session, db_path: Path, args: tuple) -> None:
    result = _run(db_path, *args)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_status_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database")
    result = _run(bogus, "status", "1")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.output.count("\n") == 1  # type: ignore[attr-defined]


def test_review_opens_the_latest_session_in_review_mode(
    store: Store, session: m.Session, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = store.create_session(m.Session(title="Later", date=dt.date(2027, 1, 1)))
    opened: list[tuple[Path, int | None, bool]] = []
    monkeypatch.setattr(
        "workshop.cli.common.launch_tui",
        lambda db, *, session_id=None, review=False: opened.append((db, session_id, review)),
    )
    assert _run(db_path, "review").exit_code == 0  # type: ignore[attr-defined]
    assert _run(db_path, "review", str(session.id)).exit_code == 0  # type: ignore[attr-defined]
    assert opened == [(db_path, newer.id, True), (db_path, session.id, True)]


def test_review_without_sessions_says_so(tmp_path: Path) -> None:
    result = _run(tmp_path / "empty.db", "review")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "no sessions" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(
            ["review"],
            ["Open a session in review mode: since last time, progress, KPIs"],
            id="review",
        ),
        pytest.param(
            ["status"],
            [
                "Print the review summary of a session: overdue, open, done since last review",
                "--json Print JSON instead of text.",
                "--as-of [%Y-%m-%d] Count overdue items as of this date",
            ],
            id="status",
        ),
    ],
)
def test_commands_have_help(args: list[str], says: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # as one line, whatever the terminal width
    for words in says:
        assert words in shown, shown
