"""History figures: timeline, shares, time to restore and blockers, including the edge cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.history import (
    BOARD_KEY,
    HistoryFigures,
    Segment,
    Spell,
    Window,
    blocker_figures,
    compute_figures,
    load_figures,
    spells,
    timeline,
    verdict_state,
)
from app.domain.model import Blocker, BlockerState, Priority, VerdictState
from app.store.store import Store

R = VerdictState.RELEASABLE
N = VerdictState.NOT_RELEASABLE
U = VerdictState.UNKNOWN
T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
H = timedelta(hours=1)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_status_words_map_to_verdicts_and_unrecognised_is_unknown() -> None:
    assert verdict_state("releasable") is R
    assert verdict_state("not-releasable") is N
    assert verdict_state("something-new") is U
    assert verdict_state(None) is None


def test_window_durations_and_words() -> None:
    assert [w.duration for w in Window] == [timedelta(hours=24), 7 * DAY, 30 * DAY]
    assert Window.WEEK.short == "7 d"
    assert Window.MONTH.words == "last 30 days"


def test_no_transitions_and_no_history_is_one_unrecorded_segment() -> None:
    segments = timeline([], None, T0, at(24))
    assert segments == [Segment(None, T0, at(24))]
    figures = compute_figures([], None, T0, at(24))
    assert figures.share(R) is None
    assert figures.no_record_s == 24 * 3600
    assert figures.restores == () and figures.open_spell is None


def test_no_transitions_keeps_the_state_carried_in_for_the_whole_window() -> None:
    figures = compute_figures([], "releasable", T0, at(24))
    assert figures.segments == (Segment(R, T0, at(24)),)
    assert figures.share(R) == 1.0
    assert figures.no_record_s == 0


def test_state_carried_in_from_a_change_before_the_window() -> None:
    changes = [("releasable", at(-30)), ("not-releasable", at(-2)), ("releasable", at(3))]
    segments = timeline(changes, None, T0, at(10))
    assert segments == [Segment(N, T0, at(3)), Segment(R, at(3), at(10))]


def test_changes_are_sorted_merged_and_clipped_to_the_window() -> None:
    changes = [
        ("releasable", at(5)),
        ("not-releasable", at(2)),
        ("not-releasable", at(3)),  # same state again: merged
        ("unknown", at(12)),  # at the end: outside [start, end)
        ("releasable", at(0)),  # exactly at the start
    ]
    segments = timeline(changes, "unknown", T0, at(12))
    assert segments == [
        Segment(R, T0, at(2)),
        Segment(N, at(2), at(5)),
        Segment(R, at(5), at(12)),
    ]


def test_first_record_inside_the_window_leaves_no_record_before_it() -> None:
    figures = compute_figures([("releasable", at(6)), ("unknown", at(18))], None, T0, at(24))
    assert figures.segments[0] == Segment(None, T0, at(6))
    assert figures.no_record_s == 6 * 3600
    assert figures.share(R) == pytest.approx(12 / 18)
    assert figures.share(U) == pytest.approx(6 / 18)


def test_empty_or_reversed_window_has_no_segments() -> None:
    assert timeline([("releasable", at(1))], None, at(5), at(5)) == []
    assert timeline([], "releasable", at(5), at(1)) == []


def test_shares_of_each_state() -> None:
    changes = [("releasable", at(0)), ("not-releasable", at(18)), ("unknown", at(21))]
    figures = compute_figures(changes, None, T0, at(24))
    assert figures.share(R) == pytest.approx(0.75)
    assert figures.share(N) == pytest.approx(0.125)
    assert figures.share(U) == pytest.approx(0.125)


def test_time_to_restore_median_and_longest() -> None:
    changes = [
        ("releasable", at(0)),
        ("not-releasable", at(1)),
        ("releasable", at(2)),  # 1 h
        ("not-releasable", at(4)),
        ("unknown", at(5)),
        ("releasable", at(8)),  # NOT then UNKNOWN: one spell of 4 h
        ("unknown", at(10)),
        ("releasable", at(12)),  # 2 h
    ]
    figures = compute_figures(changes, None, T0, at(24))
    assert [s.seconds / 3600 for s in figures.restores] == [1, 4, 2]
    assert figures.median_restore_s == 2 * 3600
    assert figures.longest_restore_s == 4 * 3600
    assert figures.open_spell is None


def test_spell_open_at_the_end_is_counted_separately() -> None:
    changes = [("releasable", at(0)), ("not-releasable", at(20))]
    figures = compute_figures(changes, None, T0, at(24))
    assert figures.restores == ()
    assert figures.median_restore_s is None and figures.longest_restore_s is None
    assert figures.open_spell == Spell(at(20), at(24), restored=False, start_known=True)


def test_spell_carried_in_is_measured_from_its_real_start() -> None:
    changes = [("releasable", at(-50)), ("not-releasable", at(-5)), ("releasable", at(2))]
    restored, still = spells(changes, None, T0, at(24), history_start=at(-100))
    assert restored == [Spell(at(-5), at(2), restored=True, start_known=True)]
    assert still is None


def test_spell_older_than_the_history_read_has_a_lower_bound() -> None:
    restored, still = spells([("releasable", at(3))], "not-releasable", T0, at(24), at(-48))
    assert restored == [Spell(at(-48), at(3), restored=True, start_known=False)]
    assert restored[0].seconds == 51 * 3600
    assert still is None
    _, still = spells([], "unknown", T0, at(24))
    assert still == Spell(T0, at(24), restored=False, start_known=False)


def test_spells_restored_before_the_window_do_not_count() -> None:
    changes = [("not-releasable", at(-10)), ("releasable", at(-1)), ("unknown", at(1))]
    restored, still = spells(changes, "releasable", T0, at(24))
    assert restored == []
    assert still is not None and still.start == at(1)


def blocker(
    key: str, category: str, opened: float, closed: float | None = None, priority: str = "P1"
) -> Blocker:
    return Blocker(
        key=key,
        title=f"blocker {key}",
        category=category,
        priority=Priority(priority),
        opened_at=at(opened),
        state=BlockerState.OPEN if closed is None else BlockerState.CLOSED,
        closed_at=None if closed is None else at(closed),
    )


def test_blockers_per_category_and_time_to_close() -> None:
    blockers = [
        blocker("a", "ci-instability", 1, 2),  # 1 h
        blocker("b", "ci-instability", 3, 6),  # 3 h
        blocker("c", "ci-instability", 4, 9),  # 5 h
        blocker("d", "workstation-broken", 5),  # still open
        blocker("e", "ci-instability", -3, 1),  # filed before the window: not counted
        blocker("f", "workstation-broken", 6, 30),  # closed after the window ends: still open
        blocker("g", "printer-jam", 7, 8, priority="P3"),  # a category the app does not know
    ]
    rows = {c.category: c for c in blocker_figures(blockers, T0, at(24))}
    assert list(rows)[:6] == [
        "production-outage",
        "environment-instability",
        "security-false-positive",
        "ci-instability",
        "workstation-broken",
        "other",
    ]
    ci = rows["ci-instability"]
    assert (ci.filed, ci.closed, ci.still_open) == (3, 3, 0)
    assert ci.median_close_s == 3 * 3600 and ci.longest_close_s == 5 * 3600
    assert ci.label == "CI instability"
    laptop = rows["workstation-broken"]
    assert (laptop.filed, laptop.closed, laptop.still_open, laptop.median_close_s) == (
        2,
        0,
        2,
        None,
    )
    assert rows["printer-jam"].label == "printer-jam" and rows["printer-jam"].filed == 1
    assert rows["production-outage"].filed == 0


class FakeSource:
    """Records which queries were made; answers from a list of (key, status, at)."""

    def __init__(self, rows: Sequence[tuple[str, str, datetime]]) -> None:
        self.rows = list(rows)
        self.queries: list[tuple[datetime, datetime | None, str | None]] = []

    def transitions(
        self, since: datetime, until: datetime | None = None, item_key: str | None = None
    ) -> list[_Row]:
        self.queries.append((since, until, item_key))
        return [
            _Row(status, when)
            for key, status, when in self.rows
            if when >= since and (until is None or when < until) and key == item_key
        ]

    def status_before(self, item_key: str, when: datetime) -> str | None:
        earlier = [(t, s) for k, s, t in self.rows if k == item_key and t < when]
        return max(earlier)[1] if earlier else None


class _Row:
    def __init__(self, status: str, when: datetime) -> None:
        self.status = status
        self.at = when


def test_load_figures_reads_only_the_board_rows_and_looks_back_for_a_carried_spell() -> None:
    now = at(24 * 40)
    start = now - 30 * DAY
    source = FakeSource(
        [
            (BOARD_KEY, "not-releasable", now - 70 * DAY),
            (BOARD_KEY, "releasable", now - 35 * DAY),
            ("pipeline:api", "failed", now - 2 * H),  # an item's row: never read
            (BOARD_KEY, "not-releasable", now - 34 * DAY),  # spell carried into the window
            (BOARD_KEY, "releasable", now - 29 * DAY),
        ]
    )
    figures = load_figures(Window.MONTH, now, source, board_name="Payments")
    assert source.queries == [
        (start, now, BOARD_KEY),  # the window
        (start - DAY, start, BOARD_KEY),  # not releasable at its start: look back in steps
        (start - 7 * DAY, start - DAY, BOARD_KEY),  # found the spell's start here
    ]
    assert figures.window is Window.MONTH and figures.board_name == "Payments"
    assert figures.start == start
    assert figures.restores == (Spell(now - 34 * DAY, now - 29 * DAY, restored=True),)
    assert figures.share(R) == pytest.approx(29 / 30)


def test_load_figures_does_not_look_back_when_releasable_at_the_start() -> None:
    now = at(24 * 10)
    source = FakeSource([(BOARD_KEY, "releasable", now - 3 * DAY)])
    figures = load_figures(Window.DAY, now, source)
    assert source.queries == [(now - DAY, now, BOARD_KEY)]
    assert figures.segments == (Segment(R, now - DAY, now),)


def test_spell_longer_than_the_lookback_keeps_an_unknown_start() -> None:
    now = at(24 * 400)
    source = FakeSource(
        [(BOARD_KEY, "unknown", now - 300 * DAY), (BOARD_KEY, "releasable", now - 2 * H)]
    )
    figures = load_figures(Window.DAY, now, source)
    assert len(source.queries) == 5  # the window, then 1, 7, 30 and 90 days back
    (spell,) = figures.restores
    assert not spell.start_known
    assert spell.start == now - DAY - 90 * DAY


def test_blockers_filed_counts_every_category() -> None:
    figures = HistoryFigures(
        T0, at(24), (), categories=blocker_figures([blocker("a", "other", 1)], T0, at(24))
    )
    assert figures.blockers_filed == 1


states = st.sampled_from(["releasable", "not-releasable", "unknown"])
changes_strategy = st.lists(
    st.tuples(states, st.integers(min_value=-48, max_value=48).map(at)), max_size=30
)


@given(changes_strategy, st.one_of(st.none(), states))
def test_segments_tile_the_window_and_shares_add_up(
    changes: list[tuple[str, datetime]], before: str | None
) -> None:
    start, end = T0, at(24)
    figures = compute_figures(changes, before, start, end)
    segments = figures.segments
    assert segments[0].start == start and segments[-1].end == end
    for first, second in zip(segments, segments[1:], strict=False):
        assert first.end == second.start
        assert first.state is not second.state
        assert first.seconds > 0
    if figures.recorded_s > 0:
        assert sum(figures.share(s) or 0 for s in VerdictState) == pytest.approx(1.0)
    for spell in figures.restores:
        assert start <= spell.end < end and spell.seconds > 0


# -- planned time: freezes and maintenance ------------------------------------------------------


def test_planned_time_is_its_own_segment_and_share() -> None:
    figures = compute_figures(
        [("releasable", at(0)), ("planned", at(2)), ("releasable", at(6))], None, at(0), at(8)
    )
    assert [(s.state, s.planned, s.seconds / 3600) for s in figures.segments] == [
        (R, False, 2.0),
        (N, True, 4.0),
        (R, False, 2.0),
    ]
    assert figures.planned_s == 4 * 3600
    assert figures.share(N) == 0.0  # planned is not counted as not releasable
    assert figures.planned_share() == 0.5
    assert figures.share(R) == 0.5
    assert figures.restores == () and figures.open_spell is None  # a freeze is no outage


def test_planned_time_inside_an_outage_does_not_count_against_restoring() -> None:
    changes = [
        ("releasable", at(0)),
        ("not-releasable", at(1)),  # the scan fails …
        ("planned", at(2)),  # … then the freeze starts (the failure is fixed during it)
        ("not-releasable", at(5)),  # the freeze ends, still failing
        ("releasable", at(6)),
    ]
    figures = compute_figures(changes, None, at(0), at(8))
    (spell,) = figures.restores
    assert (spell.start, spell.end) == (at(1), at(6))
    assert spell.seconds == 2 * 3600  # 5 h, less the 3 h of planned time


def test_an_outage_still_going_inside_a_freeze_is_paused_too() -> None:
    figures = compute_figures([("not-releasable", at(0)), ("planned", at(1))], None, at(0), at(4))
    assert figures.open_spell is not None and figures.open_spell.seconds == 3600


def test_the_store_records_planned_apart_and_history_reads_it_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        store.record_verdict(R, at(0))
        began = store.record_verdict(N, at(1), planned=True)
        assert store.record_verdict(N, at(2), planned=True) == began == at(1)
        store.record_verdict(N, at(3))  # a real failure: a new state
        store.record_verdict(R, at(4))
        figures = load_figures(Window.DAY, at(5), store)
    assert [s.planned for s in figures.segments if s.state is N] == [True, False]
    assert figures.planned_s == 2 * 3600
