"""Settings, from defaults < ``[tool.noxci]`` < ``NOXCI_*`` environment < command-line flags.

Every option is declared once, as a field of :class:`Settings` whose metadata holds its
help text and its kind. Everything else is derived from that one declaration:

1. the ``pyproject.toml`` key is the field name with dashes (``fail_under`` → ``fail-under``);
2. the environment variable is ``NOXCI_`` plus the upper-cased name (``NOXCI_FAIL_UNDER``);
3. the flag is ``--`` plus the key (``--fail-under``), added by :func:`add_flags`;
4. the README's configuration reference is checked against :func:`options` by a test.

Tables (``[tool.noxci.services.<name>]``, ``[tool.noxci.stage.<name>]``) live in
``pyproject.toml`` only. Unknown keys fail with a "did you mean" hint.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import enum
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, get_args

from ci.errors import ConfigError

__all__ = [
    "ARTIFACT_STAGES",
    "DIFF_MODES",
    "FAIL_ON",
    "PUBLISH_MODES",
    "STAGES",
    "STATISTICS",
    "TEST_STAGES",
    "BenchmarkOverride",
    "DiffMode",
    "FailOn",
    "Option",
    "PublishMode",
    "ServiceSpec",
    "Settings",
    "StageSpec",
    "Statistic",
    "add_flags",
    "flag_values",
    "load_settings",
    "options",
]

ENV_PREFIX: Final = "NOXCI_"

#: Every stage noxci knows, in the order ``nox -l`` shows them.
STAGES: Final = ("lint", "unit", "integration", "snapshot", "property", "benchmark")
#: The stages that run pytest with coverage over ``tests/<stage>/`` (tag ``tests``).
TEST_STAGES: Final = ("unit", "integration", "snapshot", "property")
#: The stages that leave artifacts for the report.
ARTIFACT_STAGES: Final = (*TEST_STAGES, "benchmark")
#: How the diff-coverage gate decides: a percentage floor, or every changed line covered.
DiffMode = Literal["floor", "every-line"]
DIFF_MODES: Final[tuple[DiffMode, ...]] = get_args(DiffMode)
PublishMode = Literal["github", "local", "none"]
PUBLISH_MODES: Final[tuple[PublishMode, ...]] = get_args(PublishMode)
#: Which failing tests fail the tests gate: any, or only those not failing in the baseline.
FailOn = Literal["any-failure", "new-failures"]
FAIL_ON: Final[tuple[FailOn, ...]] = get_args(FailOn)
#: The statistic of a benchmark's round timings that the comparison uses.
Statistic = Literal["median", "mean", "min"]
STATISTICS: Final[tuple[Statistic, ...]] = get_args(Statistic)


class Kind(enum.Enum):
    """How an option's text (from the environment or a flag) becomes a value."""

    STR = "string"
    PATH = "path"
    FLOAT = "number"
    INT = "integer"
    BOOL = "boolean"
    LIST = "list of strings"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Option:
    """One configurable option, derived from a :class:`Settings` field."""

    attr: str
    kind: Kind
    help: str
    default: object

    @property
    def key(self) -> str:
        """The ``[tool.noxci]`` key and the flag's name without dashes."""
        return self.attr.replace("_", "-")

    @property
    def env(self) -> str:
        """The environment variable that sets this option."""
        return ENV_PREFIX + self.attr.upper()

    @property
    def flag(self) -> str:
        """The command-line flag that sets this option."""
        return "--" + self.key


def _opt(default: Any, kind: Kind, help: str) -> Any:
    """Declare a :class:`Settings` field: its default, its kind and its help text."""
    return dataclasses.field(default=default, metadata={"kind": kind, "help": help})


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceSpec:
    """A process the integration stage starts before the tests and stops after them."""

    #: Name from ``[tool.noxci.services.<name>]``; tests see ``NOXCI_SERVICE_<NAME>_*``.
    name: str
    #: The argv; ``{port}`` is replaced by a free port picked for this service.
    command: tuple[str, ...]
    #: ``tcp:HOST:PORT``, an ``http(s)://`` URL answering 2xx, or a shell-free command exiting 0.
    ready: str | None = None
    #: Seconds to wait for readiness before giving up.
    timeout: float = 30.0
    #: Extra environment for the service process.
    env: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, kw_only=True)
