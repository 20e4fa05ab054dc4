"""Environment rows: status word and shape, latency, since-when, errors, staleness, report."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.demo.sample import sample_board
from app.domain.model import EnvironmentReading, Health, Observed
from app.ui.board.environments import EnvironmentRow
from tests.ui.board_helpers import T0, Clock, Opener


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opener() -> Opener:
    return Opener()


def environment(name: str) -> Observed:
    return next(e for e in sample_board(T0).environments if e.name == name)


def make_row(qtbot: QtBot, clock: Clock, opener: Opener, item: Observed) -> EnvironmentRow:
    row = EnvironmentRow(clock, opener)
    qtbot.addWidget(row)
    row.set_item("Payments team", item, clock())
    return row


def down(item: Observed, detail: str = "actuator status DOWN") -> Observed:
    assert isinstance(item.reading, EnvironmentReading)
    reading = replace(item.reading, health=Health.DOWN, http_status=503, detail=detail)
    return replace(item, reading=reading, status_since=T0.replace(minute=2))


def test_row_shows_status_latency_and_since(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, environment("staging"))
    assert row.status.text() == "degraded"
    assert not row.icon.pixmap().isNull()
    assert row.latency.text() == "870 ms"
    assert row.words.text() == "degraded for 26 min · HTTP 200 · health+json status warn"
    assert row.accessibleName() == "environment staging: degraded, 870 ms"


def test_down_environment_menu_reports_with_a_prefill(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    row = make_row(qtbot, clock, opener, down(environment("production")))
    report = next(a for a in row.context_menu().actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(row.report_requested) as emitted:
        report.trigger()
    context = emitted.args[0]
    assert context["category"] == "production-outage"
    assert context["item_key"] == "environment:production"
    assert "HTTP 503" in context["evidence"]


def test_healthy_environment_offers_no_report(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, environment("test"))
    texts = [a.text() for a in row.context_menu().actions()]
    assert texts == ["Open in browser", "Copy link"]


def test_enter_opens_the_health_endpoint(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    row = make_row(qtbot, clock, opener, environment("test"))
    qtbot.keyClick(row, Qt.Key.Key_Return)
    assert opener.urls == ["https://test.example.com/actuator/health"]


def test_stale_environment_greys_out_with_its_age(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = replace(environment("test"), error="connection refused", error_at=T0)
    row = make_row(qtbot, clock, opener, item)
    assert not row.stale
    clock.advance(minutes=10)
    row.tick(clock())
    assert row.stale and row.property("stale") is True
    assert row.stale_line.text() == "stale: last read 10 min ago"
    assert row.error_line.text() == "error: connection refused (10 min ago)"
    assert row.accessibleName().endswith(", stale")


def test_details_from_the_server_are_plain_text(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    hostile = "<h1>Sign in</h1><img src=http://example.invalid/a.png>"
    row = make_row(qtbot, clock, opener, down(environment("staging"), detail=hostile))
    assert hostile in row.words.text()
    for label in row.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_greyed_text_follows_a_system_theme_switch(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    row = make_row(qtbot, clock, opener, environment("test"))
    clock.advance(minutes=10)
    row.tick(clock())
    light_grey = row.palette().color(QPalette.ColorRole.WindowText)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = QPalette(app.palette())
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: row.palette().color(QPalette.ColorRole.WindowText) != light_grey)
        grey = row.palette().color(QPalette.ColorRole.WindowText)
        assert 0.3 < grey.lightnessF() < 0.8, "still greyed, now for the dark theme"
    finally:
        app.setPalette(original)
