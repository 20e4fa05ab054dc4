"""Fetching in a worker process: the window's board reads its sources in a child process."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.config.loader import parse_board
from app.domain.model import BoardSnapshot, EnvironmentReading, Health, VerdictState
from app.services.board_service import make_board_service
from app.services.fetch_child import decode, encode
from app.sources.errors import SourceError
from app.store.store import Store
from tests.hostile_server import TricklingServer


def test_a_source_error_crosses_with_its_attributes() -> None:
    until = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    error = SourceError("rate limited by ci.example.com", rate_limited_until=until, not_sent=True)
    reading = EnvironmentReading(Health.UP, latency_ms=12)
    back = decode(encode({"environment:a": error, "environment:b": reading}))
    crossed = back["environment:a"]
    assert isinstance(crossed, SourceError)
    assert str(crossed) == crossed.message == "rate limited by ci.example.com"
    assert crossed.rate_limited_until == until and crossed.not_sent is True
    assert back["environment:b"] == reading


def test_the_window_service_reads_in_a_worker_process(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board = parse_board(
        "\n".join(
            [
                "[board]",
                'name = "Worker"',
                "[[environments]]",
                'name = "edge"',
                f'url = "{httpserver.url_for("/health")}"',
            ]
        ),
        "worker.toml",
    )
    store = Store.open(tmp_path / "board.db")
    service = make_board_service(board, store, worker_process=True)
    assert service.fetcher is not None
    seen: list[BoardSnapshot] = []
    service.updated.connect(seen.append)
    service.start()
    try:
        qtbot.waitUntil(
            lambda: bool(seen) and seen[-1].verdict.state is VerdictState.RELEASABLE,
            timeout=20_000,
        )
        edge = seen[-1].board.environments[0]
        assert isinstance(edge.reading, EnvironmentReading)
        assert edge.reading.health is Health.UP
        assert len(httpserver.log) >= 1, "the child process made the request"
    finally:
        service.stop()
        store.close()
    assert service.fetcher._process is None, "the child has exited"


def test_a_killed_worker_process_is_replaced_and_reading_goes_on(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board = parse_board(
        "\n".join(
            [
                "[board]",
                'name = "Worker"',
                "[[environments]]",
                'name = "edge"',
                f'url = "{httpserver.url_for("/health")}"',
            ]
        ),
        "worker.toml",
    )
    store = Store.open(tmp_path / "board.db")
    service = make_board_service(board, store, worker_process=True)
    fetcher = service.fetcher
    assert fetcher is not None
    service.start()
    try:
        qtbot.waitUntil(
            lambda: service.items["environment:edge"].read_at is not None, timeout=20_000
        )
        first = fetcher._process
        assert first is not None
        first.kill()
        first.wait(5)
        qtbot.waitUntil(lambda: fetcher._process is not first, timeout=5000)  # noticed
        read_before = service.items["environment:edge"].read_at
        service.refresh_now()
        qtbot.waitUntil(
            lambda: service.items["environment:edge"].read_at != read_before, timeout=20_000
        )
        assert fetcher._process is not None and fetcher._process.pid != first.pid
        assert service.items["environment:edge"].error is None
    finally:
        service.stop()
        store.close()


def test_stopping_ends_the_worker_processs_requests_in_flight_at_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with TricklingServer(head_first=False) as trickle:  # not even the headers arrive
        board = parse_board(
            "\n".join(
                [
                    "[board]",
                    'name = "Worker"',
                    "[[environments]]",
                    'name = "slow"',
                    f'url = "{trickle.url}/health"',
                    "timeout_seconds = 300",
                ]
            ),
            "worker.toml",
        )
        store = Store.open(tmp_path / "board.db")
        service = make_board_service(board, store, worker_process=True)
        service.start()
        qtbot.waitUntil(trickle.answering.is_set, timeout=20_000)
        started = time.monotonic()
        service.stop()
        stopped_in = time.monotonic() - started
        store.close()
    assert stopped_in < 3.0, "the child's trickled request did not hold up the stop"
