"""The workflow-side subcommands: ``matrix``, ``merge``, ``baseline`` and ``nightly``.

:func:`add_commands` adds them to the command line's subparsers; each sets ``run`` to
its handler, which returns the exit code or raises a :class:`~ci.errors.NoxciError`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ci.config import load_settings
from ci.errors import InputError, PublishError
from ci.github import baseline, matrix, merge, nightly
from ci.report.publish.actions import write_outputs
from ci.report.publish.client import MissingTokenError
from ci.report.publish.retry import GaveUpError, RetryPolicy

__all__ = ["add_commands"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the workflow-side subcommands to ``commands``."""
    _add_matrix(commands)
    _add_merge(commands)
    _add_baseline(commands)
    _add_nightly(commands)


def _project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project", type=Path, default=Path(), metavar="DIR", help="the project directory"
    )


def _add_matrix(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "matrix",
        help="print the GitHub Actions job matrix of the noxfile's stages",
        description="Each test stage on every Python, lint and benchmark once; JSON for fromJSON.",
    )
    _project(parser)
    parser.add_argument(
        "--sessions", type=Path, metavar="FILE", help="`nox -l --json` output (default: run nox)"
    )
    parser.add_argument("--profile", choices=matrix.PROFILES, default="pr", help="pr or nightly")
    parser.add_argument(
        "--python", default=",".join(matrix.PYTHONS), metavar="VERSIONS", help="comma-separated"
    )
    parser.add_argument(
        "--github-output", action="store_true", help="also write it as the step output `matrix`"
    )
    parser.set_defaults(run=_matrix)


def _matrix(args: argparse.Namespace) -> int:
    if args.sessions is None:
        text = matrix.list_sessions(args.project, nox=(sys.executable, "-m", "nox"))
        where = "nox -l --json"
    else:
        try:
            text = args.sessions.read_text(encoding="utf-8")
        except OSError as error:
            msg = f"{args.sessions}: cannot read it ({error.strerror}); check the path"
            raise InputError(msg) from None
        where = str(args.sessions)
    pythons = [part.strip() for part in args.python.split(",") if part.strip()]
    cells = matrix.build_matrix(
        matrix.parse_sessions(text, where=where),
        profile=args.profile,
        pythons=pythons,
        shards=matrix.stage_shards(load_settings(args.project, os.environ)),
    )
    document = matrix.matrix_json(cells)
    print(document)
    if args.github_output:
        write_outputs(os.environ, {"matrix": document})
    return 0


def _add_merge(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "merge",
        help="lay the stage jobs' downloaded artifacts out as one reports directory",
        description="Copy each matrix cell's artifact folder into the reports layout.",
    )
    parser.add_argument("artifacts", type=Path, metavar="DIR", help="one folder per artifact")
    parser.add_argument("--matrix", required=True, metavar="JSON", help="the plan job's matrix")
    parser.add_argument("--into", type=Path, default=Path("reports"), metavar="DIR")
    parser.add_argument(
        "--portable", action="store_true", help="coverage as JSON, the diff and the event file"
    )
    parser.add_argument("--event-file", type=Path, metavar="FILE", help="copied as event.json")
    parser.add_argument("--baseline", type=Path, metavar="DIR", help="copied as baseline/")
    _project(parser)
    parser.set_defaults(run=_merge)


def _merge(args: argparse.Namespace) -> int:
    settings = load_settings(args.project, os.environ)
    result = merge.merge_artifacts(
        args.artifacts,
        merge.read_matrix(args.matrix),
        args.into,
        settings=settings,
        project=args.project,
        portable=args.portable,
        event_file=args.event_file,
        baseline=args.baseline,
    )
    print(f"noxci: merged {len(result.files)} files into {args.into}")
    for line in result.missing:
        print(f"noxci: error: missing artifact {line}", file=sys.stderr)
    return 2 if result.missing else 0


def _add_baseline(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "baseline",
        help="download main's baseline artifact for a pull request's merge-base",
        description="Unpack the newest noxci-baseline artifact of REF or its nearest ancestor.",
    )
    parser.add_argument("--ref", required=True, help="the commit to start from: the base")
    parser.add_argument("--head", help="start from the merge-base of --ref and this commit")
    parser.add_argument("--into", type=Path, default=Path("baseline"), metavar="DIR")
    parser.add_argument("--depth", type=int, default=20, help="first-parent ancestors to try")
    parser.add_argument("--name", default=baseline.BASELINE_ARTIFACT, help="the artifact's name")
    _project(parser)
    parser.set_defaults(run=_baseline)


def _baseline(args: argparse.Namespace) -> int:
    env: Mapping[str, str] = os.environ
    start = (
        args.ref if args.head is None else baseline.merge_base(args.project, args.ref, args.head)
    )
    shas = baseline.ancestors(args.project, start, depth=args.depth)
    policy = RetryPolicy(budget_s=load_settings(args.project, env).publish_budget)
    try:
        found = baseline.fetch_baseline(
            env, repo=_repo(env), shas=shas, into=args.into, name=args.name, policy=policy
        )
    except (InputError, MissingTokenError) as error:
        print(f"noxci: warning: no baseline: {error}", file=sys.stderr)
        found = None
    if found is None:
        print(f"noxci: no {args.name} artifact for {start} or its last {args.depth} ancestors")
        write_outputs(env, {"path": "", "sha": ""})
        return 0
    print(f"noxci: baseline of {found.sha} in {found.path}")
    write_outputs(env, {"path": str(found.path), "sha": found.sha})
    return 0


def _add_nightly(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "nightly",
        help="keep the one issue that tracks a failing nightly run",
        description="Open, comment on or close the nightly tracking issue for this run.",
    )
    parser.add_argument("--needs", default="", metavar="JSON", help="the jobs' toJSON(needs)")
    parser.add_argument(
        "--outcome", action="append", default=[], metavar="NAME=OUTCOME", help="a step's outcome"
    )
    parser.add_argument("--report", type=Path, metavar="FILE", help="the report's Markdown")
    parser.add_argument("--label", default=nightly.DEFAULT_LABEL)
    parser.add_argument("--title", default=nightly.DEFAULT_TITLE)
    _project(parser)
    parser.set_defaults(run=_nightly)


def _repo(env: Mapping[str, str]) -> str:
    repo = env.get("GITHUB_REPOSITORY", "")
    if not repo:
        msg = "GITHUB_REPOSITORY is not set: run this inside GitHub Actions"
        raise InputError(msg)
    return repo


def _run_url(env: Mapping[str, str]) -> str:
    parts = (env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID"))
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else ""


def _nightly(args: argparse.Namespace) -> int:
    env: Mapping[str, str] = os.environ
    report = ""
    if args.report is not None and args.report.is_file():
        report = args.report.read_text(encoding="utf-8", errors="replace")
    night = nightly.night_from_results(
        args.needs, args.outcome, report=report, run_url=_run_url(env)
    )
    policy = RetryPolicy(budget_s=load_settings(args.project, env).publish_budget)
    try:
        action, number = nightly.track(
            env, night, repo=_repo(env), label=args.label, title=args.title, policy=policy
        )
    except (GaveUpError, MissingTokenError) as error:
        msg = f"nightly tracking issue not updated: {error}"
        raise PublishError(msg) from None
    shown = f" #{number}" if number is not None else ""
    verdict = "passed" if night.passed else "failed"
    print(f"noxci: the nightly run {verdict}; tracking issue: {action.value}{shown}")
    return 0
