"""The lint stage's workflow linters: actionlint and zizmor, only where there is something to lint."""

from __future__ import annotations

from pathlib import Path

from ci.config import Settings
from ci.stages.commands import ACTIONLINT, lint_commands, workflow_lint_commands

ACTIONLINT_ARGV = (*ACTIONLINT, ".github/workflows/*.{yml,yaml}")


def project_with(tmp_path: Path, *files: str) -> Path:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("on: push\n", encoding="utf-8")
    return tmp_path


class TestWorkflowLintCommands:
    def test_nothing_to_lint(self, tmp_path: Path) -> None:
        """No workflows and no action.yml: no linter runs (no Node.js needed)."""
        assert workflow_lint_commands(project_with(tmp_path, ".github/dependabot.yml")) == []

    def test_workflows(self, tmp_path: Path) -> None:
        """Workflows: actionlint over them, then zizmor over .github offline."""
        project = project_with(tmp_path, ".github/workflows/ci.yml")
        assert [c.argv for c in workflow_lint_commands(project)] == [
            ACTIONLINT_ARGV,
            ("zizmor", "--offline", ".github"),
        ]

    def test_workflows_and_the_composite_action(self, tmp_path: Path) -> None:
        """A root action.yml joins zizmor's inputs (actionlint reads workflows only)."""
        project = project_with(tmp_path, ".github/workflows/ci.yaml", "action.yml")
        assert [c.argv for c in workflow_lint_commands(project)] == [
            ACTIONLINT_ARGV,
            ("zizmor", "--offline", ".github", "action.yml"),
        ]

    def test_only_an_action(self, tmp_path: Path) -> None:
        """An action repository without workflows gets zizmor over its action.yaml."""
        project = project_with(tmp_path, "action.yaml")
        assert [c.argv for c in workflow_lint_commands(project)] == [
            ("zizmor", "--offline", "action.yaml")
        ]

    def test_npm_stays_quiet(self, tmp_path: Path) -> None:
        """npx is told not to look for its own updates or print funding notes."""
        (actionlint, _) = workflow_lint_commands(project_with(tmp_path, ".github/workflows/a.yml"))
        assert actionlint.env == {"npm_config_update_notifier": "false", "npm_config_fund": "false"}

    def test_this_repository(self) -> None:
        """noxci lints its own three workflows and its action after ruff and mypy."""
        root = Path(__file__).parents[3]
        argvs = [c.argv for c in lint_commands(Settings(sources=("ci",)), project=root)]
        assert argvs[-2:] == [ACTIONLINT_ARGV, ("zizmor", "--offline", ".github", "action.yml")]
