"""Blocker triage: the category a reporter picks and the one rule that turns it into a priority.

The rule (DESIGN.md, "The idea it is built on"): **a blocker is P1 exactly when it prevents
production delivery.** For the five named categories prevention is presumed, so saying nothing
keeps them P1; the reporter may state that production delivery is still possible, which makes
the blocker P2 and puts that statement in the report. `other` has no presumption: the question
must be answered, and until it is the blocker is treated as P1 (the safe side: an unanswered
blocker is filed and shown as P1 rather than quietly ranked below one). An `other` blocker that
does not prevent delivery is P2, or P3 when there is a workaround.

The environment's tier ("it's only staging") is deliberately *not* a parameter of `triage()`:
a staging outage that stops the team deploying to production is a P1 like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.model import Priority


class Category(StrEnum):
    """What kind of thing stops the team from deploying; values are stored and sent as is."""

    PRODUCTION_OUTAGE = "production-outage"
    ENVIRONMENT_INSTABILITY = "environment-instability"
    SECURITY_FALSE_POSITIVE = "security-false-positive"
    CI_INSTABILITY = "ci-instability"
    WORKSTATION_BROKEN = "workstation-broken"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Short name shown in the report dialog and the issue."""
        return _LABELS[self][0]

    @property
    def description(self) -> str:
        """One line that helps the reporter pick the right category."""
        return _LABELS[self][1]

    @property
    def presumes_prevention(self) -> bool:
        """True when the category is presumed to prevent production delivery."""
        return self is not Category.OTHER


_LABELS: dict[Category, tuple[str, str]] = {
    Category.PRODUCTION_OUTAGE: (
        "Production outage",
        "Production is down, so we cannot safely ship a fix.",
    ),
    Category.ENVIRONMENT_INSTABILITY: (
        "Environment instability",
        "A testing or staging environment we depend on is down or flaky.",
    ),
    Category.SECURITY_FALSE_POSITIVE: (
        "Security scanner false positive",
        "The security scanner blocks the pipeline on a false alarm.",
    ),
    Category.CI_INSTABILITY: (
        "CI instability",
        "The CI system itself is unstable.",
    ),
    Category.WORKSTATION_BROKEN: (
        "Workstation broken",
        "I cannot deploy to production because my laptop or workstation is broken.",
    ),
    Category.OTHER: (
        "Other",
        "Anything else: say whether it prevents production delivery.",
    ),
}

CATEGORIES: tuple[Category, ...] = tuple(Category)
_RULE = "anything that prevents production delivery is a P1."


@dataclass(frozen=True)
class TriageResult:
    """The priority, why (in plain words, ready to show and to put in the report), and
    whether the reporter still has to answer "does this prevent production delivery?".

    `prevents_delivery` is the answer the priority was decided on: presumed True for the named
    categories and while an `other` blocker is unanswered.
    """

    priority: Priority
    reason_text: str
    needs_answer: bool
    prevents_delivery: bool = True


def triage(
    category: Category | str,
    *,
    prevents_delivery: bool | None,
    has_workaround: bool = False,
    statement: str = "",
) -> TriageResult:
    """Decide a blocker's priority from its category and the reporter's answers.

    `prevents_delivery`: True, False (the reporter states production delivery is still
    possible) or None (not answered). `statement` is the reporter's words on how production
    delivery is still possible; it is quoted in the reason. `has_workaround` only matters for a
    blocker that does not prevent delivery and is not presumed to (`other`).
    """
    cat = Category(category)
    if prevents_delivery is None and cat.presumes_prevention:
        return TriageResult(
            Priority.P1,
            f"{cat.label} is presumed to prevent production delivery (the reporter did not "
            f"state otherwise); {_RULE}",
            needs_answer=False,
        )
    if prevents_delivery is None:
        return TriageResult(
            Priority.P1,
            "Not yet answered whether this prevents production delivery; treated as P1 until "
            "it is.",
            needs_answer=True,
        )
    if prevents_delivery:
        return TriageResult(
            Priority.P1, f"It prevents production delivery; {_RULE}", needs_answer=False
        )
    still_possible = _still_possible(" ".join(statement.split()))
    if cat.presumes_prevention:
        reason, priority = f"{still_possible}.", Priority.P2
    elif has_workaround:
        reason, priority = f"{still_possible}, and there is a workaround.", Priority.P3
    else:
        reason, priority = f"{still_possible}, and there is no workaround.", Priority.P2
    return TriageResult(priority, reason, needs_answer=False, prevents_delivery=False)


def _still_possible(words: str) -> str:
    if words:
        return f"The reporter states that production delivery is still possible: “{words}”"
    return "The reporter states that production delivery is still possible (no details given)"


__all__ = ["CATEGORIES", "Category", "TriageResult", "triage"]
