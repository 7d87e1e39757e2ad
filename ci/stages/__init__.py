"""The noxci stages as nox sessions: ``from ci.stages import register; register()``."""

from ci.stages._register import register

__all__ = ["register"]
