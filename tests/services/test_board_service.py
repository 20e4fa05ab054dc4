"""The live board: opens with the last known state, polls off the GUI thread, never lies."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.model import (
    BoardSnapshot,
    EnvironmentReading,
    Health,
    ItemKind,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
    VerdictState,
)
from app.services.board_service import BoardService
from app.services.board_store import StoreBoard
from app.services.polling import FetchResult, ItemSpec, PollJob
from app.sources.errors import SourceError
from app.sources.http import HttpClient
from app.store.store import Store

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


PIPE = ItemSpec("pipeline:api", ItemKind.PIPELINE, "api", stale_after_s=60)
ENV = ItemSpec("environment:staging", ItemKind.ENVIRONMENT, "staging", stale_after_s=60)
GREEN = PipelineReading((Stage("build", StageStatus.PASSED),), Outcome.PASSED)
RED = PipelineReading((Stage("scan", StageStatus.FAILED),), Outcome.FAILED, failed_stage="scan")
UP = EnvironmentReading(Health.UP, latency_ms=12)


class Upstream:
    """What the 'servers' answer right now; a job reads from it (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[str, FetchResult] = {PIPE.key: GREEN, ENV.key: UP}
        self.calls: dict[str, int] = {PIPE.key: 0, ENV.key: 0}

    def job(self, spec: ItemSpec, interval_s: float = 30) -> PollJob:
        def fetch(http: HttpClient) -> Mapping[str, FetchResult]:
            with self.lock:
                self.calls[spec.key] += 1
                answer = self.answers[spec.key]
            if isinstance(answer, SourceError):
                raise answer
            return {spec.key: answer}

        return PollJob(spec.key, (spec,), interval_s, fetch)


def make_service(store: Store, upstream: Upstream, clock: Clock) -> BoardService:
    return BoardService(
        "Payments",
        [PIPE, ENV],
        [upstream.job(PIPE), upstream.job(ENV)],
        StoreBoard(store),
        HttpClient(),
        clock=clock,
        tick_ms=5,
        coalesce_ms=1,
    )


def wait_for(qtbot: QtBot, service: BoardService, state: VerdictState) -> BoardSnapshot:
    seen: list[BoardSnapshot] = []
    service.updated.connect(seen.append)
    qtbot.waitUntil(lambda: bool(seen) and seen[-1].verdict.state is state, timeout=5000)
    return seen[-1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "board.db")
    yield s
    s.close()


def test_polls_and_turns_releasable(qtbot: QtBot, store: Store) -> None:
    upstream, clock = Upstream(), Clock()
    service = make_service(store, upstream, clock)
    service.start()
    snap = wait_for(qtbot, service, VerdictState.RELEASABLE)
    assert [p.name for p in snap.board.pipelines] == ["api"]
    assert snap.board.environments[0].reading == UP
    service.stop()


def test_failure_turns_not_releasable_and_error_keeps_last_reading(
    qtbot: QtBot, store: Store
) -> None:
    upstream, clock = Upstream(), Clock()
    service = make_service(store, upstream, clock)
    service.start()
    wait_for(qtbot, service, VerdictState.RELEASABLE)
    upstream.answers[PIPE.key] = RED
    clock.now += timedelta(seconds=31)
    snap = wait_for(qtbot, service, VerdictState.NOT_RELEASABLE)
    assert "failed at stage 'scan'" in snap.verdict.reasons[0].text
    upstream.answers[PIPE.key] = SourceError("connection refused by ci.example.com")
    clock.now += timedelta(seconds=31)
    qtbot.waitUntil(lambda: service.items[PIPE.key].error is not None, timeout=5000)
    item = service.items[PIPE.key]
    assert item.error == "connection refused by ci.example.com"
    assert item.reading == RED  # the last good state stays visible
    service.stop()


def test_restart_with_network_gone_shows_last_board_stale_and_unknown(
    qtbot: QtBot, tmp_path: Path
) -> None:
    upstream, clock = Upstream(), Clock()
    first = Store.open(tmp_path / "board.db")
    service = make_service(first, upstream, clock)
    service.start()
    wait_for(qtbot, service, VerdictState.RELEASABLE)
    service.stop()
    first.close()

    # Ten minutes later, the network is gone.
    clock.now += timedelta(minutes=10)
    down = SourceError("could not reach ci.example.com")
    upstream.answers = {PIPE.key: down, ENV.key: down}
    second = Store.open(tmp_path / "board.db")
    service = make_service(second, upstream, clock)
    loaded: list[BoardSnapshot] = []
    service.updated.connect(loaded.append)
    with qtbot.waitSignal(service.loaded, timeout=5000):
        service.start()
    first_picture = loaded[0]
    assert first_picture.board.pipelines[0].reading == GREEN  # the last board, at once
    assert first_picture.board.pipelines[0].is_stale(clock.now)
    assert first_picture.verdict.state is VerdictState.UNKNOWN  # never green
    snap = wait_for(qtbot, service, VerdictState.UNKNOWN)
    qtbot.waitUntil(lambda: service.items[PIPE.key].error is not None, timeout=5000)
    assert "last read 10 min ago" in snap.verdict.reasons[0].text
    service.stop()
    second.close()


def test_stale_data_turns_unknown_without_any_new_result(qtbot: QtBot, store: Store) -> None:
    upstream, clock = Upstream(), Clock()
    service = make_service(store, upstream, clock)
    service.start()
    wait_for(qtbot, service, VerdictState.RELEASABLE)
    # Polls hang forever from now on: only the clock moves.
    for job in service.jobs:
        job.in_flight = True
    clock.now += timedelta(seconds=61)
    wait_for(qtbot, service, VerdictState.UNKNOWN)
    for job in service.jobs:
        job.in_flight = False
    service.stop()


def test_rate_limited_job_is_not_polled_before_the_limit_ends(qtbot: QtBot, store: Store) -> None:
    upstream, clock = Upstream(), Clock()
    until = T0 + timedelta(minutes=5)
    upstream.answers[PIPE.key] = SourceError("rate-limited until 09:05", rate_limited_until=until)
    service = make_service(store, upstream, clock)
    service.start()
    qtbot.waitUntil(lambda: service.items[PIPE.key].rate_limited_until == until, timeout=5000)
    job = next(j for j in service.jobs if j.id == PIPE.key)
    assert job.next_due is not None and job.next_due >= until
    calls = dict(upstream.calls)
    clock.now += timedelta(minutes=2)
    service.refresh_now()  # even an explicit refresh respects the limit
    qtbot.waitUntil(lambda: upstream.calls[ENV.key] == calls[ENV.key] + 1, timeout=5000)
    assert upstream.calls[PIPE.key] == calls[PIPE.key]
    assert job.next_due >= until
    service.stop()


def test_verdict_since_survives_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    upstream, clock = Upstream(), Clock()
    s1 = Store.open(tmp_path / "b.db")
    service = make_service(s1, upstream, clock)
    service.start()
    snap = wait_for(qtbot, service, VerdictState.RELEASABLE)
    began = snap.verdict.since
    assert began == T0
    service.stop()
    qtbot.waitUntil(lambda: s1.verdict_since() is not None, timeout=5000)
    s1.close()
    clock.now += timedelta(seconds=20)
    s2 = Store.open(tmp_path / "b.db")
    service = make_service(s2, upstream, clock)
    service.start()
    snap = wait_for(qtbot, service, VerdictState.RELEASABLE)
    assert snap.verdict.since == began
    service.stop()
    s2.close()


def test_next_read_is_due_one_interval_after_the_previous_read_started(
    qtbot: QtBot, store: Store
) -> None:
    """A read that takes 3 s (or waits for a thread) must not push the next one 3 s later."""
    clock = Clock()
    starts: list[datetime] = []

    def slow_fetch(http: HttpClient) -> Mapping[str, FetchResult]:
        starts.append(clock.now)
        clock.now += timedelta(seconds=3)  # the read takes 3 s on the controllable clock
        return {ENV.key: UP}

    job = PollJob(ENV.key, (ENV,), 5, slow_fetch)
    service = BoardService(
        "Payments",
        [ENV],
        [job],
        StoreBoard(store),
        HttpClient(),
        clock=clock,
        tick_ms=5,
        coalesce_ms=1,
    )
    service.start()
    qtbot.waitUntil(lambda: len(starts) == 1 and not job.in_flight, timeout=5000)
    assert job.next_due == starts[0] + timedelta(seconds=5), "from the start, not the end"
    assert clock.now == starts[0] + timedelta(seconds=3)
    clock.now = starts[0] + timedelta(seconds=4.9)
    service.tick()
    assert not job.in_flight and len(starts) == 1, "not due yet at 4.9 s"
    clock.now = starts[0] + timedelta(seconds=5)
    qtbot.waitUntil(lambda: len(starts) == 2, timeout=5000)
    assert starts[1] - starts[0] == timedelta(seconds=5)
    service.stop()


def test_a_restart_with_an_open_p1_continues_not_releasable_without_a_green_blip(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from app.domain.model import Priority
    from app.domain.report import Report
    from app.store.outbox import Outbox

    upstream, clock = Upstream(), Clock()
    store = Store.open(tmp_path / "b.db")
    began = T0 - timedelta(hours=2)
    report = Report(
        "p1-key", "laptop broken", "workstation-broken", Priority.P1, "", "Dana", "Payments", began
    )
    Outbox(store).queue_report(report, tracker_kind="none", now=began)
    store.record_verdict(VerdictState.NOT_RELEASABLE, began)
    service = make_service(store, upstream, clock)
    seen: list[BoardSnapshot] = []
    service.updated.connect(seen.append)
    service.start()
    snap = wait_for(qtbot, service, VerdictState.NOT_RELEASABLE)
    assert snap.verdict.since == began  # the state continues from before the restart
    assert VerdictState.RELEASABLE not in {s.verdict.state for s in seen}
    service.stop()
    store.close()


def test_a_claimed_pipeline_shows_who_from_the_start_and_its_claim_ends_when_it_passes(
    qtbot: QtBot, store: Store
) -> None:
    from app.store.claims import claim_pipeline, team_claims

    claim_pipeline(store, PIPE.key, T0)  # said here before the restart
    upstream, clock = Upstream(), Clock()
    upstream.answers[PIPE.key] = RED
    service = make_service(store, upstream, clock)
    seen: list[BoardSnapshot] = []
    service.updated.connect(seen.append)
    service.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen[0].board.pipelines[0].claimed_by == "you"  # the first picture already says it
    not_releasable = VerdictState.NOT_RELEASABLE
    qtbot.waitUntil(lambda: seen[-1].verdict.state is not_releasable, timeout=5000)
    assert seen[-1].board.pipelines[0].claimed_by == "you"

    with qtbot.waitSignal(service.claims_passed, timeout=5000) as passed:
        with upstream.lock:
            upstream.answers[PIPE.key] = GREEN
        service.refresh_now()
    assert passed.args == [[PIPE.key]]
    assert seen[-1].board.pipelines[0].claimed_by == ""
    assert team_claims(store) == {"pipeline:api": "you"}  # the outbox service releases it
    service.stop()
