"""The verdict rules: is the team releasable right now, and why not.

Releasable iff every pipeline on the delivery path has its latest *completed* run passed, every
environment on the delivery path is up (or degraded where that is allowed), and no P1 blocker is
open. Stale or unreadable items are unknown, and an unknown item on the delivery path makes the
verdict UNKNOWN, never green; a known failure outranks unknown. Items off the delivery path are
shown on the board but never change the verdict. A run in progress changes nothing until it
completes, because sources report the latest completed run's gate as `outcome`.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.model import (
    BlockerState,
    BoardState,
    EnvironmentReading,
    Health,
    Observed,
    Outcome,
    PipelineReading,
    Priority,
    Reason,
    Verdict,
    VerdictState,
)
from app.domain.words import ago_words, duration_words

NOT = VerdictState.NOT_RELEASABLE
UNKNOWN = VerdictState.UNKNOWN


def decide(board: BoardState, now: datetime) -> Verdict:
    """Judge the board at `now`. `since` is left for the store's history to fill in."""
    reasons: list[Reason] = []
    for item in board.pipelines:
        if item.delivery_path:
            reasons.extend(_pipeline_reasons(item, now))
    for item in board.environments:
        if item.delivery_path:
            reasons.extend(_environment_reasons(item, now))
    for blocker in board.blockers:
        if blocker.state is BlockerState.OPEN and blocker.priority is Priority.P1:
            who = f" ({blocker.reporter})" if blocker.reporter else ""
            reasons.append(
                Reason(
                    f"P1 blocker '{blocker.title}'{who} open for "
                    f"{duration_words((now - blocker.opened_at).total_seconds())}",
                    NOT,
                    item_key=f"blocker:{blocker.key}",
                    since=blocker.opened_at,
                )
            )
    if not any(i.delivery_path for i in (*board.pipelines, *board.environments)):
        reasons.append(Reason("nothing on the delivery path is configured yet", UNKNOWN))
    # Known failures first, then unknowns, each in board order.
    reasons.sort(key=lambda r: 0 if r.state is NOT else 1)
    if any(r.state is NOT for r in reasons):
        state = NOT
    elif reasons:
        state = UNKNOWN
    else:
        state = VerdictState.RELEASABLE
    return Verdict(state, tuple(reasons))


def _staleness_reason(item: Observed, what: str, now: datetime) -> Reason | None:
    if not item.is_stale(now):
        return None
    error = f": {item.error}" if item.error else ""
    if item.read_at is None:
        text = f"{what} '{item.name}' not read yet{error}"
    else:
        last = ago_words(item.read_at, now)
        text = f"{what} '{item.name}' has no fresh data (last read {last}){error}"
    return Reason(text, UNKNOWN, item_key=item.key, since=item.read_at)


def _pipeline_reasons(item: Observed, now: datetime) -> list[Reason]:
    stale = _staleness_reason(item, "pipeline", now)
    if stale is not None:
        return [stale]
    reading = item.reading
    if not isinstance(reading, PipelineReading):
        return [Reason(f"pipeline '{item.name}' has no reading", UNKNOWN, item.key)]
    if reading.outcome is Outcome.PASSED:
        return []
    when = f" {ago_words(reading.completed_at, now)}" if reading.completed_at else ""
    if reading.outcome is Outcome.FAILED:
        at = f" at stage '{reading.failed_stage}'" if reading.failed_stage else ""
        return [
            Reason(
                f"pipeline '{item.name}' failed{at}{when}",
                NOT,
                item_key=item.key,
                since=item.status_since or reading.completed_at,
            )
        ]
    detail = f": {reading.detail}" if reading.detail else ""
    return [Reason(f"pipeline '{item.name}' state unknown{detail}", UNKNOWN, item_key=item.key)]


def _environment_reasons(item: Observed, now: datetime) -> list[Reason]:
    stale = _staleness_reason(item, "environment", now)
    if stale is not None:
        return [stale]
    reading = item.reading
    if not isinstance(reading, EnvironmentReading):
        return [Reason(f"environment '{item.name}' has no reading", UNKNOWN, item.key)]
    health = reading.health
    if health is Health.UP or (health is Health.DEGRADED and item.degraded_ok):
        return []
    since = item.status_since
    for_how_long = f" for {duration_words((now - since).total_seconds())}" if since else ""
    detail = f" ({reading.detail})" if reading.detail else ""
    if health in (Health.DOWN, Health.DEGRADED):
        return [
            Reason(
                f"environment '{item.name}' {health.value}{for_how_long}{detail}",
                NOT,
                item_key=item.key,
                since=since,
            )
        ]
    return [Reason(f"environment '{item.name}' state unknown{detail}", UNKNOWN, item_key=item.key)]
