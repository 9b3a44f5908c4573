"""The hostile-input corpus: bad CLI arguments, session files, database files and templates.

Every case is run through the `workshop` command and must end the same way: exit status 2,
one clear line on stderr starting with `workshop:` (a session file with several problems
gets a headline and one indented line per problem), no traceback, nothing on stdout, and
not a byte changed in the database or any other file (no output file created either).
Files live in tests/corpus/; the large or generated cases are built here.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from workshop.cli import main
from workshop.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "sessions" / "_valid_base.json"


@dataclass
class Workspace:
    """A database holding one imported session, and a working folder with a few files."""

    root: Path
    db: Path
    cwd: Path

    def fingerprint(self) -> dict[str, str]:
        """Every file under the workspace with a hash of its bytes (directories by name)."""
        found = {}
        for path in sorted(self.root.rglob("*")):
            name = str(path.relative_to(self.root))
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
        return found


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    db, cwd = tmp_path / "workshop.db", tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "folder").mkdir()
    (cwd / "existing.md").write_text("# an earlier plan\n")
    (cwd / "plain.md.j2").write_text("# {{ session.title }}\n")
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(BASE)])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("WORKSHOP_DB", raising=False)
    return Workspace(tmp_path, db, cwd)


def run(args: list[str]) -> Result:
    """The command in this process; an exception escaping it fails the test (a traceback)."""
    return CliRunner().invoke(main, args, catch_exceptions=False)


def assert_refused(result: Result, *words: str) -> None:
    """Exit 2, one `workshop:` line on stderr naming `words`, nothing else anywhere."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith("workshop: ") and len(lines[0]) > len("workshop: ") + 10
    if len(lines) > 1:  # a session file's problems: a headline, then one indented line each
        assert lines[0].startswith("workshop: The session file has "), lines[0]
        assert all(line.startswith("  ") for line in lines[1:]), lines
        assert len(lines) <= 22
    for word in words:
        assert word.lower() in result.stderr.lower(), (word, result.stderr)


def refused_untouched(workspace: Workspace, args: list[str], *words: str) -> None:
    before = workspace.fingerprint()
    assert_refused(run(["--db", str(workspace.db), *args]), *words)
    assert workspace.fingerprint() == before, "a refused command changed a file"


# -- command-line arguments ------------------------------------------------------------------

ARGUMENTS: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("negative id", ["open", "-1"], ("no such option",)),
    ("id zero", ["open", "0"], ("no session 0",)),
    ("huge id", ["open", "9" * 30], ("no session",)),
    ("id past sqlite's range", ["export", str(2**63), "-o", "-"], ("no session",)),
    ("huge id for status", ["status", str(10**40)], ("no session",)),
    ("missing id", ["export", "999", "-o", "-"], ("999",)),
    ("fractional id", ["export", "1.5"], ("not a valid integer",)),
    ("word as id", ["export", "abc"], ("abc",)),
    ("status of a word", ["status", "abc"], ("abc",)),
    ("unknown format", ["export", "1", "--format", "pdf"], ("pdf",)),
    ("empty format", ["export", "1", "--format", ""], ("--format",)),
    ("format in capitals", ["export", "1", "--format", "MD"], ("MD",)),
    ("unknown option", ["export", "1", "--bogus"], ("--bogus",)),
    ("unknown command", ["frobnicate"], ("frobnicate",)),
    ("extra argument", ["list", "--json", "extra"], ("extra",)),
    ("missing argument", ["open"], ("missing argument",)),
    ("missing option value", ["export", "1", "-o"], ("-o",)),
    ("missing title", ["new"], ("--title",)),
    ("blank title", ["new", "--title", "   "], ("title",)),
    ("10,000-character title", ["new", "--title", "x" * 10_000], ("200 characters",)),
    ("impossible date", ["new", "--title", "T", "--date", "2026-13-45"], ("--date",)),
    ("word as date", ["new", "--title", "T", "--date", "yesterday"], ("--date",)),
    ("missing import file", ["import", "missing.json"], ("missing.json",)),
    ("folder as import file", ["import", "folder"], ("directory",)),
    ("device as import file", ["import", "/dev/null"], ("device",)),
    ("output in a missing folder", ["export", "1", "-o", "nowhere/plan.md"], ("does not exist",)),
    ("folder as output", ["export", "1", "-o", "folder"], ("folder",)),
    ("existing output", ["export", "1", "-o", "existing.md"], ("--force",)),
    ("output name too long", ["export", "1", "-o", "p" * 300 + ".md"], ("too long",)),
    ("NUL in output name", ["export", "1", "-o", "plan\x00.md"], ("NUL",)),
    ("missing template", ["export", "1", "--template", "missing.j2", "-o", "a.md"], ("missing",)),
    ("folder as template", ["export", "1", "--template", "folder", "-o", "a.md"], ("directory",)),
    ("template with csv", ["export", "1", "--format", "csv", "--template", "plain.md.j2"], ("md",)),
]


