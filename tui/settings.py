"""Preferences that outlive a run (the chosen theme), kept in the user's config folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

CONFIG_ENV_VAR = "WORKSHOP_CONFIG"


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
