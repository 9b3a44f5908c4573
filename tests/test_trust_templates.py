"""A user's `--template` loads only itself and the shipped templates, within hard limits.

A template from a colleague is untrusted: it must not copy a file of the disk into the plan
(a file beside it, through a symbolic link, `../`, an absolute path), and a render that
would run for minutes or take gigabytes is stopped by the child process it runs in, with
one line. The template file itself is read only if it is a regular file within 1 MB.

Cases that would hang or exhaust memory without these guards run the CLI in a subprocess
with a timeout and a memory limit, so on a build without them they fail instead of hanging.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_export_fixtures import TODAY, add_full_session

from workshop.errors import ExportError
from workshop.export import render, sandbox
from workshop.storage.store import Store

CLI = [sys.executable, "-c", "from workshop.cli import main; main()"]
"""The `workshop` command, run in a subprocess."""
SECRET = "SECRET-4f2a"
"""What the files a template must not reach hold; it must never show up in a plan."""
WORDWRAP = "{{ ('x' * 6000000)|wordwrap(10)|length }}"
"""Quadratic inside one filter call (about 45 s), so only the child's deadline stops it."""
LIST_BOMB = "{{ ('😀' * 20000000)|list|length }}"
"""37 bytes that make 20 million one-character strings: about 1.8 GB without the cap."""
CONCAT_BOMB = "{% set a = '😀' * 20000000 %}{{ (" + "~".join("a" * 24) + ")|length }}"
"""93 bytes joining 24 texts that each pass the size limit alone: about 1.9 GB if built."""


@pytest.fixture
def full(store: Store) -> int:
    session = add_full_session(store)
    assert session.id is not None
    return session.id


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(store: Store, session_id: int, template: Path) -> str:
    """The one-line ExportError a template is refused with; it never shows the secret."""
    with pytest.raises(ExportError) as refused:
        render(store, session_id, "md", template=template, today=TODAY)
    message = str(refused.value)
    assert "\n" not in message and SECRET not in message
    return message


# -- what a template may load ----------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the template's folder that a template must not reach."""
    return write(tmp_path / "private" / "notes.md", SECRET)


def test_a_file_beside_the_template_cannot_be_included(
    store: Store, full: int, tmp_path: Path
) -> None:
    write(tmp_path / "home" / ".ssh" / "id_ed25519", SECRET)
    template = write(tmp_path / "home" / "plan.md.j2", '{% include ".ssh/id_ed25519" %}')
    message = refusal(store, full, template)
    assert "plan.md.j2, line 1 may not load '.ssh/id_ed25519'" in message
    assert "loads only itself and the shipped templates" in message


def test_a_symbolic_link_beside_the_template_cannot_be_included(
    store: Store, full: int, tmp_path: Path, secret: Path
) -> None:
    (tmp_path / "link.md").symlink_to(secret)
    template = write(tmp_path / "plan.md.j2", 'before {% include "link.md" %} after')
    assert "may not load 'link.md'" in refusal(store, full, template)


def test_a_linked_folder_beside_the_template_does_not_lead_out_of_it(
    store: Store, full: int, tmp_path: Path, secret: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "up").symlink_to(tmp_path)
    template = write(folder / "plan.md.j2", '{% include "up/private/notes.md" %}')
    assert "may not load 'up/private/notes.md'" in refusal(store, full, template)


def test_a_parent_folder_path_is_refused(
    store: Store, full: int, tmp_path: Path, secret: Path
) -> None:
    template = write(tmp_path / "templates" / "plan.md.j2", '{% include "../private/notes.md" %}')
    assert "may not load '../private/notes.md'" in refusal(store, full, template)


def test_an_absolute_path_is_refused(store: Store, full: int, tmp_path: Path, secret: Path) -> None:
    template = write(tmp_path / "plan.md.j2", f'{{% include "{secret}" %}}')
    message = refusal(store, full, template)
    named = message.split("may not load '", 1)[1].split("'", 1)[0]
    assert str(secret).startswith(named.removesuffix("…"))  # a long name is cut short
    assert secret.read_text() not in message


@pytest.mark.parametrize(
    "source",
    [
        '{% import "macros.j2" as m %}{{ m.leak() }}',
        '{% from "macros.j2" import leak %}{{ leak() }}',
        '{% extends "layout.j2" %}',
    ],
    ids=["import", "from-import", "extends"],
)
def test_macros_and_layouts_beside_the_template_cannot_be_loaded(
    store: Store, full: int, tmp_path: Path, source: str
) -> None:
    write(tmp_path / "macros.j2", f"{{% macro leak() %}}{SECRET}{{% endmacro %}}")
    write(tmp_path / "layout.j2", f"{SECRET}{{% block body %}}{{% endblock %}}")
    template = write(tmp_path / "plan.md.j2", source)
    message = refusal(store, full, template)
    assert "may not load 'macros.j2'" in message or "may not load 'layout.j2'" in message


def test_the_shipped_templates_and_the_template_itself_can_still_be_loaded(
    store: Store, full: int, tmp_path: Path
) -> None:
    template = write(
        tmp_path / "plan.md.j2",
        '{% if false %}{% include "plan.md.j2" %}{% endif %}{% include "partials/cadence.md.j2" %}',
    )
    text = render(store, full, "md", template=template, today=TODAY)
    assert "| Weekly pipeline review | Every Tuesday at 09:30 |" in text


# -- the template file itself ----------------------------------------------------------------


def test_a_template_over_one_megabyte_is_refused_before_it_is_read(
    store: Store, full: int, tmp_path: Path
) -> None:
    template = write(tmp_path / "big.md.j2", "{# " + "x" * 1_000_000 + " #}ok")
    assert "is larger than 1,000,000 bytes" in refusal(store, full, template)
    fits = write(tmp_path / "fits.md.j2", "{# " + "x" * (1_000_000 - 8) + " #}ok")
    assert render(store, full, "md", template=fits, today=TODAY) == "ok"


def test_a_folder_is_refused_as_a_template(store: Store, full: int, tmp_path: Path) -> None:
    assert "is a folder, not a file" in refusal(store, full, tmp_path)


def test_a_template_path_is_shown_without_control_characters(
    store: Store, full: int, tmp_path: Path
) -> None:
    message = refusal(store, full, tmp_path / "evil\nname\x1b[2J.md.j2")
    assert "evil␊name␛[2J.md.j2 does not exist" in message


def run_cli(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """The `workshop` command in a subprocess capped at 1 GB, failing the test on a hang."""

    def limit_memory() -> None:  # pragma: no cover - runs in the child before exec
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    command = [*CLI, *args]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=timeout,
            preexec_fn=limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {timeout} s: {args}")


def assert_one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("workshop: ") and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda folder: Path("/dev/zero"), ("/dev/zero is a device",)),
        (lambda folder: _symlink(folder / "zero.md.j2", Path("/dev/zero")), ("is a device",)),
        (lambda folder: _fifo(folder / "pipe.md.j2"), ("is a named pipe (FIFO)",)),
    ],
    ids=["dev-zero", "symlink-to-dev-zero", "fifo"],
)
def test_a_template_that_is_not_a_regular_file_is_refused_at_once(
    store: Store,
    full: int,
    db_path: Path,
    tmp_path: Path,
    make: Callable[[Path], Path],
    words: tuple[str, ...],
) -> None:
    template = make(tmp_path)
    done = run_cli(
        ["--db", str(db_path), "export", str(full), "--template", str(template), "-o", "-"],
        tmp_path,
        timeout=30,
    )
    assert_one_line(done, *words)


