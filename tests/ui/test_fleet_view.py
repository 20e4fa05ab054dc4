"""The platform view: a painted list model of teams (window) and a paging wall (kiosk)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.domain.fleet import OpenP1, TeamRow, fleet_order
from app.domain.model import VerdictState
from app.ui.fleet.kiosk import READABLE_TEXT, FleetKiosk
from app.ui.fleet.model import KEY_ROLE, FleetModel
from app.ui.fleet.window import FleetWindow

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _rows(n: int = 30) -> list[TeamRow]:
    rows = []
    reasons: tuple[str, ...]
    for i in range(n):
        if i % 10 == 1:
            state, reasons = VerdictState.NOT_RELEASABLE, ("pipeline 'api' failed at stage 'scan'",)
        elif i % 10 == 2:
            state, reasons = VerdictState.UNKNOWN, ("board file could not be fetched: 404",)
        else:
            state, reasons = VerdictState.RELEASABLE, ()
        p1s = (OpenP1("laptop broken", "Dana", None, "workstation-broken", NOW),) if i == 11 else ()
        rows.append(
            TeamRow(
                key=f"team-{i}",
                name=f"Team {i:02d}",
                state=state,
                reasons=reasons,
                since=NOW - timedelta(minutes=5 * i),
                p1s=p1s,
            )
        )
    return fleet_order(rows)


def test_blocked_longest_first_then_unknown_then_releasable() -> None:
    order = [(r.state, r.name) for r in _rows()]
    assert order[:3] == [
        (VerdictState.NOT_RELEASABLE, "Team 21"),
        (VerdictState.NOT_RELEASABLE, "Team 11"),
        (VerdictState.NOT_RELEASABLE, "Team 01"),
    ]
    assert order[3][0] is VerdictState.UNKNOWN and order[3][1] == "Team 22"
    assert [s for s, _ in order[6:]] == [VerdictState.RELEASABLE] * 24
    assert [n for _, n in order[6:8]] == ["Team 00", "Team 03"]


def test_the_model_passes_qt_model_checks_and_names_rows_for_screen_readers(
    qtmodeltester: object,
) -> None:
    model = FleetModel()
    model.set_rows(_rows(), NOW)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    accessible = model.data(model.index(1), Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == (
        "Team 11: NOT RELEASABLE for 55 min. pipeline 'api' failed at stage 'scan'. "
        "open P1s: P1 laptop broken (Dana)"
    )
    assert model.data(model.index(29), Qt.ItemDataRole.AccessibleTextRole).endswith(
        "RELEASABLE for 2 h 25 min. no open P1"
    )


def test_a_teams_update_moves_or_repaints_its_row_and_never_resets_the_model(
    qtmodeltester: object,
) -> None:
    """As the team board's rows: a reset re-lays out and repaints every row of the list (and
    drops the current team) each time one team's snapshot arrives during a scroll."""
    model = FleetModel()
    rows = _rows()
    model.set_rows(rows, NOW)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    resets: list[bool] = []
    moves: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.modelAboutToBeReset.connect(lambda: resets.append(True))
    model.layoutChanged.connect(lambda: moves.append(True))
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))
    watched = QPersistentModelIndex(model.index(20))  # a team further down, kept current
    team_20 = rows[20].key

    # One team's reasons change: only its row is repainted.
    rows[1] = replace(rows[1], reasons=("pipeline 'api' failed at stage 'deploy'",))
    model.set_rows(rows, NOW)
    assert (resets, moves, changed) == ([], [], [(1, 1)])

    # A releasable team stops being releasable: its row moves up, the rest stay put.
    moved = next(r for r in rows if r.name == "Team 05")
    rows = fleet_order(
        [r if r is not moved else replace(r, state=VerdictState.NOT_RELEASABLE) for r in rows]
    )
    changed.clear()
    model.set_rows(rows, NOW)
    assert resets == [] and moves == [True]
    assert model.row_of(moved.key) == 2  # blocked 25 min: after the two blocked for longer
    assert changed == [(2, 2)]  # the team that moved is the only one whose words changed
    assert watched.isValid() and watched.data(KEY_ROLE) == team_20


