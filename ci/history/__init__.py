"""The results store: every report's run in SQLite, for baselines, trends and flakiness.

``.noxci/history.sqlite`` by default (git-ignored; ``--history PATH`` or
``NOXCI_HISTORY`` choose another file). Each ``report`` records its run
(:func:`record_run`); a local report without ``--baseline`` compares with the last
stored run of the main branch (:func:`local_baseline`); the comment's trend charts read
earlier values (:func:`benchmark_history`, :func:`coverage_history`); failures are
marked known-flaky from earlier runs (:func:`flaky_from_history`); shards are balanced
with stored durations (:func:`stored_durations`).

Modules: :mod:`~ci.history.schema` (migrations), :mod:`~ci.history.store` (opening,
locking, errors), :mod:`~ci.history.record` (writing, pruning), then one module per
reader, and :mod:`~ci.history.git` (the run's commit and branch).
"""

from __future__ import annotations

from ci.history.baseline import branch_name, local_baseline
from ci.history.durations import stored_durations
from ci.history.flaky import flaky_from_history
from ci.history.git import GitFacts, git_facts
from ci.history.record import DEFAULT_KEEP, head_outcomes, prune, record_run
from ci.history.trends import benchmark_history, coverage_history, with_history

__all__ = [
    "DEFAULT_KEEP",
    "GitFacts",
    "benchmark_history",
    "branch_name",
    "coverage_history",
    "flaky_from_history",
    "git_facts",
    "head_outcomes",
    "local_baseline",
    "prune",
    "record_run",
    "stored_durations",
    "with_history",
]
