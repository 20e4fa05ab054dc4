"""Source benchmarks on loopback: prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_sources.py

1. A 5,000-project cctray feed: parse alone, and fetch + parse with a fresh answer (200) and
   with an unchanged one (304, the cached body is parsed again).
2. A board refresh: 200 pipelines whose 1,000 stages live in 4 cctray feeds, plus 200 health
   endpoints that each take 50 ms to answer, through one HttpClient and a ThreadPoolExecutor
   of 32 workers, done twice: wall time, requests sent, share of 304s on the second round.
   Once as a scheduler should do it (each feed fetched once, parsed once, `read()` per
   pipeline), once naively (every pipeline fetches its own feed).

The servers are the benches' shared loopback ones (tests/bench/loopback.py): HTTP/1.1
keep-alive on a fixed pool of threads; one serves the feeds at once, one the health endpoints
with their 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import Document, LoopbackServer, cctray_feed

from app.sources.cctray import CctraySource, fetch_feed, parse_feed
from app.sources.health import HealthSource, TlsExpiryCache
from app.sources.http import HttpClient

BIG_FEED_PROJECTS = 5000
FEEDS = 4
PIPELINES = 200
STAGES = 5
HEALTH_ENDPOINTS = 200
HEALTH_LATENCY_S = 0.05
WORKERS = 32
SERVER_THREADS = 64


def _median_ms(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def bench_big_feed(base: str, body: bytes) -> None:
    print(f"{BIG_FEED_PROJECTS:,}-project cctray feed ({len(body) / 1e6:.2f} MB) from loopback")
    median, best = _median_ms(lambda: parse_feed(body), 15)
    print(f"  parse only             median {median:6.1f} ms   best {best:6.1f} ms")
    url = f"{base}/big.xml"
    median, best = _median_ms(lambda: fetch_feed(HttpClient(), url), 10)
    print(f"  fetch + parse (200)    median {median:6.1f} ms   best {best:6.1f} ms")
    warm = HttpClient()
    fetch_feed(warm, url)
    median, best = _median_ms(lambda: fetch_feed(warm, url), 10)
    print(f"  fetch + parse (304)    median {median:6.1f} ms   best {best:6.1f} ms")
    warm.close()


def _refresh(
    http: HttpClient,
    pool: ThreadPoolExecutor,
    feed_urls: list[str],
    pipelines: list[tuple[int, CctraySource]],
    health: list[HealthSource],
    shared_feeds: bool,
) -> tuple[float, int, int, int]:
    """One refresh of the whole board; (wall s, requests, 304s, failed pipelines)."""
    sent0, cached0 = http.requests_sent, http.not_modified
    started = time.perf_counter()
    health_jobs = [pool.submit(h.fetch, http) for h in health]
    if shared_feeds:
        feeds = list(pool.map(lambda u: fetch_feed(http, u), feed_urls))
        readings = [src.read(feeds[feed]) for feed, src in pipelines]
    else:
        readings = list(pool.map(lambda p: p[1].fetch(http), pipelines))
    for job in health_jobs:
        job.result()
    wall = time.perf_counter() - started
    failed = sum(1 for r in readings if r.failed_stage)
    return wall, http.requests_sent - sent0, http.not_modified - cached0, failed


def bench_refresh(base: str, health_base: str) -> None:
    per_feed = PIPELINES // FEEDS
    feed_urls = [f"{base}/feeds/{f}.xml" for f in range(FEEDS)]
    pipelines = [
        (p // per_feed, CctraySource(feed_urls[p // per_feed], project_prefix=f"pipe-{p:04d} :: "))
        for p in range(PIPELINES)
    ]
    tls = TlsExpiryCache()
    health = [
        HealthSource(f"{health_base}/health/{n}", tls_cache=tls) for n in range(HEALTH_ENDPOINTS)
    ]
    print(
        f"\nboard refresh: {PIPELINES} pipelines on {FEEDS} cctray feeds "
        f"({PIPELINES * STAGES:,} projects) + {HEALTH_ENDPOINTS} health endpoints "
        f"(+{HEALTH_LATENCY_S * 1000:.0f} ms each), {WORKERS} workers"
    )
    for shared, title in ((True, "each feed fetched once"), (False, "each pipeline fetches")):
        http = HttpClient()
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="bench-refresh") as pool:
            for round_name in ("first", "second"):
                wall, sent, cached, failed = _refresh(
                    http, pool, feed_urls, pipelines, health, shared
                )
                share = cached / sent if sent else 0.0
                print(
                    f"  {title:24s} {round_name:6s} refresh {wall:6.3f} s  "
                    f"{sent:4d} requests  304s {cached:4d} ({share:5.1%})  "
                    f"failed pipelines {failed}"
                )
        http.close()
    floor = HEALTH_ENDPOINTS * HEALTH_LATENCY_S / WORKERS
    print(
        f"  (floor set by health latency: {HEALTH_ENDPOINTS} x 50 ms / {WORKERS} = {floor:.3f} s)"
    )


def main() -> None:
    big = cctray_feed(range(BIG_FEED_PROJECTS // STAGES), STAGES)
    per_feed = PIPELINES // FEEDS
    documents = {"/big.xml": Document(big)} | {
        f"/feeds/{f}.xml": Document(cctray_feed(range(f * per_feed, (f + 1) * per_feed), STAGES))
        for f in range(FEEDS)
    }
    feeds = LoopbackServer(documents, workers=SERVER_THREADS).start()
    health = LoopbackServer({}, latency_s=HEALTH_LATENCY_S, workers=SERVER_THREADS).start()
    try:
        bench_big_feed(feeds.base_url, big)
        bench_refresh(feeds.base_url, health.base_url)
    finally:
        feeds.stop()
        health.stop()


if __name__ == "__main__":
    main()
