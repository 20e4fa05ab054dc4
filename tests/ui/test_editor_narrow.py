"""The board editor in an 800×600 window (issue 12, point 6; seen: the pipeline form was cut
on the right): on every page — the board, each source kind, an environment, each tracker kind,
a change freeze, a maintenance window — nothing reaches past what can be seen (the form
scrolls up and down, never sideways), no button or label is cut, and what is shortened ends
in "…" with the whole text in its tool tip.

The editor is a page of the real main window, as `Edit board…` shows it, with a long file
path, a long pipeline name and problems shown beside (or below) their fields.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.config.settings import SOURCE_KINDS, TRACKER_KINDS
from app.services.tasks import pending_tasks
from app.ui.editor.editor import BoardEditor
from app.ui.widgets.labels import ElidedLabel
from app.ui.window.main_window import MainWindow
from tests.ui.board_helpers import temp_settings

SIZE = (800, 600)
LONG_NAME = "deploy-to-the-production-cluster-in-three-regions-and-the-disaster-site"
LONG_PATH = Path("/home/someone/projects/payments-platform/infrastructure/boards/the-team.toml")
PIPELINES: dict[str, dict[str, Any]] = {
    "cctray": {"url": "https://ci.example.com/cc.xml", "project_prefix": "web :: "},
    "github-actions": {"repo": "acme/payments-api", "workflow": "deploy.yml"},
    "gitlab": {"project": "acme/mobile"},
    "jenkins": {"url": "https://jenkins.example.com/job/legacy/"},
}
TRACKERS = [kind for kind in TRACKER_KINDS if kind != "none"]


def document(tracker: str) -> dict[str, Any]:
    """A board with one pipeline of every source kind, an environment, the tracker `tracker`
    (missing what it requires: its problems show), a freeze and a maintenance window."""
    assert set(PIPELINES) == set(SOURCE_KINDS), "a new source kind: add it here"
    return {
        "board": {"name": "Payments team"},
        "pipelines": [
            {"name": LONG_NAME if kind == "gitlab" else kind, "source": kind, **values}
            for kind, values in PIPELINES.items()
        ],
        "environments": [{"name": "staging", "url": "https://staging.example.com/health"}],
        "tracker": {"kind": tracker},
        "freeze": [{"start": "2026-12-20T00:00:00Z", "end": "2027-01-02T00:00:00Z"}],
        "maintenance": [{"start": "02:00", "end": "04:00"}],
    }


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return temp_settings(tmp_path)


def clip_of(widget: QWidget, editor: BoardEditor) -> QWidget:
    """What cuts `widget` off: the form's scroll area (sideways) or else the editor."""
    viewport = editor.panel.scroll_area.viewport()
    return viewport if viewport.isAncestorOf(widget) else editor


def form_of(editor: BoardEditor) -> QWidget:
    """What the form's scroll area scrolls: the form and the room below it."""
    inner = editor.panel.scroll_area.widget()
    assert inner is not None
    return inner


def cut_off(editor: BoardEditor) -> list[str]:
    """Everything on the editor's current page that cannot be seen or read whole."""
    found: list[str] = []
    viewport = editor.panel.scroll_area.viewport()
    inner = form_of(editor)
    if inner.width() > viewport.width():
        found.append(
            f"the form is {inner.width()} px wide in a "
            f"{viewport.width()} px area that does not scroll sideways"
        )
    for widget in editor.findChildren(QWidget):
        if not widget.isVisibleTo(editor) or widget.width() <= 0 or widget.isWindow():
            continue
        name = f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r}"
        clip = clip_of(widget, editor)
        at = QRect(widget.mapTo(clip, QPoint(0, 0)), widget.size())
        if at.left() < 0 or at.right() > clip.width():
            found.append(f"{name} spans x {at.left()}..{at.right()} of {clip.width()}")
        if clip is editor and (at.top() < 0 or at.bottom() > editor.height()):
            found.append(f"{name} spans y {at.top()}..{at.bottom()} of {editor.height()}")
        found += text_cut(widget, name)
    return found


def text_cut(widget: QWidget, name: str) -> list[str]:
    """The widget's words when they do not fit and no tool tip says them in full."""
    if isinstance(widget, ElidedLabel):
        if widget.elided() and widget.toolTip() != widget.full_text():
            return [f"{name}: {widget.full_text()!r} shortened without a tool tip"]
        return []
    if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text():
        wanted = widget.sizeHint().width()
        return [f"{name}: {widget.text()!r} cut ({widget.width()} < {wanted})"] * (
            widget.width() < wanted
        )
    if isinstance(widget, QAbstractButton) and widget.text():
        return [f"{name}: button {widget.text()!r} cut"] * (
            widget.width() < widget.minimumSizeHint().width()
        )
    if isinstance(widget, QComboBox):
        shown = widget.fontMetrics().horizontalAdvance(widget.currentText())
        if shown > widget.width() - 30 and widget.currentText() not in widget.toolTip():
            return [f"{name}: choice {widget.currentText()!r} cut without a tool tip"]
    if isinstance(widget, QAbstractSpinBox):
        edit = widget.lineEdit()
        text = widget.text() if edit is None else edit.text()
        if text.endswith("…") and text[:-1] not in widget.toolTip():
            return [f"{name}: {text!r} shortened without a tool tip"]
    return []


def settle(qtbot: QtBot, editor: BoardEditor) -> None:
    """Wait until the page's form has the width of the area it scrolls in (the scroll area
    lays it out a pass after it is shown). A form that never fits is not waited for longer:
    `cut_off` then says what sticks out."""
    area = editor.panel.scroll_area
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: form_of(editor).width() == area.viewport().width(), timeout=2000)


@pytest.mark.parametrize("tracker", TRACKERS)
def test_at_800_by_600_nothing_in_the_editor_reaches_past_what_can_be_seen(
    qtbot: QtBot, settings: QSettings, tracker: str
) -> None:
    window = MainWindow(settings=settings, persist=False)
    qtbot.addWidget(window)
    editor = BoardEditor(
        document=document(tracker),
        path=LONG_PATH,
        keyring_check=lambda: True,  # the token row at its widest: entry, secret, Store
        store_secret=lambda _name, _token: None,
    )
    window.show_page(editor)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    least = window.minimumSizeHint().width()
    assert least <= SIZE[0], f"the editor keeps the window at least {least} px wide"
    qtbot.waitUntil(lambda: window.size().toTuple() == SIZE)
    qtbot.waitUntil(lambda: editor.keyring.available is not None)
    assert editor.width() <= SIZE[0]

    pages = []
    for row in range(editor.model.rowCount()):
        entry = editor.model.entry_at(row)
        if entry is None:
            continue  # a heading
        editor.select(entry)
        pages.append(f"{entry.table} {entry.kind or ''}".strip())
        form = editor.form
        assert form is not None
        settle(qtbot, editor)
        problems = cut_off(editor)
        assert problems == [], f"{pages[-1]}: " + "\n".join(problems)
    assert pages == [
        "board",
        *(f"pipelines {kind}" for kind in PIPELINES),
        "environments",
        f"tracker {tracker}",
        "freeze",
        "maintenance",
    ]
    assert editor.top.file_label.elided()  # the long path gave way to Save / Close
    qtbot.waitUntil(lambda: pending_tasks() == 0)
