"""OutboxService: background delivery on a timer, results through signals, against a real
loopback GitHub-shaped tracker and the real GitHub adapter."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.domain.model import Verdict, VerdictState
from app.domain.report import Report
from app.domain.report_body import Evidence, build_report, new_report_key
from app.services.outbox_service import OutboxService
from app.sources.http import HttpClient
from app.store.outbox import Outbox, OutboxState
from app.store.store import Store
from app.trackers.github import GitHubTracker
from tests.fake_tracker import FakeGitHub, Scripted


def make_report(title: str = "Laptop won't boot") -> Report:
    now = datetime.now(UTC)
    return build_report(
        key=new_report_key(),
        title=title,
        category="workstation-broken",
        prevents_delivery=None,
        statement="",
        trying_to="deploy the payments hotfix",
        impact="nobody on the team can deploy",
        reporter="Dana",
        board_name="Payments",
        evidence=Evidence(verdict=Verdict(VerdictState.UNKNOWN), taken_at=now),
        created_at=now,
        app_version="test",
    )


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "releasable.db") as s:
        yield s


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    threads = QThreadPool()
    yield threads
    threads.waitForDone(15000)


def make_service(
    store: Store, fake: FakeGitHub, pool: QThreadPool, tracker: Any = None, **kw: Any
) -> OutboxService:
    tracker = tracker or GitHubTracker(repo=fake.repo, token="t0ken", api_url=fake.url)
    http = HttpClient(connect_timeout_s=2, read_timeout_s=5)
    return OutboxService(store, tracker, http, pool=pool, **kw)


def test_a_queued_report_is_delivered_in_the_background_and_signalled(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    service = make_service(store, fake, pool)
    report = make_report()
    with (
        qtbot.waitSignal(service.delivered, timeout=10000) as delivered,
        qtbot.waitSignal(service.changed, timeout=1000),
    ):
        service.queue(report)
    key, url = delivered.args
    assert key == report.key
    assert url == f"{fake.url}/{fake.repo}/issues/1"
    assert len(fake.issues_with_key(report.key)) == 1
    item = service.outbox.get(report.key)
    assert item is not None and item.state is OutboxState.SENT and item.url == url
    service.stop()


def test_the_running_app_delivers_within_5s_of_the_tracker_coming_back(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    fake.stop()  # the tracker is unreachable; its address stays the same
    service = make_service(store, fake, pool)  # the default 5 s timer
    report = make_report()
    with qtbot.waitSignal(service.retrying, timeout=10000) as retrying:
        service.queue(report)
    assert retrying.args[0] == report.key
    assert "refused" in retrying.args[1]
    fake.start()
    back_at = time.monotonic()
    with qtbot.waitSignal(service.delivered, timeout=10000):
        pass
    assert time.monotonic() - back_at < 5.0
    assert len(fake.issues_with_key(report.key)) == 1
    service.stop()


class CountingTracker(GitHubTracker):
    """The real adapter, noting how many of its calls run at the same time."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.active = 0
        self.most_active = 0
        self._count = threading.Lock()

    def _enter(self) -> None:
        with self._count:
            self.active += 1
            self.most_active = max(self.most_active, self.active)

    def _leave(self) -> None:
        with self._count:
            self.active -= 1

    def create(self, http: Any, report: Report) -> Any:
        self._enter()
        try:
            return super().create(http, report)
        finally:
            self._leave()


