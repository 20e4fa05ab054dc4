"""The blockers and outbox models, checked with qtmodeltester, and the blockers panel with its
readable outbox list."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.demo.sample import sample_board
from app.domain.model import BlockerState
from app.ui.board.blockers_panel import BlockersPanel
from app.ui.board.outbox_list import DETAIL_ROLE, OutboxDelegate, OutboxListModel
from app.ui.widgets.models import URL_ROLE, BlockersModel
from tests.ui.board_helpers import T0, Opener, outbox_rows_three

# The blockers model draws status icons: a QApplication must exist even for the model tests
# that need no widget (without it this file, run alone, aborts).
pytestmark = pytest.mark.usefixtures("qapp")


def test_blockers_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = BlockersModel()
    model.set_blockers(sample_board(T0).blockers, T0)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_blockers((), T0)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_outbox_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = OutboxListModel()
    model.set_rows(outbox_rows_three(), T0)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_open_blockers_p1_first_with_age_and_link() -> None:
    blockers = sample_board(T0).blockers
    closed = replace(blockers[0], key="rls-9", state=BlockerState.CLOSED)
    model = BlockersModel()
    model.set_blockers((blockers[1], blockers[0], closed), T0)
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "P1"
    assert model.index(0, 1).data() == blockers[0].title
    assert model.index(0, 3).data() == "11 min"
    assert model.index(0, 0).data(URL_ROLE) == "https://tracker.example.com/platform/issues/431"
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None


def test_ages_move_on_without_new_data(qtbot: QtBot) -> None:
    model = BlockersModel()
    model.set_blockers(sample_board(T0).blockers, T0)
    with qtbot.waitSignal(model.dataChanged):
        model.set_now(T0 + timedelta(minutes=4))
    assert model.index(0, 3).data() == "15 min"


def test_tooltips_escape_remote_titles() -> None:
    model = BlockersModel()
    evil = replace(sample_board(T0).blockers[0], title="<b>boom</b>")
    model.set_blockers((evil,), T0)
    assert "&lt;b&gt;boom&lt;/b&gt;" in model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)


def test_panel_opens_the_tracker_link_and_says_when_empty(qtbot: QtBot) -> None:
    opener = Opener()
    panel = BlockersPanel(opener)
    qtbot.addWidget(panel)
    panel.set_blockers(sample_board(T0).blockers, T0)
    assert panel.blockers_title.text() == "Open blockers (2)"
    panel.blockers_view.activated.emit(panel.blockers_model.index(0, 1))
    assert opener.urls == ["https://tracker.example.com/platform/issues/431"]
    panel.set_blockers((), T0)
    assert panel.blockers_view.isHidden() and not panel.no_blockers.isHidden()
    assert panel.no_blockers.text() == "No open blockers."


def test_outbox_rows_are_shown_and_replaced(qtbot: QtBot) -> None:
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    assert panel.outbox_view.isHidden() and panel.no_outbox.text() == "Nothing waiting to be sent."
    panel.set_outbox_rows(outbox_rows_three(), T0)
    assert panel.outbox_title.text() == "Outbox (3 not sent)"
    panel.set_outbox_rows([], T0)
    assert panel.outbox_model.rowCount() == 0 and panel.outbox_view.isHidden()


def test_outbox_rows_say_title_priority_state_age_and_error_in_words(qtbot: QtBot) -> None:
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    panel.set_outbox_rows(outbox_rows_three(), T0)
    model = panel.outbox_model
    assert model.index(1).data() == "P1 · Laptop won't boot"
    assert model.index(1).data(DETAIL_ROLE) == (
        "waiting to be sent · queued 2 min ago · next try in 1 min"
        " · last try: could not reach github.com"
    )
    assert model.index(2).data(DETAIL_ROLE) == (
        "not sent: needs a fix, then Send again · queued 1 h ago"
        " · last try: GitHub refused the issue (401): the token is not valid"
    )
    assert model.index(0).data(DETAIL_ROLE).startswith("draft, not sent yet")
    assert "saved 4 min ago" in model.index(0).data(DETAIL_ROLE)


def test_outbox_ages_keep_counting_with_the_windows_tick(qtbot: QtBot) -> None:
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    rows = [replace(outbox_rows_three()[0], since=T0)]
    panel.set_outbox_rows(rows, T0)
    assert "saved just now" in panel.outbox_model.index(0).data(DETAIL_ROLE)
    panel.tick(T0 + timedelta(minutes=7))
    assert "saved 7 min ago" in panel.outbox_model.index(0).data(DETAIL_ROLE)


def test_three_outbox_rows_fit_without_scroll_bars_in_a_narrow_panel(qtbot: QtBot) -> None:
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    panel.resize(280, 700)
    panel.show()
    panel.set_outbox_rows(outbox_rows_three(), T0)
    qtbot.waitExposed(panel)
    view = panel.outbox_view
    assert not view.verticalScrollBar().isVisible()
    assert not view.horizontalScrollBar().isVisible()
    for row in range(3):
        assert view.visualRect(panel.outbox_model.index(row)).bottom() <= view.viewport().height()


def test_the_last_error_has_a_line_of_its_own_so_it_is_read_not_cut_off(qtbot: QtBot) -> None:
    """Issue 12.13: in a 400-pixel side panel (a 1366-pixel window) the error was elided away
    behind the state, age and next try; it now has a third line of its own."""
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    panel.resize(400, 700)
    panel.show()
    panel.set_outbox_rows(outbox_rows_three(), T0)
    qtbot.waitExposed(panel)
    view = panel.outbox_view
    delegate = view.itemDelegate()
    assert isinstance(delegate, OutboxDelegate)

    def drawn(row: int) -> list[str]:
        option = QStyleOptionViewItem()
        option.initFrom(view)
        index = panel.outbox_model.index(row)
        option.rect = view.visualRect(index)
        return delegate.lines(option, index)

    title, status, error = drawn(1)
    assert status == "waiting to be sent · queued 2 min ago · next try in 1 min"
    assert error == "last try: could not reach github.com"
    assert drawn(2)[2].startswith("last try: GitHub refused the issue (401)")
    assert len(drawn(0)) == 2  # a draft: no error, no third line
    heights = [view.visualRect(panel.outbox_model.index(n)).height() for n in range(3)]
    assert heights[1] == heights[2] > heights[0]
    assert not view.verticalScrollBar().isVisible()  # the list is as tall as its rows


def test_activating_a_draft_asks_to_reopen_it(qtbot: QtBot) -> None:
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    panel.set_outbox_rows(outbox_rows_three(), T0)
    with qtbot.waitSignal(panel.reopen_requested) as asked:
        panel.outbox_view.activated.emit(panel.outbox_model.index(0))
    assert asked.args[0].key == "rls-1"
    (copy, send) = panel.outbox_actions(1)
    with qtbot.waitSignal(panel.copy_requested) as copied:
        copy.trigger()
    assert copied.args == ["rls-2"]


def test_send_now_shows_progress_then_the_result(qtbot: QtBot) -> None:
    panel = BlockersPanel(Opener())
    qtbot.addWidget(panel)
    panel.show()
    panel.set_outbox_rows(outbox_rows_three(), T0)
    assert panel.send_button.isVisible()
    with qtbot.waitSignal(panel.send_now_requested):
        panel.send_button.click()
    panel.show_send_progress("Sending…")
    assert panel.send_busy.isVisible() and not panel.send_button.isEnabled()
    assert panel.send_status.text() == "Sending…"
    panel.show_send_result("Sent 1 report.")
    assert not panel.send_busy.isVisible() and panel.send_button.isEnabled()
    assert panel.send_status.text() == "Sent 1 report."
