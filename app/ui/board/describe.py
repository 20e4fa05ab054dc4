"""Plain words and looks for board items, shared by the window and the kiosk (no Qt widgets).

Also the one place that keeps the screen honest between updates: `effective_verdict` re-judges
the last snapshot as the clock moves, so a board whose data has gone stale turns UNKNOWN on
screen even if no new snapshot arrives (a hung poller must never leave a green banner up).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from app.domain.model import (
    BoardSnapshot,
    EnvironmentReading,
    Health,
    Observed,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
    Verdict,
)
from app.domain.verdict import decide
from app.domain.words import NOT_READ_YET, ago_words, duration_words, last_read_words, lasted_words
from app.ui.widgets.theme import (
    HEALTH_LOOKS,
    OUTCOME_LOOKS,
    PLANNED_LOOK,
    STAGE_LOOKS,
    UNKNOWN_LOOK,
    VERDICT_LOOKS,
    Look,
    Tone,
)

# Group order when failing things come first: bad, unknown, warning, running, good, neutral.
_TONE_RANK = {
    Tone.BAD: 0,
    Tone.UNKNOWN: 1,
    Tone.WARN: 2,
    Tone.RUNNING: 3,
    Tone.GOOD: 4,
    Tone.NEUTRAL: 5,
}
GROUP_TITLES = {
    0: "Failing or down",
    1: "Unknown or stale",
    2: "Degraded or warning",
    3: "Running",
    4: "Passing or up",
    5: "Other",
}


def item_look(item: Observed) -> Look:
    """The look of an item's last known status (staleness is shown separately, greyed)."""
    r = item.reading
    if isinstance(r, PipelineReading):
        return OUTCOME_LOOKS.get(r.outcome, UNKNOWN_LOOK)
    if isinstance(r, EnvironmentReading):
        return HEALTH_LOOKS.get(r.health, UNKNOWN_LOOK)
    return UNKNOWN_LOOK


def stage_look(stage: Stage) -> Look:
    return STAGE_LOOKS.get(stage.status, UNKNOWN_LOOK)


def severity(item: Observed, now: datetime) -> int:
    """Sort key for 'failing first' and group-by-status: lower is worse."""
    look = item_look(item)
    if look.tone is Tone.BAD:
        return 0
    if item.is_stale(now) or look.tone is Tone.UNKNOWN:
        return 1
    return _TONE_RANK[look.tone]


def stale_words(item: Observed, now: datetime) -> str | None:
    """'stale: last read 7 min ago', 'not read yet', or None while fresh."""
    if not item.is_stale(now):
        return None
    if item.read_at is None:
        return NOT_READ_YET
    return f"stale: {last_read_words(item.read_at, now)}"


def error_words(item: Observed, now: datetime) -> str | None:
    if item.rate_limited_until is not None and item.rate_limited_until > now:
        wait = duration_words((item.rate_limited_until - now).total_seconds())
        limited = f"rate limited, next try in {wait}"
        return f"{item.error} ({limited})" if item.error else limited
    if not item.error:
        return None
    when = f" ({ago_words(item.error_at, now)})" if item.error_at else ""
    return f"{item.error}{when}"


def run_label(label: str | None) -> str:
    if not label:
        return ""
    return f"#{label}" if label.isdigit() else label


def run_words(r: PipelineReading, now: datetime) -> list[str]:
    """The run the outcome belongs to, and a run in progress separately: 'latest run #1842,
    12 min ago', or while #1843 runs 'run #1842, 12 min ago', 'run #1843 in progress'."""
    latest = run_label(r.label)
    done = run_label(r.completed_label) if r.completed_label else ("" if r.running else latest)
    words = []
    if r.completed_at is not None:
        run = f"run {done}" if done else "the latest completed run"
        if not r.running and done and done == latest:
            run = f"latest run {done}"
        words.append(f"{run}, {ago_words(r.completed_at, now)}")
    elif done:
        words.append(f"latest run {done}" if done == latest else f"run {done}")
    if r.running:
        words.append(
            f"run {latest} in progress" if latest and latest != done else "a new run in progress"
        )
    return words


def pipeline_words(item: Observed, now: datetime) -> str:
    """'at security-scan · latest run #123, 12 min ago' (follows the outcome word)."""
    r = item.reading
    if not isinstance(r, PipelineReading):
        return ""  # never read: the stale line says so, once
    parts = []
    if r.outcome is Outcome.FAILED and r.failed_stage:
        parts.append(f"at {r.failed_stage}")
    parts.extend(run_words(r, now))
    if r.detail:
        parts.append(r.detail)
    culprits = culprit_words(r)
    if culprits:
        parts.append(culprits)
    if item.claimed_by:
        parts.append(f"on it: {item.claimed_by}")
    if not item.delivery_path:
        parts.append("not on the delivery path")
    return " · ".join(parts)


