"""Exactly once, as the tracker sees it: the sending process is SIGKILLed at each step.

A real child process (`releasable outbox send` through the test entry `python -m tests.entry`,
the real GitHub adapter) delivers one queued report to a loopback GitHub-shaped tracker and is
killed:
  (a) before the POST — after the item was marked `sending` (the entry's killpoint);
  (b) after the POST reached the server but before the answer — the server holds the answer
      until the test has killed the child;
  (c) after the answer but before the store commit (the entry's killpoint).
Then delivery is restarted. Every case must end with exactly one issue on the server and the
report marked sent with that issue's link. `run_crash_loop()` does the same with randomized
kill points (and repeated crashes) for the slow test and tests/bench/bench_crash_delivery.py.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.model import Verdict, VerdictState
from app.domain.report_body import Evidence, build_report, new_report_key
from app.store.outbox import Outbox, OutboxState
from app.store.store import Store
from tests.entry import KILLPOINT_ENV
from tests.fake_tracker import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "RELEASABLE_CRASH_TEST_TOKEN"
CHILD_TIMEOUT_S = 60
KILLPOINTS = ("before-post", "during-post", "after-response")


def queue_one(db: Path, title: str = "Laptop won't boot") -> str:
    """Put one report in the outbox of the database at `db`; returns its key."""
    now = datetime.now(UTC)
    report = build_report(
        key=new_report_key(),
        title=title,
        category="workstation-broken",
        prevents_delivery=None,
        statement="",
        trying_to="deploy the hotfix",
        impact="I cannot deploy to production",
        reporter="Dana",
        board_name="Payments",
        evidence=Evidence(verdict=Verdict(VerdictState.UNKNOWN), taken_at=now),
        created_at=now,
        app_version="test",
    )
    with Store.open(db) as store:
        Outbox(store).queue_report(report, tracker_kind="github", now=now)
    return report.key


def start_sender(
    db: Path, fake: FakeGitHub, killpoint: str = "", *, capture: bool = False
) -> subprocess.Popen[bytes]:
    env = {**os.environ, TOKEN_ENV: "t0ken-for-tests", KILLPOINT_ENV: killpoint}
    cmd = [
        sys.executable,
        "-m",
        "tests.entry",
        "outbox",
        "send",
        "--db",
        str(db),
        "--tracker-kind",
        "github",
        "--tracker-url",
        fake.url,
        "--repo",
        fake.repo,
        "--token-env",
        TOKEN_ENV,
        "--timeout",
        "20",
    ]
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out)


def crash_sender(db: Path, fake: FakeGitHub, killpoint: str, rng: random.Random) -> int:
    """Run a sender and SIGKILL it at `killpoint`; returns its exit status."""
    if killpoint == "during-post":
        fake.post_arrived.clear()
        fake.release.clear()
        fake.hold_posts = True
        proc = start_sender(db, fake)

        # Wake on whichever comes first: the POST arrives, or the sender ends without one
        # (an earlier crash left the issue filed, so it only looked it up).
        def wake() -> None:
            proc.wait()
            fake.post_arrived.set()

        watcher = threading.Thread(target=wake)
        watcher.start()
        try:
            fake.post_arrived.wait(CHILD_TIMEOUT_S)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            return proc.wait(CHILD_TIMEOUT_S)
        finally:
            fake.hold_posts = False
            fake.release.set()
            watcher.join(CHILD_TIMEOUT_S)
    if killpoint == "random-time":
        proc = start_sender(db, fake)
        try:
            return proc.wait(timeout=rng.uniform(0.0, 1.2))  # it may well finish first
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            return proc.wait(CHILD_TIMEOUT_S)
    proc = start_sender(db, fake, killpoint)
    return proc.wait(CHILD_TIMEOUT_S)


def deliver_cleanly(db: Path, fake: FakeGitHub) -> tuple[int, str]:
    proc = start_sender(db, fake, capture=True)
    out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
    return proc.returncode, out.decode() + err.decode()


def item_state(db: Path, key: str) -> tuple[OutboxState, str | None]:
    with Store.open(db) as store:
        item = Outbox(store).get(key)
    assert item is not None
    return item.state, item.url


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


@pytest.mark.parametrize("killpoint", KILLPOINTS)
def test_killed_sender_restarts_into_exactly_one_issue(
    killpoint: str, fake: FakeGitHub, tmp_path: Path
) -> None:
    db = tmp_path / "releasable.db"
    key = queue_one(db)
    status = crash_sender(db, fake, killpoint, random.Random(0))
    assert status == -signal.SIGKILL
    expected_before = 0 if killpoint == "before-post" else 1
    assert len(fake.issues_with_key(key)) == expected_before  # it died where we meant it to
    assert item_state(db, key)[0] is OutboxState.SENDING  # the crash left it uncertain

    code, output = deliver_cleanly(db, fake)
    assert code == 0, output
    [issue] = fake.issues_with_key(key)
    assert item_state(db, key) == (OutboxState.SENT, issue["html_url"])
    assert fake.posts() == 1
    assert issue["html_url"] in output
    assert "t0ken-for-tests" not in output

    code, output = deliver_cleanly(db, fake)  # and running it again changes nothing
    assert code == 0 and "Nothing to send" in output
    assert len(fake.issues_with_key(key)) == 1


def test_an_uninterrupted_sender_files_once(fake: FakeGitHub, tmp_path: Path) -> None:
    db = tmp_path / "releasable.db"
    key = queue_one(db)
    code, output = deliver_cleanly(db, fake)
    assert code == 0, output
    [issue] = fake.issues_with_key(key)
    assert item_state(db, key) == (OutboxState.SENT, issue["html_url"])


@dataclass
class CrashCounts:
    iterations: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    issues_per_report: Counter[int] = field(default_factory=Counter)
    duplicates: int = 0  # reports filed more than once
    losses: int = 0  # reports never filed, or not marked sent with the right link

    def line(self) -> str:
        per = ", ".join(f"{n} issue(s): {c}" for n, c in sorted(self.issues_per_report.items()))
        kills = ", ".join(f"{k} {c}" for k, c in sorted(self.kills.items()))
        return (
            f"iterations {self.iterations}; issues per report: {per}; "
            f"duplicates {self.duplicates}; losses {self.losses}; kills: {kills}"
        )


def run_crash_loop(iterations: int, workdir: Path, seed: int = 4) -> CrashCounts:
    """Each iteration: queue a report, crash 1–3 senders at random points, then deliver."""
    rng = random.Random(seed)
    counts = CrashCounts()
    with FakeGitHub() as fake:
        for n in range(iterations):
            db = workdir / f"crash-{n}.db"
            key = queue_one(db, title=f"Laptop won't boot #{n}")
            for _ in range(rng.randint(1, 3)):
                point = rng.choice((*KILLPOINTS, "random-time"))
                status = crash_sender(db, fake, point, rng)
                counts.kills[point if status == -signal.SIGKILL else "finished first"] += 1
            code, _ = deliver_cleanly(db, fake)
            issues = fake.issues_with_key(key)
            state, url = item_state(db, key)
            counts.iterations += 1
            counts.issues_per_report[len(issues)] += 1
            counts.duplicates += len(issues) > 1
            counts.losses += (
                code != 0
                or not issues
                or state is not OutboxState.SENT
                or url != issues[0]["html_url"]
            )
    return counts


@pytest.mark.slow
def test_a_hundred_randomized_crashes_never_duplicate_or_lose(tmp_path: Path) -> None:
    counts = run_crash_loop(100, tmp_path)
    print(counts.line())
    assert counts.iterations == 100
    assert counts.issues_per_report == Counter({1: 100})
    assert (counts.duplicates, counts.losses) == (0, 0)
