"""How an open issue on a tracker becomes a `RemoteBlocker`: the rules every adapter shares.

- **Which issues.** Those carrying every label the board adds to its reports (`labels` in the
  board's [tracker]), whoever filed them. A board with no labels cannot tell the team's blockers
  from the rest of the tracker, so it lists only issues that carry Releasable's key (filed with
  Releasable, from any machine).
- **Priority.** The board's priority mapping read backwards (`priority_labels`, Jira's
  `priority_names`). An issue with no mapped priority is **P1**: it carries the board's blocker
  label, which says it blocks delivery, and "a blocker is P1 exactly when it prevents
  production delivery" — only a stated lower priority makes it less. With several priority
  labels the highest wins.
- **Category.** For an issue Releasable filed, the category its report states; else a label
  named like a category (`workstation-broken`); else `other`.
- **Reporter.** For an issue Releasable filed, the reporter its report names (a team may file
  through one shared token); else the tracker's author.
- **Key.** Releasable's key when the issue carries it, so a report sent from this machine is
  matched with its own row and never shown twice; else one made from the tracker reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from app.domain.model import Priority
from app.domain.report_body import find_marker, safe_url
from app.domain.report_readback import ReadBack, read_report
from app.domain.triage import Category
from app.trackers.base import RemoteBlocker

_CATEGORIES = frozenset(c.value for c in Category)
_ORDER = (Priority.P1, Priority.P2, Priority.P3)


def priority_of(names: Iterable[str], mapping: Mapping[str, str]) -> Priority:
    """The highest priority whose mapped label or name is among `names`; P1 when none is.

    Compared without case: GitHub, GitLab and Jira all treat "p1" and "P1" as one label.
    """
    present = {name.strip().lower() for name in names if name and name.strip()}
    for priority in _ORDER:
        mapped = mapping.get(priority.value, "")
        if mapped and mapped.strip().lower() in present:
            return priority
    return Priority.P1


def category_of(labels: Iterable[str], readback: ReadBack | None = None) -> str:
    """The report's own category, else a label named like a category, else "other"."""
    if readback is not None and readback.category in _CATEGORIES:
        return readback.category
    for label in labels:
        name = label.strip().lower()
        if name in _CATEGORIES:
            return name
    return Category.OTHER.value


def reporter_of(author: str, readback: ReadBack | None = None) -> str:
    """The reporter the report names, else the tracker's author of the issue."""
    if readback is not None and readback.reporter:
        return readback.reporter
    return author


def parse_time(value: object, fallback: datetime) -> datetime:
    """A vendor's ISO 8601 time ("…Z", "…+00:00", Jira's "…+0000") in UTC; `fallback` when
    it is missing or unreadable (a blocker is then as old as the first time it was seen)."""
    if not isinstance(value, str) or not value.strip():
        return fallback
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def marked_issue_blocker(
    *,
    ref: str,
    url: str,
    title: str,
    body: str,
    labels: list[str],
    author: str,
    created_at: object,
    priority_labels: Mapping[str, str],
    labelled: bool,
    key_prefix: str,
    now: datetime,
    assignee: str = "",
) -> RemoteBlocker | None:
    """An open issue whose body may carry Releasable's key marker (GitHub, GitLab) as a blocker.

    None when the body has no marker and the board has no labels to go by (`labelled`). An
    issue without the marker gets the key `<key_prefix>#<ref>` ("gh-acme/platform#431").
    """
    key = find_marker(body)
    if key is None and not labelled:
        return None  # no board label to go by: only what Releasable filed is a blocker
    readback = read_report(body) if key else None
    return RemoteBlocker(
        ref=ref,
        url=safe_url(url) or "",
        title=" ".join(title.split()) or f"#{ref}",
        priority=priority_of(labels, priority_labels),
        category=category_of(labels, readback),
        opened_at=parse_time(created_at, now),
        reporter=reporter_of(author, readback),
        key=key or f"{key_prefix}#{ref}",
        assignee=assignee,
    )


__all__ = ["category_of", "marked_issue_blocker", "parse_time", "priority_of", "reporter_of"]
