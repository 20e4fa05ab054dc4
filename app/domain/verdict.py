"""The verdict rules: is the team releasable right now, and why not.

Releasable iff every pipeline on the delivery path has its latest *completed* run passed, every
environment on the delivery path is up (or degraded where that is allowed), and no P1 blocker is
open. Stale or unreadable items are unknown, and an unknown item on the delivery path makes the
verdict UNKNOWN, never green; a known failure outranks unknown. Items off the delivery path are
shown on the board but never change the verdict. A run in progress changes nothing until it
completes, because sources report the latest completed run's gate as `outcome`.
A P1 counts from the moment it is reported, sent or still queued in the outbox. The tracker's
list of the team's open blockers is read like a source: its last successful read counts as an
item's last reading does (kept in the store, so from the first picture after a restart); not
read within its staleness limit, the verdict is UNKNOWN, "not read yet" when never read (unless
the board opted out); P1s already known still count.

Planned time (app.domain.planned) is a reason like any other but marked `planned`: a change
freeze makes the verdict NOT RELEASABLE ("change freeze until … (reason)"), and an environment
that is down, degraded or unreadable inside its maintenance window says "maintenance until …"
instead of an outage. When every known failure is planned, `Verdict.planned` is true.
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
    TrackerRead,
    Verdict,
    VerdictState,
)
from app.domain.planned import PlannedTime, until_words
from app.domain.words import NOT_READ_YET, ago_words, lasted_words

NOT = VerdictState.NOT_RELEASABLE
UNKNOWN = VerdictState.UNKNOWN
NOT_SENT_YET = "not sent yet"  # a P1 reported here, waiting in the outbox: it counts all the same
TRACKER_KEY = "tracker"  # the reason's item key for the tracker's list of open blockers


def decide(board: BoardState, now: datetime) -> Verdict:
    """Judge the board at `now`. `since` is left for the store's history to fill in."""
    reasons: list[Reason] = []
    freeze = board.planned.freeze_at(now)
    if freeze is not None:
        why = f" ({freeze.reason})" if freeze.reason else ""
        reasons.append(
            Reason(
                f"change freeze until {until_words(freeze.end, now)}{why}",
                NOT,
                item_key="freeze",
                since=freeze.start,
                planned=True,
            )
        )
    for item in board.pipelines:
        if item.delivery_path:
            reasons.extend(_pipeline_reasons(item, now))
    for item in board.environments:
        if item.delivery_path:
            reasons.extend(_environment_reasons(item, now, board.planned))
    for blocker in board.blockers:
        if blocker.state is BlockerState.OPEN and blocker.priority is Priority.P1:
            who = f" ({blocker.reporter})" if blocker.reporter else ""
            unsent = f" ({NOT_SENT_YET})" if blocker.pending else ""
            reasons.append(
                Reason(
                    f"P1 blocker '{blocker.title}'{who} open "
                    f"{lasted_words(blocker.opened_at, now)}{unsent}",
                    NOT,
                    item_key=f"blocker:{blocker.key}",
                    since=blocker.opened_at,
                )
            )
    reasons.extend(_tracker_reasons(board.tracker, now))
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


def _tracker_reasons(tracker: TrackerRead | None, now: datetime) -> list[Reason]:
    """The team's open blockers not read within their staleness limit: nobody can know that no
    teammate filed a P1. P1s already known are judged above all the same."""
    if tracker is None or not tracker.delivery_path or not tracker.is_stale(now):
        return []
    error = f": {tracker.error}" if tracker.error else ""
    if tracker.read_at is None:
        text = f"tracker {tracker.name}: open blockers {NOT_READ_YET}{error}"
    else:
        last = ago_words(tracker.read_at, now)
        text = f"tracker {tracker.name}: open blockers not read since {last}{error}"
    return [Reason(text, UNKNOWN, item_key=TRACKER_KEY, since=tracker.read_at)]


def _staleness_reason(item: Observed, what: str, now: datetime) -> Reason | None:
    if not item.is_stale(now):
        return None
    error = f": {item.error}" if item.error else ""
    if item.read_at is None:
        text = f"{what} '{item.name}' {NOT_READ_YET}{error}"
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
    because = _unknown_because(item, reading.detail)
    detail = f": {because}" if because else ""
    return [Reason(f"pipeline '{item.name}' state unknown{detail}", UNKNOWN, item_key=item.key)]


def _environment_reasons(item: Observed, now: datetime, planned: PlannedTime) -> list[Reason]:
    reading = item.reading
    healthy = isinstance(reading, EnvironmentReading) and (
        reading.health is Health.UP or (reading.health is Health.DEGRADED and item.degraded_ok)
    )
    window = planned.maintenance_at(item.name, now)
    if window is not None and (item.is_stale(now) or not healthy):
        maintenance, end = window
        why = f" ({maintenance.reason})" if maintenance.reason else ""
        text = f"environment '{item.name}' maintenance until {until_words(end, now)}{why}"
        return [Reason(text, NOT, item_key=item.key, since=item.status_since, planned=True)]
    stale = _staleness_reason(item, "environment", now)
    if stale is not None:
        return [stale]
    if not isinstance(reading, EnvironmentReading):
        return [Reason(f"environment '{item.name}' has no reading", UNKNOWN, item.key)]
    health = reading.health
    if healthy:
        return []
    since = item.status_since
    for_how_long = f" {lasted_words(since, now)}" if since else ""
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
    because = _unknown_because(item, reading.detail)
    detail = f" ({because})" if because else ""
    return [Reason(f"environment '{item.name}' state unknown{detail}", UNKNOWN, item_key=item.key)]


def _unknown_because(item: Observed, detail: str) -> str:
    """Why an item whose last answer said 'unknown' is unknown: a read that failed since then
    says the newer thing (the server now hangs, not 'sent an HTML page' as it did before)."""
    return item.error or detail
