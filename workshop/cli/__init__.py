"""The `workshop` command line: `commands` (the group and the session commands), `review`
(the follow-up commands) and `common` (what they share, imported by both, importing neither).
"""

from workshop.cli.commands import main

__all__ = ["main"]
