"""Read a unified diff into the lines a change adds or modifies, per file of the new version.

The diff comes from git (``git diff --unified=0 REF...HEAD``, run in the project: the
changes of HEAD since it left REF, whatever happened on REF since) or from a file holding
a unified diff (``git diff`` output, with or without context lines). Only ``+`` lines
count: a deleted file, a binary file, a mode change and a pure rename change no line of
the new version. A rename with edits counts the edited lines under the new name. Only
committed changes count: uncommitted edits are not what a pull request merges (diff-cover
adds staged and unstaged ones unless given ``--ignore-staged --ignore-unstaged``).

Hunks are read by their counts (``@@ -a,b +c,d @@``), so a removed line that starts with
``--`` or an added one that starts with ``++`` is never taken for a file header, and
``\\ No newline at end of file`` moves no line number (diff-cover's parser does move it,
so on a last line without a newline it names the line after the changed one).

Paths are the new version's, relative to the repository's root, as git writes them:
``b/`` removed, C-quoted paths (``"b/caf\\303\\251.py"``) unquoted, a trailing tab cut.
Bad input raises :class:`ci.errors.InputError` with one line naming the ref or the file.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ci.errors import InputError

__all__ = ["ChangedLines", "changed_lines", "git_diff", "git_root", "parse_diff", "read_diff_file"]

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(r"[0-3][0-7]{2}")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_REMEDY = "give a unified diff such as `git diff` writes"
#: How long one git command may take, in seconds.
TIMEOUT_S = 120
#: Settings that make ``git diff`` write what this parser reads, whatever the user's config.
_GIT_CONFIG = ("-c", "diff.mnemonicprefix=no", "-c", "diff.noprefix=no", "-c", "core.quotepath=on")


@dataclass(frozen=True, kw_only=True, slots=True)
class ChangedLines:
    """The added or modified lines of a change, by path relative to ``root``."""

    #: What the lines came from: ``REF...HEAD`` or the diff file's path.
    source: str
    #: The directory the paths are relative to: the git repository's root.
    root: Path
    #: Changed line numbers (1-based, sorted) of each file that has any, by path.
    files: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)


def changed_lines(
    project: Path, *, base: str | None = None, diff_file: Path | None = None
) -> ChangedLines | None:
    """The changed lines from ``diff_file`` (relative to ``project``) or ``base...HEAD``.

    ``None`` when neither is given. A diff file's paths are taken as relative to the
    repository holding ``project`` (to ``project`` itself outside any repository).
    """
    if diff_file is not None:
        path = project / diff_file
        text = read_diff_file(path)
        root = _root_or_none(project) or project.resolve()
        return ChangedLines(source=str(path), root=root, files=parse_diff(text, source=str(path)))
    if base is not None:
        root = git_root(project)
        source = f"{base}...HEAD"
        text = git_diff(project, base)
        return ChangedLines(source=source, root=root, files=parse_diff(text, source=source))
    return None


def read_diff_file(path: Path) -> str:
    """The text of a diff file; :class:`InputError` naming it when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        msg = f"{path}: cannot read the diff file ({error.strerror}); check the path"
        raise InputError(msg) from None
    return data.decode("utf-8", errors="replace")


