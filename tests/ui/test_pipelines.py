"""Pipelines as rows of painted stage chips: order, links, hover, report menu, staleness."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from app.demo.sample import HOSTILE_NAME, sample_board
from app.domain.model import Culprit, Observed, PipelineReading, StageStatus
from app.ui.board.items_model import CULPRITS_ROLE, STAGE_NAMES_ROLE, STALE_ROLE
from tests.ui.board_helpers import T0, Clock, Opener
from tests.ui.board_list_helpers import Shown


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opener() -> Opener:
    return Opener()


def pipeline(name: str, variant: str = "failing") -> Observed:
    return next(p for p in sample_board(T0, variant).pipelines if p.name == name)


def show(qtbot: QtBot, clock: Clock, opener: Opener, item: Observed) -> Shown:
    return Shown(qtbot, clock, opener, item)


def test_chips_follow_the_stage_order(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    item = pipeline("mobile")
    shown = show(qtbot, clock, opener, item)
    assert isinstance(item.reading, PipelineReading)
    assert [s.stage.name for s in shown.info.stages] == [s.name for s in item.reading.stages]
    xs = [r.x() for r in shown.chip_rects()]
    assert xs == sorted(xs), "left to right in pipeline order"


def test_chips_wrap_onto_more_lines_when_narrow(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, pipeline("mobile"))
    wide_height = shown.view.visualRect(shown.model.index(shown.row)).height()
    shown.view.resize(260, 500)
    qtbot.waitUntil(
        lambda: shown.view.visualRect(shown.model.index(shown.row)).height() > wide_height
    )
    rects = shown.chip_rects()
    assert len({r.y() for r in rects}) > 1, "chips on several lines"
    width = shown.view.viewport().width()
    assert all(r.right() < width for r in rects), "no chip cut at the right edge"


def test_header_says_outcome_run_and_age(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    info = show(qtbot, clock, opener, pipeline("api")).info
    assert info.word == "failed"
    assert info.words == "at security-scan · latest run #123, 12 min ago"
    web = show(qtbot, clock, opener, pipeline("web")).info
    assert web.right == "▶ run in progress"


def test_chip_shows_status_word_or_duration(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, pipeline("api"))
    build, *_, deploy_prod = shown.info.stages
    assert build.second == "2 min"
    assert deploy_prod.second == "skipped"
    names = shown.model.index(shown.row).data(STAGE_NAMES_ROLE)
    assert names[0] == "stage build: passed, 2 min"
    accessible = shown.model.index(shown.row).data(Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == "pipeline api: failed"


def test_clicking_a_chip_opens_its_stage(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, pipeline("api"))
    viewport = shown.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=shown.chip_centre(2))
    assert opener.urls == ["https://ci.example.com/api/runs/123/security-scan"]
    shown.view.set_current(shown.row, 0)
    qtbot.keyClick(shown.view, Qt.Key.Key_Return)
    assert opener.urls[-1] == "https://ci.example.com/api/runs/123/build"


def test_arrows_move_through_the_stages(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, pipeline("api"))
    shown.view.set_current(shown.row, -1)
    qtbot.keyClick(shown.view, Qt.Key.Key_Right)
    qtbot.keyClick(shown.view, Qt.Key.Key_Right)
    assert shown.view.current_chip == 1
    qtbot.keyClick(shown.view, Qt.Key.Key_Space)
    assert opener.urls == ["https://ci.example.com/api/runs/123/unit-tests"]


def test_only_web_links_are_opened(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    item = pipeline("api")
    assert isinstance(item.reading, PipelineReading)
    stages = tuple(replace(s, url="file:///etc/passwd") for s in item.reading.stages)
    shown = show(qtbot, clock, opener, replace(item, reading=replace(item.reading, stages=stages)))
    qtbot.mouseClick(shown.view.viewport(), Qt.MouseButton.LeftButton, pos=shown.chip_centre(0))
    assert opener.urls == []


def test_failed_stage_menu_reports_a_blocker_with_a_prefill(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    shown = show(qtbot, clock, opener, pipeline("api"))
    assert shown.info.stages[2].stage.status is StageStatus.FAILED
    menu = shown.view.context_menu(shown.row, 2)
    report = next(a for a in menu.actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(shown.view.report_requested) as emitted:
        report.trigger()
    context = emitted.args[0]
    assert "category" not in context  # the reporter picks the cause
    assert context["item_key"] == "pipeline:api"
    assert context["stage"] == "security-scan"
    assert context["url"] == "https://ci.example.com/api/runs/123/security-scan"
    assert context["board"] == "Payments team"


def test_passed_stage_menu_has_no_report_entry(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, pipeline("api"))
    texts = [a.text() for a in shown.view.context_menu(shown.row, 0).actions()]
    assert "Report a blocker…" not in texts
    assert "Open in browser" in texts


def test_failed_pipeline_header_menu_reports_a_blocker_with_no_cause(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    shown = show(qtbot, clock, opener, pipeline("api"))
    menu = shown.view.context_menu(shown.row, -1)
    report = next(a for a in menu.actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(shown.view.report_requested) as emitted:
        report.trigger()
    assert emitted.args[0]["item_key"] == "pipeline:api"
    assert "category" not in emitted.args[0]


def test_stage_names_from_the_server_show_literally(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = next(p for p in sample_board(T0, "hostile").pipelines if p.name == "api")
    shown = show(qtbot, clock, opener, item)
    assert shown.info.stages[2].stage.name == HOSTILE_NAME
    assert shown.info.words == f"at {HOSTILE_NAME} · latest run #123, 12 min ago"
    tip = shown.model.index(shown.row).data(Qt.ItemDataRole.ToolTipRole)
    assert HOSTILE_NAME not in tip and "&lt;b&gt;x&lt;/b&gt;" in tip, "escaped, never markup"


def test_tooltip_says_when_how_long_and_label_escaped(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = next(p for p in sample_board(T0, "hostile").pipelines if p.name == "api")
    shown = show(qtbot, clock, opener, item)
    viewport = shown.view.viewport()
    at = shown.chip_centre(2)
    event = QHelpEvent(QEvent.Type.ToolTip, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, event)
    text = QToolTip.text()
    assert "&lt;b&gt;x&lt;/b&gt;&lt;img" in text, "escaped, never markup"
    assert "started 13 min ago" in text
    assert "took 1 min" in text
    assert "label #123" in text
    QToolTip.hideText()


def test_stale_pipeline_greys_out_when_the_clock_passes_its_limit(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = pipeline("api", "green")
    shown = show(qtbot, clock, opener, item)
    index = shown.model.index(shown.row)
    assert not shown.info.stale and not shown.info.stale_line
    height = shown.view.visualRect(index).height()
    clock.advance(seconds=item.stale_after_s + 1)
    shown.tick()
    assert shown.info.stale and index.data(STALE_ROLE) is True
    assert shown.info.stale_line.startswith("stale: last read 5 min ago")
    assert all(name.endswith(", stale") for name in index.data(STAGE_NAMES_ROLE))
    qtbot.waitUntil(lambda: shown.view.visualRect(index).height() > height, timeout=2000)
    clock.advance(seconds=-(item.stale_after_s + 1))
    shown.tick()
    assert not shown.info.stale


def test_error_is_shown_in_words(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    info = show(qtbot, clock, opener, pipeline("mobile")).info
    assert info.error_line == (
        "error: connection to gitlab.example.com timed out after 10 s (30 s ago)"
    )
    assert info.stale_line == "stale: last read 7 min ago"


def test_fewer_stages_mean_fewer_chips(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    item = pipeline("mobile")
    shown = show(qtbot, clock, opener, item)
    assert isinstance(item.reading, PipelineReading)
    shorter = replace(item, reading=replace(item.reading, stages=item.reading.stages[:2]))
    shown.model.set_board("Payments team", [shorter], [], clock())
    assert len(shown.chip_rects()) == 2


def test_a_failed_row_says_who_broke_it_and_offers_its_culprits(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = pipeline("api")
    reading = item.reading
    assert isinstance(reading, PipelineReading) and reading.outcome.value == "failed"
    culprit = Culprit("Dana", "3b7e1f2", "Bump scanner rules", "https://github.com/a/b/commit/3")
    shown = show(qtbot, clock, opener, replace(item, reading=replace(reading, culprits=(culprit,))))
    assert "by Dana: 3b7e1f2 Bump scanner rules" in shown.info.words
    assert shown.model.index(shown.row).data(CULPRITS_ROLE) == [culprit]
    assert "by Dana" in shown.model.index(shown.row).data(Qt.ItemDataRole.AccessibleDescriptionRole)


def test_a_failing_pipeline_offers_im_on_it_and_shows_who_is(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = pipeline("api")
    shown = show(qtbot, clock, opener, item)
    menu = shown.view.context_menu(shown.row)
    claim = menu.actions()[0]
    assert claim.text() == "I'm &on it"
    with qtbot.waitSignal(shown.view.claim_requested) as claimed:
        claim.trigger()
    assert claimed.args == ["pipeline:api"]

    taken = show(qtbot, clock, opener, replace(item, claimed_by="Lee"))
    assert "on it: Lee" in taken.info.words
    assert all("on it" not in a.text() for a in taken.view.context_menu(taken.row).actions())
