"""The first poll of a fresh process loads the network stack from many threads at once.

`requests`, urllib3 and the source adapters load with the first poll, not at start-up (the
first picture comes from the store). Imports started on several pool threads at the same time
can deadlock in importlib (`_DeadlockError`) and leave a module half-initialised for the rest
of the process: every item then said "internal error while reading: ImportError". This runs a
board's first poll, 64 jobs on 16 threads, in a fresh interpreter (this test process has long
loaded requests) against loopback feeds and health endpoints, several times, watching every
import of the stack: never two threads executing one at the same moment.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3
FEED = (
    "<Projects>"
    + "".join(
        f'<Project name="p{n}" activity="Sleeping" lastBuildStatus="Success" lastBuildLabel="1" '
        f'lastBuildTime="2026-12-05T08:00:00Z" webUrl="http://ci/p{n}"/>'
        for n in range(16)
    )
    + "</Projects>"
)

FIRST_POLL = textwrap.dedent(
    """
    import importlib.abc
    import importlib.machinery
    import sys
    import threading
    from concurrent.futures import ThreadPoolExecutor

    STACK = ("requests", "urllib3", "charset_normalizer", "idna", "app.sources.")
    inside: dict[int, int] = {}  # thread -> depth of network-stack imports it is executing
    most = [0]  # the most threads executing such imports at the same moment
    guard = threading.Lock()

    class Watch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if not name.startswith(STACK):
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            run = spec.loader.exec_module

            def exec_module(module):
                me = threading.get_ident()
                with guard:
                    inside[me] = inside.get(me, 0) + 1
                    most[0] = max(most[0], len(inside))
                try:
                    run(module)
                finally:
                    with guard:
                        inside[me] -= 1
                        if not inside[me]:
                            del inside[me]

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Watch())

    from app.config.loader import parse_board
    from app.services.board_jobs import build_jobs
    from app.services.polling import run_job
    from app.sources.errors import SourceError
    from app.sources.http import HttpClient

    health, feed = sys.argv[1], sys.argv[2]
    toml = '[board]\\nname = "t"\\n' + "".join(
        f'[[pipelines]]\\nname = "p{n}"\\nsource = "cctray"\\nurl = "{feed}?n={n}"\\n'
        f'projects = ["p{n}"]\\n'
        for n in range(2)
    ) + "".join(
        f'[[environments]]\\nname = "env-{n}"\\nurl = "{health}"\\n' for n in range(200)
    )
    jobs = build_jobs(parse_board(toml, "board.toml"))
    http = HttpClient()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda job: run_job(job, http), jobs))
    failed = [r for res in results for r in res.values() if isinstance(r, SourceError)]
    print(f"{len(failed)} of {len(jobs)} failed: {failed[:1]}; at most {most[0]} threads importing")
    assert "requests" in sys.modules
    sys.exit(1 if failed or most[0] > 1 else 0)
    """
)


def test_the_first_poll_loads_the_network_stack_once_from_many_threads(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_POLL, httpserver.url_for("/health"),
             httpserver.url_for("/cc.xml")],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr[-2000:]
