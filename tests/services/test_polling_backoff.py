"""A source that fails is asked again less often, but never so rarely that the board stays
UNKNOWN long after the server came back.

Seen for real: with the default `refresh_seconds = 60`, a health endpoint down for a quarter of
an hour was backed off to a read every 15 minutes, so the wall said UNKNOWN for up to 18
minutes after the server was back. The waits are computed by `next_due_after` (what the
window's scheduler calls after every read) on a controllable clock.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from app.domain.model import ItemKind
from app.services.polling import FetchResult, ItemSpec, PollJob, next_due_after
from app.sources.errors import SourceError
from app.sources.http import HttpClient

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def job(refresh_s: float, stale_s: float) -> PollJob:
    spec = ItemSpec("environment:staging", ItemKind.ENVIRONMENT, "staging", stale_after_s=stale_s)

    def fetch(_http: HttpClient) -> Mapping[str, FetchResult]:
        raise AssertionError("not fetched here")

    return PollJob(spec.key, (spec,), refresh_s, fetch)


def refused(polled: PollJob) -> dict[str, FetchResult]:
    return {item.key: SourceError("connection refused by 127.0.0.1:9") for item in polled.items}


def reads_while_down(polled: PollJob, down_s: float, seed: int) -> list[datetime]:
    """When the scheduler reads a source that is down from START for `down_s` seconds, and
    the first read after it is back."""
    rng = random.Random(seed)
    now, reads = START, [START]
    while now < START + timedelta(seconds=down_s):
        now = next_due_after(polled, refused(polled), now, rng)
        reads.append(now)
    return reads


def test_a_server_back_after_a_quarter_of_an_hour_is_read_within_a_minute() -> None:
    for seed in range(20):
        polled = job(refresh_s=60, stale_s=180)  # the defaults
        reads = reads_while_down(polled, down_s=15 * 60, seed=seed)
        back = START + timedelta(minutes=15)
        assert reads[-1] - back <= timedelta(seconds=60), (seed, reads[-1] - back)


def test_failing_reads_still_back_off_up_to_the_staleness_limit() -> None:
    polled = job(refresh_s=5, stale_s=15)
    rng = random.Random(1)
    waits = []
    now = START
    for _ in range(8):
        due = next_due_after(polled, refused(polled), now, rng)
        waits.append((due - now).total_seconds())
        now = due
    assert 5 <= waits[0] <= 6 and 8 <= waits[1] <= 12  # doubling, with jitter
    assert waits[3:] == [15.0] * 5  # then one read per staleness limit


def test_a_long_interval_is_kept_and_a_rate_limit_is_obeyed_beyond_the_cap() -> None:
    slow = job(refresh_s=600, stale_s=1800)
    rng = random.Random(2)
    now = START
    for _ in range(20):
        due = next_due_after(slow, refused(slow), now, rng)
        assert (due - now).total_seconds() == 600  # never more often than asked for
        now = due

    limited = job(refresh_s=5, stale_s=15)
    until = START + timedelta(minutes=30)
    results: dict[str, FetchResult] = {
        "environment:staging": SourceError("rate-limited", rate_limited_until=until)
    }
    assert next_due_after(limited, results, START, rng) == until
