"""``--compare REF``: the session's arguments, the interleaved plan, and the git worktree."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from ci.config import Settings, StageSpec, options
from ci.errors import UsageError
from ci.stages._compare_git import Target, checked_out, remove_worktree, resolve_target
from ci.stages._compare_run import _base_checkout, _has_benchmarks, _project_name
from ci.stages.commands import Command
from ci.stages.compare import (
    Checkout,
    CompareArgs,
    Side,
    Step,
    compare_plan,
    parse_posargs,
    run_json,
    summary_line,
)
from tests.git_repo import git

HEAD = Path("/head")
BASE = Path("/head/.noxci/compare/worktree/proj")
REPORTS = Path("/head/reports")
FAST = ("--benchmark-min-rounds=5",)
EXAMPLE = "nox -s benchmark -- --compare origin/main --runs 5"


class TestParsePosargs:
    def test_no_compare_passes_everything_to_pytest(self) -> None:
        """Without --compare, every argument goes to pytest and the default count stands."""
        assert parse_posargs(["-k", "build", "-x"], default_runs=5) == CompareArgs(
            ref=None, runs=5, pytest_args=("-k", "build", "-x")
        )

    @pytest.mark.parametrize(
        "posargs",
        [
            ["--compare", "origin/main", "-k", "build", "--runs", "3"],
            ["-k", "build", "--compare=origin/main", "--runs=3"],
        ],
    )
    def test_compare_and_runs_are_taken_out(self, posargs: list[str]) -> None:
        """Both spellings of --compare and --runs are noxci's; the rest keeps its order."""
        assert parse_posargs(posargs, default_runs=5) == CompareArgs(
            ref="origin/main", runs=3, pytest_args=("-k", "build")
        )

    def test_runs_default_to_the_setting(self) -> None:
        """Without --runs, a comparison runs compare-runs times per side."""
        assert parse_posargs(["--compare", "v1.0"], default_runs=7) == CompareArgs(
            ref="v1.0", runs=7, pytest_args=()
        )

    @pytest.mark.parametrize(
        ("posargs", "message"),
        [
            (
                ["--compare"],
                f"--compare needs a git ref (branch, tag or commit), not ''; for example: {EXAMPLE}",
            ),
            (
                ["--compare", "-x"],
                f"--compare needs a git ref (branch, tag or commit), not '-x'; for example: {EXAMPLE}",
            ),
            (
                ["--compare=a b"],
                f"--compare needs a git ref (branch, tag or commit), not 'a b'; for example: {EXAMPLE}",
            ),
            (
                ["--compare", "main", "--runs"],
                f"--runs needs a number of runs, not ''; for example: {EXAMPLE}",
            ),
            (
                ["--compare", "main", "--runs", "two"],
                f"--runs two: give a whole number of runs per side, 1 or more; for example: {EXAMPLE}",
            ),
            (
                ["--compare", "main", "--runs=0"],
                f"--runs 0: give a whole number of runs per side, 1 or more; for example: {EXAMPLE}",
            ),
            (
                ["--runs", "3"],
                f"--runs 3: only a comparison runs several times; add --compare REF ({EXAMPLE})",
            ),
        ],
    )
    def test_bad_arguments_say_what_to_give(self, posargs: list[str], message: str) -> None:
        """A flag without a usable value, or --runs alone, is one line saying what to give."""
        with pytest.raises(UsageError) as caught:
            parse_posargs(posargs, default_runs=5)
        assert str(caught.value) == message


def base_argv(run: int, *, path: str = "tests/benchmark") -> tuple[str, ...]:
    return (
        "python",
        "-m",
        "pytest",
        path,
        "-p",
        "no:xdist",
        f"--benchmark-json=/head/reports/benchmark-base/run-{run}.json",
        "-k",
        "build",
    )


def head_argv(run: int) -> tuple[str, ...]:
    return (
        "python",
        "-m",
        "pytest",
        "tests/benchmark",
        "-p",
        "no:xdist",
        f"--benchmark-json=/head/reports/benchmark/run-{run}.json",
        "--junitxml=/head/reports/junit/benchmark.xml",
        "-o",
        "junit_suite_name=benchmark",
        *FAST,
        "-k",
        "build",
    )


