"""Our diff coverage equals diff-cover's on a real repository, real coverage and a real diff.

The repository is made here: two commits (the second on a branch), the project in a
sub-directory of it, coverage measured by coverage.py running real code, then ``coverage
xml``. diff-cover runs as its command line does (``python -m diff_cover.diff_cover_tool``
is the ``diff-cover`` script's ``main``) from the project directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ci.errors import InputError
from ci.report.evaluate.diff_coverage import diff_coverage, diff_coverage_gate
from ci.report.model import CoverageReport, DiffCoverage, GateResult
from ci.report.parse.coverage import parse_coverage
from ci.report.parse.diff import ChangedLines, changed_lines

BASE_CALC = '''\
"""Arithmetic."""


def add(a, b):
    return a + b


def sub(a, b):
    return a - b
'''

HEAD_CALC = '''\
"""Arithmetic."""


def add(a, b):
    return a + b + 0


def sub(a, b):
    return a - b


def clamp(x):
    if x > 10:
        x = 10
    return x


def never(x):
    y = x * 2
    return y


def debug(x):  # pragma: no cover
    print(x)
    return x
'''

OLD_SHAPES = '''\
"""Shapes."""


def square(n):
    return n * n


def cube(n):
    return n * n * n
'''

NEW_SHAPES = '''\
"""Shapes."""


def square(n):
    return n * n


def cube(n):
    side = n
    return side * side * side
'''

EXTRA = '''\
"""A new module, half of it tested."""

LIMIT = 3


def small(n):
    return n < LIMIT


def big(n):
    if n > 100:
        return "huge"
    return "big"
'''

CAFE = '''\
"""A module whose name git quotes."""


def brew():
    return "coffee"


def spill():
    return "mess"
'''

RUN = """\
from pkg import calc, extra, shapes
from pkg import café

calc.add(1, 2)
calc.sub(3, 1)
calc.clamp(20)
shapes.cube(2)
extra.small(1)
café.brew()
"""


def run(cwd: Path, *args: str) -> str:
    """Run a command that must succeed, with the test's coverage switched off for it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args} failed: {done.stdout}{done.stderr}"
    return done.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose project lives in ``proj/``, with coverage of the second commit."""
    repo = tmp_path_factory.mktemp("repo").resolve()
    proj = repo / "proj"
    run(repo, "git", "init", "-q", "-b", "main")
    write(
        repo,
        {
            "README.md": "# demo\n",
            "proj/pkg/__init__.py": "",
            "proj/pkg/calc.py": BASE_CALC,
            "proj/pkg/old_shapes.py": OLD_SHAPES,
            "proj/pkg/gone.py": "GONE = 1\n",
            "proj/pkg/café.py": CAFE.replace('    return "mess"\n', "    return None\n"),
        },
    )
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-q", "-m", "base")
    run(repo, "git", "switch", "-q", "-c", "feature")
    run(repo, "git", "mv", "proj/pkg/old_shapes.py", "proj/pkg/shapes.py")
    run(repo, "git", "rm", "-q", "proj/pkg/gone.py")
    write(
        repo,
        {
            "README.md": "# demo\n\nNow with shapes.\n",
            "proj/pkg/calc.py": HEAD_CALC,
            "proj/pkg/shapes.py": NEW_SHAPES,
            "proj/pkg/extra.py": EXTRA,
            "proj/pkg/café.py": CAFE,
            "proj/run_checks.py": RUN,
        },
    )
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-q", "-m", "head")
    coverage = (sys.executable, "-m", "coverage")
    run(proj, *coverage, "run", "--branch", "--source=pkg", "run_checks.py")
    run(proj, *coverage, "xml", "-q", "-o", "coverage.xml")
    return proj


def diff_cover(project: Path, *extra: str) -> dict[str, Any]:
    """diff-cover's JSON report on the project's coverage.xml against ``main``."""
    out = project / f"diff-cover{'-'.join(extra)}.json"
    run(
        project,
        sys.executable,
        "-m",
        "diff_cover.diff_cover_tool",
        "coverage.xml",
        "--compare-branch=main",
        "--ignore-staged",
        "--ignore-unstaged",
        "--total-percent-float",
        f"--json-report={out}",
        *extra,
    )
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def ours(project: Path, coverage_input: str) -> tuple[ChangedLines, DiffCoverage]:
    changed = changed_lines(project, base="main")
    assert changed is not None
    report: CoverageReport = parse_coverage([project / coverage_input], project=project)
    result = diff_coverage(
        changed.files, report, project=project, root=changed.root, source=changed.source
    )
    return changed, result


def violations(report: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """diff-cover's uncovered lines of each file that has any."""
    stats: dict[str, dict[str, Any]] = report["src_stats"]
    return {path: tuple(s["violation_lines"]) for path, s in stats.items() if s["violation_lines"]}


