"""The hidden marker that makes a pull-request comment ours: ``<!-- noxci:report:<key> -->``.

The publisher puts the marker on the first line of the comment and later finds the
comment by it (and by its author). The key lets two configurations of one repository keep
separate comments. Untrusted text cannot forge it: :func:`ci.report.render.markdown.inert`
escapes ``<``, so no test name or message can open an HTML comment.
"""

from __future__ import annotations

import re

from ci.errors import ConfigError

__all__ = ["DEFAULT_KEY", "comment_marker"]

#: The key of a repository's only configuration.
DEFAULT_KEY = "default"
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def comment_marker(key: str = DEFAULT_KEY) -> str:
    """The marker of the comment of configuration ``key`` (letters, digits, ``.``, ``_``, ``-``)."""
    if not _KEY.fullmatch(key):
        msg = (
            f"comment key {key!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
        raise ConfigError(msg)
    return f"<!-- noxci:report:{key} -->"
