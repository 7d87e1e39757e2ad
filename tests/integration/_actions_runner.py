"""A small stand-in for the GitHub Actions runner, to run our workflows' steps locally.

GitHub Actions cannot run here, so the tests run the jobs of ``.github/workflows/*.yml``
step by step, in order, as the runner would: expressions in ``if:``, ``env:`` and
``with:`` are evaluated (the subset our workflows use), ``run:`` scripts run in bash with
``GITHUB_OUTPUT`` and the job's environment, the local composite action runs its own
steps, and the actions we pin are stood in for: checkout and setup-python are the
prepared workspace and this interpreter; upload-artifact zips into the local GitHub
server (as an artifact of the run); download-artifact unzips from it, through the REST
API when given a ``run-id``. ``pip install`` steps are skipped (noxci is installed
already), and a test may replace a named step by a function (a stage's synthetic run).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import io
import json
import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.github_server import Artifact, GitHubServer

__all__ = ["Job", "Run", "evaluate", "substitute"]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][\w.-]*))"
)
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_FUNCTIONS = {
    "cancelled": lambda: False,
    "always": lambda: True,
    "fromJSON": json.loads,
    "toJSON": lambda value: json.dumps(value, indent=2),
    "contains": lambda haystack, needle: needle in haystack,
}


def _lookup(context: Mapping[str, Any], dotted: str) -> Any:
    value: Any = context
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def evaluate(expression: str, context: Mapping[str, Any], *, success: bool = True) -> Any:
    """Evaluate a GitHub expression (the subset our workflows use) in ``context``."""
    python: list[str] = []
    names: dict[str, Any] = {
        **_FUNCTIONS,
        "success": lambda: success,
        "failure": lambda: not success,
    }
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None, f"cannot read {text[position:]!r}"
        position = match.end()
        if match["str"] is not None:
            python.append(repr(match["str"][1:-1].replace("''", "'")))
        elif match["op"] is not None:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        elif match["num"] is not None:
            python.append(match["num"])
        else:
            name = match["name"]
            if name in {"true", "false", "null"}:
                python.append({"true": "True", "false": "False", "null": "None"}[name])
            elif text[position:].lstrip().startswith("(") and name in names:
                python.append(f"_f[{name!r}]")
            else:
                python.append(f"_v[{name!r}]")
                names.setdefault("_values", {})[name] = _lookup(context, name)
    values = names.pop("_values", {})
    return eval("".join(python), {"__builtins__": {}}, {"_f": names, "_v": values})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def substitute(template: Any, context: Mapping[str, Any]) -> Any:
    """A ``with:``/``env:`` value with every ``${{ }}`` replaced by its value."""
    if not isinstance(template, str):
        return template
    whole = _EXPR.fullmatch(template.strip())
    if whole and not isinstance(evaluate(whole[1], context), str):
        return _text(evaluate(whole[1], context))
    return _EXPR.sub(lambda m: _text(evaluate(m[1], context)), template)


def _outputs(path: Path) -> dict[str, str]:
    """The ``name<<DELIM`` and ``name=value`` entries of a GITHUB_OUTPUT file."""
    found: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            found[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        name, _, value = line.partition("=")
        found[name] = value
        index += 1
    return found


@dataclasses.dataclass
class Run:
    """One workflow run: its event, the server it talks to, and the artifacts it uploaded."""

    server: GitHubServer
    repo: str
    run_id: int
    event_name: str
    event: dict[str, Any]
    token: str
    #: Extra environment for every step (GITHUB_API_URL and the like come from here).
    env: dict[str, str]
    sha: str = ""
    uploaded: dict[str, Path] = dataclasses.field(default_factory=dict)
    scratch: Path = Path()

    def github(self, workspace: Path) -> dict[str, Any]:
        return {
            "event_name": self.event_name,
            "event": self.event,
            "repository": self.repo,
            "token": self.token,
            "sha": self.sha,
            "workspace": str(workspace),
            "action_path": str(workspace),
            "ref": "refs/heads/main",
        }


@dataclasses.dataclass
class Job:
    """One job of a workflow, run in ``workspace`` with the given matrix cell and needs."""

    run: Run
    definition: dict[str, Any]
    workspace: Path
    matrix: dict[str, Any] = dataclasses.field(default_factory=dict)
    needs: dict[str, Any] = dataclasses.field(default_factory=dict)
    replace: Mapping[str, Callable[[Path], None]] = dataclasses.field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    log: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    failed: bool = False

    def context(self, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "github": self.run.github(self.workspace),
            "matrix": self.matrix,
            "needs": self.needs,
            "steps": self.steps,
            "inputs": dict(inputs or {}),
            "runner": {"temp": str(self.run.scratch)},
        }

    def execute(self) -> dict[str, str]:
        """Run every step in order; the job's outputs."""
        env = {k: substitute(v, self.context()) for k, v in self.definition.get("env", {}).items()}
        for number, step in enumerate(self.definition["steps"]):
            self._step(step, env, number, inputs=None)
        outputs = self.definition.get("outputs", {})
        return {name: substitute(value, self.context()) for name, value in outputs.items()}

    def _step(
        self,
        step: dict[str, Any],
        env: Mapping[str, str],
        number: int,
        *,
        inputs: Mapping[str, Any] | None,
    ) -> None:
        context = self.context(inputs)
        condition = str(step.get("if", "success()")).strip()
        condition = condition.removeprefix("${{").removesuffix("}}")
        if not evaluate(condition, context, success=not self.failed):
            self.log.append((step.get("name", step.get("uses", "")), "skipped"))
            return
        step_env = {**env, **{k: substitute(v, context) for k, v in step.get("env", {}).items()}}
        name = step.get("name", step.get("uses", step.get("run", "")))
        outputs: dict[str, str] = {}
        try:
            if name in self.replace:
                self.replace[name](self.workspace)
            elif "uses" in step:
                with_ = {k: substitute(v, context) for k, v in step.get("with", {}).items()}
                outputs = self._uses(step["uses"], with_, step_env, number)
            elif "pip install" not in step["run"]:
                outputs = self._shell(step["run"], step_env, number)
            outcome = "success"
        except subprocess.CalledProcessError:
            outcome = "failure"
            self.failed = True
        self.log.append((name, outcome))
        if "id" in step:
            self.steps[step["id"]] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}

    def _shell(self, script: str, env: Mapping[str, str], number: int) -> dict[str, str]:
        output = self.run.scratch / f"output-{id(self)}-{number}-{len(self.log)}"
        output.unlink(missing_ok=True)
        event = self.run.scratch / f"event-{self.run.run_id}.json"
        event.write_text(json.dumps(self.run.event), encoding="utf-8")
        full = {
            **self.run.env,
            "GITHUB_EVENT_NAME": self.run.event_name,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": self.run.repo,
            "GITHUB_RUN_ID": str(self.run.run_id),
            "GITHUB_SHA": self.run.sha,
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.run.scratch / f"summary-{self.run.run_id}.md"),
            **env,
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.workspace,
            env=full,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.log.append((f"$ {script.strip()}", done.stdout + done.stderr))
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, script, done.stdout, done.stderr)
        return _outputs(output)

    def _uses(
        self, uses: str, with_: Mapping[str, Any], env: Mapping[str, str], number: int
    ) -> dict[str, str]:
        action = uses.split("@", maxsplit=1)[0]
        if action in {"actions/checkout", "actions/setup-python"}:
            return {}
        if action == "actions/upload-artifact":
            self._upload(with_)
            return {}
        if action == "actions/download-artifact":
            self._download(with_)
            return {}
        assert uses == "./", f"no stand-in for {uses}"
        return self._composite(with_, env, number)

    def _composite(
        self, with_: Mapping[str, Any], env: Mapping[str, str], number: int
    ) -> dict[str, str]:
        action = yaml.safe_load((self.workspace / "action.yml").read_text(encoding="utf-8"))
        defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
        inputs = {**{k: substitute(v, self.context()) for k, v in defaults.items()}, **with_}
        outer = self.steps
        self.steps = {}
        for inner, step in enumerate(action["runs"]["steps"]):
            self._step(step, env, number * 100 + inner, inputs=inputs)
        context = self.context(inputs)
        self.steps = outer
        if self.failed:
            raise subprocess.CalledProcessError(1, "composite action")
        return {k: substitute(v["value"], context) for k, v in action["outputs"].items()}

    def _upload(self, with_: Mapping[str, Any]) -> None:
        paths = [self.workspace / p.strip() for p in str(with_["path"]).splitlines() if p.strip()]
        files = [p for p in paths if p.is_file()]
        if len(paths) == 1 and paths[0].is_dir():
            root = paths[0]
            files = [p for p in sorted(root.rglob("*")) if p.is_file()]
        else:
            root = Path(os.path.commonpath([p.parent for p in files])) if files else self.workspace
        if not files:
            assert with_.get("if-no-files-found") == "ignore", f"nothing to upload for {with_}"
            return
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in files:
                archive.write(path, path.relative_to(root).as_posix())
        name = str(with_["name"])
        assert name not in self.run.uploaded, f"artifact {name} uploaded twice"
        self.run.server.add(
            Artifact(repo=self.run.repo, name=name, data=buffer.getvalue(), run_id=self.run.run_id)
        )
        self.run.uploaded[name] = self.workspace

    def _download(self, with_: Mapping[str, Any]) -> None:
        target = self.workspace / str(with_["path"])
        run_id = int(with_.get("run-id") or self.run.run_id)
        token = str(with_.get("github-token") or self.run.token)
        listing = self._api(f"/repos/{self.run.repo}/actions/runs/{run_id}/artifacts", token)
        pattern, name = with_.get("pattern"), with_.get("name")
        for artifact in listing["artifacts"]:
            if name is not None and artifact["name"] != name:
                continue
            if pattern is not None and not fnmatch.fnmatch(artifact["name"], str(pattern)):
                continue
            folder = target if name is not None else target / artifact["name"]
            request = urllib.request.Request(
                artifact["archive_download_url"], headers={"Authorization": f"token {token}"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                zipfile.ZipFile(io.BytesIO(answer.read())).extractall(folder)

    def _api(self, path: str, token: str) -> Any:
        request = urllib.request.Request(
            f"{self.run.server.url}{path}?per_page=100", headers={"Authorization": f"token {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)


def python_path_env() -> dict[str, str]:
    """This interpreter first on PATH (``python`` in a step is it), no GitHub or noxci leftovers.

    A coverage measurement of the test run is kept, so the steps' noxci is measured too.
    """
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_", "PYTEST_"))
    }
    keep["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), keep.get("PATH", "")])
    return keep