def test_filter_enter_opens_the_team_and_esc_comes_back(qtbot: QtBot) -> None:
    window = FleetWindow("Platform", now_fn=lambda: NOW)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.show_rows(_rows())
    assert window.list.model().rowCount() == 30
    assert window.summary.text() == "3 not releasable · 3 unknown · 24 releasable"

    window.filter.setText("laptop")
    assert window.list.model().rowCount() == 1
    window.filter.setText("")
    window.list.setFocus()
    window.list.setCurrentIndex(window.list.model().index(1, 0))
    opened: list[str] = []
    window.team_opened.connect(opened.append)
    qtbot.keyClick(window.list, Qt.Key.Key_Return)
    assert opened == ["team-11"]
    assert window.pages.currentIndex() == 1
    assert window.team_title.text() == "Team 11"

    qtbot.keyClick(window.back, Qt.Key.Key_Escape)
    assert window.pages.currentIndex() == 0
    assert window.list.currentIndex().data(KEY_ROLE) == "team-11"


def test_a_refresh_keeps_the_current_team_and_the_scroll_position(qtbot: QtBot) -> None:
    window = FleetWindow("Platform", now_fn=lambda: NOW)
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    window.show_rows(_rows())
    window.list.setCurrentIndex(window.list.model().index(20, 0))
    window.list.scrollTo(window.list.currentIndex())
    position = window.list.verticalScrollBar().value()
    assert position > 0
    window.show_rows(list(reversed(_rows())))  # a new order
    assert window.list.currentIndex().data(KEY_ROLE) == _rows()[20].key
    assert window.list.verticalScrollBar().value() == position


def test_the_kiosk_pages_past_a_readable_minimum_and_fits_a_big_screen(qtbot: QtBot) -> None:
    kiosk = FleetKiosk("Platform", now_fn=lambda: NOW, page_seconds=3600)
    qtbot.addWidget(kiosk)
    kiosk.resize(1920, 1080)
    kiosk.show_rows(_rows(30))
    layout = kiosk.layout_
    assert layout.pages == 2
    assert kiosk._fonts is not None
    assert kiosk._fonts.plain.pixelSize() >= READABLE_TEXT * 1080
    first = kiosk.visible_keys()
    assert first[0] == _rows()[0].key  # worst first
    kiosk.next_page()
    assert set(first).isdisjoint(kiosk.visible_keys())
    assert len(first) + len(kiosk.visible_keys()) == 30

    kiosk.resize(3840, 2160)
    kiosk.show_rows(_rows(30))
    assert kiosk._fonts.plain.pixelSize() >= READABLE_TEXT * 2160
    kiosk.resize(1920, 1080)
    kiosk.show_rows(_rows(100))
    assert kiosk.layout_.pages >= 5
    image = kiosk.grab()
    assert image.width() == 1920


@pytest.mark.parametrize("size", [(800, 600), (1366, 768), (1920, 1080), (3840, 2160)])
def test_the_kiosk_never_cuts_a_teams_verdict(size: tuple[int, int], qtbot: QtBot) -> None:
    """At any screen size every tile's verdict line ("NOT RELEASABLE for 1 h 35 min") is drawn
    whole: fewer columns and more pages rather than "NOT RELEASA…"."""
    from app.ui.fleet.delegate import text_margins

    rows = [
        TeamRow(
            f"t{i}",
            f"Team {i:02d}",
            VerdictState.NOT_RELEASABLE,
            ("x",),
            NOW - timedelta(minutes=95 + i),
        )
        for i in range(30)
    ]
    kiosk = FleetKiosk("Platform team (demo)", now_fn=lambda: NOW, page_seconds=3600)
    qtbot.addWidget(kiosk)
    kiosk.resize(*size)
    kiosk.show_rows(rows)
    fonts, lay = kiosk._fonts, kiosk.layout_
    assert fonts is not None
    assert fonts.plain.pixelSize() >= round(READABLE_TEXT * size[1])
    room = lay.tile_w - text_margins(fonts, lay.tile_h)
    for text in kiosk.texts:
        assert fonts.line(True, text.verdict, room)[0].text() == text.verdict
    assert kiosk.layout_.pages * kiosk.layout_.per_page >= 30