def test_rounds_never_overlap(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    tracker = CountingTracker(repo=fake.repo, token="t0ken", api_url=fake.url)
    service = make_service(store, fake, pool, tracker=tracker, interval_ms=250)
    fake.hold_posts = True
    first, second = make_report("first"), make_report("second")
    service.queue(first)  # written off the GUI thread: the event loop must run
    qtbot.waitUntil(fake.post_arrived.is_set, timeout=10000)
    for _ in range(5):
        service.wake(force=True)  # while the first POST is held by the server
    with qtbot.waitSignal(service.queued, timeout=10000):
        service.queue(second)
    assert service.busy
    fake.hold_posts = False
    fake.release.set()
    qtbot.waitUntil(lambda: len(fake.issues) == 2 and not service.busy, timeout=10000)
    assert tracker.most_active == 1
    assert [len(fake.issues_with_key(r.key)) for r in (first, second)] == [1, 1]
    service.stop()


def test_a_permanent_error_is_signalled_with_its_reason(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    fake.post_script.append(
        Scripted(
            422,
            {
                "message": "Validation Failed",
                "errors": [{"field": "title", "code": "missing_field"}],
            },
        )
    )
    service = make_service(store, fake, pool)
    report = make_report()
    with qtbot.waitSignal(service.failed, timeout=10000) as failed:
        service.queue(report)
    assert failed.args == [report.key, "GitHub refused the issue (422): title is missing"]
    assert fake.issues == []
    with qtbot.waitSignal(service.delivered, timeout=10000):
        service.send_report(report.key)  # its row's "Send now"
    assert len(fake.issues_with_key(report.key)) == 1
    service.stop()


def test_a_blocker_closed_on_the_tracker_is_closed_on_the_board(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    service = make_service(store, fake, pool, blocker_poll_ms=0)
    report = make_report()
    with qtbot.waitSignal(service.delivered, timeout=10000):
        service.queue(report)
    assert [b.key for b in service.outbox.blockers()] == [report.key]
    fake.close_issue(1)
    with qtbot.waitSignal(service.blocker_closed, timeout=10000) as closed:
        service.wake()
    assert closed.args == [report.key]
    assert service.outbox.blockers() == ()
    service.stop()


def test_labels_github_dropped_are_reported_as_a_warning(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    fake.drop_labels = True
    service = make_service(store, fake, pool)
    report = make_report()
    with qtbot.waitSignal(service.warned, timeout=10000) as warned:
        service.queue(report)
    assert warned.args == [
        report.key,
        f"labels were not applied — the token needs push access to {fake.repo}",
    ]
    item = service.outbox.get(report.key)
    assert item is not None and item.warnings == (warned.args[1],)
    service.stop()


# -- one outbox service: the window's list, "Send now", other processes ------------------------


def test_send_now_shows_progress_then_what_it_did(
    qtbot: QtBot, store: Store, fake: FakeGitHub, pool: QThreadPool
) -> None:
    fake.post_script.append(Scripted(503, {"message": "Service Unavailable"}))
    service = make_service(store, fake, pool)
    report = make_report()
    with qtbot.waitSignal(service.retrying, timeout=10000):
        service.queue(report)
    progress: list[str] = []
    service.send_progress.connect(progress.append)
    with qtbot.waitSignal(service.send_result, timeout=10000) as result:
        service.send_now()
    assert progress == ["Sending…"]
    assert result.args == ["Sent 1 report."]
    assert len(fake.issues_with_key(report.key)) == 1
    service.stop()


def test_send_now_without_a_tracker_says_why_nothing_is_sent(
    qtbot: QtBot, store: Store, pool: QThreadPool
) -> None:
    service = OutboxService(store, None, HttpClient(), tracker_kind="none", pool=pool, watch_ms=0)
    with qtbot.waitSignal(service.send_result, timeout=1000) as result:
        service.send_now()
    assert result.args == ["No tracker on this board: reports stay here (copy them as Markdown)."]


def test_a_report_queued_by_another_process_appears_without_a_restart(
    qtbot: QtBot, store: Store, pool: QThreadPool, tmp_path: Path
) -> None:
    service = OutboxService(store, None, HttpClient(), tracker_kind="none", pool=pool, watch_ms=250)
    with qtbot.waitSignal(service.rows_changed, timeout=5000) as first:
        service.start()
    assert first.args == [[]]
    qtbot.waitUntil(lambda: service._data_version is not None, timeout=5000)
    # What `releasable report` does: its own connection to the same file.
    report = make_report("Queued from the command line")
    with Store.open(tmp_path / "releasable.db") as other:
        Outbox(other).queue_report(report, tracker_kind="github")
    with qtbot.waitSignal(
        service.rows_changed,
        timeout=5000,
        check_params_cb=lambda rows: [r.key for r in rows] == [report.key],
    ):
        pass
    service.stop()
    qtbot.waitUntil(lambda: not service.busy, timeout=5000)
