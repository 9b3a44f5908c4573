"""Shared fixtures: a fresh store on a temporary file, a session in it, a frozen clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop import models as m
from workshop.storage.store import Store

FROZEN_NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workshop.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store(db_path, clock=clock, who="tester") as opened:
        yield opened


@pytest.fixture
def session(store: Store) -> m.Session:
    return store.create_session(
        m.Session(
            title="Q3 alignment", organisation="Acme", facilitator="Fay", date=dt.date(2026, 11, 23)
        )
    )


@pytest.fixture
def make_tui(db_path: Path, clock: FakeClock, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build the app the way the CLI does, on the test database, with a private settings file."""
    from tui.app import make_app

    def factory(**kwargs):  # type: ignore[no-untyped-def]
        return make_app(db_path, clock=clock, config_path=tmp_path / "settings.json", **kwargs)

    return factory