ENV = {"NOXCI_STAGE": "benchmark"}


class TestComparePlan:
    head = Checkout(project=HEAD, settings=Settings(stage={"benchmark": StageSpec(args=FAST)}))

    def test_runs_alternate_base_then_head(self) -> None:
        """Base 1, head 1, base 2, head 2: each side from its own checkout, into its own folder."""
        base = Checkout(project=BASE, settings=Settings())
        plan = compare_plan(
            head=self.head, base=base, reports=REPORTS, runs=2, pytest_args=("-k", "build")
        )
        base_codes = (0, 1, 5)
        assert plan == (
            Step(
                side=Side.BASE,
                run=1,
                cwd=BASE,
                command=Command(argv=base_argv(1), env=ENV, success_codes=base_codes),
            ),
            Step(side=Side.HEAD, run=1, cwd=HEAD, command=Command(argv=head_argv(1), env=ENV)),
            Step(
                side=Side.BASE,
                run=2,
                cwd=BASE,
                command=Command(argv=base_argv(2), env=ENV, success_codes=base_codes),
            ),
            Step(side=Side.HEAD, run=2, cwd=HEAD, command=Command(argv=head_argv(2), env=ENV)),
        )

    def test_each_side_uses_its_own_benchmark_paths(self) -> None:
        """A base configured with other benchmark paths runs those, not the head's."""
        base = Checkout(
            project=BASE, settings=Settings(stage={"benchmark": StageSpec(paths=("bench",))})
        )
        plan = compare_plan(
            head=self.head, base=base, reports=REPORTS, runs=1, pytest_args=("-k", "build")
        )
        assert [step.command.argv for step in plan] == [
            base_argv(1, path="bench"),
            head_argv(1),
        ]

    def test_keep_going_lets_head_failures_through(self) -> None:
        """When the report follows, a failing head test (exit 1) does not end the comparison."""
        base = Checkout(project=BASE, settings=Settings())
        plan = compare_plan(head=self.head, base=base, reports=REPORTS, runs=1, keep_going=True)
        assert [(step.side, step.command.success_codes) for step in plan] == [
            (Side.BASE, (0, 1, 5)),
            (Side.HEAD, (0, 1)),
        ]

    def test_without_a_base_only_the_head_runs(self) -> None:
        """A base without benchmark tests gives a plan of head runs only."""
        plan = compare_plan(head=self.head, base=None, reports=REPORTS, runs=3)
        assert [(step.side, step.run) for step in plan] == [
            (Side.HEAD, 1),
            (Side.HEAD, 2),
            (Side.HEAD, 3),
        ]


class TestRunJson:
    @pytest.mark.parametrize(
        ("side", "expected"),
        [
            (Side.BASE, "/head/reports/benchmark-base/run-3.json"),
            (Side.HEAD, "/head/reports/benchmark/run-3.json"),
        ],
    )
    def test_side_picks_the_folder(self, side: Side, expected: str) -> None:
        """The base writes to benchmark-base/, the head to benchmark/."""
        assert run_json(REPORTS, side, 3) == Path(expected)


class TestSummaryLine:
    def test_names_ref_sha_runs_and_folders(self) -> None:
        """The last line says what was compared and where both sides' runs are."""
        line = summary_line(
            ref="origin/main", short_sha="abc1234", runs=5, reports=Path("out"), base_ran=True
        )
        assert line == (
            "noxci: compared with origin/main (abc1234): 5 runs per side "
            "in out/benchmark-base/ and out/benchmark/"
        )

    def test_a_base_without_benchmarks_is_said(self) -> None:
        """When the base had nothing to run, the line says so instead of counting its runs."""
        line = summary_line(
            ref="v1", short_sha="abc1234", runs=2, reports=Path("reports/"), base_ran=False
        )
        assert line == (
            "noxci: compared with v1 (abc1234): it has no benchmark tests; "
            "2 runs of the head in reports/benchmark/"
        )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose project lives in ``proj/``: two commits, ``v1`` then ``v2``."""
    root = tmp_path / "repo"
    (root / "proj").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "proj" / "version.txt").write_text("v1\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    (root / "proj" / "version.txt").write_text("v2\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "two")
    return root


def worktrees(root: Path) -> list[str]:
    """The paths of a repository's worktrees, as git lists them."""
    lines = git(root, "worktree", "list", "--porcelain").splitlines()
    return [line.removeprefix("worktree ") for line in lines if line.startswith("worktree ")]