def culprit_words(reading: PipelineReading) -> str:
    """Who broke it, in a few words: 'by Dana Kowalski: 3b7e1f2 Bump scanner rules',
    'breakers: Dana, Lee' (names only), '3b7e1f2 Bump … and 2 more'; '' unless it failed."""
    culprits = reading.culprits if reading.outcome is Outcome.FAILED else ()
    if not culprits:
        return ""
    if all(not c.sha and not c.message for c in culprits):
        names = [c.author for c in culprits if c.author]
        return "breakers: " + ", ".join(names) if names else ""
    first = culprits[0]
    what = " ".join(p for p in (first.sha, first.message) if p)
    words = f"by {first.author}: {what}" if first.author else what
    more = len(culprits) - 1
    return f"{words} and {more} more" if more else words


def stage_duration(stage: Stage, now: datetime) -> str:
    if stage.status is StageStatus.RUNNING and stage.started_at is not None:
        return duration_words((now - stage.started_at).total_seconds())
    if stage.duration_s is not None:
        return duration_words(stage.duration_s)
    return ""


def stage_tooltip(pipeline: str, stage: Stage, now: datetime) -> str:
    lines = [f"{pipeline} › {stage.name}: {stage_look(stage).word}"]
    if stage.started_at is not None:
        lines.append(f"started {ago_words(stage.started_at, now)}")
    finished = getattr(stage, "finished_at", None)
    if finished is not None:
        lines.append(f"finished {ago_words(finished, now)}")
    took = stage_duration(stage, now)
    if took:
        lines.append(("running for " if stage.status is StageStatus.RUNNING else "took ") + took)
    if stage.label:
        lines.append(f"label {run_label(stage.label)}")
    if stage.note:
        lines.append(stage.note)
    lines.append("click to open in the browser" if stage.url else "no link for this stage")
    return "\n".join(lines)


def latency_words(reading: EnvironmentReading) -> str:
    if reading.latency_ms is None:
        return ""
    return f"{reading.latency_ms:.0f} ms"


def environment_words(item: Observed, now: datetime) -> str:
    """'for 12 min · HTTP 503 · actuator status DOWN · TLS 9 days left'."""
    r = item.reading
    if not isinstance(r, EnvironmentReading):
        return ""  # never read: the stale line says so, once
    parts = []
    if item.status_since is not None:  # "down for 12 min", "up just now"
        parts.append(f"{r.health.value} {lasted_words(item.status_since, now)}")
    if r.http_status is not None and r.health is not Health.UP:
        parts.append(f"HTTP {r.http_status}")
    if r.detail:
        parts.append(r.detail)
    if r.tls_days_left is not None and r.tls_days_left < 21:
        parts.append(f"TLS certificate expires in {r.tls_days_left} days")
    if not item.delivery_path:
        parts.append("not on the delivery path")
    return " · ".join(parts)


def reason_lines(verdict: Verdict, limit: int) -> list[str]:
    """At most `limit` reasons, the last line saying how many more there are."""
    texts = [r.text for r in verdict.reasons]
    if len(texts) <= limit:
        return texts
    shown = texts[: max(0, limit - 1)]
    return [*shown, f"and {len(texts) - len(shown)} more"]


def verdict_since_words(verdict: Verdict, now: datetime) -> str:
    """'for 2 h 5 min', or 'just now' when the verdict has only just begun (not 'for 0 s')."""
    if verdict.since is None:
        return ""
    return lasted_words(verdict.since, now)


def verdict_look(verdict: Verdict) -> Look:
    return PLANNED_LOOK if verdict.planned else VERDICT_LOOKS[verdict.state]


def _stale_from(item: Observed) -> datetime | None:
    if item.read_at is None:
        return None
    return item.read_at + timedelta(seconds=item.stale_after_s)


def effective_verdict(snapshot: BoardSnapshot, now: datetime) -> Verdict:
    """The snapshot's verdict, re-judged at `now` when data went stale since it was taken.

    While the judgement is unchanged the service's verdict (with its history-based `since`) is
    kept. When it changed (fresh items went stale), the new verdict's `since` is the moment the
    first delivery-path item crossed its staleness limit.
    """
    if now <= snapshot.taken_at:
        return snapshot.verdict
    fresh = decide(snapshot.board, now)
    then = decide(snapshot.board, snapshot.taken_at)
    if fresh.state is then.state and fresh.planned == then.planned:
        return snapshot.verdict
    items = (*snapshot.board.pipelines, *snapshot.board.environments)
    limits = [t for i in items if i.delivery_path and i.is_stale(now) if (t := _stale_from(i))]
    since = min(limits) if limits else now
    return replace(fresh, since=since)


def matches(text: str, *names: str) -> bool:
    """Case-insensitive 'contains' filter over an item's names; empty text matches all."""
    needle = text.strip().casefold()
    return not needle or any(needle in n.casefold() for n in names)
