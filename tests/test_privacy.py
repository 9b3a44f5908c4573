"""Permissions and privacy: owner-only database files, exports under the user's umask,
nothing sent anywhere, and no secrets in the change log.

tests/test_db.py already checks that a new database and its WAL/SHM are owner-only; these
tests add what happens after a crash and a reopen, the folders made for the database, the
exports, the network and the log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from workshop import models as m
from workshop.cli import main
from workshop.resources import sample_session
from workshop.storage.store import Store

PROJECT = Path(__file__).resolve().parent.parent
NETWORK_MODULES = (
    "ssl",
    "urllib.request",
    "http.client",
    "requests",
    "httpx",
    "aiohttp",
    "smtplib",
    "ftplib",
    "xmlrpc.client",
)


@pytest.fixture
def umask() -> Iterator[object]:
    """Set the process umask for the test (restored afterwards)."""
    previous = os.umask(0o022)

    def set_to(value: int) -> None:
        os.umask(value)

    yield set_to
    os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def siblings(db: Path) -> list[Path]:
    return [db, Path(f"{db}-wal"), Path(f"{db}-shm")]


# -- the database files ----------------------------------------------------------------------


def test_the_files_stay_owner_only_after_a_crash_and_a_reopen(tmp_path: Path, umask) -> None:  # type: ignore[no-untyped-def]
    umask(0)
    db = tmp_path / "workshop.db"
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # a writer killed in the middle of its work
        try:
            store = Store(db)
            session = store.create_session(m.Session(title="T", date=dt.date(2026, 11, 23)))
            store.add(m.Term(name="MQL"), session.id)
            os.write(write_fd, b"saved\n")
            while True:
                store.add(m.ActionItem(title="again"), session.id)
        finally:
            os._exit(1)
    os.close(write_fd)
    assert os.read(read_fd, 6) == b"saved\n"
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    left = [path for path in siblings(db) if path.exists()]
    assert len(left) == 3, "a killed writer leaves its WAL and SHM behind"
    assert {path.name: mode(path) for path in left} == {path.name: 0o600 for path in left}
    with Store(db) as store:  # recovery, then more writes
        store.add(m.Term(name="SQL"), store.sessions()[0].session.id)
        assert {p.name: mode(p) for p in siblings(db)} == {p.name: 0o600 for p in siblings(db)}
    assert not Path(f"{db}-wal").exists(), "a clean close removes the WAL"
    with Store(db) as store:  # the WAL and SHM are created afresh
        store.add(m.Term(name="SAL"), store.sessions()[0].session.id)
        assert {p.name: mode(p) for p in siblings(db)} == {p.name: 0o600 for p in siblings(db)}


def test_a_folder_made_for_the_database_is_owner_only(tmp_path: Path, umask) -> None:  # type: ignore[no-untyped-def]
    umask(0)
    db = tmp_path / "made" / "for" / "it" / "workshop.db"
    Store(db).close()
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600


def test_the_default_database_is_created_private(
    tmp_path: Path,
    umask,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    umask(0)
    monkeypatch.delenv("WORKSHOP_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(main, ["list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    db = tmp_path / "data" / "alignment-workshop" / "workshop.db"
    if sys.platform.startswith("linux"):
        assert mode(db) == 0o600 and mode(db.parent) == 0o700


# -- exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("fmt", ["md", "csv", "ics", "json"])
def test_exports_follow_the_users_umask(
    tmp_path: Path,
    umask,  # type: ignore[no-untyped-def]
    mask: int,
    expected: int,
    fmt: str,
) -> None:
    """An export is a document to share: it gets the usual permissions, not the database's."""
    db, target = tmp_path / "workshop.db", tmp_path / f"plan.{fmt}"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["--db", str(db), "import", str(sample_session("demo"))]).exit_code == 0
    )
    umask(mask)
    result = runner.invoke(
        main, ["--db", str(db), "export", "1", "--format", fmt, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert mode(target) == expected
    assert mode(db) == 0o600


# -- nothing is sent anywhere ----------------------------------------------------------------

AUDIT = """
import sys
events = []
NETWORK = ("socket", "urllib", "http", "ftplib", "smtplib", "webbrowser")

def record(event, args):
    if event.split(".")[0] in NETWORK:
        events.append((event, args[1:2] if event == "socket.__new__" else ()))

sys.addaudithook(record)
"""


def run_audited(code: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """Run `code` after installing an audit hook; the network events and modules it saw."""
    report = textwrap.dedent(
        f"""
        import json
        print("EVENTS", json.dumps([f"{{e}}{{a}}" for e, a in events]))
        print("MODULES", json.dumps(sorted(m for m in sys.modules if m in {NETWORK_MODULES!r})))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", AUDIT + textwrap.dedent(code) + report],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "WORKSHOP_DB": str(tmp_path / "workshop.db")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(
        line.split(" ", 1) for line in done.stdout.splitlines() if line[:6] in ("EVENTS", "MODULE")
    )
    return json.loads(lines["EVENTS"]), json.loads(lines["MODULES"])


def test_the_commands_never_touch_the_network(tmp_path: Path) -> None:
    (tmp_path / "mine.md.j2").write_text("# {{ session.title }}\n")
    demo = str(sample_session("demo"))
    commands = [
        ["new", "--title", "T"],
        ["list"],
        ["list", "--json"],
        ["import", demo],
        ["export", "2", "-o", "plan.md"],
        ["export", "2", "--format", "csv", "-o", "-"],
        ["export", "2", "--format", "ics", "-o", "-"],
        ["export", "2", "--format", "json", "-o", "s.json"],
        ["export", "2", "--template", "mine.md.j2", "-o", "-"],
        ["status", "2"],
        ["status", "2", "--json"],
        ["schema"],
        ["demo", "--no-open"],
        ["import", "s.json"],
    ]
    code = f"""
    from workshop.cli import main
    for args in {commands!r}:
        try:
            main(args)
        except SystemExit as done:
            assert not done.code, (args, done.code)
    """
    events, modules = run_audited(code, tmp_path)
    assert events == []
    assert modules == []


def test_the_app_never_touches_the_network(tmp_path: Path) -> None:
    """The TUI's event loop makes a local socket pair (AF_UNIX) to wake itself; nothing else."""
    code = """
    import asyncio, os
    from pathlib import Path
    from tui.app import make_app

    async def drive():
        app = make_app(os.environ["WORKSHOP_DB"], config_path=Path("settings.json"))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n")
            await pilot.pause()
            await pilot.press("escape", "question_mark")
            await pilot.pause()
            await pilot.press("ctrl+q")

    asyncio.run(drive())
    """
    events, modules = run_audited(code, tmp_path)
    import socket

    assert set(events) <= {f"socket.__new__({int(socket.AF_UNIX)},)"}, events
    assert set(modules) <= {"ssl"}  # imported by asyncio itself, never used to connect


# -- no secrets in the log -------------------------------------------------------------------


def test_the_change_log_records_the_user_name_and_no_secret(tmp_path: Path) -> None:
    db = tmp_path / "workshop.db"
    secret = "sk-live-4f9c2a7e1b8d6035"
    env = {
        **os.environ,
        "USER": "alice",
        "WORKSHOP_DB": str(db),
        "API_TOKEN": secret,
        "AWS_SECRET_ACCESS_KEY": secret,
    }
    script = "from workshop.cli import main; main()"
    for args in (["new", "--title", "Q3"], ["import", str(sample_session("demo"))]):
        done = subprocess.run(
            [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    with Store(db) as store:
        whos = {
            change.who
            for summary in store.sessions()
            for change in store.changes(summary.session.id or 0)
        }
        assert whos == {"alice"}
        texts = store.database.query("SELECT * FROM changes")
    assert not any(secret in str(row) for row in texts)
    for path in [db, *(p for p in siblings(db)[1:] if p.exists())]:
        assert secret.encode() not in path.read_bytes()


def test_the_audit_would_see_a_connection_attempt(tmp_path: Path) -> None:
    """The network checks above can fail: a lookup and a connection are recorded."""
    code = """
    import socket
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=0.2)
    except OSError:
        pass
    """
    events, _ = run_audited(code, tmp_path)
    assert any(event.startswith(("socket.connect", "socket.getaddrinfo")) for event in events)
