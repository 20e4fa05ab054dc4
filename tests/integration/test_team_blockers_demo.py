"""On the demo: Dana files "Laptop won't boot" from a colleague's machine at 230 s, and every board
reading the team's tracker shows her P1 and turns NOT RELEASABLE, through the real board file,
tracker adapter, store, verdict rules and outbox service. The scenario clock is injected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.config.board import BoardConfig
from app.config.loader import load_board
from app.demo import DemoHandle, start_demo
from app.demo.board import TOKEN_ENV
from app.domain.model import Blocker, Priority, Verdict, VerdictState
from app.domain.verdict import decide
from app.services.board_jobs import board_specs, build_jobs
from app.services.board_store import StoreBoard
from app.services.outbox_service import OutboxService
from app.services.polling import board_state, poll_once
from app.sources.http import HttpClient
from app.store.outbox import Outbox
from app.store.store import Store
from app.trackers.configured import tracker_from_config
from app.trackers.team_blockers import sync_team_blockers

DANA = "gh-acme/platform#431"  # the demo numbers issues from 428; three came before hers


class StepClock:
    """Scenario seconds since the demo started, set by the test."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(autouse=True)
def _no_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)  # the demo sets its dummy token itself


@pytest.fixture
def clock() -> StepClock:
    return StepClock(240.0)  # Dana's laptop has been broken for ten seconds


@pytest.fixture
def demo(clock: StepClock) -> Iterator[DemoHandle]:
    handle = start_demo(clock=clock)
    yield handle
    handle.stop()


@pytest.fixture
def board(demo: DemoHandle) -> BoardConfig:
    return load_board(demo.board_path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "demo.db") as s:
        yield s


@pytest.fixture
def http(store: Store) -> Iterator[HttpClient]:
    client = HttpClient(cache=store.http_cache)
    yield client
    client.close()


def verdict_now(board: BoardConfig, store: Store, http: HttpClient) -> Verdict:
    """Read every source once and judge the board, as `releasable status` does."""
    adapter = StoreBoard(store)
    specs = board_specs(board)
    poll_once(build_jobs(board), http, adapter.record)
    items, _ = adapter.load_board(specs)
    state = board_state(board.name, specs, items, adapter.open_blockers())
    return decide(state, datetime.now(UTC))


def test_the_demo_board_reads_the_tracker_every_two_seconds(board: BoardConfig) -> None:
    assert board.tracker.refresh_seconds == 2


def test_danas_p1_from_another_machine_is_on_the_board_and_it_is_not_releasable(
    board: BoardConfig, store: Store, http: HttpClient, clock: StepClock
) -> None:
    tracker = tracker_from_config(board.tracker)

    done = sync_team_blockers(store, tracker, http, datetime.now(UTC))

    assert done.error is None and done.changes.opened == (DANA,)
    (dana,) = Outbox(store).blockers()
    assert isinstance(dana, Blocker)
    assert dana.title == "Laptop won't boot after the OS update: cannot deploy to production"
    assert (dana.priority, dana.category, dana.reporter) == (
        Priority.P1,
        "workstation-broken",
        "dana-kowalski",
    )
    assert dana.url is not None and dana.url.endswith("/acme/platform/issues/431")

    verdict = verdict_now(board, store, http)
    assert verdict.state is VerdictState.NOT_RELEASABLE
    # Everything else in the scenario is green at 240 s: her P1 is the one reason.
    blocking = [r for r in verdict.reasons if r.state is VerdictState.NOT_RELEASABLE]
    assert [r.item_key for r in blocking] == [f"blocker:{DANA}"]
    assert "Laptop won't boot" in blocking[0].text and "(dana-kowalski)" in blocking[0].text

    clock.t = 280  # the platform team fixed her laptop at 275 s
    assert sync_team_blockers(store, tracker, http, datetime.now(UTC)).changes.closed == (DANA,)
    assert Outbox(store).blockers() == ()
    assert verdict_now(board, store, http).state is VerdictState.RELEASABLE


def test_the_running_outbox_service_brings_danas_blocker_within_seconds(
    qtbot: QtBot, board: BoardConfig, store: Store, http: HttpClient, clock: StepClock
) -> None:
    clock.t = 220  # before Dana files it
    pool = QThreadPool()
    service = OutboxService(
        store,
        tracker_from_config(board.tracker),
        http,
        blocker_poll_ms=int(board.tracker.refresh_seconds * 1000),  # as app/desktop/board.py does
        pool=pool,
    )
    try:
        with qtbot.waitSignal(service.round_finished, timeout=10000):
            service.start()
        assert service.outbox.blockers() == ()
        clock.t = 240
        # No wake: the next read of the tracker is due two seconds after the last one, well
        # before the five-second delivery interval.
        with (
            qtbot.waitSignal(service.blocker_opened, timeout=4000) as opened,
            qtbot.waitSignal(service.changed, timeout=4000),
        ):
            pass
        assert opened.args == [DANA]
        assert [b.key for b in service.outbox.blockers()] == [DANA]
    finally:
        service.stop()
        pool.waitForDone(15000)
