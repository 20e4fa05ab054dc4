"""The platform team's history: team-hours releasable, time to restore per team, P1s by
category across teams — from the teams' own figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.fleet_history import fleet_history
from app.domain.history import Window, compute_figures
from app.domain.model import Blocker, BlockerState, Priority

END = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
START = END - Window.DAY.duration


def _h(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def test_team_hours_restores_and_p1_categories_add_up_across_teams() -> None:
    # A: releasable all day. B: not releasable 6 h (restored), C: not releasable for the
    # last 2 h (still going) and unknown before its first record at 12 h.
    a = compute_figures([], "releasable", START, END)
    b = compute_figures(
        [("not-releasable", _h(4)), ("releasable", _h(10))], "releasable", START, END
    )
    c = compute_figures([("releasable", _h(12)), ("not-releasable", _h(22))], None, START, END)
    blockers = [
        Blocker(
            "1",
            "laptop",
            "workstation-broken",
            Priority.P1,
            _h(4),
            "Dana",
            state=BlockerState.CLOSED,
            closed_at=_h(6),
        ),
        Blocker("2", "scanner", "security-false-positive", Priority.P1, _h(22), "Sam"),
        Blocker("3", "docs typo", "other", Priority.P3, _h(5), "Kim"),
        Blocker("4", "old laptop", "workstation-broken", Priority.P1, _h(-30), "Old"),
    ]
    history = fleet_history(Window.DAY, [("A", a), ("B", b), ("C", c)], blockers)

    # 24 + 18 + 10 releasable hours over 24 + 24 + 12 recorded hours
    assert history.releasable_share == (24 + 18 + 10) / (24 + 24 + 12)
    assert [r.name for r in history.restores] == ["C", "B", "A"]  # still blocked first
    c_row, b_row, a_row = history.restores
    assert c_row.open_s == 2 * 3600 and c_row.restores == 0
    assert b_row.median_s == 6 * 3600 and b_row.restores == 1
    assert a_row.releasable_share == 1.0
    by_category = {cat.category: (cat.filed, cat.closed) for cat in history.categories}
    assert by_category == {"workstation-broken": (1, 1), "security-false-positive": (1, 0)}
    assert history.p1s_filed == 2


def test_no_teams_no_record() -> None:
    history = fleet_history(Window.WEEK, [], [])
    assert history.releasable_share is None and history.restores == ()
