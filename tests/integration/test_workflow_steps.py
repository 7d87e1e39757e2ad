"""The PR path of ``.github/workflows``, run step by step against the local GitHub server.

A repository (the sample project with noxci's workflows and action) gets a push to main
and then a pull request. Each run goes as on GitHub: the plan job generates the matrix
with the real noxfile, every matrix cell's job runs (its stage replaced by synthetic
JUnit, real coverage data and benchmark JSON) and uploads its reports, and the report
job downloads, merges, fetches main's baseline and publishes. For a fork's pull request
the report job only uploads the inputs and the event file, and ``comment.yml`` posts
them from a checkout of the default branch, through ``workflow_run``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ci.config import load_settings
from ci.coverage_config import coverage_config
from tests.github_server import GitHubServer, Issue, PullRef, Repo, Token, User, WorkflowRun
from tests.github_server._cast import BOT, REPO, TOKEN
from tests.integration._actions_runner import Job, Run, evaluate, python_path_env

pytest_plugins = ["tests.github_server.fixtures"]

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "tests" / "sample_project"
BENCHMARK = ROOT / "tests" / "data" / "benchmark" / "pytest-benchmark-5.3.1.json"
MARKER = "<!-- noxci:report:default -->"
FORK = "contrib/proj"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A git repository: the sample project with our workflows (base), then a change (head)."""
    repo = tmp_path_factory.mktemp("origin")
    shutil.copytree(SAMPLE, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*cache*"))
    shutil.copytree(ROOT / ".github", repo / ".github")
    shutil.copyfile(ROOT / "action.yml", repo / "action.yml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    render = repo / "src" / "sampleproj" / "render.py"
    render.write_text(
        render.read_text() + "\n\ndef shout(text: str) -> str:\n    return text.upper()\n"
    )
    git(repo, "commit", "-q", "-am", "head")
    return repo, base, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def coverage_data(origin: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real coverage data file of the sample project, measured as a stage measures."""
    repo = origin[0]
    out = tmp_path_factory.mktemp("coverage")
    rcfile = out / "coverage.toml"
    rcfile.write_text(coverage_config(repo, load_settings(repo, {}), out / ".coverage.unit"))
    script = out / "touch.py"
    script.write_text(
        "import sys\nsys.path.insert(0, 'src')\nfrom sampleproj import Interval, IntervalSet\n"
        "IntervalSet([Interval(1, 3), Interval(2, 5)])\n"
    )
    env = {k: v for k, v in python_path_env().items() if not k.startswith("COVERAGE_")}
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", f"--rcfile={rcfile}", str(script)],
        cwd=repo,
        env=env,
        check=True,
        timeout=120,
    )
    (data,) = out.glob(".coverage.unit.*")
    return data


def junit(stage: str, *, failing: bool) -> str:
    failure = '<failure message="boom">assert 1 == 2</failure>' if failing else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites>'
        f'<testsuite name="{stage}" tests="2" failures="{int(failing)}" errors="0" skipped="0" time="0.1">'
        f'<testcase classname="tests.{stage}.test_x" name="test_ok" time="0.01"/>'
        f'<testcase classname="tests.{stage}.test_x" name="test_maybe" time="0.02">{failure}</testcase>'
        "</testsuite></testsuites>"
    )


def synthetic_stage(cell: dict[str, str], data: Path, *, failing: str) -> Callable[[Path], None]:
    """What the cell's nox session leaves in reports/, without running it."""

    def stage(workspace: Path) -> None:
        reports = workspace / "reports"
        if cell["kind"] == "lint":
            return
        (reports / "junit").mkdir(parents=True)
        fails = cell["artifact"] == failing
        (reports / "junit" / f"{cell['stage']}.xml").write_text(junit(cell["stage"], failing=fails))
        if cell["kind"] == "benchmark":
            for folder in ("benchmark", "benchmark-base"):
                (reports / folder).mkdir()
                shutil.copyfile(BENCHMARK, reports / folder / "benchmark.json")
            return
        (reports / "coverage").mkdir()
        name = f".coverage.{cell['stage']}.{cell['python']}.1.x"
        shutil.copyfile(data, reports / "coverage" / name)

    return stage


def clone(origin: Path, sha: str, into: Path) -> Path:
    git(origin.parent, "clone", "-q", str(origin), str(into))
    git(into, "checkout", "-q", sha)
    return into


def load(name: str) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    return workflow


class Pipeline:
    """ci.yml's three jobs for one run, in order."""

    def __init__(self, run: Run, origin: Path, sha: str, data: Path, tmp: Path) -> None:
        self.run, self.origin, self.sha, self.data, self.tmp = run, origin, sha, data, tmp
        self.workflow = load("ci.yml")

    def workspace(self, name: str, *, checkout: bool = True) -> Path:
        path = self.tmp / f"run{self.run.run_id}-{name}"
        if checkout:
            return clone(self.origin, self.sha, path)
        path.mkdir()
        return path

    def go(self, *, failing: str = "") -> Job:
        jobs = self.workflow["jobs"]
        plan = Job(self.run, jobs["plan"], self.workspace("plan"))
        outputs = plan.execute()
        cells = json.loads(outputs["matrix"])["include"]
        stage_results = []
        for cell in cells:
            synth = synthetic_stage(cell, self.data, failing=failing)
            names = [s["name"] for s in jobs["stage"]["steps"] if "nox -s" in s.get("run", "")]
            job = Job(
                self.run,
                jobs["stage"],
                self.workspace(cell["artifact"], checkout=False),
                matrix=cell,
                replace=dict.fromkeys(names, synth),
            )
            job.execute()
            stage_results.append("failure" if job.failed else "success")
        needs = {
            "plan": {"result": "success", "outputs": outputs},
            "stage": {"result": max(stage_results, default="success"), "outputs": {}},
        }
        report = Job(self.run, jobs["report"], self.workspace("report"), needs=needs)
        report.execute()
        return report


def seed(server: GitHubServer, base: str, head: str, *, head_repo: str = REPO) -> dict[str, Any]:
    """The pull request on the server; its pull_request event as GitHub writes it."""
    server.add(
        Issue(
            repo=REPO,
            title="shout",
            pull=PullRef(head_sha=head, base_sha=base, head_repo=head_repo),
        )
    )
    request_pull = _get(server, f"/repos/{REPO}/pulls/1")
    return {
        "action": "synchronize",
        "number": 1,
        "pull_request": request_pull,
        "repository": {"full_name": REPO},
    }


def _get(server: GitHubServer, path: str) -> Any:
    request = urllib.request.Request(
        f"{server.url}{path}", headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def push_to_main(server: GitHubServer, origin: Path, base: str, data: Path, tmp: Path) -> Job:
    """main's push run on the base commit: it uploads noxci-baseline."""
    run = server.add(WorkflowRun(repo=REPO, head_sha=base, event="push"))
    env = {**python_path_env(), "GITHUB_API_URL": server.url}
    push = Run(
        server=server,
        repo=REPO,
        run_id=run.id,
        event_name="push",
        event={"ref": "refs/heads/main", "after": base, "repository": {"full_name": REPO}},
        token=TOKEN,
        env=env,
        sha=base,
        scratch=tmp,
    )
    return Pipeline(push, origin, base, data, tmp).go()


def posted(server: GitHubServer) -> Iterator[Any]:
    with server.store.lock:
        yield from sorted(server.store.comments.values(), key=lambda c: c.id)


class TestPullRequestPath:
    def test_same_repository(
        self,
        github_api: GitHubServer,
        origin: tuple[Path, str, str],
        coverage_data: Path,
        tmp_path: Path,
    ) -> None:
        """Matrix jobs, merge, main's baseline, then one sticky comment and a failing check run."""
        repo, base, head = origin
        pushed = push_to_main(github_api, repo, base, coverage_data, tmp_path)
        assert ("Upload main's baseline for the PRs to compare with", "success") in pushed.log
        event = seed(github_api, base, head)
        run = github_api.add(WorkflowRun(repo=REPO, head_sha=head, event="pull_request"))
        pull = Run(
            server=github_api,
            repo=REPO,
            run_id=run.id,
            event_name="pull_request",
            event=event,
            token=TOKEN,
            env={**python_path_env(), "GITHUB_API_URL": github_api.url},
            sha="d" * 40,
            scratch=tmp_path,
        )
        report = Pipeline(pull, repo, head, coverage_data, tmp_path).go(failing="noxci-unit-py3.14")
        outcomes = {k: v["outcome"] for k, v in report.steps.items()}
        assert outcomes == {"baseline": "success", "report": "failure"}, report.log
        assert report.steps["baseline"]["outputs"] == {
            "path": "baseline/reports",
            "sha": base,
        }
        comments = list(posted(github_api))
        assert [(c.issue_number, c.user) for c in comments] == [(1, BOT)]
        assert comments[0].body.startswith(MARKER + "\n")
        with github_api.store.lock:
            runs = {(r.head_sha, r.conclusion) for r in github_api.store.check_runs.values()}
        assert runs == {(base, "failure"), (head, "failure")}  # coverage 30% < 80% on both
        data = json.loads(
            (tmp_path / f"run{run.id}-report" / "reports" / "report.json").read_text()
        )
        stages = data["tests"]["stages"]
        assert sorted(stages)[:3] == ["benchmark", "integration-py3.11", "integration-py3.12"]
        assert (stages["unit-py3.14"]["failed"], stages["unit-py3.13"]["failed"]) == (1, 0)
        assert data["tests"]["new_failures"] == ["tests.unit.test_x::test_maybe"]
        assert github_api.validation_errors == []

    def test_fork_through_workflow_run(
        self,
        github_api: GitHubServer,
        origin: tuple[Path, str, str],
        coverage_data: Path,
        tmp_path: Path,
    ) -> None:
        """The fork's run posts nothing; comment.yml posts from the uploaded inputs and event."""
        repo, base, head = origin
        github_api.seed(
            User(login="contrib"),
            Repo(owner="contrib", name="proj", fork=True),
            Token(token="ro", login=BOT, read_only=True),
        )
        event = seed(github_api, base, head, head_repo=FORK)
        run = github_api.add(
            WorkflowRun(repo=REPO, head_sha=head, head_repo=FORK, event="pull_request")
        )
        pull = Run(
            server=github_api,
            repo=REPO,
            run_id=run.id,
            event_name="pull_request",
            event=event,
            token="ro",  # a fork's pull_request run: read-only
            env={**python_path_env(), "GITHUB_API_URL": github_api.url},
            sha="d" * 40,
            scratch=tmp_path,
        )
        report = Pipeline(pull, repo, head, coverage_data, tmp_path).go(failing="noxci-unit-py3.14")
        assert ("Upload the report inputs and the event file (fork PRs)", "success") in report.log
        assert list(posted(github_api)) == []

        listed = _get(github_api, f"/repos/{REPO}/actions/runs?head_sha={head}")
        payload = dict(listed["workflow_runs"][0], pull_requests=[])  # empty for forks
        comment = load("comment.yml")
        (job_definition,) = comment["jobs"].values()
        trusted = Run(
            server=github_api,
            repo=REPO,
            run_id=run.id + 1000,
            event_name="workflow_run",
            event={"action": "completed", "workflow_run": payload},
            token=TOKEN,
            env={**python_path_env(), "GITHUB_API_URL": github_api.url},
            sha=base,
            scratch=tmp_path,
        )
        workspace = clone(repo, base, tmp_path / "comment")  # the default branch, never the PR
        job = Job(trusted, job_definition, workspace)
        assert evaluate(job_definition["if"], job.context()) is True
        job.execute()
        assert ("Report and publish", "failure") in job.log  # the verdict: a test failed
        comments = list(posted(github_api))
        assert [(c.issue_number, c.user) for c in comments] == [(1, BOT)]
        assert comments[0].body.startswith(MARKER + "\n")
        with github_api.store.lock:
            heads = [(r.head_sha, r.conclusion) for r in github_api.store.check_runs.values()]
        assert heads == [(head, "failure")]
        assert "def shout" not in (workspace / "src" / "sampleproj" / "render.py").read_text()
        assert github_api.validation_errors == []