def _git(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run one git command in ``project``; :class:`InputError` if git cannot run."""
    try:
        return subprocess.run(
            ["git", *_GIT_CONFIG, *args],
            check=False,
            cwd=project,
            capture_output=True,
            timeout=TIMEOUT_S,
        )
    except FileNotFoundError:
        msg = "git: not found on PATH; install git, or give the change as a diff-file"
        raise InputError(msg) from None
    except subprocess.TimeoutExpired:
        msg = f"git {args[0]}: took over {TIMEOUT_S} s in {project}; check the repository"
        raise InputError(msg) from None


def _last_line(stream: bytes) -> str:
    lines = [line for line in stream.decode("utf-8", errors="replace").splitlines() if line]
    return lines[-1].removeprefix("fatal: ") if lines else "no output"


def _root_or_none(project: Path) -> Path | None:
    """The repository root holding ``project``, ``None`` outside one (or without git)."""
    try:
        return git_root(project)
    except InputError:
        return None


def git_root(project: Path) -> Path:
    """The root of the git repository holding ``project``; :class:`InputError` if none."""
    if not project.is_dir():
        msg = f"{project}: the project directory does not exist; check --project"
        raise InputError(msg)
    done = _git(project, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        msg = (
            f"{project}: not inside a git repository ({_last_line(done.stderr)}); "
            "diff-base needs the project's git checkout, or give the change as a diff-file"
        )
        raise InputError(msg)
    return Path(done.stdout.decode("utf-8", errors="replace").strip()).resolve()


def _fetch_hint(base: str) -> str:
    """How to get ``base`` into a clone that lacks it."""
    remote, _, branch = base.partition("/")
    fetch = f"git fetch origin {branch if remote == 'origin' and branch else base}"
    return f"{fetch} (or git fetch --unshallow; actions/checkout: fetch-depth: 0)"


def git_diff(project: Path, base: str) -> str:
    """``git diff --unified=0 base...HEAD`` in ``project``, after checking both ends exist."""
    root = git_root(project)
    if not base or base.startswith("-") or any(ch.isspace() for ch in base):
        msg = f"git: {base!r} is not a ref; give diff-base as a branch, tag or commit"
        raise InputError(msg)
    if _git(project, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
        msg = (
            f"git: {base} is not a commit in {root} (a shallow clone, or never fetched?); "
            f"fetch it first: {_fetch_hint(base)}"
        )
        raise InputError(msg)
    if _git(project, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        msg = f"git: HEAD is not a commit in {root} (no commit yet?); commit the change first"
        raise InputError(msg)
    if _git(project, "merge-base", base, "HEAD").returncode != 0:
        msg = (
            f"git: {base} and HEAD share no history in {root} (a shallow clone?); "
            "fetch more of it: git fetch --deepen=100, or git fetch --unshallow"
        )
        raise InputError(msg)
    args = ("--no-color", "--no-ext-diff", "--no-textconv", "--unified=0", "--find-renames")
    done = _git(project, "diff", *args, f"{base}...HEAD", "--")
    if done.returncode != 0:
        msg = f"git diff {base}...HEAD: failed in {root} ({_last_line(done.stderr)})"
        raise InputError(msg)
    return done.stdout.decode("utf-8", errors="replace")


def _unquote(text: str) -> str:
    """Undo git's C-style quoting of a path (``"b/caf\\303\\251.py"``)."""
    body = text[1 : text.rindex('"')] if text.count('"') > 1 else text[1:]
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        escape = body[index + 1 : index + 2]
        if char == "\\" and escape in _ESCAPES:
            out.append(_ESCAPES[escape])
            index += 2
        elif char == "\\" and _OCTAL.fullmatch(body, index + 1, index + 4):
            out.append(int(body[index + 1 : index + 4], 8))
            index += 4
        else:
            out += char.encode("utf-8", errors="surrogatepass")
            index += 1
    return out.decode("utf-8", errors="replace")


def _new_path(text: str) -> str | None:
    """The path a ``+++`` line names, ``None`` for ``/dev/null`` (a deleted file)."""
    text = text.rstrip("\r")
    path = _unquote(text) if text.startswith('"') else text.split("\t", 1)[0]
    if path == "/dev/null":
        return None
    return path.removeprefix("b/")


class _Reader:
    """The parser's state while it walks a diff line by line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.files: dict[str, set[int]] = {}
        #: The changed lines of the current file (a throwaway set for a deleted one).
        self.current: set[int] = set()
        self.in_file = False
        self.seen_header = False
        self.old_left = self.new_left = self.new_line = 0

    def error(self, number: int, problem: str) -> InputError:
        return InputError(f"{self.source}: line {number}: {problem}; {_REMEDY}")

    def hunk_line(self, number: int, line: str) -> None:
        """One line inside a hunk: added, removed, context or a no-newline marker."""
        kind = line[:1]
        if kind == "+" and self.new_left > 0:
            self.current.add(self.new_line)
            self.new_line += 1
            self.new_left -= 1
        elif kind == "-" and self.old_left > 0:
            self.old_left -= 1
        elif kind in {" ", ""} and self.old_left > 0 and self.new_left > 0:
            self.new_line += 1
            self.old_left -= 1
            self.new_left -= 1
        elif kind != "\\":
            raise self.error(number, f"the hunk ends early at {line[:40]!r}")

    def header_line(self, number: int, line: str) -> None:
        """One line between hunks: a file header, a hunk header or git's extended header."""
        if line.startswith("diff --git "):
            self.in_file, self.seen_header = False, True
        elif line.startswith(("diff --cc ", "diff --combined ", "@@@ ")):
            raise self.error(number, "a combined (merge) diff cannot be read")
        elif line.startswith("+++ "):
            path = _new_path(line[4:])
            self.current = set() if path is None else self.files.setdefault(path, set())
            self.in_file, self.seen_header = True, True
        elif line.startswith("@@"):
            match = _HUNK.match(line)
            if match is None:
                raise self.error(number, f"{line[:40]!r} is not a hunk header")
            if not self.in_file:
                raise self.error(number, "a hunk comes before its file's ---/+++ header")
            self.old_left = 1 if match[2] is None else int(match[2])
            self.new_left = 1 if match[4] is None else int(match[4])
            self.new_line = int(match[3])


def parse_diff(text: str, *, source: str) -> dict[str, tuple[int, ...]]:
    """The added or modified line numbers of each file a unified diff changes, by path.

    Files with no such line (deleted, binary, renamed only) are left out; ``source`` names
    the diff in error messages. Text that holds no file header is not a diff (an empty
    text is: it changes nothing).
    """
    reader = _Reader(source)
    lines = text.split("\n")
    if lines[-1] == "":  # the newline ending the last line starts no line
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if reader.old_left > 0 or reader.new_left > 0:
            reader.hunk_line(number, line)
        else:
            reader.header_line(number, line)
    if reader.old_left > 0 or reader.new_left > 0:
        raise reader.error(len(lines), "the diff ends inside a hunk (truncated?)")
    if text.strip() and not reader.seen_header:
        msg = f"{source}: holds no file header (diff --git or +++); {_REMEDY}"
        raise InputError(msg)
    return {path: tuple(sorted(found)) for path, found in sorted(reader.files.items()) if found}
