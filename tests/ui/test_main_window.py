"""The workstation window: actions, filter, ordering, ticking ages, settings, no growth."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu
from pytestqt.qtbot import QtBot

from app.demo.sample import HOSTILE_NAME, many_snapshot, sample_snapshot
from app.domain.model import VerdictState
from app.ui.board.items_model import STALE_ROLE
from app.ui.window.main_window import MainWindow
from tests.ui.board_helpers import Clock, Opener, object_counts, temp_settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opener() -> Opener:
    return Opener()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return temp_settings(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, clock: Clock, opener: Opener, settings: QSettings) -> MainWindow:
    win = MainWindow(clock, opener, settings=settings)
    qtbot.addWidget(win)
    win.show_snapshot(sample_snapshot(clock()))
    return win


def test_actions_have_menu_entries_and_shortcuts(window: MainWindow) -> None:
    expected = {
        "action_report_blocker": ["Ctrl+B"],
        "action_history": ["Ctrl+H"],
        "action_edit_board": ["Ctrl+E"],
        "action_kiosk": ["F11"],
        "action_refresh": ["F5", "Ctrl+R"],
        "action_quit": ["Ctrl+Q"],
        "action_find": ["Ctrl+F"],
    }
    in_menus = {
        a for menu in window.menuBar().actions() for a in cast(QMenu, menu.menu()).actions()
    }
    for name, keys in expected.items():
        action = getattr(window, name)
        assert [s.toString() for s in action.shortcuts()] == keys, name
        assert action in in_menus, f"{name} is in a menu"


def test_refresh_action_asks_for_a_refresh(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.refresh_requested):
        window.action_refresh.trigger()


def test_quit_remembers_the_window_and_ends_the_event_loop(
    qtbot: QtBot, window: MainWindow, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    window.action_quit.trigger()
    assert quits == [True]
    assert settings.contains("window/normal")


def test_stage_report_reaches_the_window_signal(qtbot: QtBot, window: MainWindow) -> None:
    board_list = window.board.list
    menu = board_list.context_menu(window.board.model.row_of("pipeline:api"), 2)
    report = next(a for a in menu.actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(window.report_requested) as emitted:
        report.trigger()
    assert emitted.args[0]["item_key"] == "pipeline:api"
    assert "category" not in emitted.args[0]


def test_focused_item_prefills_ctrl_b(window: MainWindow, qtbot: QtBot) -> None:
    window.show()
    qtbot.waitExposed(window)
    board_list = window.board.list
    window.activateWindow()
    board_list.setFocus()
    board_list.set_current(window.board.model.row_of("pipeline:api"), 2)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is board_list)
    assert window.current_report_context()["stage"] == "security-scan"


def test_filter_hides_rows_that_do_not_match(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.search, "STAG")
    pipelines, environments = window.board.pipelines, window.board.environments
    # 'stag' matches the pipelines with a deploy-staging stage, and the staging environment.
    assert pipelines.visible_keys() == ["pipeline:api", "pipeline:web"]
    assert environments.visible_keys() == ["environment:staging"]
    assert window.board.model.row_of("environment:test") == -1
    window.search.clear()
    assert len(environments.visible_keys()) == 4


def test_filter_with_no_match_says_so(qtbot: QtBot, window: MainWindow) -> None:
    window.search.setText("nothing-like-this")
    assert window.board.pipelines.empty == "No pipelines match “nothing-like-this”."
    assert window.board.pipelines.heading == "Pipelines (0 of 3)"
    shown = [window.board.model.index(n).data() for n in range(window.board.model.rowCount())]
    assert "No pipelines match “nothing-like-this”." in shown


def test_ctrl_f_focuses_the_filter(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.action_find.trigger()
    qtbot.waitUntil(lambda: window.search.hasFocus())


def test_failing_first_puts_failures_on_top(window: MainWindow, clock: Clock) -> None:
    snapshot = sample_snapshot(clock())
    board = snapshot.board
    pipelines = (board.pipelines[1], board.pipelines[2], board.pipelines[0])  # web, mobile, api
    window.show_snapshot(replace(snapshot, board=replace(board, pipelines=pipelines)))
    assert window.board.pipelines.visible_keys()[0] == "pipeline:web"
    window.action_failing_first.setChecked(True)
    assert window.board.pipelines.visible_keys() == [
        "pipeline:api",  # failed
        "pipeline:mobile",  # stale
        "pipeline:web",  # passed
    ]
    env_keys = window.board.environments.visible_keys()
    assert env_keys[0] == "environment:staging"  # degraded before up


def test_group_by_status_shows_group_headings(window: MainWindow) -> None:
    assert window.board.pipelines.shown_groups() == []
    window.set_group_by("status")
    assert window.board.pipelines.shown_groups() == [
        "Failing or down",
        "Unknown or stale",
        "Passing or up",
    ]
    assert window.board.environments.shown_groups() == ["Degraded or warning", "Passing or up"]
    assert window.action_group_status.isChecked()
    assert window.group_combo.currentData() == "status"
    window.action_group_pipeline.trigger()
    assert window.board.pipelines.shown_groups() == []
    assert window.board.pipelines.visible_keys() == [
        "pipeline:api",
        "pipeline:web",
        "pipeline:mobile",
    ]


def test_ages_tick_every_second_from_the_injected_clock(
    qtbot: QtBot, window: MainWindow, clock: Clock
) -> None:
    assert window.tick_timer.interval() == 1000 and window.tick_timer.isActive()
    assert window.updated_label.text() == "updated just now"
    clock.advance(seconds=42)
    qtbot.waitUntil(lambda: window.updated_label.text() == "updated 42 s ago", timeout=3000)
    assert window.board.banner.updated.text() == "updated 42 s ago"


def test_green_board_turns_unknown_and_grey_when_data_goes_stale(
    window: MainWindow, clock: Clock
) -> None:
    window.show_snapshot(sample_snapshot(clock(), "green"))
    banner = window.board.banner
    assert banner.title.text() == "RELEASABLE"
    clock.advance(minutes=6)  # past every item's 5 min staleness limit; no new snapshot
    window.tick()
    assert banner.title.text() == "UNKNOWN"
    assert banner.verdict.state is VerdictState.UNKNOWN
    assert any("no fresh data" in r for r in banner.shown_reasons())
    model = window.board.model
    keys = [*window.board.pipelines.visible_keys(), *window.board.environments.visible_keys()]
    assert keys and all(model.index(model.row_of(k)).data(STALE_ROLE) is True for k in keys)


def test_hostile_names_show_literally_everywhere(window: MainWindow, clock: Clock) -> None:
    window.show_snapshot(sample_snapshot(clock(), "hostile"))
    model = window.board.model
    names = [model.index(n).data() for n in range(model.rowCount())]
    stages = [
        s.stage.name for n in range(model.rowCount()) if (i := model.info_at(n)) for s in i.stages
    ]
    assert HOSTILE_NAME in names or HOSTILE_NAME in stages, "painted as given (drawText: no markup)"
    for label in window.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


def test_banner_is_not_modal(window: MainWindow) -> None:
    window.show_banner("The tracker rejected the token")
    assert not window.message_bar.isHidden()
    assert window.message_label.text() == "The tracker rejected the token"
    assert QApplication.activeModalWidget() is None
    window.clear_banner()
    assert window.message_bar.isHidden()


def test_repeated_updates_do_not_grow_widgets_or_timers(window: MainWindow, clock: Clock) -> None:
    variants = ["failing", "green", "unknown", "hostile"]
    for variant in variants:
        window.show_snapshot(sample_snapshot(clock(), variant))
    window.show_snapshot(many_snapshot(clock(), 30))
    window.show_snapshot(sample_snapshot(clock()))
    before = object_counts(window)
    for i in range(40):
        clock.advance(seconds=7)
        window.show_snapshot(sample_snapshot(clock(), variants[i % 4]))
        window.tick()
        if i % 10 == 0:
            window.show_snapshot(many_snapshot(clock(), 30))
    window.show_snapshot(sample_snapshot(clock()))
    assert object_counts(window) == before


def test_geometry_and_view_options_are_remembered(
    qtbot: QtBot, clock: Clock, opener: Opener, settings: QSettings
) -> None:
    first = MainWindow(clock, opener, settings=settings)
    qtbot.addWidget(first)
    first.setGeometry(40, 30, 700, 555)  # the offscreen screen is 800 x 800
    first.action_failing_first.setChecked(True)
    first.set_group_by("status")
    first.close()
    second = MainWindow(clock, opener, settings=settings)
    qtbot.addWidget(second)
    assert second.geometry() == first.geometry()
    assert (second.width(), second.height()) == (700, 555)
    assert second.action_failing_first.isChecked()
    assert second.group_by() == "status"


def test_screenshot_windows_leave_settings_alone(
    qtbot: QtBot, clock: Clock, settings: QSettings
) -> None:
    win = MainWindow(clock, settings=settings, persist=False)
    qtbot.addWidget(win)
    win.action_failing_first.setChecked(True)
    win.close()
    assert settings.allKeys() == []


def test_arrows_move_through_stages_and_tab_leaves_the_board(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    board_list = window.board.list
    chain = window.board.focus_chain()
    assert chain[0] is board_list and chain[1] is window.board.blockers.blockers_view
    board_list.setFocus()
    qtbot.waitUntil(board_list.hasFocus)
    api = window.board.model.row_of("pipeline:api")
    assert board_list.current_row() == api, "the first item takes the focus"
    qtbot.keyClick(board_list, Qt.Key.Key_Right)
    assert board_list.current_chip == 0
    assert window.current_report_context() == {}, "a passed stage offers no report"
    qtbot.keyClick(board_list, Qt.Key.Key_Right)
    qtbot.keyClick(board_list, Qt.Key.Key_Right)
    assert window.current_report_context()["stage"] == "security-scan"
    assert board_list.accessibleDescription() == "stage security-scan: failed, 1 min"
    qtbot.keyClick(board_list, Qt.Key.Key_Down)
    assert board_list.current_row() == window.board.model.row_of("pipeline:web")
    assert board_list.current_chip == -1


def test_kiosk_toggles_with_f11_and_gets_the_board(
    qtbot: QtBot, window: MainWindow, clock: Clock
) -> None:
    assert window.action_kiosk.shortcut() == QKeySequence("F11")
    window.set_kiosk(True)
    kiosk = window.kiosk
    assert kiosk is not None
    assert kiosk.snapshot is window.board.snapshot
    window.show_snapshot(sample_snapshot(clock(), "green"))
    assert kiosk.banner.title.text() == "RELEASABLE"
    window.show_banner("source down")
    assert kiosk.message.text() == "source down"
    kiosk.action_exit.trigger()
    assert window.kiosk is None and not window.action_kiosk.isChecked()


def test_kiosk_defers_drawing_the_hidden_window_until_it_closes(
    window: MainWindow, clock: Clock
) -> None:
    window.set_kiosk(True)
    snapshot = many_snapshot(clock(), 40)
    window.show_snapshot(snapshot)
    assert window.kiosk is not None
    assert window.board.snapshot is not snapshot  # nothing drawn behind the wall
    assert window.latest_snapshot is snapshot  # but a report still gets the evidence
    window.set_kiosk(False)
    assert window.board.snapshot is snapshot
    assert window.latest_snapshot is snapshot


def test_the_title_keeps_one_format_in_every_state(
    qtbot: QtBot, clock: Clock, settings: QSettings
) -> None:
    """Issue 12: the title flipped its word order between states ("Payments — Releasable" at
    start, "Releasable — Payments" once the board was read). Board, verdict, app: always."""
    win = MainWindow(clock, settings=settings)
    qtbot.addWidget(win)
    assert win.windowTitle() == "Releasable"  # no board yet (the welcome page)
    win.set_board_name("Payments team")  # from the board file, before the first read
    assert win.windowTitle() == "Payments team — Releasable"
    win.show_snapshot(sample_snapshot(clock(), "green"))  # the sample board: "Payments team"
    assert win.windowTitle() == "Payments team — RELEASABLE — Releasable"
    clock.advance(minutes=6)  # the data goes stale: the banner says UNKNOWN, so does the title
    win.tick()
    assert win.windowTitle() == "Payments team — UNKNOWN — Releasable"
    win.show_snapshot(sample_snapshot(clock(), "failing"))
    assert win.windowTitle() == "Payments team — NOT RELEASABLE — Releasable"
    win.set_kiosk(True)  # the hidden window's title still follows the wall
    win.show_snapshot(sample_snapshot(clock(), "green"))
    assert win.windowTitle() == "Payments team — RELEASABLE — Releasable"
    win.set_kiosk(False)
