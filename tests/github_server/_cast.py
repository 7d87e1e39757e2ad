"""Who the ``github_api`` fixture seeds: its bot, the bot's token, and its repository.

Kept apart from ``fixtures`` so tests can import the names without importing the
fixture module before pytest registers it as a plugin.
"""

from __future__ import annotations

__all__ = ["BOT", "REPO", "TOKEN"]

BOT = "noxci-bot"
TOKEN = "t"
REPO = "octo/proj"
