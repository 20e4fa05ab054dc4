"""A report saved here while the board had no tracker, sent from the window once it has one
(issue 12, point 13: its row's "Send now" did nothing, while `releasable outbox send KEY`
filed it). With no tracker on the board the row's "Send now" is off and says why.

A real store file, a real GitHub-shaped tracker and a real health endpoint on loopback sockets,
the real desktop wiring (`DesktopBoard`) offscreen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.desktop.board import DesktopBoard
from app.desktop.launch import open_board
from app.domain.model import BoardSnapshot, VerdictState
from app.domain.words import OUTBOX_STATE_WORDS
from app.store.outbox import Outbox, OutboxState
from app.store.store import Store
from tests.desktop_harness import running_board
from tests.fake_tracker import FakeGitHub
from tests.integration.test_outbox_service import make_report

HEALTH = '[[environments]]\nname = "staging"\nurl = "{url}"\n'


@pytest.fixture
def tracker() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def save_here(db: Path, title: str) -> str:
    """A P1 reported while the board had no tracker: kept here, "saved here, not sent"."""
    report = make_report(title)
    with Store.open(db) as store:
        Outbox(store).queue_report(report, tracker_kind="none", now=datetime.now(UTC))
    return report.key


@contextmanager
def window_on(
    qtbot: QtBot, board_file: Path, db: Path
) -> Iterator[tuple[DesktopBoard, list[BoardSnapshot]]]:
    with (
        open_board(str(board_file), False, str(db)) as opened,
        running_board(qtbot, opened, board_file.with_name("s.ini")) as running,
    ):
        yield running


def test_send_now_files_a_report_saved_here_once_the_board_has_a_tracker(
    qtbot: QtBot,
    httpserver: HTTPServer,
    tracker: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "releasable.db"
    key = save_here(db, "Laptop won't boot")
    monkeypatch.setenv("RELEASABLE_TEST_TOKEN", "t0ken")
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board_file = tmp_path / "board.toml"
    board_file.write_text(
        '[board]\nname = "Payments"\n\n'
        + HEALTH.format(url=httpserver.url_for("/health"))
        + f'\n[tracker]\nkind = "github"\napi_url = "{tracker.url}"\nrepo = "acme/platform"\n'
        'token_env = "RELEASABLE_TEST_TOKEN"\n',
        encoding="utf-8",
    )
    with window_on(qtbot, board_file, db) as (desktop, seen):
        panel = desktop.window.board.blockers
        qtbot.waitUntil(lambda: panel.outbox_model.rowCount() == 1, timeout=10_000)
        row = panel.outbox_model.row(0)
        assert row is not None and row.state == OUTBOX_STATE_WORDS[OutboxState.DRAFT]
        assert "saved just now" in row.status(datetime.now(UTC))
        # The button sends what waits for the tracker; this one is sent from its row only.
        assert not panel.send_button.isVisibleTo(panel)
        # The window never sends it by itself, tracker or not.
        qtbot.waitUntil(lambda: desktop.outbox.tracker is not None, timeout=10_000)
        qtbot.waitSignal(desktop.outbox.round_finished, timeout=10_000).wait()
        assert tracker.issues_with_key(key) == []

        progress: list[str] = []
        desktop.outbox.send_progress.connect(progress.append)
        _copy, send = panel.outbox_actions(0)
        assert send.isEnabled()
        with qtbot.waitSignal(desktop.outbox.send_result, timeout=15_000) as result:
            send.trigger()
            send.trigger()  # pressed twice: still one issue
            assert panel.send_busy.isVisibleTo(panel)  # progress, as for the other rows
        assert progress and progress[0] == "Sending…"
        assert result.args == ["Sent 1 report."]
        assert panel.send_status.text() == "Sent 1 report."
        qtbot.waitUntil(lambda: not panel.send_busy.isVisibleTo(panel), timeout=15_000)
        qtbot.waitUntil(lambda: panel.outbox_model.rowCount() == 0, timeout=10_000)
        assert len(tracker.issues_with_key(key)) == 1
        with Store.open(db) as store:
            item = Outbox(store).get(key)
        assert item is not None and item.state is OutboxState.SENT
        # Its blocker now links to the issue on the tracker; the P1 still counts.
        qtbot.waitUntil(
            lambda: any(b.key == key and b.url for b in seen[-1].board.blockers),
            timeout=10_000,
        )
        assert seen[-1].verdict.state is VerdictState.NOT_RELEASABLE
    assert len(tracker.issues_with_key(key)) == 1


def test_send_now_on_a_board_without_a_tracker_is_off_and_says_why(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    db = tmp_path / "releasable.db"
    save_here(db, "Laptop won't boot")
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board_file = tmp_path / "board.toml"
    board_file.write_text(
        '[board]\nname = "Payments"\n\n' + HEALTH.format(url=httpserver.url_for("/health")),
        encoding="utf-8",
    )
    with window_on(qtbot, board_file, db) as (desktop, _seen):
        panel = desktop.window.board.blockers
        qtbot.waitUntil(lambda: panel.outbox_model.rowCount() == 1, timeout=10_000)
        _copy, send = panel.outbox_actions(0)
        assert not send.isEnabled()
        assert "this board has no tracker" in send.text()
        assert "no tracker" in send.toolTip()
        assert not panel.send_button.isEnabled()
        assert "no tracker" in panel.send_button.toolTip()