class StageSpec:
    """Per-stage overrides from ``[tool.noxci.stage.<name>]``."""

    #: Test paths for pytest (default ``tests/<stage>``).
    paths: tuple[str, ...] | None = None
    #: Extra pytest arguments, before the session's own ``-- args``.
    args: tuple[str, ...] = ()
    #: Dependency groups installed into the stage (default: the group named like the stage).
    groups: tuple[str, ...] | None = None
    #: Coverage floor in percent for this stage's tests alone (``None``: no floor).
    fail_under: float | None = None
    #: How many shards the CI matrix splits this stage into (pytest-split, by durations).
    shards: int = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class BenchmarkOverride:
    """Per-benchmark settings from ``[tool.noxci.benchmarks."<pattern>"]``.

    The pattern is an ``fnmatch`` glob matched against the benchmark's fullname and its
    name; the first matching table (in file order) applies.
    """

    pattern: str
    min_change: float | None = None
    statistic: Statistic | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything noxci can be told. Field metadata is the single declaration of each option."""

    reports: Path = _opt(
        Path("reports"), Kind.PATH, "Directory the stages write to and the report reads."
    )
    tests: Path = _opt(Path("tests"), Kind.PATH, "Directory holding one test folder per stage.")
    stages: tuple[str, ...] = _opt(STAGES, Kind.LIST, "Stages to register as nox sessions.")
    sources: tuple[str, ...] = _opt(
        (), Kind.LIST, "Packages or directories to measure coverage of."
    )
    install: tuple[str, ...] = _opt(
        ("-e", "."), Kind.LIST, "pip arguments that install the project into a stage."
    )
    python: str | None = _opt(
        None, Kind.STR, "Python version for the stages' sessions (default: nox's)."
    )
    workers: str = _opt("auto", Kind.STR, "pytest-xdist workers inside a test stage (-n).")
    fail_under: float = _opt(
        0.0, Kind.FLOAT, "Coverage floor in percent for all test stages combined."
    )
    profile: str | None = _opt(
        None,
        Kind.STR,
        "Hypothesis profile: dev, ci or nightly (default: ci under CI=true, else dev).",
    )
    diff_base: str | None = _opt(
        None, Kind.STR, "Git ref to measure diff coverage against (git diff REF...HEAD)."
    )
    diff_file: Path | None = _opt(
        None, Kind.PATH, "Unified diff file to measure diff coverage of, instead of diff-base."
    )
    diff_fail_under: float = _opt(
        0.0, Kind.FLOAT, "Diff coverage floor in percent of the changed lines (mode floor)."
    )
    diff_mode: DiffMode = _opt(
        "floor", Kind.STR, "Diff coverage gate: floor, or every-line (each changed line covered)."
    )
    publish: PublishMode | None = _opt(
        None,
        Kind.STR,
        "Where the report goes: github, local or none (default: github in Actions, else local).",
    )
    strict_publish: bool = _opt(
        False,
        Kind.BOOL,
        "Exit 3 when publishing to GitHub fails (default: a warning; the verdict stands).",
    )
    comment_key: str = _opt(
        "default", Kind.STR, "Key of the sticky PR comment (separate comments for separate keys)."
    )
    check_name: str = _opt("noxci", Kind.STR, "Name of the check run.")
    publish_budget: float = _opt(
        60.0, Kind.FLOAT, "Seconds publishing may take in all, retries included."
    )
    event_file: Path | None = _opt(
        None, Kind.PATH, "A fork PR's uploaded pull_request event file (workflow_run publishing)."
    )
    baseline: Path | None = _opt(
        None, Kind.PATH, "Base side to compare with: a report.json or a directory of artifacts."
    )
    fail_on: FailOn = _opt(
        "any-failure",
        Kind.STR,
        "Tests gate: any-failure, or new-failures (only tests not failing in the baseline).",
    )
    max_drop: float | None = _opt(
        None, Kind.FLOAT, "Largest coverage drop in percentage points against the baseline."
    )
    min_change: float = _opt(
        5.0, Kind.FLOAT, "Smallest benchmark change in percent that counts as a regression."
    )
    statistic: Statistic = _opt(
        "min",
        Kind.STR,
        "Statistic of the round timings a benchmark compares: min (least disturbed), median or mean.",
    )
    history: Path = _opt(
        Path(".noxci/history.sqlite"),
        Kind.PATH,
        "The results store every report writes to (SQLite; git-ignore it).",
    )
    baseline_ref: str | None = _opt(
        None,
        Kind.STR,
        "Without --baseline: compare with the last stored run of this ref (default: main).",
    )
    quarantine: tuple[str, ...] = _opt(
        (), Kind.LIST, "Known-flaky test ids (fnmatch patterns) shown but kept from failing."
    )
    compare_runs: int = _opt(
        5, Kind.INT, "Runs per side of `nox -s benchmark -- --compare REF` (interleaved)."
    )
    services: Mapping[str, ServiceSpec] = dataclasses.field(default_factory=dict)
    stage: Mapping[str, StageSpec] = dataclasses.field(default_factory=dict)
    benchmarks: tuple[BenchmarkOverride, ...] = ()

    def stage_spec(self, name: str) -> StageSpec:
        """The overrides of one stage, or the defaults when it has none."""
        return self.stage.get(name, StageSpec())


def options() -> tuple[Option, ...]:
    """Every scalar option, in declaration order."""
    return tuple(
        Option(attr=f.name, kind=f.metadata["kind"], help=f.metadata["help"], default=f.default)
        for f in dataclasses.fields(Settings)
        if "kind" in f.metadata
    )


_TABLES: Final = ("services", "stage", "benchmarks")
_SERVICE_KEYS: Final = ("command", "ready", "timeout", "env")
_STAGE_KEYS: Final = ("paths", "args", "groups", "fail-under", "shards")
_BENCHMARK_KEYS: Final = ("min-change", "statistic")


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"


def _check_keys(where: str, table: Mapping[str, object], known: Sequence[str]) -> None:
    for key in table:
        if key not in known:
            msg = f"{where}: unknown key {key!r}{_did_you_mean(key, known)}"
            raise ConfigError(msg)


def _from_text(opt: Option, text: str, where: str) -> object:
    """Parse an environment variable's or a flag's text as the option's kind."""
    try:
        return _CONVERT[opt.kind](text)
    except ValueError:
        msg = f"{where}: {text!r} is not a valid {opt.kind.value} for {opt.key}"
        raise ConfigError(msg) from None


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(text)


