"""Planned time in the verdict: a change freeze makes the team NOT RELEASABLE on purpose, an
environment down inside its maintenance window reads as maintenance; both are `planned` (no
alarm). Windows: one-off, recurring by weekday and local time, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.domain.model import BoardState, Health, ItemKind, Observed, Outcome, VerdictState
from app.domain.planned import Freeze, Maintenance, PlannedTime, until_words
from app.domain.verdict import decide
from tests.unit.test_verdict import NOW, environment, pipeline

CET = timezone(timedelta(hours=1), "CET")
BERLIN = ZoneInfo("Europe/Berlin")
FREEZE = Freeze(NOW - timedelta(hours=1), datetime(2026, 11, 30, 8, 0, tzinfo=CET), "year-end")
STAGING_NIGHTLY = Maintenance(
    environment="staging",
    weekdays=(3,),  # Thursday (NOW is Thursday 26 Nov 2026, 12:00 UTC = 13:00 Berlin)
    start_time=time(12, 30),
    end_time=time(14, 0),
    zone=BERLIN,
    zone_name="Europe/Berlin",
    reason="database upgrade",
)


def board(*items: Observed, planned: PlannedTime) -> BoardState:
    pipelines = tuple(i for i in items if i.kind is ItemKind.PIPELINE)
    envs = tuple(i for i in items if i.kind is ItemKind.ENVIRONMENT)
    return BoardState("B", pipelines, envs, planned=planned)


@pytest.mark.parametrize(
    ("items", "planned", "state", "is_planned", "first_reason"),
    [
        # a freeze alone: NOT RELEASABLE, planned, with its end and reason
        (
            (pipeline(), environment()),
            PlannedTime(freezes=(FREEZE,)),
            VerdictState.NOT_RELEASABLE,
            True,
            "change freeze until Mon 08:00 CET (year-end)",
        ),
        # a freeze that ended: releasable again
        (
            (pipeline(),),
            PlannedTime(freezes=(Freeze(NOW - timedelta(days=2), NOW, "over"),)),
            VerdictState.RELEASABLE,
            False,
            None,
        ),
        # a real failure during a freeze is not planned: it is an alarm again
        (
            (pipeline(outcome=Outcome.FAILED), environment()),
            PlannedTime(freezes=(FREEZE,)),
            VerdictState.NOT_RELEASABLE,
            False,
            "change freeze until Mon 08:00 CET (year-end)",
        ),
        # staging down inside its window: maintenance, planned
        (
            (pipeline(), environment(health=Health.DOWN)),
            PlannedTime(maintenance=(STAGING_NIGHTLY,)),
            VerdictState.NOT_RELEASABLE,
            True,
            "environment 'staging' maintenance until 14:00 CET (database upgrade)",
        ),
        # unreadable (stale) inside the window: maintenance too, not UNKNOWN
        (
            (pipeline(), environment(age_s=3600)),
            PlannedTime(maintenance=(STAGING_NIGHTLY,)),
            VerdictState.NOT_RELEASABLE,
            True,
            "environment 'staging' maintenance until 14:00 CET (database upgrade)",
        ),
        # up inside its window: nothing to say
        (
            (pipeline(), environment()),
            PlannedTime(maintenance=(STAGING_NIGHTLY,)),
            VerdictState.RELEASABLE,
            False,
            None,
        ),
        # the window covers another environment: staging down is an outage
        (
            (pipeline(), environment(health=Health.DOWN)),
            PlannedTime(maintenance=(Maintenance("production", NOW, NOW + timedelta(hours=1)),)),
            VerdictState.NOT_RELEASABLE,
            False,
            None,
        ),
        # a window for every environment (environment omitted), one-off
        (
            (pipeline(), environment(health=Health.DOWN)),
            PlannedTime(maintenance=(Maintenance(None, NOW, NOW + timedelta(minutes=30)),)),
            VerdictState.NOT_RELEASABLE,
            True,
            "environment 'staging' maintenance until 12:30 UTC",
        ),
        # maintenance plus an unknown pipeline: the known (planned) failure outranks unknown
        (
            (pipeline(read=False), environment(health=Health.DOWN)),
            PlannedTime(maintenance=(STAGING_NIGHTLY,)),
            VerdictState.NOT_RELEASABLE,
            True,
            None,
        ),
    ],
    ids=[
        "freeze",
        "freeze-over",
        "failure-during-freeze",
        "maintenance-down",
        "maintenance-stale",
        "maintenance-up",
        "other-environment",
        "all-environments",
        "maintenance-and-unknown",
    ],
)
def test_planned_time_in_the_verdict(
    items: tuple[Observed, ...],
    planned: PlannedTime,
    state: VerdictState,
    is_planned: bool,
    first_reason: str | None,
) -> None:
    verdict = decide(board(*items, planned=planned), NOW)
    assert verdict.state is state
    assert verdict.planned is is_planned
    if first_reason is not None:
        assert verdict.reasons[0].text == first_reason
        assert verdict.reasons[0].planned


def test_a_recurring_window_runs_past_midnight_into_the_next_day() -> None:
    late = Maintenance(
        weekdays=(5,), start_time=time(22, 0), end_time=time(4, 0), zone=BERLIN
    )  # Saturday 22:00 to Sunday 04:00, Berlin
    sunday_3am = datetime(2026, 12, 6, 3, 0, tzinfo=BERLIN)
    assert late.window_at(sunday_3am) == (
        datetime(2026, 12, 5, 22, 0, tzinfo=BERLIN),
        datetime(2026, 12, 6, 4, 0, tzinfo=BERLIN),
    )
    assert late.window_at(datetime(2026, 12, 6, 4, 0, tzinfo=BERLIN)) is None
    assert late.window_at(datetime(2026, 12, 7, 3, 0, tzinfo=BERLIN)) is None  # Monday 03:00
    assert late.window_at(datetime(2026, 12, 5, 21, 59, tzinfo=BERLIN)) is None


def test_a_recurring_window_keeps_its_local_time_across_daylight_saving() -> None:
    nightly = Maintenance(start_time=time(2, 30), end_time=time(3, 30), zone=BERLIN)
    winter = datetime(2026, 1, 10, 1, 45, tzinfo=UTC)  # 02:45 CET
    summer = datetime(2026, 7, 10, 0, 45, tzinfo=UTC)  # 02:45 CEST
    assert nightly.window_at(winter) is not None
    assert nightly.window_at(summer) is not None
    assert nightly.window_at(datetime(2026, 7, 10, 1, 45, tzinfo=UTC)) is None  # 03:45 CEST


def test_until_words_say_the_end_in_its_own_zone() -> None:
    assert until_words(datetime(2026, 11, 26, 18, 0, tzinfo=UTC), NOW) == "18:00 UTC"
    assert until_words(datetime(2026, 11, 28, 9, 5, tzinfo=UTC), NOW) == "Sat 09:05 UTC"
    assert until_words(datetime(2027, 1, 4, 8, 0, tzinfo=CET), NOW) == "4 Jan 2027 08:00 CET"


def test_overlapping_freezes_name_the_one_that_ends_last() -> None:
    short = Freeze(NOW - timedelta(hours=1), NOW + timedelta(hours=1), "short")
    long = Freeze(NOW - timedelta(hours=2), NOW + timedelta(days=1), "long")
    assert PlannedTime(freezes=(short, long)).freeze_at(NOW) == long
