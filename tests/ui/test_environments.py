"""Environment rows: status word and shape, latency, since-when, errors, staleness, report."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.demo.sample import sample_board
from app.domain.model import EnvironmentReading, Health, Observed
from app.ui.board.items_model import STALE_ROLE
from tests.ui.board_helpers import T0, Clock, Opener
from tests.ui.board_list_helpers import Shown


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opener() -> Opener:
    return Opener()


def environment(name: str) -> Observed:
    return next(e for e in sample_board(T0).environments if e.name == name)


def show(qtbot: QtBot, clock: Clock, opener: Opener, item: Observed) -> Shown:
    return Shown(qtbot, clock, opener, item)


def down(item: Observed, detail: str = "actuator status DOWN") -> Observed:
    assert isinstance(item.reading, EnvironmentReading)
    reading = replace(item.reading, health=Health.DOWN, http_status=503, detail=detail)
    return replace(item, reading=reading, status_since=T0.replace(minute=2))


def test_row_shows_status_latency_and_since(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, environment("staging"))
    info = shown.info
    assert info.word == "degraded"
    assert info.look.shape.value == "warning", "a shape as well as a word"
    assert info.right == "870 ms"
    assert info.words == "degraded for 26 min · HTTP 200 · health+json status warn"
    accessible = shown.model.index(shown.row).data(Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == "environment staging: degraded, 870 ms"


def test_down_environment_menu_reports_with_a_prefill(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    shown = show(qtbot, clock, opener, down(environment("production")))
    menu = shown.view.context_menu(shown.row)
    report = next(a for a in menu.actions() if a.text() == "Report a blocker…")
    with qtbot.waitSignal(shown.view.report_requested) as emitted:
        report.trigger()
    context = emitted.args[0]
    assert "category" not in context  # the reporter picks the cause
    assert context["item_key"] == "environment:production"
    assert "HTTP 503" in context["evidence"]


def test_healthy_environment_offers_no_report(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, environment("test"))
    texts = [a.text() for a in shown.view.context_menu(shown.row).actions()]
    assert texts == ["Open in browser", "Copy link"]


def test_enter_opens_the_health_endpoint(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    shown = show(qtbot, clock, opener, environment("test"))
    shown.view.set_current(shown.row)
    qtbot.keyClick(shown.view, Qt.Key.Key_Return)
    assert opener.urls == ["https://test.example.com/actuator/health"]


def test_stale_environment_greys_out_with_its_age(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    item = replace(environment("test"), error="connection refused", error_at=T0)
    shown = show(qtbot, clock, opener, item)
    assert not shown.info.stale
    clock.advance(minutes=10)
    shown.tick()
    index = shown.model.index(shown.row)
    assert shown.info.stale and index.data(STALE_ROLE) is True
    assert shown.info.stale_line == "stale: last read 10 min ago"
    assert shown.info.error_line == "error: connection refused (10 min ago)"
    assert index.data(Qt.ItemDataRole.AccessibleTextRole).endswith(", stale")


def test_details_from_the_server_are_plain_text(qtbot: QtBot, clock: Clock, opener: Opener) -> None:
    hostile = "<h1>Sign in</h1><img src=http://example.invalid/a.png>"
    shown = show(qtbot, clock, opener, down(environment("staging"), detail=hostile))
    assert hostile in shown.info.words
    tip = shown.model.index(shown.row).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;h1&gt;Sign in&lt;/h1&gt;" in tip and "<h1>" not in tip


def _text_pixels(view_image: QImage, colour: QColor) -> int:
    """How many pixels of the image are (nearly) `colour`."""
    count = 0
    for y in range(0, view_image.height(), 2):
        for x in range(0, view_image.width(), 2):
            c = view_image.pixelColor(x, y)
            if abs(c.red() - colour.red()) + abs(c.green() - colour.green()) < 30:
                count += 1
    return count


def test_greyed_text_follows_a_system_theme_switch(
    qtbot: QtBot, clock: Clock, opener: Opener
) -> None:
    shown = show(qtbot, clock, opener, environment("test"))
    clock.advance(minutes=10)
    shown.tick()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = QPalette(app.palette())
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#202020"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(
            lambda: shown.view.palette().color(QPalette.ColorRole.WindowText) == QColor("#f0f0f0")
        )
        rect = shown.view.visualRect(shown.model.index(shown.row)).adjusted(48, 0, 0, 0)  # text
        image = shown.view.viewport().grab(rect).toImage()
        bright = _text_pixels(image, QColor("#f0f0f0"))
        assert bright == 0, "stale text is greyed, not the dark theme's full white"
        inside = image.pixelColor(image.width() // 2, 3)
        assert inside.lightnessF() < 0.4, "the row's tint is mixed into the dark theme"
    finally:
        app.setPalette(original)
