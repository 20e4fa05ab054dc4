"""The live fleet over loopback: board files by URL, one shared feed, health checks; teams
ordered worst first, a board file that goes away turns its team UNKNOWN, and a restart paints
from the stores and the cached board files before any network answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.config.fleet import load_fleet
from app.domain.fleet import TeamRow
from app.domain.fleet_history import FleetHistory
from app.domain.history import Window
from app.domain.model import VerdictState
from app.services.fleet_service import FleetService
from tests.fleet_boards import FEED, board_text, requests_to, write_fleet_file

RELEASABLE, NOT_RELEASABLE = VerdictState.RELEASABLE, VerdictState.NOT_RELEASABLE


def _wait_rows(qtbot: QtBot, service: FleetService, check: object) -> list[TeamRow]:
    seen: list[list[TeamRow]] = []
    service.updated.connect(seen.append)
    qtbot.waitUntil(lambda: bool(seen) and check(seen[-1]), timeout=10_000)  # type: ignore[operator]
    return seen[-1]


def _states(rows: list[TeamRow]) -> dict[str, VerdictState]:
    return {row.name: row.state for row in rows}


def test_the_live_fleet_orders_teams_and_shares_the_feed(
    qtbot: QtBot,
    fleet_server: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLEET_TEST_TOKEN", "s3cret")
    fleet = load_fleet(write_fleet_file(tmp_path, fleet_server))
    service = FleetService(fleet, tmp_path / "db", sync_trackers=False)
    service.start()
    rows = _wait_rows(
        qtbot,
        service,
        lambda rows: (
            _states(rows).get("Payments") is VerdictState.RELEASABLE
            and _states(rows).get("Shop") is VerdictState.NOT_RELEASABLE
        ),
    )
    assert [r.name for r in rows][0] == "Shop"
    assert rows[-1].name == "Payments"
    gone = next(r for r in rows if r.name == "gone")
    assert gone.state is VerdictState.UNKNOWN
    assert gone.reasons[0].startswith("board file could not be fetched:")
    assert len(requests_to(fleet_server, "/cc.xml")) == 1  # two boards, one fetch
    assert service.http is not None and service.http.hosts == 1
    history: list[FleetHistory] = []
    service.load_history(Window.DAY, history.append)
    qtbot.waitUntil(lambda: bool(history), timeout=10_000)
    assert history[0].teams == 2  # the two teams whose boards could be read
    assert {r.name for r in history[0].restores} == {"Payments", "Shop"}
    service.stop()

    # A restart paints from disk: cached board files and the teams' stores, then re-reads.
    fleet_server.clear_log()
    again = FleetService(fleet, tmp_path / "db", sync_trackers=False)
    first: list[list[TeamRow]] = []
    again.updated.connect(first.append)
    again.start()
    qtbot.waitUntil(lambda: bool(first), timeout=10_000)
    # Payments' board file came with an ETag (cached: its name is known before any answer);
    # Shop's did not, so it is "shop" until read again.
    assert {r.name for r in first[0]} == {"Payments", "shop", "gone", "broken"}
    rows = _wait_rows(
        qtbot, again, lambda rows: _states(rows).get("Shop") is VerdictState.NOT_RELEASABLE
    )
    again.stop()


def test_a_board_file_that_goes_away_turns_its_team_unknown_in_words(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    board = board_text("Payments", "pay", httpserver.url_for("/cc.xml"))
    httpserver.expect_oneshot_request("/pay/main/board.toml").respond_with_data(board)
    httpserver.expect_request("/pay/main/board.toml").respond_with_data("gone", status=410)
    fleet_file = tmp_path / "fleet.toml"
    fleet_file.write_text(
        '[fleet]\nname = "P"\nrefresh_seconds = 1\n'
        f'[[boards]]\nurl = "{httpserver.url_for("/pay/main/board.toml")}"\n',
        encoding="utf-8",
    )
    service = FleetService(load_fleet(fleet_file), tmp_path / "db", sync_trackers=False)
    service.start()
    _wait_rows(qtbot, service, lambda rows: rows[0].state is VerdictState.RELEASABLE)
    rows = _wait_rows(qtbot, service, lambda rows: rows[0].state is VerdictState.UNKNOWN)
    assert rows[0].name == "pay"
    assert rows[0].reasons[0].startswith("board file could not be fetched:")
    assert "410" in rows[0].reasons[0]
    service.stop()


def test_a_board_file_on_disk_is_read_again_when_it_changes_appears_or_goes_away(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    feed = httpserver.url_for("/cc.xml")
    board = tmp_path / "teams" / "pay" / "board.toml"
    board.parent.mkdir(parents=True)
    board.write_text(board_text("Payments", "pay", feed), encoding="utf-8")
    later = tmp_path / "teams" / "shop" / "board.toml"  # not there yet
    fleet_file = tmp_path / "fleet.toml"
    fleet_file.write_text(
        '[fleet]\nname = "P"\nrefresh_seconds = 1\n'
        '[[boards]]\npath = "teams/pay/board.toml"\n'
        '[[boards]]\npath = "teams/shop/board.toml"\n',
        encoding="utf-8",
    )
    service = FleetService(load_fleet(fleet_file), tmp_path / "db", sync_trackers=False)
    service.start()
    rows = _wait_rows(qtbot, service, lambda rows: _states(rows).get("Payments") is RELEASABLE)
    shop = next(r for r in rows if r.name == "shop")
    assert shop.state is VerdictState.UNKNOWN and "no such file" in shop.reasons[0]
    unchanged = service.teams[str(board)].board

    # The team edits its board: its pipeline now reads the failing shop projects.
    board.write_text(board_text("Payments", "shop", feed), encoding="utf-8")
    stat = board.stat()
    os.utime(board, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    _wait_rows(qtbot, service, lambda rows: _states(rows).get("Payments") is NOT_RELEASABLE)
    assert service.teams[str(board)].board is not unchanged

    # A board file appears, and one goes away.
    later.parent.mkdir(parents=True)
    later.write_text(board_text("Shop", "pay", feed), encoding="utf-8")
    board.unlink()
    rows = _wait_rows(
        qtbot,
        service,
        lambda rows: _states(rows).get("Shop") is RELEASABLE and "Payments" not in _states(rows),
    )
    gone = next(r for r in rows if r.key == str(board))
    assert gone.state is VerdictState.UNKNOWN
    assert gone.reasons[0].startswith("board file cannot be used:")
    assert "no such file" in gone.reasons[0]
    service.stop()


def test_an_unchanged_board_file_on_disk_is_not_read_again(tmp_path: Path) -> None:
    """Watching a fleet's files costs a stat each: only a changed one is read and parsed."""
    from app.config.fleet import FleetBoard
    from app.services.fleet_boards import read_changed_boards, read_team_board
    from app.sources.http import HttpClient

    board = tmp_path / "board.toml"
    board.write_text(board_text("Payments", "pay", "http://127.0.0.1:9/cc.xml"), encoding="utf-8")
    http = HttpClient()
    first = read_team_board(FleetBoard(path=board), http)
    assert first.config is not None and first.stamp is not None
    assert read_changed_boards([first], http) == []
    board.write_text(board_text("Paying", "pay", "http://127.0.0.1:9/cc.xml"), encoding="utf-8")
    stat = board.stat()
    os.utime(board, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    again = read_changed_boards([first], http)
    assert [b.name for b in again] == ["Paying"]
    http.close()
