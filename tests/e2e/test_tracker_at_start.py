"""The window at start with a board that has a tracker (issue 12, point 8; seen as an UNKNOWN
flash at every start): the last successful read of the team's open blockers kept in the store
counts, within its staleness limit (3 × `[tracker] refresh_seconds`), exactly as an item's last
stored reading does; with no recent one the verdict is UNKNOWN naming the tracker, and the
window reads the tracker at once (it used to wait a whole `refresh_seconds`: the first round of
the outbox ran before the tracker was set up and used up the period).

A real store file, a real GitHub-shaped tracker and a real health endpoint on loopback sockets,
the real desktop wiring (`DesktopBoard`) offscreen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.desktop.launch import open_board
from app.domain.model import BoardSnapshot, Reason, VerdictState
from app.domain.verdict import TRACKER_KEY
from app.store.store import Store
from app.store.tracker_blockers import record_tracker_read
from tests.desktop_harness import running_board
from tests.fake_tracker import FakeGitHub

REFRESH_S = 60  # [tracker] refresh_seconds: the stored read is stale after 180 s


@pytest.fixture
def tracker() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def board_file(
    tmp_path: Path, httpserver: HTTPServer, tracker: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("RELEASABLE_TEST_TOKEN", "t0ken")
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    path = tmp_path / "board.toml"
    path.write_text(
        f'[board]\nname = "Payments"\n\n[[environments]]\nname = "staging"\n'
        f'url = "{httpserver.url_for("/health")}"\n\n'
        f'[tracker]\nkind = "github"\napi_url = "{tracker.url}"\nrepo = "acme/platform"\n'
        f'token_env = "RELEASABLE_TEST_TOKEN"\nrefresh_seconds = {REFRESH_S}\n',
        encoding="utf-8",
    )
    return path


def tracker_reasons(snapshot: BoardSnapshot) -> list[Reason]:
    return [r for r in snapshot.verdict.reasons if r.item_key == TRACKER_KEY]


@contextmanager
def started(
    qtbot: QtBot, board_file: Path, stored_read_ago_s: float | None
) -> Iterator[list[BoardSnapshot]]:
    """Open the board on a store whose last tracker read was `stored_read_ago_s` ago (None:
    never); yield every snapshot the window was given, as they come."""
    db = board_file.with_name("releasable.db")
    if stored_read_ago_s is not None:
        store = Store.open(db)
        ago = timedelta(seconds=stored_read_ago_s)
        record_tracker_read(store, "github", datetime.now(UTC) - ago)
        store.close()
    with (
        open_board(str(board_file), False, str(db)) as opened,
        running_board(qtbot, opened, board_file.with_name("s.ini")) as (_desktop, seen),
    ):
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
        yield seen


def test_a_fresh_stored_tracker_read_counts_from_the_first_picture(
    qtbot: QtBot, board_file: Path
) -> None:
    with started(qtbot, board_file, stored_read_ago_s=30) as seen:
        assert tracker_reasons(seen[0]) == []  # no "not read" flash: the stored read counts
        qtbot.waitUntil(lambda: seen[-1].verdict.state is VerdictState.RELEASABLE, timeout=10_000)
        assert all(tracker_reasons(s) == [] for s in seen)


def test_a_stale_stored_tracker_read_is_unknown_naming_the_tracker_until_read_at_start(
    qtbot: QtBot, board_file: Path, tracker: FakeGitHub
) -> None:
    with started(qtbot, board_file, stored_read_ago_s=10 * 60) as seen:
        (reason,) = tracker_reasons(seen[0])
        assert reason.state is VerdictState.UNKNOWN
        assert reason.text == (
            "tracker GitHub acme/platform: open blockers not read since 10 min ago"
        )
        assert seen[0].verdict.state is VerdictState.UNKNOWN
        # Read at once, not a whole refresh_seconds (60 s) later.
        qtbot.waitUntil(lambda: seen[-1].verdict.state is VerdictState.RELEASABLE, timeout=15_000)
        assert any("/repos/acme/platform/issues" in path for _m, path in tracker.requests)


def test_a_tracker_never_read_is_not_read_yet_until_read_at_start(
    qtbot: QtBot, board_file: Path
) -> None:
    with started(qtbot, board_file, stored_read_ago_s=None) as seen:
        (reason,) = tracker_reasons(seen[0])
        assert reason.text == "tracker GitHub acme/platform: open blockers not read yet"
        qtbot.waitUntil(lambda: seen[-1].verdict.state is VerdictState.RELEASABLE, timeout=15_000)