def test_the_history_page_asks_for_a_window_and_shows_the_fleet_figures(
    qtbot: QtBot, qtmodeltester: object
) -> None:
    from app.domain.fleet_history import fleet_history
    from app.domain.history import Window, compute_figures

    window = FleetWindow("Platform", now_fn=lambda: NOW)
    qtbot.addWidget(window)
    window.show_rows(_rows())
    asked: list[Window] = []
    window.history_requested.connect(asked.append)
    window.history_button.click()
    assert asked == [Window.WEEK]
    start = NOW - Window.WEEK.duration
    figures = compute_figures(
        [("not-releasable", NOW - timedelta(hours=3))], "releasable", start, NOW
    )
    window.show_history(fleet_history(Window.WEEK, [("Team 11", figures)], []))
    page = window._history
    assert page is not None and window.pages.currentWidget() is page
    assert page.headline.text().startswith("98 % of team-hours releasable over the last 7 days")
    qtmodeltester.check(page.restore_model)  # type: ignore[attr-defined]
    assert page.restore_model.item(0, 0).text() == "Team 11"
    assert page.restore_model.item(0, 4).text() == "3 h"
    page.buttons.buttons()[0].click()
    assert asked[-1] is Window.DAY
    qtbot.keyClick(page.back, Qt.Key.Key_Escape)
    assert window.pages.currentIndex() == 0


@pytest.mark.parametrize("size", [(800, 600), (1366, 768), (1920, 1080)])
def test_p1_categories_are_one_line_each_and_all_in_sight(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    """'Environment instability' was wrapped onto two lines in a column as wide as its header,
    and the last categories were scrolled out of a table a quarter of the page high."""
    from app.domain.blocker_history import CategoryFigures
    from app.domain.fleet_history import FleetHistory
    from app.domain.history import Window

    labels = [
        "Production outage",
        "Environment instability",
        "Security scanner false positive",
        "CI instability",
        "Workstation broken",
        "Other",
    ]
    categories = tuple(
        CategoryFigures(f"c{i}", label, 9 - i, 8 - i, 3600.0, 7200.0)
        for i, label in enumerate(labels)
    )
    start = NOW - Window.WEEK.duration
    history = FleetHistory(Window.WEEK, start, NOW, 30, 90.0, 100.0, (), categories)
    window = FleetWindow("Platform", now_fn=lambda: NOW)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.open_history()
    window.show_history(history)
    page = window._history
    assert page is not None
    table = page.categories
    qtbot.waitUntil(lambda: table.viewport().height() > 0)
    assert not table.wordWrap()
    widest = max(table.fontMetrics().horizontalAdvance(label) for label in labels)
    assert table.columnWidth(0) > widest
    model = table.model()
    last = table.visualRect(model.index(len(labels) - 1, 0))
    assert 0 < last.bottom() <= table.viewport().height()  # no row scrolled out of sight
    # in the order given (worst first) until a header is clicked
    assert [model.index(i, 0).data() for i in range(len(labels))] == labels
    assert table.horizontalHeader().sortIndicatorSection() == -1


def test_a_team_that_has_just_stopped_being_releasable_says_just_now_everywhere(
    qtbot: QtBot,
) -> None:
    """Not "down for 0 s": the window, the wall and `status --fleet` word it as the app does."""
    from app.cli.fleet import fleet_text
    from app.domain.model import BoardState, EnvironmentReading, Health, ItemKind, Observed
    from app.domain.verdict import decide
    from app.ui.fleet.model import TEXT_ROLE

    staging = Observed(
        key="environment:staging",
        kind=ItemKind.ENVIRONMENT,
        name="staging",
        reading=EnvironmentReading(health=Health.DOWN, latency_ms=40),
        read_at=NOW,
        status_since=NOW,  # it went down at this very read
        stale_after_s=300,
    )
    verdict = decide(BoardState(name="Payments", environments=(staging,)), NOW)
    reasons = tuple(r.text for r in verdict.reasons)
    assert reasons == ("environment 'staging' down just now",)
    row = TeamRow("pay", "Payments", VerdictState.NOT_RELEASABLE, reasons, since=NOW)

    window = FleetWindow("Platform team", now_fn=lambda: NOW)
    qtbot.addWidget(window)
    window.show_rows([row])
    text = window.model.index(0).data(TEXT_ROLE)
    assert text.verdict == "NOT RELEASABLE just now"
    kiosk = FleetKiosk("Platform team", now_fn=lambda: NOW)
    qtbot.addWidget(kiosk)
    kiosk.show_rows([row])
    assert kiosk.texts[0].verdict == "NOT RELEASABLE just now"
    printed = fleet_text("Platform team", [row], NOW)
    assert "Payments: NOT RELEASABLE just now" in printed
    assert "  - environment 'staging' down just now" in printed
    for said in (text.accessible, kiosk.texts[0].accessible, printed):
        assert " 0 s" not in said
    later = NOW + timedelta(seconds=90)
    window.model.tick(later)
    assert window.model.index(0).data(TEXT_ROLE).verdict == "NOT RELEASABLE for 1 min"
