"""Files the app writes to and reads from: never the open database, never a device or a pipe.

Export targets: the open database and its -wal/-shm are refused however they are named
(the path itself, a symbolic link, a hard link), and so is any existing target that is not
a regular file, even with --force. Files read for import: only regular files, their size
checked before a byte is read, their JSON free of repeated keys, their rows within the
documented counts. Reads that would hang or fill the memory on an unfixed version run in a
child process with a time and a memory limit.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from workshop.cli import main
from workshop.errors import SessionFileError
from workshop.resources import sample_session
from workshop.storage import session_file as sf
from workshop.storage.store import Store

DEMO = sample_session("demo")


def run(db: Path, *args: str) -> Result:
    """The `workshop` command in this process; an escaping exception fails the test."""
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def refused(result: Result, *words: str) -> str:
    """Exit 2 with one `workshop:` line naming `words`; returns that line."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workshop: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database holding the demo as session 1."""
    path = tmp_path / "workshop.db"
    assert run(path, "import", str(DEMO)).output.strip() == "1"
    return path


def still_sound(db: Path, before: str) -> None:
    assert fingerprint(db) == before
    with Store(db) as store:
        assert store.get_session(1).title


# -- export targets -----------------------------------------------------------------------------


def test_export_over_the_database_itself_is_refused_even_with_force(db: Path) -> None:
    before = fingerprint(db)
    refused(run(db, "export", "1", "-o", str(db), "--force"), "open database")
    still_sound(db, before)
    assert leftovers(db.parent) == []


def test_export_over_the_live_wal_is_refused(db: Path) -> None:
    with Store(db) as live:  # a live session keeps the -wal and -shm files in place
        wal = Path(f"{db}-wal")
        assert wal.exists()
        before = fingerprint(wal)
        refused(run(db, "export", "1", "-o", str(wal), "--force"), "-wal")
        assert fingerprint(wal) == before
        assert live.get_session(1).title


def test_export_to_the_shm_is_refused_even_before_it_exists(db: Path) -> None:
    shm = Path(f"{db}-shm")
    assert not shm.exists()  # the last connection closed and removed it
    refused(run(db, "export", "1", "-o", str(shm), "--force"), "-shm")
    assert not shm.exists()


def test_a_symbolic_link_to_the_database_is_refused(db: Path, tmp_path: Path) -> None:
    link = tmp_path / "plan.md"
    link.symlink_to(db)
    before = fingerprint(db)
    refused(run(db, "export", "1", "-o", str(link), "--force"), "open database")
    assert link.is_symlink()
    still_sound(db, before)


