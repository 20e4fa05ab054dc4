"""The delivery engine's state machine (app/trackers/outbox.py) against a scripted tracker.

The tracker here keeps its issues in memory and fails on cue; `FakeHttp` stands in for the
network so the engine can tell "the tracker answered 503" from "the tracker was not reached".
The same engine against a real loopback server is in tests/integration/test_outbox_delivery.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain.model import BlockerState, Priority
from app.domain.report import Report
from app.sources.http import Response
from app.store.outbox import Outbox, OutboxState
from app.store.store import Store
from app.trackers.base import Filed, TrackerError
from app.trackers.outbox import DeliveryPolicy, backoff_delay_s, deliver_due, refresh_blockers

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
POLICY = DeliveryPolicy()


class FakeHttp:
    """Answers every request with `status`: an answer, as opposed to an unreachable host."""

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        return Response(url, 503, {}, b"{}", 1.0)


Step = Callable[["ScriptedTracker", Any, Report], None]


class ScriptedTracker:
    kind = "github"

    def __init__(self, kind: str = "github") -> None:
        self.kind = kind
        self.issues: dict[str, Filed] = {}
        self.creates = 0
        self.finds: list[datetime] = []
        self.steps: list[Step] = []
        self.hidden_finds = 0  # how many look-ups miss a filed issue (a lagging index)
        self.during_create: Callable[[], None] | None = None
        self.closed_refs: set[str] = set()
        self.state_error: TrackerError | None = None

    def file(self, report: Report) -> Filed:
        n = len(self.issues) + 1
        filed = Filed(f"https://tracker.test/issues/{n}", str(n))
        self.issues[report.key] = filed
        return filed

    def create(self, http: Any, report: Report) -> Filed:
        self.creates += 1
        if self.during_create is not None:
            self.during_create()
        if self.steps:
            self.steps.pop(0)(self, http, report)
        return self.file(report)

    def find(self, http: Any, report: Report, since: datetime) -> Filed | None:
        self.finds.append(since)
        if self.hidden_finds > 0:
            self.hidden_finds -= 1
            return None
        return self.issues.get(report.key)

    def state(self, http: Any, filed: Filed) -> BlockerState | None:
        if self.state_error is not None:
            raise self.state_error
        if self.kind == "webhook":
            return None  # a webhook cannot be asked
        return BlockerState.CLOSED if filed.ref in self.closed_refs else BlockerState.OPEN


def unreachable(t: ScriptedTracker, http: Any, r: Report) -> None:
    raise TrackerError("connection refused by tracker.test")


def server_error(retry_at: datetime | None = None) -> Step:
    def step(t: ScriptedTracker, http: Any, r: Report) -> None:
        http.request("POST", "https://tracker.test/issues")
        raise TrackerError("GitHub server error 503; will retry", retry_at=retry_at)

    return step


def rejected(t: ScriptedTracker, http: Any, r: Report) -> None:
    http.request("POST", "https://tracker.test/issues")
    raise TrackerError("GitHub refused the issue (422): title is missing", permanent=True)


def filed_but_timed_out(t: ScriptedTracker, http: Any, r: Report) -> None:
    t.file(r)  # the tracker created it; the answer never came back
    raise TrackerError("timed out after 10 s waiting for tracker.test", uncertain=True)


def make_report(key: str = "rls-abc", title: str = "Laptop won't boot") -> Report:
    return Report(
        key=key,
        title=title,
        category="workstation-broken",
        priority=Priority.P1,
        body=f"Team cannot deploy.\n<!-- releasable-key: {key} -->",
        reporter="Dana",
        board="Payments",
        created_at=NOW - timedelta(minutes=5),
    )


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Store.open(tmp_path / "releasable.db") as store:
        yield Outbox(store)


def deliver(
    outbox: Outbox, tracker: ScriptedTracker | None, now: datetime = NOW, **kw: Any
) -> list[Any]:
    kw.setdefault("rand", lambda: 0.5)
    kw.setdefault("sleep", lambda s: pytest.fail(f"slept {s} s unexpectedly"))
    return deliver_due(outbox, tracker, FakeHttp(), now, **kw)  # type: ignore[arg-type]


def test_queued_report_is_marked_sending_before_the_post_then_sent(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    seen: list[OutboxState] = []
    tracker.during_create = lambda: seen.append(outbox.get("rls-abc").state)  # type: ignore[union-attr]
    [result] = deliver(outbox, tracker)
    assert seen == [OutboxState.SENDING]  # committed before the request went out
    assert (result.state, result.url, result.ref) == (
        OutboxState.SENT,
        "https://tracker.test/issues/1",
        "1",
    )
    item = outbox.get("rls-abc")
    assert item is not None and item.state is OutboxState.SENT and item.attempts == 1
    assert tracker.finds == []  # a first attempt has nothing to look up
    [blocker] = outbox.blockers()
    assert (blocker.priority, blocker.url) == (Priority.P1, "https://tracker.test/issues/1")
    assert deliver(outbox, tracker) == []  # sent is final
    assert tracker.creates == 1


def test_unreachable_tracker_is_retried_within_seconds_and_stops_the_round(
    outbox: Outbox,
) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [unreachable]
    outbox.queue_report(make_report("rls-a"), tracker_kind="github", now=NOW)
    outbox.queue_report(make_report("rls-b"), tracker_kind="github", now=NOW)
    results = deliver(outbox, tracker)
    assert [(r.key, r.state, r.unreachable) for r in results] == [
        ("rls-a", OutboxState.QUEUED, True)
    ]
    item = outbox.get("rls-a")
    assert item is not None
    assert item.last_error == "connection refused by tracker.test"
    assert item.next_attempt_at is not None
    assert NOW < item.next_attempt_at <= NOW + timedelta(seconds=POLICY.unreachable_backoff_s)
    assert outbox.get("rls-b").attempts == 0  # type: ignore[union-attr]  # not tried
    soon = deliver(outbox, tracker, NOW + timedelta(seconds=1))  # rls-a is not due yet
    assert [(r.key, r.state) for r in soon] == [("rls-b", OutboxState.SENT)]
    later = deliver(outbox, tracker, NOW + timedelta(seconds=POLICY.unreachable_backoff_s))
    assert [(r.key, r.state) for r in later] == [("rls-a", OutboxState.SENT)]


def test_server_errors_back_off_exponentially_with_jitter(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [server_error(), server_error(), server_error()]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    delays = []
    now = NOW
    for _ in range(3):
        [result] = deliver(outbox, tracker, now, rand=lambda: 1.0)
        assert result.state is OutboxState.QUEUED and not result.unreachable
        delays.append((result.next_attempt_at - now).total_seconds())
        now = result.next_attempt_at
    assert delays == [10.0, 20.0, 40.0]
    [sent] = deliver(outbox, tracker, now)
    assert sent.state is OutboxState.SENT
    assert tracker.creates == 4 and len(tracker.issues) == 1


def test_backoff_jitter_stays_between_half_and_the_full_ceiling() -> None:
    assert backoff_delay_s(1, POLICY, lambda: 0.0) == 5.0
    assert backoff_delay_s(1, POLICY, lambda: 1.0) == 10.0
    assert backoff_delay_s(20, POLICY, lambda: 1.0) == POLICY.max_backoff_s


def test_retry_after_is_honoured_even_by_send_now(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    retry_at = NOW + timedelta(seconds=120)
    tracker.steps = [server_error(retry_at)]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    [result] = deliver(outbox, tracker)
    assert result.next_attempt_at == retry_at and result.not_before == retry_at
    assert deliver(outbox, tracker, NOW + timedelta(seconds=119), force=True) == []
    [sent] = deliver(outbox, tracker, retry_at)
    assert sent.state is OutboxState.SENT


def test_force_ignores_our_own_backoff(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [server_error()]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    deliver(outbox, tracker)
    assert deliver(outbox, tracker, NOW + timedelta(seconds=1)) == []
    [sent] = deliver(outbox, tracker, NOW + timedelta(seconds=1), force=True)
    assert sent.state is OutboxState.SENT


def test_permanent_failure_stops_and_keeps_the_report_resendable(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [rejected]
    outbox.queue_report(make_report(title=""), tracker_kind="github", now=NOW)
    [result] = deliver(outbox, tracker)
    assert result.state is OutboxState.FAILED
    assert result.error == "GitHub refused the issue (422): title is missing"
    item = outbox.get("rls-abc")
    assert item is not None and item.state is OutboxState.FAILED
    assert item.last_error == result.error
    assert deliver(outbox, tracker, NOW + timedelta(days=1), force=True) == []  # no retries
    assert outbox.requeue("rls-abc", make_report(title="Laptop won't boot"))
    [sent] = deliver(outbox, tracker, NOW + timedelta(days=1))
    assert sent.state is OutboxState.SENT and sent.title == "Laptop won't boot"
    assert len(tracker.issues) == 1


def test_uncertain_outcome_is_looked_up_before_sending_again(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [filed_but_timed_out]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    [first] = deliver(outbox, tracker)
    assert first.state is OutboxState.QUEUED
    assert outbox.get("rls-abc").uncertain  # type: ignore[union-attr]
    [second] = deliver(outbox, tracker, first.next_attempt_at)
    assert (second.state, second.found_existing) == (OutboxState.SENT, True)
    assert second.url == "https://tracker.test/issues/1"
    assert tracker.creates == 1 and len(tracker.issues) == 1
    assert tracker.finds == [NOW - POLICY.lookup_margin]  # since queued_at minus the margin


def test_item_left_sending_by_a_dead_process_is_looked_up_then_sent_once(
    outbox: Outbox,
) -> None:
    tracker = ScriptedTracker()
    item = outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    assert outbox.claim(item, NOW, tracker_kind="github")
    outbox.store.db.execute("UPDATE outbox SET sending_pid = ?", [_dead_pid()])
    sleeps: list[float] = []
    [result] = deliver(outbox, tracker, NOW + timedelta(seconds=1), sleep=sleeps.append)
    assert len(tracker.finds) == 2 and sleeps == [0.5]  # looked, waited for the index, looked
    assert (result.state, result.found_existing, tracker.creates) == (OutboxState.SENT, False, 1)


def test_item_left_sending_that_the_tracker_has_is_not_posted_again(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    item = outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    assert outbox.claim(item, NOW, tracker_kind="github")
    tracker.file(item.report)  # the POST went through; the process died before the commit
    outbox.store.db.execute("UPDATE outbox SET sending_pid = ?", [_dead_pid()])
    [result] = deliver(outbox, tracker, NOW + timedelta(seconds=1))
    assert (result.state, result.found_existing, tracker.creates) == (OutboxState.SENT, True, 0)


def test_item_being_sent_by_a_live_process_is_left_alone_until_its_lease_ends(
    outbox: Outbox,
) -> None:
    tracker = ScriptedTracker()
    item = outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    assert outbox.claim(item, NOW, tracker_kind="github")
    outbox.store.db.execute("UPDATE outbox SET sending_pid = ?", [os.getppid()])
    assert deliver(outbox, tracker, NOW + timedelta(seconds=30)) == []
    lease_over = NOW + timedelta(seconds=POLICY.sending_lease_s + 1)
    [result] = deliver(outbox, tracker, lease_over, sleep=lambda s: None)
    assert result.state is OutboxState.SENT and tracker.creates == 1


def test_jira_lookups_are_retried_while_its_index_lags(outbox: Outbox) -> None:
    tracker = ScriptedTracker(kind="jira")
    tracker.steps = [filed_but_timed_out]
    outbox.queue_report(make_report(), tracker_kind="jira", now=NOW)
    [first] = deliver(outbox, tracker)
    tracker.hidden_finds = 2  # JQL does not see the new issue for two look-ups
    sleeps: list[float] = []
    [second] = deliver(outbox, tracker, first.next_attempt_at, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]
    assert (second.state, second.found_existing, tracker.creates) == (OutboxState.SENT, True, 1)


def test_retry_after_a_certain_failure_looks_up_once_without_waiting(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [server_error()]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    [first] = deliver(outbox, tracker)
    [second] = deliver(outbox, tracker, first.next_attempt_at)  # sleeping would fail the test
    assert len(tracker.finds) == 1 and second.state is OutboxState.SENT


def test_an_unexpected_error_after_sending_counts_as_uncertain(outbox: Outbox) -> None:
    tracker = ScriptedTracker()

    def boom(t: ScriptedTracker, http: Any, r: Report) -> None:
        raise KeyError("number")

    tracker.steps = [boom]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    [result] = deliver(outbox, tracker)
    assert result.state is OutboxState.QUEUED
    assert result.error == "unexpected error while sending: KeyError"
    assert outbox.get("rls-abc").uncertain  # type: ignore[union-attr]


def test_a_lookup_that_fails_permanently_keeps_the_report_uncertain(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    tracker.steps = [filed_but_timed_out]
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    [first] = deliver(outbox, tracker)

    def bad_token(http: Any, report: Report, since: datetime) -> None:
        raise TrackerError("token rejected (401) — check GITHUB_TOKEN", permanent=True)

    tracker.find = bad_token  # type: ignore[method-assign]
    [second] = deliver(outbox, tracker, first.next_attempt_at)
    assert second.state is OutboxState.FAILED
    assert outbox.requeue("rls-abc")
    item = outbox.get("rls-abc")
    assert item is not None and item.uncertain  # the next send still looks it up first


def test_with_no_tracker_nothing_is_sent(outbox: Outbox) -> None:
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    assert deliver(outbox, None) == []
    assert outbox.get("rls-abc").state is OutboxState.QUEUED  # type: ignore[union-attr]


def test_blockers_closed_on_the_tracker_are_closed_here(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    for key in ("rls-a", "rls-b"):
        outbox.queue_report(make_report(key), tracker_kind="github", now=NOW)
    outbox.queue_report(make_report("rls-local"), tracker_kind="none", now=NOW)
    deliver(outbox, tracker)
    assert len(outbox.blockers()) == 3
    tracker.closed_refs = {outbox.blocker_ref("rls-b") or ""}
    assert refresh_blockers(outbox, tracker, FakeHttp(), NOW) == ["rls-b"]  # type: ignore[arg-type]
    assert [b.key for b in outbox.blockers()] == ["rls-a", "rls-local"]
    [closed] = [b for b in outbox.blockers(open_only=False) if b.key == "rls-b"]
    assert (closed.state, closed.closed_at) == (BlockerState.CLOSED, NOW)


def test_blocker_refresh_stops_when_the_tracker_cannot_be_reached(outbox: Outbox) -> None:
    tracker = ScriptedTracker()
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    deliver(outbox, tracker)
    tracker.state_error = TrackerError("connection refused by tracker.test")
    assert refresh_blockers(outbox, tracker, FakeHttp(), NOW) == []  # type: ignore[arg-type]
    assert [b.key for b in outbox.blockers()] == ["rls-abc"]
    assert refresh_blockers(outbox, ScriptedTracker("webhook"), FakeHttp(), NOW) == []  # type: ignore[arg-type]
    assert refresh_blockers(outbox, None, FakeHttp(), NOW) == []


def _dead_pid() -> int:
    """A process id that is certainly not running: a child that has exited and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid
