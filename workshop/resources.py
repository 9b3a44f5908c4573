"""Where the shipped templates and sample sessions are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """The folder `name`: inside the package when installed, at the project top in a checkout."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"The {name} folder is missing from this installation.")


def templates_dir() -> Path:
    """The folder of the Jinja templates shipped with the package."""
    return _shipped("templates")


def sample_sessions_dir() -> Path:
    """The folder of the example sessions (demo and blank starter) shipped with the package."""
    return _shipped("sample_sessions")


def sample_session(name: str) -> Path:
    """The path of a shipped sample session, e.g. `demo` or `blank`."""
    path = sample_sessions_dir() / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"There is no sample session named '{name}'.")
    return path
