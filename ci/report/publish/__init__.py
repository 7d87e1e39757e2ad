"""Publishers: carry out a :class:`~ci.report.publish.plan.Publication`, decide nothing.

``plan`` (what to publish, what came of it), ``events`` (what triggered the workflow),
``actions`` (job summary, step outputs, workflow commands), and the GitHub API side:
``github`` (the entry point), ``comment`` (sticky upsert), ``checks`` (check run and
annotations), ``client`` (PyGithub set up) and ``retry`` (what to retry, within a budget).
Only the GitHub modules import PyGithub.
"""

from __future__ import annotations

__all__: list[str] = []