def _to_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _to_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())


_CONVERT: Final[Mapping[Kind, Callable[[str], object]]] = {
    Kind.STR: str,
    Kind.PATH: Path,
    Kind.FLOAT: _to_float,
    Kind.INT: int,
    Kind.BOOL: _to_bool,
    Kind.LIST: _to_list,
}


def _from_toml(opt: Option, value: object, where: str) -> object:
    """Check a ``pyproject.toml`` value against the option's kind."""
    expected: dict[Kind, tuple[type, ...]] = {
        Kind.STR: (str,),
        Kind.PATH: (str,),
        Kind.FLOAT: (int, float),
        Kind.INT: (int,),
        Kind.BOOL: (bool,),
        Kind.LIST: (list,),
    }
    ok = isinstance(value, expected[opt.kind]) and not (
        opt.kind in {Kind.FLOAT, Kind.INT} and isinstance(value, bool)
    )
    if ok and isinstance(value, list):
        ok = all(isinstance(item, str) for item in value)
    if not ok:
        msg = f"{where}: {opt.key} = {value!r} is not a {opt.kind.value}"
        raise ConfigError(msg)
    if opt.kind is Kind.PATH:
        return Path(str(value))
    if isinstance(value, list):
        return tuple(value)
    if opt.kind is Kind.FLOAT and isinstance(value, int | float):
        return float(value)
    return value


