"""The workflows and the composite action are safe by construction: their invariants, parsed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ci.report.model import Report, TestsResult
from ci.report.publish.actions import step_outputs

ROOT = Path(__file__).parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION = ROOT / "action.yml"
FILES = sorted(WORKFLOWS.glob("*.yml"))
_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_VERSION_COMMENT = re.compile(r"uses: (\S+) # v\d+\.\d+\.\d+$")


def load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """``on:`` (YAML 1.1 reads the bare key as ``True``)."""
    on: dict[str, Any] = workflow["on"] if "on" in workflow else workflow[True]
    return on


def steps(document: dict[Any, Any]) -> Iterator[dict[str, Any]]:
    """Every step of every job of a workflow, or of a composite action."""
    if "runs" in document:
        yield from document["runs"]["steps"]
        return
    for job in document["jobs"].values():
        yield from job.get("steps", [])


def all_steps() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in [*FILES, ACTION]:
        for step in steps(load(path)):
            yield path.name, step


class TestEveryWorkflow:
    def test_the_three_workflows(self) -> None:
        """ci.yml, comment.yml and nightly.yml are there."""
        assert [path.name for path in FILES] == ["ci.yml", "comment.yml", "nightly.yml"]

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_no_permissions_at_the_top(self, path: Path) -> None:
        """``permissions: {}`` at the top, and each job names what it needs."""
        workflow = load(path)
        assert workflow["permissions"] == {}
        assert all("permissions" in job for job in workflow["jobs"].values())

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_no_pull_request_target(self, path: Path) -> None:
        """``pull_request_target`` appears nowhere, as trigger or text."""
        assert "pull_request_target" not in triggers(load(path))
        assert "pull_request_target" not in path.read_text(encoding="utf-8")

    def test_every_action_is_pinned_by_sha(self) -> None:
        """Every ``uses:`` but the local action names a 40-character commit SHA."""
        remote = [
            step["uses"] for _, step in all_steps() if "uses" in step and step["uses"] != "./"
        ]
        assert remote != []
        assert [uses for uses in remote if not _PINNED.match(uses)] == []

    def test_every_pin_says_its_version(self) -> None:
        """Each pinned line carries a ``# vX.Y.Z`` comment, for people and Dependabot."""
        for path in [*FILES, ACTION]:
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            pinned = [line for line in lines if re.search(r"uses: \S+@", line)]
            assert pinned != []
            assert [line for line in pinned if not _VERSION_COMMENT.search(line)] == []

    def test_no_expression_inside_run(self) -> None:
        """No ``${{ }}`` in any ``run:``: event data and inputs arrive through ``env:``."""
        runs = [(name, step["run"]) for name, step in all_steps() if "run" in step]
        assert len(runs) >= 10
        assert [(name, run) for name, run in runs if "${{" in run] == []

    def test_checkouts_keep_no_credentials(self) -> None:
        """Every checkout sets ``persist-credentials: false``."""
        checkouts = [s for _, s in all_steps() if s.get("uses", "").startswith("actions/checkout@")]
        assert len(checkouts) == 7  # ci.yml 3, comment.yml 1, nightly.yml 3
        assert {step["with"]["persist-credentials"] for step in checkouts} == {False}

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_artifact_names_unique_per_cell(self, path: Path) -> None:
        """Matrix jobs upload under the cell's own name; other uploads under distinct names."""
        workflow = load(path)
        names: list[str] = []
        for job_name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/upload-artifact@"):
                    name = step["with"]["name"]
                    matrix = "strategy" in job
                    assert (name == "${{ matrix.artifact }}") == matrix, job_name
                    names.append(name)
        assert len(names) == len(set(names))


class TestPullRequestWorkflow:
    workflow = load(WORKFLOWS / "ci.yml")

    def test_triggers(self) -> None:
        """Pull requests, pushes to main and manual runs."""
        assert triggers(self.workflow) == {
            "pull_request": None,
            "push": {"branches": ["main"]},
            "workflow_dispatch": None,
        }

    def test_superseded_pr_runs_are_cancelled(self) -> None:
        """One concurrency group per PR; cancelling only for pull requests."""
        concurrency = self.workflow["concurrency"]
        assert "github.event.pull_request.number" in concurrency["group"]
        assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"

    def test_matrix_comes_from_the_plan(self) -> None:
        """The stage job's matrix is the plan job's output, and no cell stops the others."""
        stage = self.workflow["jobs"]["stage"]
        assert stage["strategy"] == {
            "fail-fast": False,
            "matrix": "${{ fromJSON(needs.plan.outputs.matrix) }}",
        }
        runs = [step["run"] for step in steps(self.workflow) if "run" in step]
        assert "python -m ci matrix --profile pr --github-output" in runs

    def test_uploads_survive_failing_tests(self) -> None:
        """Each upload runs unless the run was cancelled."""
        uploads = [s for s in steps(self.workflow) if "upload-artifact" in s.get("uses", "")]
        assert {step["if"].split(" &&")[0].removeprefix("${{ ") for step in uploads} == {
            "!cancelled() }}",
            "!cancelled()",
        }

    def test_the_benchmark_compares_on_the_runner(self) -> None:
        """On pull requests the benchmark job runs ``--compare`` against the merge-base."""
        (step,) = [s for s in steps(self.workflow) if "--compare" in s.get("run", "")]
        assert "git merge-base" in step["run"]
        assert (
            step["if"] == "${{ matrix.kind == 'benchmark' && github.event_name == 'pull_request' }}"
        )

    def test_main_uploads_the_baseline(self) -> None:
        """Pushes to main upload ``noxci-baseline``, the PRs download it."""
        (upload,) = [
            s for s in steps(self.workflow) if s.get("with", {}).get("name") == "noxci-baseline"
        ]
        assert "github.event_name == 'push'" in upload["if"]
        runs = " ".join(step.get("run", "") for step in steps(self.workflow))
        assert "python -m ci baseline" in runs

    def test_forks_only_upload(self) -> None:
        """For a fork's PR the report job uploads the inputs and the event file."""
        (bundle,) = [s for s in steps(self.workflow) if "--event-file" in s.get("run", "")]
        assert "head.repo.full_name != github.repository" in bundle["if"]
        assert '--event-file "$GITHUB_EVENT_PATH"' in bundle["run"]