@pytest.mark.parametrize(
    ("args", "words"), [c[1:] for c in ARGUMENTS], ids=[c[0] for c in ARGUMENTS]
)
def test_bad_arguments_are_refused_in_one_line(
    workspace: Workspace, args: list[str], words: tuple[str, ...]
) -> None:
    refused_untouched(workspace, args, *words)


def test_a_nul_in_the_database_name_is_refused(workspace: Workspace) -> None:
    before = workspace.fingerprint()
    assert_refused(run(["--db", "w\x00.db", "list"]), "NUL")
    assert workspace.fingerprint() == before


# -- session files ---------------------------------------------------------------------------

SESSION_FILES = sorted(p for p in (CORPUS / "sessions").glob("*.json") if p != BASE)


def test_the_corpus_base_file_is_valid(workspace: Workspace) -> None:
    """The session cases are this file with one thing broken, so they fail for that reason."""
    result = run(["--db", str(workspace.db), "import", str(BASE)])
    assert result.exit_code == 0 and result.output.strip() == "2"


@pytest.mark.parametrize("path", SESSION_FILES, ids=lambda path: path.stem)
def test_a_bad_session_file_is_refused_and_nothing_is_imported(
    workspace: Workspace, path: Path
) -> None:
    refused_untouched(workspace, ["import", str(path)])


def nested(depth: int) -> str:
    return '{"format": "alignment-workshop-session", "session": ' + "[" * depth + "]" * depth + "}"


def base_with(change: Callable[[dict[str, Any]], object]) -> str:
    data = json.loads(BASE.read_text(encoding="utf-8"))
    change(data)
    return json.dumps(data, ensure_ascii=False)


MEGABYTE = 1_000_000
GENERATED: dict[str, Callable[[], str | bytes]] = {
    "arrays nested 100,000 deep": lambda: nested(100_000),
    "objects nested 50,000 deep": lambda: '{"a": ' * 50_000 + "1" + "}" * 50_000,
    "a field nested 2,000 deep": lambda: base_with(
        lambda d: d["session"].update(notes="@@")
    ).replace('"@@"', "[" * 2_000 + "]" * 2_000),
    "1 MB title": lambda: base_with(lambda d: d["session"].update(title="t" * MEGABYTE)),
    "1 MB definition": lambda: base_with(lambda d: d["terms"][0].update(definition="é" * MEGABYTE)),
    "1 MB name of a field": lambda: base_with(lambda d: d["session"].update({"k" * MEGABYTE: 1})),
    "1 MB of digits": lambda: base_with(lambda d: None).replace(
        '"months": 12', '"months": ' + "7" * MEGABYTE
    ),
    "20,000 bad rows": lambda: base_with(lambda d: d.update(participants=[1] * 20_000)),
    "a NUL byte in the JSON": lambda: BASE.read_bytes().replace(b'"Acme"', b'"Ac\x00me"'),
}


@pytest.mark.parametrize("name", list(GENERATED))
def test_a_generated_hostile_session_file_is_refused(workspace: Workspace, name: str) -> None:
    data = GENERATED[name]()
    target = workspace.root / "generated.json"
    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    refused_untouched(workspace, ["import", str(target)])


# -- database files --------------------------------------------------------------------------


def workshop_copy(workspace: Workspace, target: Path, keep: Callable[[bytes], bytes]) -> Path:
    target.write_bytes(keep(workspace.db.read_bytes()))
    return target


def sqlite_file(target: Path, *statements: str) -> Path:
    conn = sqlite3.connect(target)
    for statement in statements:
        conn.executescript(statement)
    conn.commit()
    conn.close()
    return target


def directory(target: Path) -> Path:
    target.mkdir()
    (target / "inside.txt").write_text("x")
    return target


def under_a_file(target: Path) -> Path:
    target.write_text("a plain file")
    return target / "inside.db"