def _str_list(where: str, key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    msg = f"{where}: {key} must be a string or a list of strings, not {value!r}"
    raise ConfigError(msg)


def _service(name: str, table: object, where: str) -> ServiceSpec:
    if not isinstance(table, dict):
        msg = f"{where}: services.{name} must be a table"
        raise ConfigError(msg)
    where = f"{where} [services.{name}]"
    _check_keys(where, table, _SERVICE_KEYS)
    if "command" not in table:
        msg = f"{where}: 'command' is missing; give the argv that starts the service"
        raise ConfigError(msg)
    command = table["command"]
    argv = (
        tuple(command.split()) if isinstance(command, str) else _str_list(where, "command", command)
    )
    if not argv:
        msg = f"{where}: 'command' is empty"
        raise ConfigError(msg)
    ready = table.get("ready")
    if ready is not None and not isinstance(ready, str):
        msg = f"{where}: ready must be a string such as 'tcp:127.0.0.1:{{port}}'"
        raise ConfigError(msg)
    timeout = table.get("timeout", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        msg = f"{where}: timeout must be a positive number of seconds, not {timeout!r}"
        raise ConfigError(msg)
    env = table.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        msg = f"{where}: env must be a table of strings"
        raise ConfigError(msg)
    return ServiceSpec(name=name, command=argv, ready=ready, timeout=float(timeout), env=dict(env))


def _stage(name: str, table: object, where: str) -> StageSpec:
    if name not in STAGES:
        msg = f"{where}: unknown stage {name!r}{_did_you_mean(name, STAGES)}"
        raise ConfigError(msg)
    if not isinstance(table, dict):
        msg = f"{where}: stage.{name} must be a table"
        raise ConfigError(msg)
    where = f"{where} [stage.{name}]"
    _check_keys(where, table, _STAGE_KEYS)
    paths = table.get("paths")
    groups = table.get("groups")
    fail_under = table.get("fail-under")
    if fail_under is not None:
        fail_under = _percentage(where, "fail-under", fail_under)
    shards = table.get("shards", 1)
    if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
        msg = f"{where}: shards = {shards!r} must be a whole number of 1 or more"
        raise ConfigError(msg)
    return StageSpec(
        paths=None if paths is None else _str_list(where, "paths", paths),
        args=_str_list(where, "args", table.get("args", [])),
        groups=None if groups is None else _str_list(where, "groups", groups),
        fail_under=fail_under,
        shards=shards,
    )


def _percentage(where: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        msg = f"{where}: {key} = {value!r} is not a percentage (0-100)"
        raise ConfigError(msg)
    return float(value)


def _benchmark(pattern: str, table: object, where: str) -> BenchmarkOverride:
    where = f"{where} [benchmarks.{pattern!r}]"
    if not isinstance(table, dict):
        msg = f"{where}: must be a table with min-change and/or statistic"
        raise ConfigError(msg)
    _check_keys(where, table, _BENCHMARK_KEYS)
    min_change = table.get("min-change")
    if min_change is not None:
        min_change = _percentage(where, "min-change", min_change)
    statistic = table.get("statistic")
    if statistic is not None and statistic not in STATISTICS:
        msg = f"{where}: statistic {statistic!r} is not one of {', '.join(STATISTICS)}"
        raise ConfigError(msg)
    return BenchmarkOverride(pattern=pattern, min_change=min_change, statistic=statistic)


def read_pyproject(path: Path) -> dict[str, Any]:
    """The ``[tool.noxci]`` table of a ``pyproject.toml`` (empty when there is none)."""
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"{path}: cannot read it ({exc}); fix the file or run from another directory"
        raise ConfigError(msg) from None
    table = data.get("tool", {}).get("noxci", {})
    if not isinstance(table, dict):
        msg = f"{path}: [tool.noxci] must be a table"
        raise ConfigError(msg)
    return table


def load_settings(
    project: Path,
    env: Mapping[str, str],
    flags: Mapping[str, object] | None = None,
) -> Settings:
    """Settings for the project at ``project``: defaults < pyproject < env < flags.

    ``flags`` maps field names to values already parsed (``None`` means "not given").
    """
    pyproject = project / "pyproject.toml"
    table = read_pyproject(pyproject)
    where = f"{pyproject} [tool.noxci]"
    known = {opt.key: opt for opt in options()}
    _check_keys(where, table, [*known, *_TABLES])

    values: dict[str, object] = {}
    # 1. pyproject.toml
    for key, value in table.items():
        if key in known:
            values[known[key].attr] = _from_toml(known[key], value, where)
    services = table.get("services", {})
    if not isinstance(services, dict):
        msg = f"{where}: services must be a table of tables"
        raise ConfigError(msg)
    stages = table.get("stage", {})
    if not isinstance(stages, dict):
        msg = f"{where}: stage must be a table of tables"
        raise ConfigError(msg)
    values["services"] = {name: _service(name, spec, where) for name, spec in services.items()}
    values["stage"] = {name: _stage(name, spec, where) for name, spec in stages.items()}
    benchmarks = table.get("benchmarks", {})
    if not isinstance(benchmarks, dict):
        msg = f"{where}: benchmarks must be a table of tables keyed by benchmark name pattern"
        raise ConfigError(msg)
    values["benchmarks"] = tuple(_benchmark(k, v, where) for k, v in benchmarks.items())
    # 2. the environment
    for opt in known.values():
        if opt.env in env:
            values[opt.attr] = _from_text(opt, env[opt.env], f"environment {opt.env}")
    # 3. flags
    for attr, value in (flags or {}).items():
        if value is not None:
            values[attr] = value
    if values.get("diff_base") == "":  # NOXCI_DIFF_BASE= or --diff-base '' unsets it
        values["diff_base"] = None
    settings = Settings(**values)  # type: ignore[arg-type]
    unknown = [s for s in settings.stages if s not in STAGES]
    if unknown:
        msg = f"{where}: unknown stage {unknown[0]!r}{_did_you_mean(unknown[0], STAGES)}"
        raise ConfigError(msg)
    _check_diff(settings)
    _check_publish(settings)
    _check_verdicts(settings)
    return settings


def _check_verdicts(settings: Settings) -> None:
    """The gate options are ones we know, with values that make sense."""
    origin = "[tool.noxci], NOXCI_* or flags"
    closed: list[tuple[str, str, tuple[str, ...]]] = [
        ("fail-on", settings.fail_on, FAIL_ON),
        ("statistic", settings.statistic, STATISTICS),
    ]
    for key, value, known in closed:
        if value not in known:
            msg = f"{key} {value!r} ({origin}) is not one of {', '.join(known)}"
            raise ConfigError(msg)
    if settings.max_drop is not None and settings.max_drop < 0:
        msg = f"max-drop {settings.max_drop:g} ({origin}) must be 0 or more percentage points"
        raise ConfigError(msg)
    if not 0 <= settings.min_change < 100:
        msg = f"min-change {settings.min_change:g} ({origin}) must be a percentage in 0-100"
        raise ConfigError(msg)
    if settings.compare_runs < 1:
        msg = f"compare-runs {settings.compare_runs} ({origin}) must be at least 1"
        raise ConfigError(msg)


def _check_publish(settings: Settings) -> None:
    """The publishing mode is one we know."""
    if settings.publish is not None and settings.publish not in PUBLISH_MODES:
        hint = _did_you_mean(settings.publish, PUBLISH_MODES).replace("known keys", "known modes")
        msg = f"publish {settings.publish!r} is not a mode{hint}"
        raise ConfigError(msg)
    if settings.publish_budget <= 0:
        msg = f"publish-budget {settings.publish_budget:g} must be a positive number of seconds"
        raise ConfigError(msg)


def _check_diff(settings: Settings) -> None:
    """The diff options make sense together (from any layer: pyproject, env or flags)."""
    origin = "[tool.noxci], NOXCI_* or flags"
    if settings.diff_mode not in DIFF_MODES:
        hint = _did_you_mean(settings.diff_mode, DIFF_MODES).replace("known keys", "known modes")
        msg = f"diff-mode {settings.diff_mode!r} ({origin}) is not a mode{hint}"
        raise ConfigError(msg)
    if not 0 <= settings.diff_fail_under <= 100:
        msg = f"diff-fail-under {settings.diff_fail_under:g} ({origin}) is not a percentage (0-100)"
        raise ConfigError(msg)
    if settings.diff_base is not None and settings.diff_file is not None:
        msg = (
            f"diff-base {settings.diff_base!r} and diff-file {str(settings.diff_file)!r} are both "
            f"set ({origin}); set only one (an empty diff-base unsets it)"
        )
        raise ConfigError(msg)


def add_flags(parser: argparse.ArgumentParser, attrs: Sequence[str]) -> None:
    """Add the flags of the named options to ``parser`` (default ``None`` = not given)."""
    by_attr = {opt.attr: opt for opt in options()}
    for attr in attrs:
        opt = by_attr[attr]

        def convert(text: str, opt: Option = opt) -> object:
            try:
                return _CONVERT[opt.kind](text)
            except ValueError:
                msg = f"not a valid {opt.kind.value}: {text!r}"
                raise argparse.ArgumentTypeError(msg) from None

        if opt.kind is Kind.BOOL:
            parser.add_argument(
                opt.flag,
                dest=opt.attr,
                action="store_const",
                const=True,
                default=None,
                help=f"{opt.help} [env {opt.env}]",
            )
            continue
        parser.add_argument(
            opt.flag,
            dest=opt.attr,
            type=convert,
            default=None,
            metavar=opt.kind.name,
            help=f"{opt.help} [env {opt.env}]",
        )


def flag_values(namespace: argparse.Namespace, attrs: Sequence[str]) -> dict[str, object]:
    """The values of the named option flags from a parsed namespace."""
    return {attr: getattr(namespace, attr, None) for attr in attrs}