class TestResolveTarget:
    def test_project_in_a_subdirectory(self, repo: Path) -> None:
        """REF resolves in the repository holding the project; the project's path is kept."""
        sha = git(repo, "rev-parse", "HEAD~1")
        target = resolve_target(repo / "proj", "HEAD~1")
        assert target == Target(
            toplevel=repo.resolve(),
            subdir=PurePosixPath("proj"),
            ref="HEAD~1",
            sha=sha,
            short_sha=git(repo, "rev-parse", "--short", sha),
        )

    def test_project_at_the_top(self, repo: Path) -> None:
        """A project at the repository's top level has ``.`` as its path."""
        assert resolve_target(repo, "main").subdir == PurePosixPath(".")

    def test_unknown_ref_says_to_fetch_it(self, repo: Path) -> None:
        """A ref the clone lacks (a shallow clone) is one line saying how to fetch it."""
        with pytest.raises(UsageError) as caught:
            resolve_target(repo / "proj", "origin/main")
        assert str(caught.value) == (
            f"--compare origin/main: not a commit in {repo.resolve()} (a shallow clone, or never "
            "fetched?); fetch it first: git fetch origin main (or git fetch --unshallow; "
            "actions/checkout: fetch-depth: 0)"
        )

    def test_outside_a_repository(self, tmp_path: Path) -> None:
        """A project outside any git repository cannot be compared: one line says why."""
        with pytest.raises(UsageError) as caught:
            resolve_target(tmp_path, "v1.0")
        assert str(caught.value) == (
            f"--compare v1.0: {tmp_path.resolve()} is not inside a git repository (not a git "
            "repository (or any of the parent directories): .git); the comparison checks REF "
            "out of the project's git clone"
        )

    def test_without_git(self, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without git on PATH, the comparison says to install it."""
        monkeypatch.setenv("PATH", str(repo))
        with pytest.raises(UsageError) as caught:
            resolve_target(repo, "main")
        assert str(caught.value) == (
            "--compare: git is not on PATH; install git, or run the benchmark without --compare"
        )


class TestCheckedOut:
    def test_base_checkout_while_inside_gone_after(self, repo: Path, tmp_path: Path) -> None:
        """Inside the block the base project holds REF's files; afterwards no worktree is left."""
        target = resolve_target(repo / "proj", "HEAD~1")
        path = tmp_path / "wt"
        with checked_out(target, path) as base:
            assert base == path / "proj"
            assert (base / "version.txt").read_text(encoding="utf-8") == "v1\n"
            assert git(base, "rev-parse", "HEAD") == target.sha
            assert worktrees(repo) == [str(repo.resolve()), str(path)]
        assert path.exists() is False
        assert worktrees(repo) == [str(repo.resolve())]

    def test_removed_when_the_block_fails(self, repo: Path, tmp_path: Path) -> None:
        """An error inside the block (a failed run, Ctrl-C) still removes the worktree."""
        target = resolve_target(repo / "proj", "HEAD~1")
        path = tmp_path / "wt"
        with pytest.raises(KeyboardInterrupt), checked_out(target, path):
            raise KeyboardInterrupt
        assert path.exists() is False
        assert worktrees(repo) == [str(repo.resolve())]

    def test_stale_worktree_is_replaced(self, repo: Path, tmp_path: Path) -> None:
        """A worktree a killed run left at the path is removed before the new one is added."""
        path = tmp_path / "wt"
        git(repo, "worktree", "add", "-q", "--detach", str(path), "HEAD")
        target = resolve_target(repo / "proj", "HEAD~1")
        with checked_out(target, path) as base:
            assert (base / "version.txt").read_text(encoding="utf-8") == "v1\n"
        assert worktrees(repo) == [str(repo.resolve())]

    def test_blocked_path_is_one_line(self, repo: Path, tmp_path: Path) -> None:
        """A file in the worktree's place makes git fail; the error says to remove it."""
        path = tmp_path / "wt"
        path.write_text("in the way", encoding="utf-8")
        target = resolve_target(repo / "proj", "HEAD~1")
        with pytest.raises(UsageError) as caught, checked_out(target, path):
            pass
        assert str(caught.value) == (
            f"--compare HEAD~1: git worktree add {path} failed ('{path}' already exists); "
            f"remove {path} and try again"
        )

    def test_remove_without_a_worktree_is_harmless(self, repo: Path, tmp_path: Path) -> None:
        """Removing a worktree that is not there leaves the repository as it was."""
        remove_worktree(repo, tmp_path / "missing")
        assert worktrees(repo) == [str(repo.resolve())]


TARGET = Target(
    toplevel=Path("/repo"),
    subdir=PurePosixPath("proj"),
    ref="v1",
    sha="0" * 40,
    short_sha="0000000",
)


class TestBaseCheckout:
    def test_reads_the_base_configuration(self, tmp_path: Path) -> None:
        """The base runs with its own [tool.noxci], not the head's."""
        (tmp_path / "pyproject.toml").write_text(
            '[tool.noxci.stage.benchmark]\npaths = ["bench"]\n', encoding="utf-8"
        )
        head = Checkout(project=HEAD, settings=Settings())
        base = _base_checkout(tmp_path, head, TARGET)
        assert base == Checkout(
            project=tmp_path,
            settings=Settings(stage={"benchmark": StageSpec(paths=("bench",))}),
        )

    def test_unloadable_configuration_falls_back_to_the_head(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A base whose [tool.noxci] this noxci rejects runs with the head's settings, said once."""
        (tmp_path / "pyproject.toml").write_text("[tool.noxci]\nbogus = 1\n", encoding="utf-8")
        head_settings = Settings(stage={"benchmark": StageSpec(args=FAST)})
        base = _base_checkout(tmp_path, Checkout(project=HEAD, settings=head_settings), TARGET)
        assert base == Checkout(project=tmp_path, settings=head_settings)
        assert capsys.readouterr().out == (
            f"noxci: --compare v1: the base's configuration does not load ({tmp_path}/"
            "pyproject.toml [tool.noxci]: unknown key 'bogus'; known keys: "
            + ", ".join([*(opt.key for opt in options()), "services", "stage", "benchmarks"])
            + "); its benchmarks run with the head's settings\n"
        )

    def test_missing_project_is_one_line(self, tmp_path: Path) -> None:
        """A REF without the project's directory cannot be compared with."""
        head = Checkout(project=HEAD, settings=Settings())
        with pytest.raises(UsageError) as caught:
            _base_checkout(tmp_path / "proj", head, TARGET)
        assert str(caught.value) == (
            "--compare v1: proj does not exist at 0000000; compare with a commit that has the project"
        )


class TestProjectName:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('[project]\nname = "sampleproj"\n', "sampleproj"),
            ("[project]\nversion = 1\n", None),
            ("[project\n", None),
        ],
    )
    def test_name_from_pyproject(self, tmp_path: Path, text: str, expected: str | None) -> None:
        """The project's name when pyproject.toml declares one; None when it cannot tell."""
        (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
        assert _project_name(tmp_path) == expected

    def test_no_pyproject(self, tmp_path: Path) -> None:
        """Without pyproject.toml there is no name to reinstall by."""
        assert _project_name(tmp_path) is None


class TestHasBenchmarks:
    def test_configured_paths_decide(self, tmp_path: Path) -> None:
        """A base has benchmarks when one of its benchmark paths exists."""
        settings = Settings(stage={"benchmark": StageSpec(paths=("bench", "more"))})
        checkout = Checkout(project=tmp_path, settings=settings)
        assert _has_benchmarks(checkout) is False
        (tmp_path / "more").mkdir()
        assert _has_benchmarks(checkout) is True
