"""The first-run welcome page: three choices, each a signal; the file dialog is injected."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.ui.window.welcome import CHOICES, WelcomePage


def click(qtbot: QtBot, page: WelcomePage, name: str) -> None:
    qtbot.mouseClick(page.buttons[name], Qt.MouseButton.LeftButton)


def test_try_the_demo_asks_for_the_demo(qtbot: QtBot) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.demo_requested):
        click(qtbot, page, "demo")


def test_create_a_board_asks_for_the_editor(qtbot: QtBot) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.create_requested):
        click(qtbot, page, "create")


def test_open_a_board_file_emits_the_chosen_path(qtbot: QtBot, tmp_path: Path) -> None:
    chosen = tmp_path / "team" / "board.toml"
    asked: list[QWidget] = []

    def ask(parent: QWidget) -> Path | None:
        asked.append(parent)
        return chosen

    page = WelcomePage(ask_open=ask)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.open_requested) as blocker:
        click(qtbot, page, "open")
    assert blocker.args == [chosen]
    assert asked == [page]


def test_a_cancelled_file_dialog_emits_nothing(qtbot: QtBot) -> None:
    page = WelcomePage(ask_open=lambda _parent: None)
    qtbot.addWidget(page)
    opened: list[object] = []
    page.open_requested.connect(opened.append)
    click(qtbot, page, "open")
    assert opened == []


def test_each_choice_has_a_one_line_explanation_and_an_accessible_name(qtbot: QtBot) -> None:
    page = WelcomePage("No board file was found.")
    qtbot.addWidget(page)
    assert [b.text() for b in page.buttons.values()] == [c[1] for c in CHOICES]
    for name, text, explanation in CHOICES:
        button = page.buttons[name]
        assert button.description() == explanation
        assert "\n" not in explanation
        assert button.accessibleName() == text
    assert page.message.text() == "No board file was found."
    assert not page.message.isHidden()
    page.set_message("")
    assert page.message.isHidden()
