"""The running window reads the tracker's open blockers like a source (issue 12, point 8): when
the last complete listing is older than its staleness limit (3 × [tracker] refresh_seconds)
the live verdict turns UNKNOWN on time, naming the tracker and the error; a new read brings
it back. Real store, real service, a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.model import ItemKind, TrackerRead, VerdictState
from app.services.board_service import BoardService
from app.services.board_store import StoreBoard
from app.services.polling import ItemSpec
from app.sources.http import HttpClient
from app.store.store import Store
from app.store.tracker_blockers import record_tracker_read
from tests.services.test_board_service import T0, Clock, Upstream, wait_for

PIPE = ItemSpec("pipeline:api", ItemKind.PIPELINE, "api", stale_after_s=86400)
ENV = ItemSpec("environment:staging", ItemKind.ENVIRONMENT, "staging", stale_after_s=86400)
WATCH = TrackerRead(name="GitHub acme/platform", stale_after_s=180)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "board.db")
    yield s
    s.close()


def test_an_unread_tracker_turns_the_live_verdict_unknown_on_time(
    qtbot: QtBot, store: Store
) -> None:
    clock, upstream = Clock(), Upstream()
    record_tracker_read(store, "github", T0)
    service = BoardService(
        "Payments", [PIPE, ENV], [upstream.job(PIPE, 3600), upstream.job(ENV, 3600)],
        StoreBoard(store), HttpClient(), clock=clock, tick_ms=5, coalesce_ms=1, tracker=WATCH,
    )  # fmt: skip
    service.start()
    wait_for(qtbot, service, VerdictState.RELEASABLE)

    record_tracker_read(store, "github", T0 + timedelta(seconds=60), "connection refused")
    service.reload_blockers()  # what the outbox service's round does after each read
    clock.now = T0 + timedelta(seconds=181)
    stale = wait_for(qtbot, service, VerdictState.UNKNOWN)
    (reason,) = stale.verdict.reasons
    assert reason.text.startswith("tracker GitHub acme/platform: open blockers not read since")
    assert reason.text.endswith(": connection refused")

    record_tracker_read(store, "github", clock.now)
    service.reload_blockers()
    wait_for(qtbot, service, VerdictState.RELEASABLE)
    service.stop()
