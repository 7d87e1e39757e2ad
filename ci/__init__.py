"""noxci: test stages as nox sessions, and one report that gates the merge."""

from ci._version import __version__

__all__ = ["__version__"]
