"""`--screenshot` shows the outbox as the window would (issue 9): a report queued while the
tracker is down is drawn, not "Nothing waiting to be sent". Driven as a user would: `report`
then `--screenshot`, child processes, a real board file and loopback servers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytest_httpserver import HTTPServer

from tests.fake_tracker import FakeGitHub
from tests.integration.test_status_blockers_cli import board_file, down_tracker, releasable, report


def test_the_screenshot_draws_the_queued_report(tmp_path: Path, httpserver: HTTPServer) -> None:
    board, db = board_file(tmp_path, httpserver, down_tracker()), tmp_path / "r.db"
    empty = tmp_path / "empty.png"
    before = releasable(
        "--board", str(board), "--db", str(db), "--screenshot", str(empty), "--after", "0.5"
    )
    assert before.returncode == 0, before.stderr
    assert "in the outbox" not in before.stdout

    assert "queued" in report(board, db).stdout
    shot = tmp_path / "board.png"
    after = releasable(
        "--board", str(board), "--db", str(db), "--screenshot", str(shot), "--after", "0.5"
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip().endswith(": NOT RELEASABLE, 1 in the outbox"), after.stdout
    assert not QImage(str(shot)).isNull()


def test_the_screenshot_reads_the_trackers_open_blockers_before_judging(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    with FakeGitHub() as tracker:
        board = board_file(tmp_path, httpserver, tracker.url)
        shot = tmp_path / "board.png"
        done = releasable(
            "--board", str(board), "--db", str(tmp_path / "r.db"),
            "--screenshot", str(shot), "--after", "0",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(": RELEASABLE"), done.stdout  # not "tracker not read"
