"""Reading unified diffs: changed lines per new path, git's corner cases, and one-line errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ci.errors import InputError
from ci.report.parse import diff
from ci.report.parse.diff import changed_lines, git_diff, git_root, parse_diff, read_diff_file
from tests.git_repo import git

#: git's own output for the corner cases (git 2.39, --unified=0 --find-renames); git ends
#: a path holding a space with a tab.
GIT_DIFF = r"""diff --git a/bin.dat b/bin.dat
index bdc955b..8835708 100644
Binary files a/bin.dat and b/bin.dat differ
diff --git "a/caf\303\251.py" "b/caf\303\251.py"
index 587be6b..b77b4eb 100644
--- "a/caf\303\251.py"
+++ "b/caf\303\251.py"
@@ -1,0 +2 @@ x
+y
diff --git a/gone.py b/gone.py
deleted file mode 100644
index abaddc0..0000000
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-del
diff --git a/old.py b/new.py
similarity index 80%
rename from old.py
rename to new.py
index 0ec1772..49db0cb 100644
--- a/old.py
+++ b/new.py
@@ -3 +3 @@ r2
-r3
+R3
diff --git a/moved.py b/renamed.py
similarity index 100%
rename from moved.py
rename to renamed.py
diff --git a/sp ace.py b/sp ace.py
index 1c943a9..f8f7a32 100644
--- a/sp ace.py<TAB>
+++ b/sp ace.py<TAB>
@@ -2,2 +2,3 @@ a
-b
-c
\ No newline at end of file
+B
+c
+d
\ No newline at end of file
""".replace("<TAB>", "\t")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits on ``main``: the second adds line 2 and 4 of a.py."""
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "sub" / "a.py").write_text("one\nthree\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    git(root, "tag", "base")
    (root / "sub" / "a.py").write_text("one\ntwo\nthree\nfour\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "two")
    return root


class TestParseDiff:
    def test_git_corner_cases(self) -> None:
        """Quoted, renamed, spaced paths; binary, deleted and renamed-only files left out."""
        assert parse_diff(GIT_DIFF, source="d") == {
            "café.py": (2,),
            "new.py": (3,),
            "sp ace.py": (2, 3, 4),
        }

    def test_no_newline_marker_moves_no_line(self) -> None:
        """A changed last line without a newline is that line, not the one after it."""
        text = (
            "--- a/x.py\n+++ b/x.py\n@@ -3 +3 @@\n-old\n\\ No newline at end of file\n"
            "+new\n\\ No newline at end of file\n"
        )
        assert parse_diff(text, source="d") == {"x.py": (3,)}

    def test_context_lines_count_but_do_not_change(self) -> None:
        """A diff with context (plain ``git diff``) gives the same changed lines as ``-U0``."""
        text = (
            "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,4 +1,5 @@\n"
            " keep\n-gone\n+new\n+newer\n keep\n\n"
        )
        assert parse_diff(text, source="d") == {"x.py": (2, 3)}

    def test_lines_that_look_like_headers(self) -> None:
        """Inside a hunk, ``+++ x`` is an added line and ``--- y`` a removed one."""
        text = "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n--- y\n-z\n+++ x\n+w\n"
        assert parse_diff(text, source="d") == {"x.py": (1, 2)}

    def test_quoted_escapes(self) -> None:
        """Git's C escapes (tab, quote, backslash, octal bytes) are undone."""
        text = '+++ "b/a\\tb\\"c\\\\d\\303\\251\\q.py"\n@@ -0,0 +1 @@\n+x\n'
        assert parse_diff(text, source="d") == {'a\tb"c\\dé\\q.py': (1,)}

    def test_plain_unified_diff_with_timestamps(self) -> None:
        """``diff -u`` output: the path ends at the tab before its timestamp."""
        text = (
            "--- x.py\t2024-01-01 00:00:00\n+++ x.py\t2024-01-02 00:00:00\n"
            "@@ -1 +1,2 @@\n-a\n+b\n+c\n"
        )
        assert parse_diff(text, source="d") == {"x.py": (1, 2)}

    def test_crlf_diff(self) -> None:
        """A diff saved with CRLF line ends reads the same."""
        text = "diff --git a/x.py b/x.py\r\n--- a/x.py\r\n+++ b/x.py\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n"
        assert parse_diff(text, source="d") == {"x.py": (1,)}

    def test_without_a_final_newline(self) -> None:
        """A diff whose last line has no newline reads the same."""
        assert parse_diff("+++ b/x.py\n@@ -0,0 +1 @@\n+a", source="d") == {"x.py": (1,)}

    def test_format_patch_mail(self) -> None:
        """``git format-patch`` output: the message, stat and signature around the diff."""
        text = (
            "From 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n+not a line\n---\n"
            " x.py | 1 +\n\ndiff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
            "@@ -1,0 +2 @@\n+b\n-- \n2.39.5\n"
        )
        assert parse_diff(text, source="d") == {"x.py": (2,)}

    def test_same_file_twice_is_united(self) -> None:
        """Two sections for one file add up, each line once, in order."""
        section = "--- a/x.py\n+++ b/x.py\n@@ -0,0 +{0},2 @@\n+a\n+b\n"
        text = section.format(5) + section.format(1) + section.format(2)
        assert parse_diff(text, source="d") == {"x.py": (1, 2, 3, 5, 6)}

    def test_empty_diff_changes_nothing(self) -> None:
        """No change at all is an empty diff, and no error."""
        assert parse_diff("", source="d") == {}
        assert parse_diff("\n", source="d") == {}

    def test_not_a_diff(self) -> None:
        """Text without any file header is not taken for an empty change."""
        with pytest.raises(InputError) as caught:
            parse_diff("<coverage/>\n", source="c.xml")
        assert str(caught.value) == (
            "c.xml: holds no file header (diff --git or +++); "
            "give a unified diff such as `git diff` writes"
        )

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("+++ b/x\n@@ -1,2 +1 @@\n-a\n+b\nzz\n", "line 5: the hunk ends early at 'zz'"),
            (
                "+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n",
                "line 4: the diff ends inside a hunk (truncated?)",
            ),
            ("+++ b/x\n@@ bad @@\n", "line 2: '@@ bad @@' is not a hunk header"),
            ("@@ -1 +1 @@\n-a\n+b\n", "line 1: a hunk comes before its file's ---/+++ header"),
            (
                "diff --cc x.py\n@@@ -1 -1 +1 @@@\n",
                "line 1: a combined (merge) diff cannot be read",
            ),
        ],
    )
    def test_malformed(self, text: str, problem: str) -> None:
        """A malformed diff is one line naming the source, the line and the problem."""
        with pytest.raises(InputError) as caught:
            parse_diff(text, source="d.diff")
        assert str(caught.value) == (
            f"d.diff: {problem}; give a unified diff such as `git diff` writes"
        )