def test_a_hard_link_to_the_database_is_refused(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    link = folder / "plan.md"
    os.link(db, link)
    before = fingerprint(db)
    refused(run(db, "export", "1", "-o", str(link), "--force"), "open database")
    assert os.stat(link).st_ino == os.stat(db).st_ino  # the link still names the database
    still_sound(db, before)


def test_a_named_pipe_target_is_refused_with_force_without_opening_it(
    db: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "plan.md"
    os.mkfifo(pipe)
    refused(run(db, "export", "1", "-o", str(pipe), "--force"), "named pipe")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert leftovers(tmp_path) == []


def a_device(tmp_path: Path) -> Path:
    """A character device: a copy of /dev/null's node where we may make one (as root, so
    that an unfixed version replaces a node of the test's own), else /dev/null itself
    (which a user other than root cannot replace)."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.stat("/dev/null").st_rdev)
    return node


def test_a_device_target_is_refused_with_force(db: Path, tmp_path: Path) -> None:
    device = a_device(tmp_path)
    refused(run(db, "export", "1", "-o", str(device), "--force"), "device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert leftovers(device.parent) == []


def test_a_folder_target_is_refused_with_force(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    refused(run(db, "export", "1", "-o", str(folder), "--force"), "folder")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_stdout_and_an_ordinary_file_are_still_written(db: Path, tmp_path: Path) -> None:
    assert run(db, "export", "1", "-o", "-").output.startswith("# Action plan")
    target = tmp_path / "plan.md"
    target.write_text("old")
    assert run(db, "export", "1", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Action plan")


async def test_the_tui_refuses_to_export_over_its_database_inline(
    make_tui: Any, db_path: Path
) -> None:
    from textual.widgets import Input

    assert run(db_path, "import", str(DEMO)).exit_code == 0
    before = fingerprint(db_path)
    app = make_tui(session_id=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        export = app.screen
        assert type(export).__name__ == "ExportScreen"
        export.query_one("#export-path", Input).value = str(db_path)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExportScreen"  # no "exists. Replace it?"
        message = str(export.query_one("#export-error").render())
        assert "open database" in message
    assert fingerprint(db_path) == before


# -- files read for import ----------------------------------------------------------------------

CHILD = """
import atexit, resource, sys
limit, peak_file = int(sys.argv[1]), sys.argv[2]
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def note_peak():
    try:
        with open("/proc/self/status") as status:
            peak = next(line for line in status if line.startswith("VmHWM")).split()[1]
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(peak_file, "w") as out:
        out.write(str(peak))


atexit.register(note_peak)
from workshop.cli import main
main(sys.argv[3:])
"""
MEMORY_LIMIT = 1024 * 1024 * 1024
"""Address space of a child: far above what refusing a file needs, far below reading a
device or a sparse gigabyte."""


def import_in_child(db: Path, file: Path, timeout: float = 20) -> tuple[int | None, str, float]:
    """`workshop import FILE` in a child process with a memory limit; (exit status or None if
    it had to be stopped after `timeout`, stderr, peak resident MB of the child itself)."""
    peak_file = db.parent / "peak"
    command = [sys.executable, "-c", CHILD, str(MEMORY_LIMIT), str(peak_file)]
    try:
        done = subprocess.run(
            [*command, "--db", str(db), "import", str(file)],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as stopped:
        return None, (stopped.stderr or b"").decode("utf-8", "replace"), 0.0
    peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
    return done.returncode, done.stderr.decode("utf-8", "replace"), peak_kb / 1024


def assert_child_refused(result: tuple[int | None, str, float], *words: str) -> None:
    status, stderr, peak_mb = result
    assert status == 2, (status, stderr[-500:])
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workshop: "), stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert 0 < peak_mb < 200, peak_mb


@pytest.mark.parametrize("kind", ["fifo", "device"])
async def test_the_tui_import_refuses_a_pipe_or_a_device_inline_without_waiting(
    make_tui: Any, db_path: Path, tmp_path: Path, kind: str
) -> None:
    from textual.widgets import Input

    target = tmp_path / "incoming.json"
    if kind == "fifo":
        os.mkfifo(target)  # nobody ever writes to it: reading would wait for ever
    else:
        target = Path("/dev/zero")  # reading it would never end
    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        message = str(app.screen.query_one("#form-error").render())
        assert ("pipe" if kind == "fifo" else "device") in message
        assert "nothing was read" in message
    with Store(db_path) as check:
        assert check.sessions() == []


def test_importing_dev_zero_is_refused_at_once(db: Path) -> None:
    assert_child_refused(import_in_child(db, Path("/dev/zero")), "/dev/zero", "device")


def test_importing_a_named_pipe_is_refused_without_waiting_for_a_writer(
    db: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "session.json"
    os.mkfifo(pipe)
    assert_child_refused(import_in_child(db, pipe), "named pipe")


def test_a_symbolic_link_to_dev_zero_is_refused(db: Path, tmp_path: Path) -> None:
    link = tmp_path / "session.json"
    link.symlink_to("/dev/zero")
    assert_child_refused(import_in_child(db, link), "device")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db: Path, tmp_path: Path) -> None:
    sparse = tmp_path / "huge.json"
    with sparse.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)  # two sparse gigabytes: no disk, no time
    assert_child_refused(import_in_child(db, sparse), "larger than")


def test_read_session_file_refuses_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(sf.MAX_FILE_BYTES + 1)
    with pytest.raises(SessionFileError, match="larger than"):
        sf.read_session_file(big)
    assert sf.read_session_file(DEMO) == DEMO.read_bytes()


def demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


def test_a_key_repeated_at_the_top_level_is_refused(db: Path, tmp_path: Path) -> None:
    text = demo_text().replace(
        '"format_version": 1,', '"format_version": 1,\n  "format_version": 1,'
    )
    file = tmp_path / "twice.json"
    file.write_text(text, encoding="utf-8")
    result = run(db, "import", str(file))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "file: the key 'format_version' appears more than once" in result.stderr
    assert json.loads(run(db, "list", "--json").output)[0]["id"] == 1  # nothing imported


def test_a_key_repeated_inside_a_row_is_refused_with_the_rows_path() -> None:
    data = json.loads(demo_text())
    text = json.dumps(data, indent=2).replace(
        '"title": "Resolve the MQL definition dispute",',
        '"title": "Resolve the MQL definition dispute",\n      "title": "Something else",',
    )
    assert text.count('"Something else"') == 1
    with pytest.raises(SessionFileError) as raised:
        sf.parse_document(text)
    assert raised.value.problems == ["action_items[0]: the key 'title' appears more than once"]


def test_more_participants_than_the_limit_are_refused_quickly_in_one_line(
    db: Path, tmp_path: Path
) -> None:
    data = json.loads(demo_text())
    data["participants"] = [
        {"id": i, "name": f"Person {i}", "team": "sales"} for i in range(1, 1_002)
    ]
    file = tmp_path / "crowd.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    line = refused(run(db, "import", str(file)), "1,001 participants", "at most")
    assert f"{sf.MAX_ROWS['participants']:,}" in line
    assert len(json.loads(run(db, "list", "--json").output)) == 1


def test_a_file_of_many_bad_rows_stops_after_a_bounded_number_of_problems() -> None:
    data = json.loads(demo_text())
    data["action_items"] = [{"title": "", "status": "someday"}] * 5_000
    with pytest.raises(SessionFileError) as raised:
        sf.parse_document(json.dumps(data))
    assert len(raised.value.problems) <= 100  # not one per bad field of 5,000 rows
    assert len(raised.value.problems) == sf.MAX_PROBLEMS
    message = str(raised.value)
    assert message.startswith(f"The session file has more than {sf.MAX_PROBLEMS} problems")
    assert len(message.splitlines()) == sf.MAX_SHOWN_PROBLEMS + 2


def test_millions_of_tiny_values_are_refused_before_parsing() -> None:
    data = json.loads(demo_text())
    text = json.dumps(data).replace('"participants": [', '"participants": [' + "{}," * 800_000)
    with pytest.raises(SessionFileError, match="too many values"):
        sf.parse_document(text)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_a_device_given_as_the_database_is_refused_at_once(
    tmp_path: Path, kind: str
) -> None:
    """`--db` naming a named pipe used to block for ever on its open; a device is refused by
    what it is, not by the bytes read from it."""
    target = tmp_path / "workshop.db"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from workshop.cli import main; main()",
                "--db",
                str(target),
                "list",
            ],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"workshop list on a {kind} did not return within 20 s")
    assert done.returncode == 2, done.stderr
    words = "is a named pipe (FIFO)" if kind == "fifo" else "is a device"
    assert done.stderr.startswith("workshop: ") and words in done.stderr, done.stderr
