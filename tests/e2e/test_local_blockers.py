"""With no tracker, a reported blocker stays on this machine: it shows on the board, can be
copied as Markdown, and is closed in the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.desktop.launch import open_board
from app.domain.model import Priority, VerdictState
from app.domain.triage import Category
from tests.desktop_harness import running_board


def test_local_blocker_shows_copies_and_closes_in_the_app(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board_file = tmp_path / "board.toml"
    board_file.write_text(
        f'[board]\nname = "Payments"\n\n[[environments]]\nname = "staging"\n'
        f'url = "{httpserver.url_for("/health")}"\n',
        encoding="utf-8",
    )
    with (
        open_board(str(board_file), False, str(tmp_path / "r.db")) as opened,
        running_board(qtbot, opened, tmp_path / "s.ini") as (desktop, seen),
    ):
        window = desktop.window
        qtbot.waitUntil(
            lambda: bool(seen) and seen[-1].verdict.state is VerdictState.RELEASABLE,
            timeout=10_000,
        )
        dialog = desktop.open_report()
        dialog.form.category.set_category(Category.WORKSTATION_BROKEN)
        dialog.form.title.setText("Laptop won't boot")
        dialog.send()
        qtbot.waitUntil(
            lambda: seen[-1].verdict.state is VerdictState.NOT_RELEASABLE, timeout=10_000
        )
        (blocker,) = seen[-1].board.blockers
        assert blocker.priority is Priority.P1 and blocker.url is None

        panel = window.board.blockers
        qtbot.waitUntil(lambda: panel.outbox_model.rowCount() == 1, timeout=10_000)
        copy, _send = panel.outbox_actions(0)
        copy.trigger()
        qtbot.waitUntil(
            lambda: QApplication.clipboard().text().startswith("# [P1] Laptop won't boot"),
            timeout=10_000,
        )

        qtbot.waitUntil(lambda: panel.blockers_model.rowCount() == 1, timeout=10_000)
        _open, resolve, _claim = panel.blocker_actions(0)
        assert not _open.isEnabled()  # nothing on a tracker to open
        assert not _claim.isEnabled()  # nor to claim
        resolve.trigger()
        qtbot.waitUntil(lambda: seen[-1].verdict.state is VerdictState.RELEASABLE, timeout=10_000)
        assert seen[-1].board.blockers == ()
        # Resolved here, it waits for nothing: it leaves the outbox list too.
        qtbot.waitUntil(lambda: panel.outbox_model.rowCount() == 0, timeout=10_000)


def test_a_teammates_blocker_is_resolved_on_the_tracker_not_here(qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from app.domain.model import Blocker
    from app.ui.board.blockers_panel import BlockersPanel

    panel = BlockersPanel(opener=lambda url: None)
    qtbot.addWidget(panel)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    dana = Blocker(
        key="gh-acme/platform#431",
        title="Laptop won't boot",
        category="workstation-broken",
        priority=Priority.P1,
        opened_at=now,
        reporter="dana",
        url="https://github.com/acme/platform/issues/431",
        from_tracker=True,
    )
    panel.set_blockers([dana], now)
    open_issue, resolve, claim = panel.blocker_actions(0)
    assert open_issue.isEnabled()
    assert not resolve.isEnabled()
    assert "tracker" in resolve.text()
    with qtbot.waitSignal(panel.claim_requested) as claimed:  # "I'm on it": the tracker's issue
        claim.trigger()
    assert claimed.args == ["gh-acme/platform#431"]
