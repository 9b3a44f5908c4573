"""Preferences that outlive a run (theme, last export folder), in the user's config folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

CONFIG_ENV_VAR = "WORKSHOP_CONFIG"
EXPORT_FOLDER = "export_folder"
"""The key of the folder the last export was written to."""


def settings_path() -> Path:
    """Where preferences are kept: WORKSHOP_CONFIG, else the user's config folder."""
    override = os.environ.get(CONFIG_ENV_VAR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return (
        Path(platformdirs.user_config_dir("alignment-workshop", appauthor=False)) / "settings.json"
    )


def load_settings(path: Path) -> dict[str, str]:
    """The saved preferences, or none when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_settings(path: Path, settings: dict[str, str]) -> None:
    """Write the preferences atomically; a failure only costs the preference, never the app."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(settings, indent=2, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass


def export_folder(settings: dict[str, str]) -> Path:
    """The folder the last export went to; the current folder if none was used or it is gone."""
    remembered = settings.get(EXPORT_FOLDER, "")
    try:
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
    except OSError:  # a folder that cannot be looked at is as good as gone
        pass
    return Path.cwd()


def remember_export_folder(path: Path, settings: dict[str, str], settings_file: Path) -> None:
    """Keep the folder of a file just exported, so the next export suggests it."""
    settings[EXPORT_FOLDER] = str(path.expanduser().absolute().parent)
    save_settings(settings_file, settings)