class TestAgainstDiffCover:
    def test_cobertura_figures_equal_diff_cover(self, project: Path) -> None:
        """On coverage.xml, the totals, the percentage and the uncovered lines are diff-cover's."""
        reference = diff_cover(project)
        _, result = ours(project, "coverage.xml")
        assert (result.total, result.total - result.covered) == (
            reference["total_num_lines"],
            reference["total_num_violations"],
        )
        assert result.percent is not None
        assert round(result.percent, 2) == reference["total_percent_covered"]
        assert dict(result.uncovered) == violations(reference)

    def test_the_figures_themselves(self, project: Path) -> None:
        """The change has 18 executable changed lines; 6 never ran, in three files."""
        _, result = ours(project, "coverage.xml")
        assert (result.covered, result.total) == (12, 18)
        assert dict(result.uncovered) == {
            "proj/pkg/café.py": (9,),
            "proj/pkg/calc.py": (19, 20),
            "proj/pkg/extra.py": (11, 12, 13),
        }

    def test_data_file_equals_diff_cover(self, project: Path) -> None:
        """On the .coverage data file, the figures are the same as on the XML."""
        reference = diff_cover(project)
        _, result = ours(project, ".coverage")
        assert (result.covered, result.total) == (
            reference["total_num_lines"] - reference["total_num_violations"],
            reference["total_num_lines"],
        )
        assert dict(result.uncovered) == violations(reference)

    def test_partial_branches_are_diff_cover_branch_violations(self, project: Path) -> None:
        """Uncovered plus partial-branch lines are what diff-cover --branch-coverage flags."""
        reference = diff_cover(project, "--branch-coverage")
        _, result = ours(project, ".coverage")
        strict: dict[str, tuple[int, ...]] = {}
        for by_path in (result.uncovered, result.partial):
            for path, lines in by_path.items():
                strict[path] = tuple(sorted({*strict.get(path, ()), *lines}))
        assert strict == violations(reference)
        assert dict(result.partial) == {"proj/pkg/calc.py": (13,)}

    def test_changed_lines_of_renames_quotes_and_deletions(self, project: Path) -> None:
        """Git's diff gives the new names: the edited rename, the quoted path, no deleted file."""
        changed, _ = ours(project, "coverage.xml")
        assert changed.source == "main...HEAD"
        assert changed.root == project.parent
        assert dict(changed.files) == {
            "README.md": (2, 3),
            "proj/pkg/calc.py": (5, *range(10, 26)),
            "proj/pkg/café.py": (9,),
            "proj/pkg/extra.py": tuple(range(1, 14)),
            "proj/pkg/shapes.py": (9, 10),
            "proj/run_checks.py": tuple(range(1, 10)),
        }

    def test_gates_on_the_change(self, project: Path) -> None:
        """The floor and every-line gates decide on these figures, naming the lines."""
        _, result = ours(project, ".coverage")
        assert diff_coverage_gate(result, mode="floor", fail_under=80) == GateResult(
            name="diff-coverage",
            passed=False,
            detail="diff coverage 66.6% < floor 80% (6 lines uncovered in 3 files: "
            "proj/pkg/café.py: 9; proj/pkg/calc.py: 19-20; proj/pkg/extra.py: 11-13)",
        )
        assert diff_coverage_gate(result, mode="every-line") == GateResult(
            name="diff-coverage",
            passed=False,
            detail="6 changed lines not covered: proj/pkg/café.py:9, proj/pkg/calc.py:19-20, "
            "proj/pkg/extra.py:11-13; 1 changed line with a branch never taken: proj/pkg/calc.py:13",
        )


def shallow_clone(project: Path, tmp_path: Path, *options: str) -> Path:
    """A one-commit clone of the feature branch, as actions/checkout makes by default."""
    run(
        tmp_path,
        "git",
        "clone",
        "-q",
        "--depth=1",
        *options,
        "-b",
        "feature",
        project.parent.as_uri(),
        "clone",
    )
    return tmp_path / "clone"


class TestShallowClone:
    def test_missing_base_says_to_fetch_it(self, project: Path, tmp_path: Path) -> None:
        """A one-commit clone of the branch lacks origin/main: the error says how to fetch it."""
        clone = shallow_clone(project, tmp_path)
        with pytest.raises(InputError) as caught:
            changed_lines(clone / "proj", base="origin/main")
        assert str(caught.value) == (
            f"git: origin/main is not a commit in {clone.resolve()} (a shallow clone, or never "
            "fetched?); fetch it first: git fetch origin main (or git fetch --unshallow; "
            "actions/checkout: fetch-depth: 0)"
        )

    def test_no_merge_base_says_to_deepen(self, project: Path, tmp_path: Path) -> None:
        """Both tips but not their history: the error says to fetch more of it."""
        clone = shallow_clone(project, tmp_path, "--no-single-branch")
        with pytest.raises(InputError) as caught:
            changed_lines(clone / "proj", base="origin/main")
        assert str(caught.value) == (
            f"git: origin/main and HEAD share no history in {clone.resolve()} (a shallow clone?); "
            "fetch more of it: git fetch --deepen=100, or git fetch --unshallow"
        )

    def test_after_fetching_the_figures_return(self, project: Path, tmp_path: Path) -> None:
        """Deepening the shallow clone, as the error says, gives the full repository's diff."""
        clone = shallow_clone(project, tmp_path)
        run(clone, "git", "fetch", "-q", "--deepen=1", "origin", "main:refs/remotes/origin/main")
        fetched = changed_lines(clone / "proj", base="origin/main")
        original = changed_lines(project, base="main")
        assert fetched is not None
        assert original is not None
        assert fetched.files == original.files
