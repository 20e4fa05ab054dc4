"""A tracker check that files nothing: is the token valid, is the project there, will the
labels stick.

Each adapter's `check(http)` reads only (`GET`), in order, and stops at the first step that
fails (later steps would only repeat it). GitHub drops labels and assignees silently when the
token has no push access, so its check reads the repository's `permissions`; GitLab needs at
least the Reporter role for labels; Jira needs the Create Issues permission; a webhook has
nothing to read, so it is not checked. `releasable tracker check` and the board editor's
tracker "Test" show the steps (`app.services.tracker_check`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.trackers.base import TrackerError


@dataclass(frozen=True)
class Check:
    """One step: `ok` True (passed), False (failed) or None (could not be told)."""

    step: str  # "token", "project", "issues", "labels", …
    ok: bool | None
    words: str


def run_steps(steps: list[tuple[str, Callable[[], list[Check]]]]) -> list[Check]:
    """Run each step's reads; a TrackerError fails that step and the rest are not run."""
    done: list[Check] = []
    for index, (step, run) in enumerate(steps):
        try:
            found = run()
        except TrackerError as err:
            done.append(Check(step, False, err.message))
            found = []
        done.extend(found)
        if any(check.ok is False for check in done):
            done.extend(Check(later, None, "not checked") for later, _ in steps[index + 1 :])
            break
    return done


def passed(checks: list[Check]) -> bool:
    return all(check.ok is not False for check in checks)


__all__ = ["Check", "passed", "run_steps"]
