"""End to end on the demo: the board goes green, a blocker filed in two clicks reaches the demo
tracker exactly once, and the P1 turns the board NOT RELEASABLE."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.desktop.launch import OpenedBoard, open_board
from app.domain.model import VerdictState
from app.domain.triage import Category
from tests.desktop_harness import running_board


class FrozenClock:
    """The demo's scenario clock, held at a green moment so the test decides what changes."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[OpenedBoard]:
    with open_board(None, True, str(tmp_path / "demo.db"), demo_clock=FrozenClock(5.0)) as board:
        yield board


def test_blocker_in_two_clicks_reaches_the_tracker_and_turns_the_board_red(
    qtbot: QtBot, opened: OpenedBoard, tmp_path: Path
) -> None:
    with running_board(qtbot, opened, tmp_path / "settings.ini") as (desktop, seen):
        window = desktop.window
        qtbot.waitUntil(
            lambda: bool(seen) and seen[-1].verdict.state is VerdictState.RELEASABLE, timeout=15000
        )
        # Click 1: Ctrl+B. Fill the form a person would, then click 2: Send.
        window.action_report_blocker.trigger()
        (dialog,) = desktop.dialogs.values()
        dialog.form.title.setText("Laptop won't boot")
        dialog.form.category.set_category(Category.WORKSTATION_BROKEN)
        with qtbot.waitSignal(desktop.outbox.delivered, timeout=15000) as delivered:
            dialog.send()
        key, url = delivered.args
        assert url.startswith("http://127.0.0.1:")
        assert opened.demo is not None
        created = [i for i in opened.demo.tracker.issues() if i["title"] == "Laptop won't boot"]
        assert len(created) == 1
        assert f"releasable-key: {key}" in created[0]["body"]
        assert {label["name"] for label in created[0]["labels"]} >= {"P1"}
        qtbot.waitUntil(
            lambda: seen[-1].verdict.state is VerdictState.NOT_RELEASABLE, timeout=15000
        )
        assert any("Laptop won't boot" in r.text for r in seen[-1].verdict.reasons)
