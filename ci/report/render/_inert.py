"""Untrusted text made inert for GitHub Markdown, code blocks, Mermaid and terminals.

Test ids, messages, tracebacks, file paths and benchmark names come from the code under
test (or from a fork's artifacts), so they must not ping anyone (``@name``), create a
cross-reference (``#123``, ``GH-123``, an issue URL), break a table (``|``, a newline), a
code fence (a backtick run), a ``<details>`` (``</details>``) or forge our hidden marker
(``<!--``). A zero-width space after ``@`` and ``#`` keeps the text readable while GitHub
no longer sees a mention or a reference.
"""

from __future__ import annotations

import re

__all__ = [
    "ZWSP",
    "clip",
    "clip_lines",
    "fence",
    "inert",
    "inert_code",
    "mermaid_label",
    "plain",
    "safe_url",
]

#: Zero-width space: breaks a mention or reference without changing what people read.
ZWSP = "\u200b"
#: Control characters (newline and tab aside), bidirectional overrides ("Trojan source")
#: and lone surrogates (a JSON input can hold them; no file can be written with them).
_CONTROL = dict.fromkeys(
    [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0xD800, 0xE000),
    ],
    "\ufffd",
)
#: HTML escapes; a backslash before Markdown punctuation that could start emphasis, a link,
#: a code span, a cell or math; a zero-width space after what could mention or reference.
_INLINE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{char: "\\" + char for char in "\\`*_[]|~$"},
        "@": "@" + ZWSP,
        "#": "#" + ZWSP,
    }
)
#: What GitHub links on its own: URLs, ``www.`` hosts and ``GH-123`` references.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=\bgh-)(?=\d)")
#: In code, the HTML that raw-text checks see: ``<details>``, ``</details>``, ``<!--``.
_CODE_HTML = re.compile(r"<(?=/?details|!--)", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")
_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/\[\]=,+\- ]")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~/%+=-]*)?")


def clip(text: str, limit: int) -> str:
    """``text`` with at most ``limit`` characters, ending in ``…`` when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def plain(text: str) -> str:
    """One line of text without control characters (for a terminal, or before escaping)."""
    return " ".join(text.translate(_CONTROL).split())


def inert(text: str, limit: int | None = None) -> str:
    """Text that renders as itself in a Markdown paragraph or table cell, on one line.

    No mention, issue reference, autolink, HTML, emphasis, link, code span, math or pipe
    survives; whitespace runs (newlines included) become one space. ``limit`` clips the
    text (before escaping, so an escape is never cut in half).
    """
    text = plain(text)
    if limit is not None:
        text = clip(text, limit)
    return _AUTOLINK.sub(ZWSP, text).translate(_INLINE)


def inert_code(text: str) -> str:
    """Text for a fenced code block: lines kept, no ``<details>``, ``<!--`` or ``@name`` left."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _CODE_HTML.sub("<" + ZWSP, text.translate(_CONTROL))
    return text.replace("@", "@" + ZWSP)


def fence(text: str, *, info: str = "text", indent: str = "") -> str:
    """A fenced code block of ``text``, its fence longer than any backtick run inside."""
    body = inert_code(text)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    ticks = "`" * max(3, longest + 1)
    lines = [ticks + info, *body.split("\n"), ticks]
    return "\n".join(indent + line if line else line for line in lines)


def clip_lines(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: its first and last lines, saying what was cut."""
    if len(text) <= limit:
        return text
    head = text[: limit // 3]
    head = head[: head.rfind("\n") + 1] or head
    tail = text[len(text) - (limit - len(head) - 60) :]
    tail = tail[tail.find("\n") + 1 :] if "\n" in tail else tail
    left = len(text) - len(head) - len(tail)
    return f"{head}… {left:,} characters left out …\n{tail}"


def mermaid_label(text: str, limit: int = 60) -> str:
    """A Mermaid string without quotes, HTML, entities or anything else Mermaid reads."""
    text = _MERMAID_UNSAFE.sub("_", plain(text))
    return text if len(text) <= limit else "…" + text[len(text) - limit + 1 :]


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) URL that can sit in a Markdown link, else None."""
    return url if url is not None and _URL.fullmatch(url) else None