def _symlink(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# -- runaway renders: stopped by the child process --------------------------------------------


def test_a_quadratic_filter_is_stopped_at_the_time_limit(
    store: Store, full: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One filter call gives the sandbox no chance to look at the clock; the deadline does."""
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.5)
    monkeypatch.setattr(sandbox, "SECONDS_PER_ITEM", 0.0)
    template = write(tmp_path / "wrap.md.j2", WORDWRAP.replace("6000000", "3000000"))
    start = time.monotonic()
    message = refusal(store, full, template)
    assert time.monotonic() - start < 4
    assert "wrap.md.j2 was stopped: it took longer than 0.5 seconds" in message


def test_the_default_time_limit_holds(
    store: Store, full: int, db_path: Path, tmp_path: Path
) -> None:
    """Through the CLI with the shipped limit of 5 s: stopped at about 6 s, not after 45 s."""
    template = write(tmp_path / "wrap.md.j2", WORDWRAP)
    done = run_cli(
        ["--db", str(db_path), "export", str(full), "--template", str(template), "-o", "-"],
        tmp_path,
        timeout=sandbox.MAX_SECONDS + 4,
    )
    assert_one_line(done, "was stopped: it took longer than 5 seconds")


@pytest.mark.parametrize("source", [LIST_BOMB, CONCAT_BOMB], ids=["list", "concat"])
def test_a_memory_bomb_is_stopped_at_the_memory_cap(
    store: Store, full: int, tmp_path: Path, source: str
) -> None:
    template = write(tmp_path / "bomb.md.j2", source)
    message = refusal(store, full, template)
    assert "bomb.md.j2" in message and " was stopped: it " in message
    if source == LIST_BOMB:  # each piece is small: only the memory cap can tell
        assert message.endswith("was stopped: it needed more than 512 MB of memory.")
    else:  # the sandbox adds up the operands of `~` before joining them
        assert "line 1 was stopped: it would build a text of 480,000,000 characters" in message


def test_a_memory_bomb_never_takes_more_than_the_cap(
    store: Store, full: int, db_path: Path, tmp_path: Path
) -> None:
    """The peak memory of the export and its child, measured by a fresh parent process."""
    template = write(tmp_path / "bomb.md.j2", LIST_BOMB)
    measure = (
        "import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=60); "
        "sys.stderr.write(done.stderr); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    export = ["--db", str(db_path), "export", str(full), "--template", str(template), "-o", "-"]
    done = subprocess.run(
        [sys.executable, "-c", measure, *CLI, *export],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=90,
    )
    assert "needed more than 512 MB of memory" in done.stderr, done.stderr[-500:]
    peak_megabytes = int(done.stdout) / 1024
    assert peak_megabytes < 520, peak_megabytes


# -- the child's reply is untrusted ----------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            "import sys; sys.stdout.write('error\\nfake\\n\\x1b[2J line')",
            "fake ␛[2J line",
        ),
        (
            "import sys; sys.stdout.write('text\\n' + 'x' * 100000)",
            "plan.md.j2 was stopped: it wrote more than",
        ),
        (
            "raise ValueError('boom\\x1b]52')",
            "plan.md.j2 could not be rendered: the template process ended unexpectedly "
            "(exit status 1: ValueError: boom␛]52).",
        ),
        (
            "import os, signal; os.kill(os.getpid(), signal.SIGXCPU)",
            "plan.md.j2 was stopped: it took longer than 5 seconds.",
        ),
    ],
    ids=["message", "too-long", "crash", "cpu-limit"],
)
def test_what_the_child_sends_back_becomes_one_safe_line(
    store: Store,
    full: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    program: str,
    expected: str,
) -> None:
    from workshop.export import template_child

    monkeypatch.setattr(template_child, "_BOOT", program)
    monkeypatch.setattr(template_child, "MAX_REPLY", 1000)
    monkeypatch.setattr(sandbox, "SECONDS_PER_ITEM", 0.0)
    message = refusal(store, full, write(tmp_path / "plan.md.j2", "{{ session.title }}"))
    assert expected in message, message


@pytest.mark.parametrize(
    "source",
    [
        "A\x1b]52;c;aGk=\x07B {{ session.title }}",  # written in the file: a clipboard write
        'T {{ "\\x1b[2J" }} x',  # made by an expression: a screen clear
        "nul {{ '\\x00' }}",
    ],
)
def test_a_template_that_writes_a_control_character_is_refused(
    store: Store, full: int, tmp_path: Path, source: str
) -> None:
    """User text never holds one, so a control character in the plan came from the
    template; it must not reach a terminal (`-o -`) or the exported file."""
    message = refusal(store, full, write(tmp_path / "evil.md.j2", source))
    assert "writes a control character" in message and "\x1b" not in message


def test_a_template_may_write_tabs_and_line_breaks(store: Store, full: int, tmp_path: Path) -> None:
    plan = render(store, full, "md", template=write(tmp_path / "t.md.j2", "a\tb\n{{ 1 }}\n"))
    assert plan.startswith("a\tb\n1")