class TestReadDiffFile:
    def test_reads_bytes_as_utf8(self, tmp_path: Path) -> None:
        """Undecodable bytes become replacement characters instead of an error."""
        path = tmp_path / "c.diff"
        path.write_bytes(b"+++ b/x\xff\n")
        assert read_diff_file(path) == "+++ b/x\ufffd\n"

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing diff file is one line naming it."""
        path = tmp_path / "none.diff"
        with pytest.raises(InputError) as caught:
            read_diff_file(path)
        assert str(caught.value) == (
            f"{path}: cannot read the diff file (No such file or directory); check the path"
        )


class TestGit:
    def test_root_of_a_subdirectory(self, repo: Path) -> None:
        """The project may be a sub-directory; the root is the repository's."""
        assert git_root(repo / "sub") == repo.resolve()

    def test_diff_against_a_tag(self, repo: Path) -> None:
        """``base...HEAD`` from the sub-directory names files from the root."""
        assert parse_diff(git_diff(repo / "sub", "base"), source="d") == {"sub/a.py": (2, 4)}

    def test_not_a_repository(self, tmp_path: Path) -> None:
        """Outside a repository, the error says what diff-base needs and the alternative."""
        with pytest.raises(InputError) as caught:
            git_root(tmp_path)
        message = str(caught.value)
        assert message.startswith(f"{tmp_path}: not inside a git repository (")
        assert message.endswith(
            "); diff-base needs the project's git checkout, or give the change as a diff-file"
        )

    def test_missing_project(self, tmp_path: Path) -> None:
        """A project directory that does not exist is named."""
        with pytest.raises(InputError) as caught:
            git_root(tmp_path / "nope")
        assert str(caught.value) == (
            f"{tmp_path / 'nope'}: the project directory does not exist; check --project"
        )

    def test_unknown_ref(self, repo: Path) -> None:
        """A ref that is not here says to fetch it."""
        with pytest.raises(InputError) as caught:
            git_diff(repo, "v9")
        assert str(caught.value) == (
            f"git: v9 is not a commit in {repo.resolve()} (a shallow clone, or never fetched?); "
            "fetch it first: git fetch origin v9 (or git fetch --unshallow; "
            "actions/checkout: fetch-depth: 0)"
        )

    @pytest.mark.parametrize("ref", ["", "--output=x", "a b"])
    def test_not_a_ref(self, repo: Path, ref: str) -> None:
        """Option-like or blank refs never reach git."""
        with pytest.raises(InputError) as caught:
            git_diff(repo, ref)
        assert str(caught.value) == (
            f"git: {ref!r} is not a ref; give diff-base as a branch, tag or commit"
        )

    def test_no_commit_yet(self, tmp_path: Path) -> None:
        """A repository without commits has no HEAD to compare."""
        git(tmp_path, "init", "-q", "-b", "main")
        git(tmp_path, "commit", "-q", "--allow-empty", "-m", "x")
        git(tmp_path, "tag", "base")
        git(tmp_path, "switch", "-q", "--orphan", "fresh")
        with pytest.raises(InputError) as caught:
            git_diff(tmp_path, "base")
        assert str(caught.value) == (
            f"git: HEAD is not a commit in {tmp_path.resolve()} (no commit yet?); "
            "commit the change first"
        )

    def test_unrelated_histories(self, repo: Path) -> None:
        """Two commits without a common ancestor share no history."""
        git(repo, "switch", "-q", "--orphan", "other")
        git(repo, "commit", "-q", "--allow-empty", "-m", "alone")
        with pytest.raises(InputError) as caught:
            git_diff(repo, "main")
        assert str(caught.value) == (
            f"git: main and HEAD share no history in {repo.resolve()} (a shallow clone?); "
            "fetch more of it: git fetch --deepen=100, or git fetch --unshallow"
        )

    def test_git_diff_fails(self, repo: Path) -> None:
        """A repository missing the new version's blob: git's own reason, in one line."""
        blob = subprocess.run(
            ["git", "rev-parse", "HEAD:sub/a.py"],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
        with pytest.raises(InputError) as caught:
            git_diff(repo, "base")
        assert str(caught.value) == (
            f"git diff base...HEAD: failed in {repo.resolve()} (unable to read {blob})"
        )

    def test_git_too_slow(self, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A git that does not answer in time is named, with where it ran."""
        monkeypatch.setattr(diff, "TIMEOUT_S", 0)
        with pytest.raises(InputError) as caught:
            git_root(repo)
        assert str(caught.value) == (
            f"git rev-parse: took over 0 s in {repo}; check the repository"
        )

    def test_git_not_installed(self, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without git on PATH, the error says so and offers a diff file."""
        monkeypatch.setenv("PATH", str(repo / "no-bin"))
        with pytest.raises(InputError) as caught:
            git_root(repo)
        assert str(caught.value) == (
            "git: not found on PATH; install git, or give the change as a diff-file"
        )


class TestChangedLines:
    def test_from_base(self, repo: Path) -> None:
        """diff-base runs git and names the source ``base...HEAD``."""
        changed = changed_lines(repo / "sub", base="base")
        assert changed is not None
        assert (changed.source, changed.root, dict(changed.files)) == (
            "base...HEAD",
            repo.resolve(),
            {"sub/a.py": (2, 4)},
        )

    def test_from_file_in_a_repository(self, repo: Path) -> None:
        """A diff file is relative to the project; its paths to the repository's root."""
        (repo / "sub" / "c.diff").write_text(GIT_DIFF, encoding="utf-8")
        changed = changed_lines(repo / "sub", diff_file=Path("c.diff"))
        assert changed is not None
        assert (changed.source, changed.root, sorted(changed.files)) == (
            str(repo / "sub" / "c.diff"),
            repo.resolve(),
            ["café.py", "new.py", "sp ace.py"],
        )

    def test_from_file_outside_a_repository(self, tmp_path: Path) -> None:
        """Outside any repository, a diff file's paths are relative to the project."""
        (tmp_path / "c.diff").write_text("+++ b/x.py\n@@ -0,0 +1 @@\n+a\n", encoding="utf-8")
        changed = changed_lines(tmp_path, diff_file=tmp_path / "c.diff")
        assert changed is not None
        assert (changed.root, dict(changed.files)) == (tmp_path.resolve(), {"x.py": (1,)})

    def test_neither(self, tmp_path: Path) -> None:
        """Without diff-base or diff-file there is no change to measure."""
        assert changed_lines(tmp_path) is None
