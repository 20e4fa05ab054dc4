"""Building a blocker `Report`: its client key, the board's evidence, and the Markdown body.

The body is what the platform team reads first, so it leads with the impact ("Team **Payments**
cannot deploy to production."), then what the reporter was trying to do, the category and the
priority with its reason, the evidence the board had at that moment, who reported it from which
board and when, and a hidden marker carrying the client key (so a re-send after an uncertain
outcome can find the issue instead of filing a duplicate).

Everything that came from a user or a remote server is inserted as plain text: characters that
Markdown (or the HTML it allows) would act on are backslash-escaped, links are only made from
http(s) URLs, and nothing is ever inserted as raw HTML. The Jira adapter reads this same Markdown
back (headings, bullets, paragraphs, bold, emphasis, links and backslash escapes), so this module
only ever writes that small subset.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from app.domain.model import (
    BoardState,
    Culprit,
    EnvironmentReading,
    Health,
    Observed,
    Outcome,
    PipelineReading,
    StageStatus,
    Verdict,
)
from app.domain.redact import redact_url
from app.domain.report import Report
from app.domain.triage import Category, triage
from app.domain.words import NOT_READ_YET

KEY_PREFIX = "rls-"
_KEY_RE = r"rls-[A-Za-z0-9_-]{1,64}"
_MARKER_RE = re.compile(rf"(?<!\\)<!-- releasable-key: ({_KEY_RE}) -->")


def new_report_key() -> str:
    """A fresh client key: "rls-" and a uuid4 in hex."""
    return KEY_PREFIX + uuid.uuid4().hex


def marker_for(key: str) -> str:
    """The hidden HTML comment that carries the key at the end of the body."""
    if not re.fullmatch(_KEY_RE, key):
        raise ValueError(f"not a report key: {key!r}")
    return f"<!-- releasable-key: {key} -->"


def find_marker(body: str | None) -> str | None:
    """The key of the marker in an issue body, or None.

    The last unescaped marker wins: the real one is at the very end, and user text that
    contains marker-like words was escaped (`\\<!-- …`) when the body was built.
    """
    if not body:
        return None
    found = _MARKER_RE.findall(body)
    return found[-1] if found else None


@dataclass(frozen=True)
class FailingStage:
    """A pipeline on the board that is not passing: the stage that failed (when known), or
    why the pipeline is unknown."""

    pipeline: str
    stage: str | None
    status: StageStatus  # FAILED or UNKNOWN
    url: str | None = None
    since: datetime | None = None
    detail: str = ""
    delivery_path: bool = True
    culprits: tuple[Culprit, ...] = ()  # the failed run's commits


@dataclass(frozen=True)
class EnvironmentState:
    """One environment as the board saw it."""

    name: str
    health: Health
    since: datetime | None = None
    url: str | None = None
    detail: str = ""
    delivery_path: bool = True


@dataclass(frozen=True)
class Evidence:
    """What the board showed when the blocker was reported."""

    verdict: Verdict
    taken_at: datetime
    failing: tuple[FailingStage, ...] = ()
    environments: tuple[EnvironmentState, ...] = ()


def evidence_from(board: BoardState, verdict: Verdict, now: datetime) -> Evidence:
    """Freeze the board's failing pipelines and its environments' states at `now`."""
    failing = tuple(f for f in (_failing(obs, now) for obs in board.pipelines) if f)
    environments = tuple(_environment(obs, now) for obs in board.environments)
    return Evidence(verdict=verdict, taken_at=now, failing=failing, environments=environments)


def _stale_words(obs: Observed) -> str:
    if obs.error:
        return obs.error
    if obs.read_at is None:
        return NOT_READ_YET
    return f"data is stale (last read {utc_iso(obs.read_at)})"


def _failing(obs: Observed, now: datetime) -> FailingStage | None:
    reading = obs.reading
    if not isinstance(reading, PipelineReading) or obs.is_stale(now):
        return FailingStage(
            obs.name,
            None,
            StageStatus.UNKNOWN,
            since=obs.status_since,
            detail=_stale_words(obs),
            delivery_path=obs.delivery_path,
        )
    if reading.outcome is Outcome.PASSED:
        return None
    status = StageStatus.FAILED if reading.outcome is Outcome.FAILED else StageStatus.UNKNOWN
    url = reading.url
    for stage in reading.stages:
        if stage.name == reading.failed_stage and stage.url:
            url = stage.url
            break
    return FailingStage(
        obs.name,
        reading.failed_stage,
        status,
        url=url,
        since=obs.status_since or reading.completed_at,
        detail=reading.detail,
        delivery_path=obs.delivery_path,
        culprits=reading.culprits if reading.outcome is Outcome.FAILED else (),
    )


def _environment(obs: Observed, now: datetime) -> EnvironmentState:
    reading = obs.reading
    if not isinstance(reading, EnvironmentReading) or obs.is_stale(now):
        url = reading.url if isinstance(reading, EnvironmentReading) else None
        return EnvironmentState(
            obs.name, Health.UNKNOWN, obs.status_since, url, _stale_words(obs), obs.delivery_path
        )
    return EnvironmentState(
        obs.name, reading.health, obs.status_since, reading.url, reading.detail, obs.delivery_path
    )


# ----- plain text into Markdown -------------------------------------------------------------

_INLINE_ACTIVE = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK_START = re.compile(r"^([#+=-])|^(\d+)([.)])")


def md_text(text: str) -> str:
    """Plain text for the middle of a Markdown line (newlines collapse to spaces)."""
    return _INLINE_ACTIVE.sub(r"\\\1", " ".join(text.split()))


def md_block(text: str) -> str:
    """Multi-line plain text as Markdown paragraphs: line breaks and blank lines are kept."""
    paragraphs: list[str] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [_escape_line_start(md_text(line)) for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _escape_line_start(line: str) -> str:
    """A line that starts like a heading, list item, rule or setext underline stays text."""
    return _BLOCK_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", line
    )


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a Markdown link destination, or None (never `javascript:` …).

    Its query values are redacted (signed URLs carry their secret there, under many names)
    and a user:password@ part is dropped: a report is read by people who hold no token.
    """
    if not url:
        return None
    url = redact_url(url.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~[]")


def md_link(text: str, url: str | None) -> str:
    """`[text](url)` for a safe URL; just the escaped text otherwise."""
    target = safe_url(url)
    label = md_text(text)
    return f"[{label}]({target})" if target else label


def utc_iso(when: datetime) -> str:
    """UTC ISO 8601 to the second, with a Z (naive times are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# ----- the report ---------------------------------------------------------------------------


def build_report(
    *,
    key: str,
    title: str,
    category: Category | str,
    prevents_delivery: bool | None,
    statement: str,
    trying_to: str,
    impact: str,
    reporter: str,
    board_name: str,
    evidence: Evidence,
    created_at: datetime,
    app_version: str,
    labels: Iterable[str] = (),
    has_workaround: bool = False,
) -> Report:
    """Triage the blocker and write the report a tracker files.

    `impact` and `trying_to` are the reporter's own words; `statement` is how production
    delivery is still possible when `prevents_delivery` is False.
    """
    cat = Category(category)
    result = triage(
        cat, prevents_delivery=prevents_delivery, has_workaround=has_workaround, statement=statement
    )
    team = _team(board_name)
    if not result.prevents_delivery:
        words = " ".join(statement.split())
        headline = f"{team} can still deploy to production, but reports a delivery blocker."
        still = (
            f"Production delivery is still possible: {md_text(words)}"
            if words
            else "Production delivery is still possible, the reporter states (no details given)."
        )
        lead = [headline, still]
    elif result.needs_answer:
        lead = [
            f"{team} may be unable to deploy to production: the reporter has not yet said "
            "whether this prevents production delivery, so it is treated as P1."
        ]
    else:
        lead = [f"{team} cannot deploy to production."]
    if impact.strip():
        lead.append(md_block(impact))

    sections = ["\n\n".join(lead)]
    if trying_to.strip():
        sections.append(f"### What they were trying to do\n\n{md_block(trying_to)}")
    sections.append(
        "### Triage\n\n"
        f"- Category: {md_text(cat.label)} ({cat.value}): {md_text(cat.description)}\n"
        f"- Priority: **{result.priority.value}**: {md_text(result.reason_text)}"
    )
    sections.append(_evidence_section(evidence))
    sections.append(
        "### Reported\n\n"
        f"- Reporter: {md_text(reporter) or 'unknown'}\n"
        f"- Board: {md_text(board_name)}\n"
        f"- Time: {utc_iso(created_at)}\n"
        f"- Sent by Releasable {md_text(app_version)}"
    )
    body = "\n\n".join(sections) + "\n\n" + marker_for(key) + "\n"
    return Report(
        key=key,
        title=" ".join(title.split()),
        category=cat.value,
        priority=result.priority,
        body=body,
        reporter=reporter,
        board=board_name,
        created_at=created_at,
        prevents_delivery=result.prevents_delivery,
        statement=" ".join(statement.split()) if not result.prevents_delivery else "",
        labels=tuple(labels),
    )


def _team(board_name: str) -> str:
    name = " ".join(board_name.split()) or "The team"
    if name.lower().startswith("team ") or name.lower().endswith(" team"):
        return f"**{md_text(name)}**"
    return f"Team **{md_text(name)}**"


def _since(when: datetime | None) -> str:
    return f" since {utc_iso(when)}" if when else ""


def _off_path(on_path: bool) -> str:
    return "" if on_path else " (not on the delivery path)"


def _evidence_section(ev: Evidence) -> str:
    verdict = ev.verdict
    lines = [f"- Verdict: **{verdict.state.headline}**{_since(verdict.since)}"]
    lines += [f"  - {md_text(reason.text)}" for reason in verdict.reasons]
    for f in ev.failing:
        stage = f", stage *{md_text(f.stage)}*" if f.stage else ""
        detail = f" ({md_text(f.detail)})" if f.detail else ""
        link = f": {md_link('open', f.url)}" if safe_url(f.url) else ""
        lines.append(
            f"- Pipeline *{md_text(f.pipeline)}*{stage}: {f.status.value}{_since(f.since)}"
            f"{detail}{_off_path(f.delivery_path)}{link}"
        )
        for c in f.culprits:
            commit = "".join(f" {md_text(p)}" for p in (c.sha, c.message) if p)
            who = f" by {md_text(c.author)}" if c.author else ""
            seen = f": {md_link('commit', c.url)}" if safe_url(c.url) else ""
            lines.append(f"  - Change{commit}{who}{seen}")
    for e in ev.environments:
        detail = f" ({md_text(e.detail)})" if e.detail else ""
        link = f": {md_link('open', e.url)}" if safe_url(e.url) else ""
        lines.append(
            f"- Environment *{md_text(e.name)}*: {e.health.value}{_since(e.since)}"
            f"{detail}{_off_path(e.delivery_path)}{link}"
        )
    return f"### Evidence (board at {utc_iso(ev.taken_at)})\n\n" + "\n".join(lines)


__all__ = [
    "EnvironmentState",
    "Evidence",
    "FailingStage",
    "build_report",
    "evidence_from",
    "find_marker",
    "marker_for",
    "md_block",
    "md_link",
    "md_text",
    "new_report_key",
    "safe_url",
    "utc_iso",
]
