"""The demo's loopback servers, read over real HTTP at chosen moments of the scenario.

The clock is injected, so a test jumps to t=70 s instead of waiting for it. Payloads are read
with plain `requests` (their shape is the vendors' documented one) and, where they exist, with
the app's real sources and tracker adapter: the demo must go through exactly their code paths.
"""

from __future__ import annotations

import os
import socket
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import requests

from app.demo import DEMO_TOKEN, DemoHandle, start_demo
from app.demo.board import BOARD_TEMPLATE, TOKEN_ENV

ROOT = Path(__file__).resolve().parents[2]


class StepClock:
    """Seconds since the demo started, set by the test."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture(autouse=True)
def _no_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo sets its dummy token only when the variable is not set already."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)


@pytest.fixture
def demo(clock: StepClock) -> Iterator[DemoHandle]:
    handle = start_demo(clock=clock)
    yield handle
    handle.stop()


@pytest.fixture
def web() -> Iterator[requests.Session]:
    session = requests.Session()
    yield session
    session.close()


def get(web: requests.Session, url: str, **params: Any) -> requests.Response:
    resp = web.get(url, params=params or None, timeout=5)
    assert resp.status_code in (200, 503), (url, resp.status_code, resp.text[:200])
    return resp


def latest_run(web: requests.Session, demo: DemoHandle) -> dict[str, Any]:
    runs = get(web, demo.urls["pipeline:api"], branch="main").json()["workflow_runs"]
    return cast(dict[str, Any], runs[0])


def run_jobs(web: requests.Session, run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {j["name"]: j for j in get(web, run["jobs_url"]).json()["jobs"]}


def feed(web: requests.Session, demo: DemoHandle) -> dict[str, dict[str, str]]:
    import defusedxml.ElementTree as ET

    root = ET.fromstring(get(web, demo.urls["cctray"]).content)
    assert root.tag == "Projects"
    return {p.get("name"): dict(p.attrib) for p in root.iter("Project")}


def health(web: requests.Session, demo: DemoHandle, env: str) -> requests.Response:
    return get(web, demo.urls[f"environment:{env}"])


# -- the board file ----------------------------------------------------------------------------


def test_board_file_is_an_ordinary_board_pointing_at_the_loopback_servers(
    demo: DemoHandle,
) -> None:
    board = tomllib.loads(demo.board_path.read_text(encoding="utf-8"))
    assert board["board"] == {
        "name": "Payments team",
        "refresh_seconds": 2,
        "stale_after_seconds": 20,
    }
    sources = {p["name"]: p["source"] for p in board["pipelines"]}
    assert sources == {
        "api": "github-actions",
        "web": "cctray",
        "mobile": "gitlab",
        "docs": "cctray",
    }
    docs = next(p for p in board["pipelines"] if p["name"] == "docs")
    assert docs["delivery_path"] is False
    assert [e["name"] for e in board["environments"]] == [
        "test",
        "staging",
        "production",
        "auth-service",
    ]
    assert board["tracker"]["kind"] == "github"
    assert board["tracker"]["token_env"] == TOKEN_ENV
    urls = [p.get("url") or p.get("api_url") for p in board["pipelines"]]
    urls += [e["url"] for e in board["environments"]] + [board["tracker"]["api_url"]]
    assert all(u.startswith("http://127.0.0.1:") for u in urls)
    assert os.environ[TOKEN_ENV] == DEMO_TOKEN


def test_the_real_loader_accepts_the_demo_board(demo: DemoHandle) -> None:
    from app.config.loader import load_board

    cfg = load_board(demo.board_path)
    assert cfg.name == "Payments team"
    assert [p.name for p in cfg.pipelines] == ["api", "web", "mobile", "docs"]
    assert [e.name for e in cfg.environments] == ["test", "staging", "production", "auth-service"]


def test_the_documented_demo_board_is_the_template_the_demo_fills_in() -> None:
    assert (ROOT / "resources/boards/demo.toml").read_text(encoding="utf-8") == BOARD_TEMPLATE


# -- the day, read with plain requests ----------------------------------------------------------


def test_at_3_s_everything_is_green_and_readable(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 3
    run = latest_run(web, demo)
    assert (run["status"], run["conclusion"], run["head_branch"]) == (
        "completed",
        "success",
        "main",
    )
    assert {j["conclusion"] for j in run_jobs(web, run).values()} == {"success"}
    projects = feed(web, demo)
    web_stages = [n for n in projects if n.startswith("web :: ") and n.count(" :: ") == 1]
    assert web_stages == [
        f"web :: {s}" for s in ("build", "test", "e2e", "deploy-staging", "deploy-prod")
    ]
    assert {projects[n]["lastBuildStatus"] for n in web_stages} == {"Success"}
    pipelines = get(web, demo.urls["pipeline:mobile"], ref="main").json()
    assert pipelines[0]["status"] == "success"
    assert health(web, demo, "test").text == "ok"
    assert health(web, demo, "staging").json()["status"] == "UP"
    assert health(web, demo, "production").json()["status"] == "pass"
    auth = health(web, demo, "auth-service").json()
    assert auth["status"] == "UP" and set(auth["components"]) >= {"db", "redis"}


def test_a_run_in_progress_keeps_the_last_completed_one_visible(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 50
    runs = get(web, demo.urls["pipeline:api"], branch="main").json()["workflow_runs"]
    assert (runs[0]["status"], runs[0]["conclusion"]) == ("in_progress", None)
    assert (runs[1]["status"], runs[1]["conclusion"]) == ("completed", "success")
    completed = get(web, demo.urls["pipeline:api"], branch="main", status="completed").json()
    assert completed["workflow_runs"][0]["id"] == runs[1]["id"]
    jobs = run_jobs(web, runs[0])
    assert jobs["build"]["conclusion"] == "success"
    assert jobs["unit-tests"]["status"] == "in_progress"
    assert jobs["deploy-prod"]["status"] == "queued"


def test_at_70_s_the_security_scan_has_failed(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 70
    run = latest_run(web, demo)
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    jobs = run_jobs(web, run)
    assert jobs["security-scan"]["conclusion"] == "failure"
    assert jobs["deploy-prod"]["conclusion"] == "skipped"
    page = web.get(jobs["security-scan"]["html_url"], timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_at_100_s_staging_is_down(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 100
    resp = health(web, demo, "staging")
    assert resp.status_code == 503
    assert resp.json()["status"] == "DOWN"
    assert resp.json()["components"]["db"]["status"] == "DOWN"


def test_by_160_s_the_api_and_staging_have_recovered(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 160
    run = latest_run(web, demo)
    assert (run["conclusion"], run["display_title"]) == (
        "success",
        "Mark scanner finding on jackson-databind as a false positive",
    )
    assert health(web, demo, "staging").json()["status"] == "UP"


def test_web_e2e_fails_then_passes_on_a_rerun(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 171
    e2e = feed(web, demo)
    assert e2e["web :: e2e"]["lastBuildStatus"] == "Failure"
    assert e2e["web :: e2e :: firefox"]["lastBuildStatus"] == "Failure"
    clock.t = 178
    assert feed(web, demo)["web :: e2e"]["activity"] == "Building"
    clock.t = 183
    again = feed(web, demo)["web :: e2e"]
    assert again["lastBuildStatus"] == "Success"
    assert again["webUrl"].endswith("/e2e/2")


def test_production_is_degraded_for_a_while(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 205
    resp = health(web, demo, "production")
    assert (resp.status_code, resp.headers["Content-Type"]) == (200, "application/health+json")
    assert resp.json()["status"] == "warn"
    clock.t = 220
    assert health(web, demo, "production").json()["status"] == "pass"


def test_mobile_lint_is_allowed_to_fail(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 240
    pipeline = get(web, demo.urls["pipeline:mobile"], ref="main").json()[0]
    assert pipeline["status"] == "success"
    jobs = get(web, f"{demo.urls['pipeline:mobile']}/{pipeline['id']}/jobs").json()
    lint = next(j for j in jobs if j["name"] == "lint")
    assert (lint["status"], lint["allow_failure"], lint["stage"]) == ("failed", True, "lint")
    assert [j["id"] for j in jobs] == sorted((j["id"] for j in jobs), reverse=True)


def test_other_teams_projects_share_the_feed_without_the_prefix(
    demo: DemoHandle, web: requests.Session
) -> None:
    names = list(feed(web, demo))
    assert "webhooks :: build" in names and "web-legacy :: build" in names
    assert not any(
        n.startswith("web :: ") for n in names if n.startswith(("webhooks", "web-legacy"))
    )


def test_the_day_loops_with_new_run_numbers(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 70
    first = latest_run(web, demo)
    clock.t = 370
    second = latest_run(web, demo)
    assert second["conclusion"] == first["conclusion"] == "failure"
    assert second["run_number"] == first["run_number"] + 2
    assert second["id"] != first["id"]


def test_speed_makes_the_day_shorter(clock: StepClock, web: requests.Session) -> None:
    with start_demo(speed=2.0, clock=clock) as fast:
        clock.t = 35
        assert latest_run(web, fast)["conclusion"] == "failure"


# -- the HTTP the real clients rely on ----------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["pipeline:api", "pipeline:mobile", "cctray", "environment:staging"]
)
def test_an_unchanged_second_fetch_is_answered_304(
    demo: DemoHandle, clock: StepClock, web: requests.Session, key: str
) -> None:
    clock.t = 3
    first = get(web, demo.urls[key])
    etag = first.headers["ETag"]
    clock.t = 5
    second = web.get(demo.urls[key], headers={"If-None-Match": etag}, timeout=5)
    assert (second.status_code, second.content, second.headers["ETag"]) == (304, b"", etag)
    clock.t = 100  # the api run, the staging outage: every one of these has changed
    third = web.get(demo.urls[key], headers={"If-None-Match": etag}, timeout=5)
    assert third.status_code in (200, 503) and third.headers.get("ETag") != etag


def test_github_and_gitlab_paginate_as_documented(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    clock.t = 130
    runs = get(web, demo.urls["pipeline:api"], per_page=1)
    assert runs.json()["total_count"] == 3 and len(runs.json()["workflow_runs"]) == 1
    assert runs.links["next"]["url"].startswith(demo.urls["github"])
    pipeline = get(web, demo.urls["pipeline:mobile"]).json()[0]
    jobs_url = f"{demo.urls['pipeline:mobile']}/{pipeline['id']}/jobs"
    page1 = get(web, jobs_url, per_page=3)
    assert (page1.headers["x-next-page"], page1.headers["x-total"]) == ("2", "7")
    page3 = get(web, jobs_url, per_page=3, page=3)
    assert (page3.headers["x-next-page"], len(page3.json())) == ("", 1)
    by_id = get(web, f"{demo.urls['gitlab']}/projects/48211907/pipelines").json()
    assert by_id[0]["id"] == pipeline["id"]


@pytest.mark.parametrize(
    ("moment", "outcomes", "healths"),
    [
        (
            3,
            {"api": "passed", "web": "passed", "mobile": "passed", "docs": "passed"},
            {"test": "up", "staging": "up", "production": "up", "auth-service": "up"},
        ),
        (70, {"api": "failed", "web": "passed", "mobile": "passed"}, {"staging": "up"}),
        (100, {"api": "failed"}, {"staging": "down", "production": "up"}),
        (
            160,
            {"api": "passed", "web": "passed", "mobile": "passed", "docs": "failed"},
            {"staging": "up", "production": "up"},
        ),
        (171, {"web": "failed"}, {}),
        (205, {"web": "passed"}, {"production": "degraded"}),
    ],
)
def test_the_real_sources_read_the_scenario(
    demo: DemoHandle,
    clock: StepClock,
    moment: float,
    outcomes: dict[str, str],
    healths: dict[str, str],
) -> None:
    from app.sources.cctray import CctraySource
    from app.sources.github_actions import GitHubActionsSource
    from app.sources.gitlab import GitLabSource
    from app.sources.health import HealthSource
    from app.sources.http import HttpClient

    sources: dict[str, Any] = {
        "api": GitHubActionsSource(
            api_url=demo.urls["github"],
            repo="acme/payments-api",
            workflow="deploy.yml",
            branch="main",
            token=DEMO_TOKEN,
        ),
        "web": CctraySource(demo.urls["cctray"], project_prefix="web :: "),
        "mobile": GitLabSource(
            api_url=demo.urls["gitlab"], project="acme/mobile", ref="main", token=DEMO_TOKEN
        ),
        "docs": CctraySource(demo.urls["cctray"], project_prefix="docs :: "),
    }
    http = HttpClient()
    try:
        clock.t = moment
        seen = {name: sources[name].fetch(http) for name in outcomes}
        assert {n: r.outcome.value for n, r in seen.items()} == outcomes
        if "api" in seen and outcomes["api"] == "failed":
            assert seen["api"].failed_stage == "security-scan"
        if moment == 3:
            assert [s.name for s in seen["web"].stages] == [
                "build",
                "test",
                "e2e",
                "deploy-staging",
                "deploy-prod",
            ]
            assert {s.name: s.status.value for s in seen["mobile"].stages}["lint"] == "warning"
        got = {
            e: HealthSource(demo.urls[f"environment:{e}"]).fetch(http).health.value for e in healths
        }
        assert got == healths
        again = {name: sources[name].fetch(http) for name in outcomes}
        assert {n: r.outcome.value for n, r in again.items()} == outcomes
        assert http.not_modified > 0  # the second round was answered 304
    finally:
        http.close()


# -- the tracker ---------------------------------------------------------------------------


def test_the_tracker_creates_and_finds_an_issue(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    api = f"{demo.urls['tracker']}/repos/acme/platform/issues"
    auth = {"Authorization": "Bearer anything-goes"}
    clock.t = 10
    assert web.post(api, json={"title": "x"}, timeout=5).status_code == 401
    invalid = web.post(api, json={"body": "no title"}, headers=auth, timeout=5)
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "title"
    made = web.post(
        api,
        headers=auth,
        timeout=5,
        json={
            "title": "Laptop won't boot",
            "body": "blocked\n<!-- releasable-key: rls-abc -->",
            "labels": ["delivery-blocker", "P1"],
        },
    )
    assert made.status_code == 201
    issue = made.json()
    assert issue["state"] == "open" and issue["html_url"].startswith(demo.urls["tracker"])
    assert [label["name"] for label in issue["labels"]] == ["delivery-blocker", "P1"]
    assert made.headers["Location"] == f"{api}/{issue['number']}"
    login = web.get(f"{demo.urls['tracker']}/user", headers=auth, timeout=5).json()["login"]
    since = datetime.now(UTC).replace(year=2000).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = get(web, api, creator=login, since=since, state="all", per_page=100).json()
    assert [i["number"] for i in found] == [issue["number"]]
    assert get(web, f"{api}/{issue['number']}").json()["body"].endswith("rls-abc -->")
    clock.t = 10 + 91  # the platform team fixes what the demo's user files
    assert get(web, f"{api}/{issue['number']}").json()["state"] == "closed"


def test_dana_reports_her_broken_laptop_as_a_p1(
    demo: DemoHandle, clock: StepClock, web: requests.Session
) -> None:
    api = f"{demo.urls['tracker']}/repos/acme/platform/issues"
    clock.t = 240
    open_p1 = get(web, api, labels="delivery-blocker,P1").json()
    assert [i["user"]["login"] for i in open_p1] == ["dana-kowalski"]
    assert "Laptop won't boot" in open_p1[0]["title"]
    clock.t = 280
    assert get(web, api, labels="delivery-blocker,P1").json() == []
    closed = get(web, api, state="closed").json()
    assert len(closed) == 4  # three from the week before, and Dana's


def test_the_real_tracker_adapter_files_and_finds_a_report(demo: DemoHandle) -> None:
    from app.domain.model import BlockerState, Priority
    from app.domain.report import Report
    from app.domain.report_body import marker_for, new_report_key
    from app.sources.http import HttpClient
    from app.trackers.github import GitHubTracker

    key = new_report_key()
    report = Report(
        key=key,
        title="Laptop won't boot",
        category="workstation-broken",
        priority=Priority.P1,
        body=f"Cannot deploy.\n\n{marker_for(key)}\n",
        reporter="newcomer",
        board="Payments team",
        created_at=datetime.now(UTC),
    )
    tracker = GitHubTracker(
        repo="acme/platform",
        token=os.environ[TOKEN_ENV],
        api_url=demo.urls["tracker"],
        labels=["delivery-blocker"],
    )
    http = HttpClient()
    try:
        filed = tracker.create(http, report)
        assert filed.warnings == () and filed.url.startswith(demo.urls["tracker"])
        assert tracker.find(http, report, report.created_at) == filed
        assert tracker.state(http, filed) is BlockerState.OPEN
    finally:
        http.close()


# -- stopping ------------------------------------------------------------------------------


def test_stop_frees_the_ports_and_the_threads(clock: StepClock) -> None:
    demo = start_demo(clock=clock)
    board_dir = demo.board_path.parent
    with requests.Session() as session:  # leave keep-alive connections open on purpose
        for key in ("github", "cctray", "environment:test", "pipeline:mobile"):
            session.get(demo.urls[key], timeout=5)
        assert demo.threads()
        demo.stop()
    assert demo.threads() == []
    for port in demo.ports():
        with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
            probe.connect(("127.0.0.1", port))
    assert not board_dir.exists()
    assert TOKEN_ENV not in os.environ
    demo.stop()  # a second stop is harmless


def test_a_server_serves_a_bounded_number_of_connections_at_once() -> None:
    from app.demo.servers import LoopbackServer
    from app.demo.wire import Timebase, text_reply

    class Hello:
        name = "hello"

        def handle(self, req: Any) -> Any:
            return text_reply("hello")

    server = LoopbackServer("bounded", Timebase(lambda: 0.0), max_connections=1, busy_wait_s=0)
    server.serve(Hello())
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as idle:
            idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # keeps its slot: keep-alive
            assert idle.recv(4096).startswith(b"HTTP/1.1 200")
            busy = requests.get(server.base_url, timeout=5)
            assert (busy.status_code, busy.headers["Retry-After"]) == (503, "1")
    finally:
        server.stop()
    assert server.threads() == []