class TestCommentWorkflow:
    workflow = load(WORKFLOWS / "comment.yml")

    def test_runs_on_workflow_run_of_ci(self) -> None:
        """Only the completion of the CI workflow triggers it."""
        assert triggers(self.workflow) == {
            "workflow_run": {"workflows": ["CI"], "types": ["completed"]}
        }

    def test_checks_out_no_pr_code(self) -> None:
        """The only checkout is the default branch: no ref, no other repository."""
        (checkout,) = [s for s in steps(self.workflow) if "checkout" in s.get("uses", "")]
        assert set(checkout["with"]) == {"persist-credentials"}

    def test_runs_no_code_of_its_own_steps(self) -> None:
        """No ``run:`` step: the trusted local action is all it runs."""
        assert [step for step in steps(self.workflow) if "run" in step] == []
        assert [s["uses"] for s in steps(self.workflow) if s["uses"] == "./"] == ["./"]

    def test_only_fork_pull_requests(self) -> None:
        """Same-repository PRs are published by ci.yml itself."""
        (job,) = self.workflow["jobs"].values()
        assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
        assert "head_repository.full_name != github.repository" in job["if"]

    def test_downloads_from_the_triggering_run(self) -> None:
        """The artifact comes from the run that triggered it, with this token."""
        (download,) = [s for s in steps(self.workflow) if "download-artifact" in s.get("uses", "")]
        assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
        assert download["with"]["name"] == "noxci-report-inputs"


class TestNightlyWorkflow:
    workflow = load(WORKFLOWS / "nightly.yml")

    def test_at_two_utc_and_by_hand(self) -> None:
        """Scheduled at 02:00 UTC, and on demand."""
        assert triggers(self.workflow) == {
            "schedule": [{"cron": "0 2 * * *"}],
            "workflow_dispatch": None,
        }

    def test_nightly_profiles(self) -> None:
        """The nightly matrix, and Hypothesis's nightly profile in every stage job."""
        stage = self.workflow["jobs"]["stage"]
        assert stage["env"]["NOXCI_PROFILE"] == "nightly"
        runs = [step["run"] for step in steps(self.workflow) if "run" in step]
        assert "python -m ci matrix --profile nightly --github-output" in runs

    def test_tracking_is_python(self) -> None:
        """The tracking issue is kept by ``python -m ci nightly``, with issues: write."""
        report = self.workflow["jobs"]["report"]
        (track,) = [s for s in report["steps"] if "python -m ci nightly" in s.get("run", "")]
        assert track["env"]["NEEDS"] == "${{ toJSON(needs) }}"
        assert report["permissions"]["issues"] == "write"


class TestCompositeAction:
    action = load(ACTION)

    def test_is_composite(self) -> None:
        """One ``uses:`` in another repository: a composite action."""
        assert self.action["runs"]["using"] == "composite"

    def test_inputs_reach_the_script_through_env(self) -> None:
        """Each input but the Python version is an environment variable of the report step."""
        (report,) = [s for s in self.action["runs"]["steps"] if s.get("id") == "report"]
        given = set(report["env"].values())
        inputs = set(self.action["inputs"]) - {"python-version"}
        assert given == {f"${{{{ inputs.{name} }}}}" for name in inputs}

    def test_outputs_mirror_the_cli(self) -> None:
        """The action's outputs are the report's step outputs plus the comment's URL."""
        report = Report(inputs=(), tests=TestsResult(), coverage=None, benchmarks=(), gates=())
        assert list(self.action["outputs"]) == [*step_outputs(report), "comment-url"]
        for name, output in self.action["outputs"].items():
            assert output["value"] == f"${{{{ steps.report.outputs.{name} }}}}"


class TestDependabot:
    config = load(ROOT / ".github" / "dependabot.yml")

    def test_actions_and_pip_grouped(self) -> None:
        """GitHub Actions and pip updates, each grouped into one pull request."""
        updates = {u["package-ecosystem"]: u for u in self.config["updates"]}
        assert set(updates) == {"github-actions", "pip"}
        assert all(next(iter(u["groups"].values()))["patterns"] == ["*"] for u in updates.values())
