"""Timeboxes: the countdown maths, persistence, and the header timer driven by a fake clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import FakeClock
from workshop import countdown as cd
from workshop import models as m
from workshop import timebox as tb
from workshop.storage.store import Store

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_countdown_runs_pauses_and_extends() -> None:
    countdown = cd.Countdown(planned_seconds=600)
    countdown.start(T0)
    assert countdown.remaining(T0 + dt.timedelta(seconds=90)) == 510
    countdown.pause(T0 + dt.timedelta(seconds=90))
    assert countdown.remaining(T0 + dt.timedelta(hours=1)) == 510  # paused: time stands still
    countdown.extend()
    assert countdown.remaining(T0) == 810
    countdown.toggle(T0)
    assert countdown.running


def test_times_are_said_in_words_without_a_sign() -> None:
    assert cd.format_seconds(605) == "10:05"
    assert cd.format_seconds(-65) == "1:05"
    assert cd.format_seconds(0) == "0:00"
    assert (cd.format_remaining(535), cd.format_remaining(0)) == ("8:55 left", "0:00 left")
    assert cd.format_remaining(-210) == "3:30 over"
    differences = [cd.format_difference(s) for s in (210, -50, 0)]
    assert differences == ["3:30 over", "0:50 under", "on time"]


def test_timebox_is_created_with_the_default_plan_and_saved(
    store: Store, session: m.Session
) -> None:
    box = tb.timebox_for(store, session.id or 0, 3)
    assert box.planned_minutes == tb.DEFAULT_MINUTES[3]
    countdown = tb.countdown_of(box)
    countdown.start(T0)
    countdown.extend()
    saved = tb.save_countdown(store, box, countdown, T0 + dt.timedelta(seconds=125))
    assert (saved.planned_minutes, saved.actual_seconds) == (tb.DEFAULT_MINUTES[3] + 5, 125)
    assert tb.timebox_for(store, session.id or 0, 3).id == box.id
    assert tb.planned_vs_actual(store, session.id or 0) == [(3, tb.DEFAULT_MINUTES[3] + 5, 125)]


async def test_header_timer_start_pause_extend_and_bell(
    make_tui, session: m.Session, clock: FakeClock, db_path: Path
) -> None:
    app = make_tui(session_id=session.id)
    rings: list[bool] = []
    app.bell = lambda: rings.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        timer = app.screen.timer
        clock.advance(seconds=65)
        timer.tick()
        await pilot.pause()
        text = str(timer.query_one("#timer-text").render())
        assert "▶ 8:55 left" in text
        await pilot.press("t")  # pause saves the time spent
        await pilot.pause()
        with Store(db_path) as check:
            boxes = check.rows(m.Timebox, session.id or 0)
        assert [(b.step, b.actual_seconds) for b in boxes] == [(1, 65)]

        await pilot.press("plus")
        await pilot.pause()
        with Store(db_path) as check:
            assert check.rows(m.Timebox, session.id or 0)[0].planned_minutes == 15

        await pilot.press("t")
        clock.advance(minutes=20)
        timer.tick()
        timer.tick()
        await pilot.pause()
        assert rings == [True]  # rings once at zero
        assert "over" in str(timer.query_one("#timer-text").render())
        assert timer.has_class("-over")
