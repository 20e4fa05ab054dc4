"""The blockers and outbox table models, checked with qtmodeltester, and the blockers panel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.demo.sample import sample_board
from app.domain.model import BlockerState
from app.ui.board.blockers_panel import BlockersPanel
from app.ui.widgets.models import URL_ROLE, BlockersModel, OutboxModel
from tests.ui.board_helpers import T0, Opener


def test_blockers_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = BlockersModel()
    model.set_blockers(sample_board(T0).blockers, T0)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_blockers((), T0)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_outbox_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = OutboxModel()
    model.set_rows([("Staging flaky", "waiting for the tracker", "saved 4 min ago")])
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
    panel.set_outbox_rows([("A", "queued", "1 min ago"), ("B", "failed: 401", "2 min ago")])
    assert panel.outbox_title.text() == "Outbox (2 not sent)"
    assert panel.outbox_model.index(1, 1).data() == "failed: 401"
    panel.set_outbox_rows([])
    assert panel.outbox_model.rowCount() == 0 and panel.outbox_view.isHidden()
