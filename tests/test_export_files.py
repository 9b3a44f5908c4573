"""Export files: default names from the session, and writes that never overwrite or half-write."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop import models as m
from workshop.errors import ExportError
from workshop.export import default_filename, write_atomically

DAY = dt.date(2026, 11, 17)


def named(title: str) -> m.Session:
    return m.Session(title=title, date=DAY)


@pytest.mark.parametrize(
    ("title", "fmt", "expected"),
    [
        ("Q3 Revenue Alignment", "md",  "2026-11-17-q3-revenue-alignment-action-plan.md"),
        ("Q3 Revenue Alignment", "csv", "2026-11-17-q3-revenue-alignment-action-items.csv"),
        ("Q3 Revenue Alignment", "ics", "2026-11-17-q3-revenue-alignment-calendar.ics"),
        ("Q3 Revenue Alignment", "json", "2026-11-17-q3-revenue-alignment-session.json"),
        ("Réunion d'équipe — Q3/../x", "md", "2026-11-17-reunion-d-equipe-q3-x-action-plan.md"),
        ("مرحبا 🚀", "md", "2026-11-17-workshop-action-plan.md"),
        ("{{ 7*7 }} | <b>", "md", "2026-11-17-7-7-b-action-plan.md"),
    ],
)  # fmt: skip
def test_default_filename_is_an_ascii_slug_of_title_and_date(
    title: str, fmt: str, expected: str
) -> None:
    assert default_filename(named(title), fmt) == expected


def test_default_filename_stays_short() -> None:
    name = default_filename(named("word " * 39), "md")
    assert len(name) <= 100
    assert name.endswith("-word-action-plan.md")


def test_default_filename_refuses_an_unknown_format() -> None:
    with pytest.raises(ExportError, match="Unknown export format 'pdf'"):
        default_filename(named("x"), "pdf")


@pytest.fixture
def umask() -> Iterator[int]:
    old = os.umask(0o022)
    try:
        yield 0o022
    finally:
        os.umask(old)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_a_new_file_with_the_users_umask(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "plan.md"
    assert write_atomically(target, "# Plan\r\nline\n") == target
    assert target.read_bytes() == b"# Plan\r\nline\n"  # newlines are written as given
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert leftovers(tmp_path) == []


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.write_text("old")
    with pytest.raises(ExportError, match=r"plan\.md exists; use --force to overwrite\."):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_force_overwrites_and_keeps_the_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.write_text("old")
    target.chmod(0o600)
    write_atomically(target, "new ✓", force=True)
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []


def test_a_crash_mid_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.md"
    target.write_text("old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ExportError, match=r"Cannot write .*plan\.md: No space left on device"):
        write_atomically(target, "new" * 1000, force=True)
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_a_file_created_meanwhile_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.md"
    real_fsync = os.fsync

    def someone_else_writes(fd: int) -> None:
        real_fsync(fd)
        if not target.exists():
            target.write_text("theirs")

    monkeypatch.setattr(os, "fsync", someone_else_writes)
    with pytest.raises(ExportError, match="exists; use --force"):
        write_atomically(target, "mine")
    assert target.read_text() == "theirs"
    assert leftovers(tmp_path) == []


def test_folders_and_missing_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"):
        write_atomically(tmp_path, "x")
    with pytest.raises(ExportError, match=r"folder .*missing does not exist"):
        write_atomically(tmp_path / "missing" / "plan.md", "x")


def test_the_open_database_and_its_companions_are_never_targets(tmp_path: Path) -> None:
    database = tmp_path / "workshop.db"
    database.write_bytes(b"SQLite format 3\x00")
    for name in ("workshop.db", "workshop.db-wal", "workshop.db-shm", "workshop.db-journal"):
        with pytest.raises(ExportError, match="open database"):
            write_atomically(tmp_path / name, "plan", force=True, protect=database)
    # A path that reaches the folder another way is the same file.
    with pytest.raises(ExportError, match="open database"):
        write_atomically(tmp_path / "." / "workshop.db-wal", "plan", protect=database)
    assert database.read_bytes() == b"SQLite format 3\x00"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["workshop.db"]


def test_a_file_next_to_the_database_is_still_written(tmp_path: Path) -> None:
    database = tmp_path / "workshop.db"
    database.write_bytes(b"")
    target = tmp_path / "workshop.db-plan.md"
    write_atomically(target, "plan", protect=database)
    assert target.read_text() == "plan"
