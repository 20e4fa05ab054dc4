"""Triage as a table: every category × every answer → priority, whether to ask, and why."""

from __future__ import annotations

import inspect

import pytest

from app.domain.model import Priority
from app.domain.triage import CATEGORIES, Category, triage

P1, P2, P3 = Priority.P1, Priority.P2, Priority.P3
SAID = "hotfixes still ship from the CI runner"
RULE = "anything that prevents production delivery is a P1."
PREVENTS = f"It prevents production delivery; {RULE}"
STILL = f"The reporter states that production delivery is still possible: “{SAID}”"
STILL_BARE = "The reporter states that production delivery is still possible (no details given)"
UNANSWERED = (
    "Not yet answered whether this prevents production delivery; treated as P1 until it is."
)


def presumed(label: str) -> str:
    return (
        f"{label} is presumed to prevent production delivery (the reporter did not state "
        f"otherwise); {RULE}"
    )


# (category, prevents_delivery, has_workaround, statement) -> (priority, needs_answer, reason)
TABLE = [
    # production-outage
    ("production-outage", None, False, "", P1, False, presumed("Production outage")),
    ("production-outage", True, False, "", P1, False, PREVENTS),
    ("production-outage", True, True, "", P1, False, PREVENTS),
    ("production-outage", False, False, SAID, P2, False, f"{STILL}."),
    ("production-outage", False, True, SAID, P2, False, f"{STILL}."),
    ("production-outage", False, False, "", P2, False, f"{STILL_BARE}."),
    # environment-instability
    ("environment-instability", None, False, "", P1, False, presumed("Environment instability")),
    ("environment-instability", True, False, "", P1, False, PREVENTS),
    ("environment-instability", True, True, "", P1, False, PREVENTS),
    ("environment-instability", False, False, SAID, P2, False, f"{STILL}."),
    ("environment-instability", False, True, SAID, P2, False, f"{STILL}."),
    ("environment-instability", False, False, "", P2, False, f"{STILL_BARE}."),
    # security-false-positive
    (
        "security-false-positive",
        None,
        False,
        "",
        P1,
        False,
        presumed("Security scanner false positive"),
    ),
    ("security-false-positive", True, False, "", P1, False, PREVENTS),
    ("security-false-positive", True, True, "", P1, False, PREVENTS),
    ("security-false-positive", False, False, SAID, P2, False, f"{STILL}."),
    ("security-false-positive", False, True, SAID, P2, False, f"{STILL}."),
    ("security-false-positive", False, False, "", P2, False, f"{STILL_BARE}."),
    # ci-instability
    ("ci-instability", None, False, "", P1, False, presumed("CI instability")),
    ("ci-instability", True, False, "", P1, False, PREVENTS),
    ("ci-instability", True, True, "", P1, False, PREVENTS),
    ("ci-instability", False, False, SAID, P2, False, f"{STILL}."),
    ("ci-instability", False, True, SAID, P2, False, f"{STILL}."),
    ("ci-instability", False, False, "", P2, False, f"{STILL_BARE}."),
    # workstation-broken
    ("workstation-broken", None, False, "", P1, False, presumed("Workstation broken")),
    ("workstation-broken", True, False, "", P1, False, PREVENTS),
    ("workstation-broken", True, True, "", P1, False, PREVENTS),
    ("workstation-broken", False, False, SAID, P2, False, f"{STILL}."),
    ("workstation-broken", False, True, SAID, P2, False, f"{STILL}."),
    ("workstation-broken", False, False, "", P2, False, f"{STILL_BARE}."),
    # other: no presumption; the question must be answered
    ("other", None, False, "", P1, True, UNANSWERED),
    ("other", None, True, "", P1, True, UNANSWERED),
    ("other", True, False, "", P1, False, PREVENTS),
    ("other", True, True, "", P1, False, PREVENTS),
    ("other", False, False, SAID, P2, False, f"{STILL}, and there is no workaround."),
    ("other", False, True, SAID, P3, False, f"{STILL}, and there is a workaround."),
    ("other", False, False, "", P2, False, f"{STILL_BARE}, and there is no workaround."),
    ("other", False, True, "", P3, False, f"{STILL_BARE}, and there is a workaround."),
]


@pytest.mark.parametrize(
    ("category", "prevents", "workaround", "statement", "priority", "ask", "reason"),
    TABLE,
    ids=[f"{row[0]}-prevents={row[1]}-workaround={row[2]}-said={bool(row[3])}" for row in TABLE],
)
def test_triage_table(
    category: str,
    prevents: bool | None,
    workaround: bool,
    statement: str,
    priority: Priority,
    ask: bool,
    reason: str,
) -> None:
    result = triage(
        category, prevents_delivery=prevents, has_workaround=workaround, statement=statement
    )
    assert result.priority is priority
    assert result.needs_answer is ask
    assert result.reason_text == reason
    # The answer the priority was decided on: presumed (or pending) counts as preventing.
    assert result.prevents_delivery is (prevents is not False)


def test_table_covers_every_category_and_every_answer() -> None:
    for category in CATEGORIES:
        answers = {row[1] for row in TABLE if row[0] == category.value}
        assert answers == {None, True, False}, category


def test_p1_exactly_when_it_prevents_production_delivery() -> None:
    for category, prevents, workaround, statement, priority, *_ in TABLE:
        decided = triage(
            category, prevents_delivery=prevents, has_workaround=workaround, statement=statement
        )
        assert (priority is Priority.P1) == decided.prevents_delivery


def test_the_environment_tier_is_not_an_input() -> None:
    """ "It's only staging" is never a reason to downgrade: triage cannot even be told."""
    params = set(inspect.signature(triage).parameters)
    assert params == {"category", "prevents_delivery", "has_workaround", "statement"}
    for name in ("tier", "environment", "environment_tier", "env"):
        with pytest.raises(TypeError):
            triage("environment-instability", prevents_delivery=None, **{name: "staging"})  # type: ignore[arg-type]


@pytest.mark.parametrize("prevents", [None, True])
def test_saying_only_staging_does_not_downgrade(prevents: bool | None) -> None:
    result = triage(
        "environment-instability",
        prevents_delivery=prevents,
        statement="it's only staging that is down, production is fine",
    )
    assert result.priority is Priority.P1
    assert result.needs_answer is False


def test_only_the_statement_that_delivery_is_possible_downgrades() -> None:
    staging = triage("environment-instability", prevents_delivery=False, statement="only staging")
    assert staging.priority is Priority.P2
    assert "“only staging”" in staging.reason_text


def test_statement_whitespace_is_folded_into_one_line() -> None:
    result = triage("ci-instability", prevents_delivery=False, statement="  we can\n  deploy  ")
    assert "“we can deploy”" in result.reason_text


def test_category_accepts_enum_or_value_and_rejects_unknown() -> None:
    assert triage(Category.OTHER, prevents_delivery=True).priority is Priority.P1
    with pytest.raises(ValueError):
        triage("coffee-machine-broken", prevents_delivery=True)


def test_every_category_has_a_label_and_a_one_line_description() -> None:
    assert [c.value for c in CATEGORIES] == [
        "production-outage",
        "environment-instability",
        "security-false-positive",
        "ci-instability",
        "workstation-broken",
        "other",
    ]
    for category in CATEGORIES:
        assert category.label and category.label[0].isupper()
        assert category.description.endswith(".") and "\n" not in category.description
    assert [c.presumes_prevention for c in CATEGORIES] == [True] * 5 + [False]