def written(target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


DATABASES: dict[str, Callable[[Workspace, Path], Path]] = {
    "text file": lambda ws, p: written(p, b"Agenda\n1. Terms\n" * 50),
    "random bytes": lambda ws, p: written(p, hashlib.sha512(b"x").digest() * 64),
    "sqlite header then garbage": lambda ws, p: written(p, b"SQLite format 3\x00" + b"\xa5" * 5000),
    "first 100 bytes of a workshop db": lambda ws, p: workshop_copy(ws, p, lambda b: b[:100]),
    "first 2 pages of a workshop db": lambda ws, p: workshop_copy(ws, p, lambda b: b[:8192]),
    "half a workshop db": lambda ws, p: workshop_copy(ws, p, lambda b: b[: len(b) // 2]),
    "another app's sqlite": lambda ws, p: sqlite_file(p, "CREATE TABLE contacts (name)"),
    "another application id": lambda ws, p: sqlite_file(
        p, "PRAGMA application_id = 1234", "CREATE TABLE t (a)"
    ),
    "newer schema": lambda ws, p: sqlite_file(
        p,
        *MIGRATIONS,
        f"PRAGMA application_id = {APPLICATION_ID}",
        f"PRAGMA user_version = {SCHEMA_VERSION + 1}",
    ),
    "workshop db missing its tables": lambda ws, p: sqlite_file(
        p,
        f"PRAGMA application_id = {APPLICATION_ID}",
        f"PRAGMA user_version = {SCHEMA_VERSION}",
        "CREATE TABLE unrelated (a)",
    ),
    "a directory": lambda ws, p: directory(p),
    "a path under a file": lambda ws, p: under_a_file(p),
}
COMMANDS = {
    "list": ["list"],
    "new": ["new", "--title", "Should not be saved"],
    "import": ["import", str(BASE)],
    "export": ["export", "1", "--format", "json", "-o", "-"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(DATABASES))
def test_a_file_that_is_not_a_sound_workshop_database_is_refused_untouched(
    workspace: Workspace, kind: str, command: str
) -> None:
    target = DATABASES[kind](workspace, workspace.root / "target.db")
    before = workspace.fingerprint()
    assert_refused(run(["--db", str(target), *COMMANDS[command]]))
    assert workspace.fingerprint() == before, "a refused database was changed"


def test_an_empty_file_becomes_a_new_database(workspace: Workspace) -> None:
    """Hostile but harmless: an empty file (from `touch`) is a new database, as in SQLite."""
    empty = workspace.root / "empty.db"
    empty.write_bytes(b"")
    result = run(["--db", str(empty), "list"])
    assert result.exit_code == 0 and "No sessions yet" in result.output


def test_a_garbage_wal_beside_a_sound_file_is_ignored(workspace: Workspace) -> None:
    """Frames that fail their checksum are not applied: the committed data is all there."""
    copy = workspace.root / "copy.db"
    shutil.copyfile(workspace.db, copy)
    Path(f"{copy}-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 28 + b"\xee" * 10_000)
    result = run(["--db", str(copy), "list", "--json"])
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in json.loads(result.output)] == ["Corpus base"]
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def run_without_root_powers(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess that file permissions bind, even when tests run as root."""
    command = [sys.executable, "-c", "from workshop.cli import main; main()", *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: read-only files cannot be tested")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_a_read_only_database_is_read_but_never_written(workspace: Workspace) -> None:
    workspace.db.chmod(0o444)
    before = workspace.db.read_bytes()
    listed = run_without_root_powers(["--db", str(workspace.db), "list"], workspace.cwd)
    assert listed.returncode == 0 and "Corpus base" in listed.stdout, listed.stderr
    for args in (["new", "--title", "T"], ["import", str(BASE)]):
        refused = run_without_root_powers(["--db", str(workspace.db), *args], workspace.cwd)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.startswith("workshop: ") and refused.stderr.count("\n") == 1
        assert "read-only" in refused.stderr and "Traceback" not in refused.stderr
        assert workspace.db.read_bytes() == before


# -- templates -------------------------------------------------------------------------------

TEMPLATES = sorted((CORPUS / "templates").glob("*.j2"))
RUNAWAY = {
    "nested_loops": "two nested range(99999) loops would render for hours",
    "string_multiplication": "'x' * 999999999 would build a 1 GB string",
    "center_filter": "center(999999999) would build a 1 GB string",
}
"""Templates that would hang or exhaust memory without the sandbox's limits (run in a child)."""


@pytest.mark.parametrize(
    "template",
    [
        pytest.param(path, id=path.name.split(".")[0])
        for path in TEMPLATES
        if path.name.split(".")[0] not in RUNAWAY
    ],
)
def test_a_hostile_template_is_refused_and_writes_nothing(
    workspace: Workspace, template: Path
) -> None:
    refused_untouched(workspace, ["export", "1", "--template", str(template), "-o", "plan.md"])
    assert not (workspace.cwd / "plan.md").exists()


def limit_memory() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("name", list(RUNAWAY))
def test_a_runaway_template_is_stopped_with_one_line(workspace: Workspace, name: str) -> None:
    """Run in a subprocess with a time and memory limit, so a hang is reported, not waited on."""
    template = CORPUS / "templates" / f"{name}.md.j2"
    args = ["--db", str(workspace.db), "export", "1", "--template", str(template), "-o", "plan.md"]
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from workshop.cli import main; main()", *args],
            capture_output=True,
            text=True,
            cwd=workspace.cwd,
            timeout=8,
            preexec_fn=limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still rendering after 8 s")
    assert done.returncode == 2, done.stderr[-500:]
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert not (workspace.cwd / "plan.md").exists()
