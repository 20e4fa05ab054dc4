"""Pipelines as rows of stage chips: order, links, hover, report menu, staleness, plain text."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QToolTip
from pytestqt.qtbot import QtBot

from app.demo.sample import HOSTILE_NAME, sample_board
from app.domain.model import Observed, PipelineReading, StageStatus
from app.ui.board.stage_chip import PipelineRow, StageChip
from tests.ui.board_helpers import T0, Clock, Opener


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opener() -> Opener:
    return Opener()


def pipeline(name: str, variant: str = "failing") -> Observed:
    return next(p for p in sample_board(T0, variant).pipelines if p.name == name)


def make_row(qtbot: QtBot, clock: Clock, opener: Opener, item: Observed) -> PipelineRow:
    row = PipelineRow(clock, opener)
    qtbot.addWidget(row)
    row.set_item("Payments team", item, clock())
    row.resize(900, 200)
    row.show()
    return row


def test_chips_follow_the_stage_order(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    item = pipeline("mobile")
    row = make_row(qtbot, clock, opener, item)
    assert isinstance(item.reading, PipelineReading)
    assert [c.name.text() for c in row.chips] == [s.name for s in item.reading.stages]
    xs = [c.pos().x() for c in row.chips]
    assert xs == sorted(xs), "left to right in pipeline order"


def test_header_says_outcome_run_and_age(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, pipeline("api"))
    assert row.outcome.text() == "failed"
    assert row.words.text() == "at security-scan · latest run #123, 12 min ago"
    web = make_row(qtbot, clock, opener, pipeline("web"))
    assert web.running.text() == "▶ run in progress"


def test_chip_shows_status_word_or_duration(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, pipeline("api"))
    build, *_, deploy_prod = row.chips
    assert build.duration.text() == "2 min"
    assert deploy_prod.duration.text() == "skipped"
    assert build.accessibleName() == "stage build: passed, 2 min"


def test_clicking_a_chip_opens_its_stage(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, pipeline("api"))
    qtbot.mouseClick(row.chips[2], Qt.MouseButton.LeftButton)
    assert opener.urls == ["https://ci.example.com/api/runs/123/security-scan"]
    row.chips[0].setFocus()
    qtbot.keyClick(row.chips[0], Qt.Key.Key_Return)
    assert opener.urls[-1] == "https://ci.example.com/api/runs/123/build"


def test_only_web_links_are_opened(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    item = pipeline("api")
    assert isinstance(item.reading, PipelineReading)
    stages = tuple(replace(s, url="file:///etc/passwd") for s in item.reading.stages)
    row = make_row(
        qtbot, clock, opener, replace(item, reading=replace(item.reading, stages=stages))
    )
    qtbot.mouseClick(row.chips[0], Qt.MouseButton.LeftButton)
    assert opener.urls == []


def test_failed_stage_menu_reports_a_blocker_with_a_prefill(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    row = make_row(qtbot, clock, opener, pipeline("api"))
    failed = row.chips[2]
    assert failed.stage.status is StageStatus.FAILED
    menu = failed.context_menu()
    report = next(a for a in menu.actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(row.report_requested) as emitted:
        report.trigger()
    context = emitted.args[0]
    assert context["category"] == "security-false-positive"
    assert context["item_key"] == "pipeline:api"
    assert context["stage"] == "security-scan"
    assert context["url"] == "https://ci.example.com/api/runs/123/security-scan"
    assert context["board"] == "Payments team"


def test_passed_stage_menu_has_no_report_entry(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, pipeline("api"))
    texts = [a.text() for a in row.chips[0].context_menu().actions()]
    assert "Report a blocker…" not in texts
    assert "Open in browser" in texts


def test_failed_pipeline_header_menu_reports_ci_instability(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    row = make_row(qtbot, clock, opener, pipeline("api"))
    report = next(a for a in row.context_menu().actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(row.report_requested) as emitted:
        report.trigger()
    assert emitted.args[0]["item_key"] == "pipeline:api"
    assert emitted.args[0]["category"] == "ci-instability"


def test_stage_names_from_the_server_show_literally(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = next(p for p in sample_board(T0, "hostile").pipelines if p.name == "api")
    row = make_row(qtbot, clock, opener, item)
    chip = row.chips[2]
    assert chip.name.text() == HOSTILE_NAME
    assert chip.name.textFormat() == Qt.TextFormat.PlainText
    assert row.words.text() == f"at {HOSTILE_NAME} · latest run #123, 12 min ago"
    for label in row.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


def test_tooltip_says_when_how_long_and_label_escaped(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = next(p for p in sample_board(T0, "hostile").pipelines if p.name == "api")
    row = make_row(qtbot, clock, opener, item)
    chip: StageChip = row.chips[2]
    event = QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), chip.mapToGlobal(QPoint(5, 5)))
    QApplication.sendEvent(chip, event)
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
    row = make_row(qtbot, clock, opener, item)
    assert not row.stale and not row.stale_line.text()
    clock.advance(seconds=item.stale_after_s + 1)
    row.tick(clock())
    assert row.stale and row.property("stale") is True
    assert row.stale_line.text().startswith("stale: last read 5 min ago")
    assert all(chip.accessibleName().endswith(", stale") for chip in row.chips)
    normal = QApplication.palette().color(QPalette.ColorRole.WindowText)
    assert row.name.palette().color(QPalette.ColorRole.WindowText) != normal, "greyed text"
    clock.advance(seconds=-(item.stale_after_s + 1))
    row.tick(clock())
    assert not row.stale
    assert row.name.palette().color(QPalette.ColorRole.WindowText) == normal


def test_error_is_shown_in_words(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, pipeline("mobile"))
    assert row.error_line.text() == (
        "error: connection to gitlab.example.com timed out after 10 s (30 s ago)"
    )
    assert row.stale_line.text() == "stale: last read 7 min ago"


def test_fewer_stages_delete_the_extra_chips(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    item = pipeline("mobile")
    row = make_row(qtbot, clock, opener, item)
    assert isinstance(item.reading, PipelineReading)
    first_chips = list(row.chips)
    shorter = replace(item, reading=replace(item.reading, stages=item.reading.stages[:2]))
    row.set_item("Payments team", shorter, clock())
    assert row.chips == first_chips[:2], "kept chips are reused"
    qtbot.waitUntil(lambda: len(row.findChildren(StageChip)) == 2)
