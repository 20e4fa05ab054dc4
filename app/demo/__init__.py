"""`--demo`: the whole app on a bundled scenario, with no account and no network.

`start_demo()` starts loopback HTTP servers that play a team's compressed day of delivery
(`app.demo.scenario`) in the shapes real vendors answer with: a GitHub (Actions runs and jobs,
and the platform team's Issues as the tracker), a GitLab (pipelines and jobs), a CI server's
cctray feed, and health endpoints. It then writes an ordinary board file pointing at them
(`app.demo.board`) and returns its path: the app loads that file like any board, so the demo
runs through exactly the code paths of real use.

    with start_demo() as demo:
        run_the_app(board=demo.board_path)

`speed` runs the scenario faster (2.0: the five-minute day takes two and a half); `clock` is a
callable returning seconds since the start, so tests can jump to any moment without sleeping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Self
from urllib.parse import quote

from app.demo import scenario
from app.demo.board import TOKEN_ENV, write_board
from app.demo.cctray_feed import FEED_PATH, CctrayService
from app.demo.github_api import ACTIONS_REPO, WORKFLOW_FILE, GitHubService
from app.demo.gitlab_api import PROJECT_PATH, GitLabService
from app.demo.health_endpoints import HealthService
from app.demo.scenario import DemoState
from app.demo.servers import LoopbackServer
from app.demo.tracker import IssueTracker
from app.demo.wire import Clock, Timebase

DEMO_TOKEN = "demo-token-not-a-secret"

_token_lock = threading.Lock()
_token_users = 0
_token_set_by_demo = False


def _take_token() -> None:
    global _token_users, _token_set_by_demo
    with _token_lock:
        if _token_users == 0 and not os.environ.get(TOKEN_ENV):
            os.environ[TOKEN_ENV] = DEMO_TOKEN
            _token_set_by_demo = True
        _token_users += 1


def _release_token() -> None:
    global _token_users, _token_set_by_demo
    with _token_lock:
        _token_users = max(0, _token_users - 1)
        if _token_users == 0 and _token_set_by_demo:
            if os.environ.get(TOKEN_ENV) == DEMO_TOKEN:
                del os.environ[TOKEN_ENV]
            _token_set_by_demo = False


def _stop_all(servers: list[LoopbackServer]) -> None:
    """Stop the servers side by side: each waits up to a poll interval for its accept loop."""
    stoppers = [
        threading.Thread(target=server.stop, name=f"releasable-demo-stop-{server.name}")
        for server in servers
    ]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()


class DemoHandle:
    """A running demo: where its board file is, its servers' URLs, and how to stop it.

    `urls` keys: `github` (API base, also the tracker's), `tracker`, `gitlab` (API base, ending
    in /api/v4), `cctray` (the feed), `health` (the host of the health endpoints), one
    `environment:<name>` per environment, and one `pipeline:<name>` per pipeline (the address
    its source reads first).
    """

    def __init__(
        self,
        *,
        board_path: Path,
        urls: dict[str, str],
        timebase: Timebase,
        servers: list[LoopbackServer],
        tracker: IssueTracker,
        owned_dir: Path | None,
    ) -> None:
        self.board_path = board_path
        self.urls = MappingProxyType(urls)
        self.timebase = timebase
        self.tracker = tracker
        self._servers = servers
        self._owned_dir = owned_dir
        self._stopped = False
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self.timebase.speed

    @property
    def running(self) -> bool:
        return not self._stopped

    def now(self) -> float:
        """Scenario seconds since the demo started (not wrapped to the loop)."""
        return self.timebase.now()

    def state(self) -> DemoState:
        """What the servers show right now."""
        return scenario.state_at(self.now())

    def ports(self) -> list[int]:
        return [server.port for server in self._servers]

    def threads(self) -> list[threading.Thread]:
        """The threads the demo's servers run now; empty once stopped."""
        return [thread for server in self._servers for thread in server.threads()]

    def stop(self) -> None:
        """Stop every server, free its port, join its threads; remove the board if ours."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            _stop_all(self._servers)
        finally:
            _release_token()
            if self._owned_dir is not None:
                shutil.rmtree(self._owned_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else f"t={self.now():.1f}s"
        return f"DemoHandle({self.board_path}, {state})"


def start_demo(
    speed: float = 1.0, clock: Clock | None = None, *, directory: Path | None = None
) -> DemoHandle:
    """Start the demo's loopback servers and write its board file.

    `directory` receives the board file; by default a fresh temporary directory, removed by
    `stop()`. Sets `RELEASABLE_DEMO_TOKEN` (the board's token variable) to a dummy value in
    this process unless it is already set.
    """
    timebase = Timebase(clock, speed)
    servers: list[LoopbackServer] = []
    owned_dir: Path | None = None
    _take_token()
    try:
        for name in ("github", "gitlab", "cctray", "health"):
            servers.append(LoopbackServer(name, timebase))
        github_srv, gitlab_srv, cctray_srv, health_srv = servers
        github = GitHubService(timebase, github_srv.base_url)
        health = HealthService(timebase, health_srv.base_url)
        github_srv.serve(github)
        gitlab_srv.serve(GitLabService(timebase, gitlab_srv.base_url))
        cctray_srv.serve(CctrayService(timebase, cctray_srv.base_url))
        health_srv.serve(health)

        gitlab_api = f"{gitlab_srv.base_url}/api/v4"
        feed = cctray_srv.base_url + FEED_PATH
        urls = {
            "github": github_srv.base_url,
            "tracker": github_srv.base_url,
            "gitlab": gitlab_api,
            "cctray": feed,
            "health": health_srv.base_url,
            "pipeline:api": f"{github_srv.base_url}/repos/{ACTIONS_REPO}/actions/workflows/"
            f"{WORKFLOW_FILE}/runs",
            "pipeline:web": feed,
            "pipeline:mobile": f"{gitlab_api}/projects/{quote(PROJECT_PATH, safe='')}/pipelines",
            "pipeline:docs": feed,
        }
        for plan in scenario.ENVIRONMENTS:
            urls[f"environment:{plan.name}"] = health.url(plan.name)

        target = directory
        if target is None:
            owned_dir = target = Path(tempfile.mkdtemp(prefix="releasable-demo-"))
        board_path = write_board(
            {
                "github": urls["github"],
                "gitlab": urls["gitlab"],
                "cctray": feed,
                "test_health": urls["environment:test"],
                "staging_health": urls["environment:staging"],
                "production_health": urls["environment:production"],
                "auth_health": urls["environment:auth-service"],
            },
            target,
        )
    except BaseException:
        _stop_all(servers)
        _release_token()
        if owned_dir is not None:
            shutil.rmtree(owned_dir, ignore_errors=True)
        raise
    return DemoHandle(
        board_path=board_path,
        urls=urls,
        timebase=timebase,
        servers=servers,
        tracker=github.tracker,
        owned_dir=owned_dir,
    )


__all__ = ["DEMO_TOKEN", "DemoHandle", "start_demo"]
