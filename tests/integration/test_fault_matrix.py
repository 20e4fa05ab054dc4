"""Every source against every fault a server or network can throw at it.

Each cell must end in a `SourceError` whose words say what happened (for a health check, a
DOWN or UNKNOWN reading with words is also fine: a bad answer is a reading there), and
nothing else may escape: no KeyError, no JSONDecodeError, no RecursionError, no ValueError,
no requests exception. Each cell also ends in bounded time: a server that trickles its
answer a byte at a time is cut off at the request's total deadline, and a server's "come
back later" is honoured for at most an hour.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WzResponse

from app.domain.model import EnvironmentReading, Health, Outcome, PipelineReading
from app.sources.cctray import CctraySource
from app.sources.errors import SourceError
from app.sources.github_actions import GitHubActionsSource
from app.sources.gitlab import GitLabSource
from app.sources.health import HealthSource, TlsExpiryCache
from app.sources.http import MAX_WAIT_S, HttpClient
from app.sources.jenkins import JenkinsSource
from app.trackers.base import TrackerError
from app.trackers.github import GitHubTracker
from app.trackers.gitlab import GitLabTracker
from app.trackers.jira import JiraTracker
from app.trackers.webhook import WebhookTracker
from tests.fixtures.trackers.reports import sample_report
from tests.hostile_server import TricklingServer, http_answer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HINTS = {
    "cctray": "CI_TOKEN",
    "jenkins": "JENKINS_TOKEN",
    "github_actions": "GITHUB_TOKEN",
    "gitlab": "GITLAB_TOKEN",
}
SOURCES = ["cctray", "health", "jenkins", "github_actions", "gitlab"]
ANY_PATH = re.compile(".*")
LOGIN_PAGE = (FIXTURES / "health" / "login.html").read_bytes()
ENTITY_BOMB = (FIXTURES / "cctray" / "entity_bomb.xml").read_bytes()
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
DEEP_XML = b"<Projects>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</Projects>"
DEADLINE_S = 0.3
RATE_LIMITED = r"rate-limited until (\w{3} \d+ \w{3} )?\d\d:\d\d \(%d\)"


def _make_source(kind: str, base: str) -> Any:
    if kind == "cctray":
        return CctraySource(
            f"{base}/go/cctray.xml",
            project_prefix="web :: ",
            auth=("ci", "t0k"),
            token_hint=HINTS[kind],
        )
    if kind == "health":
        return HealthSource(f"{base}/actuator/health", tls_cache=TlsExpiryCache())
    if kind == "jenkins":
        return JenkinsSource(
            f"{base}/job/payments/job/api/", username="ci", token="t0k", token_hint=HINTS[kind]
        )
    if kind == "github_actions":
        return GitHubActionsSource(
            api_url=base,
            repo="acme/payments-api",
            workflow="deploy.yml",
            branch="main",
            token="t0k",
            token_hint=HINTS[kind],
        )
    return GitLabSource(
        api_url=f"{base}/api/v4",
        project="acme/mobile",
        ref="main",
        token="t0k",
        token_hint=HINTS[kind],
    )


@dataclass(frozen=True)
class Fault:
    """How the server misbehaves, and the words each kind of source must answer with."""

    name: str
    serve: Callable[[HTTPServer, str], None] | None  # None: no server at all
    words: Callable[[str], str]  # source kind → regex the words must match


def _respond(body: bytes, status: int = 200, ctype: str = "", **headers: str) -> Any:
    def serve(server: HTTPServer, _kind: str) -> None:
        server.expect_request(ANY_PATH).respond_with_data(
            body, status=status, content_type=ctype or None, headers=headers
        )

    return serve


def _per_kind(json_body: bytes, xml_body: bytes, ctype_json: str, ctype_xml: str) -> Any:
    def serve(server: HTTPServer, kind: str) -> None:
        body, ctype = (xml_body, ctype_xml) if kind == "cctray" else (json_body, ctype_json)
        server.expect_request(ANY_PATH).respond_with_data(body, content_type=ctype)

    return serve


def _redirect_loop(server: HTTPServer, _kind: str) -> None:
    def handler(request: Request) -> WzResponse:
        return WzResponse("", status=302, headers={"Location": request.full_path})

    server.expect_request(ANY_PATH).respond_with_handler(handler)


def _by_kind(default: str, **special: str) -> Callable[[str], str]:
    return lambda kind: special.get(kind, default)


FAULTS = [
    Fault("connection refused", None, _by_kind(r"connection refused by 127\.0\.0\.1:\d+")),
    Fault("timeout", None, _by_kind(r"^no answer within 0\.3 s from 127\.0\.0\.1:\d+$")),
    Fault("500", _respond(b"oops", 500), _by_kind(r"server error 500")),
    Fault(
        "401",
        _respond(b"", 401),
        lambda kind: (
            r"asks for sign-in \(401\)"
            if kind == "health"
            else rf"token rejected \(401\) — check {HINTS[kind]}"
        ),
    ),
    Fault("403", _respond(b"", 403), _by_kind(r"denied \(403\)")),
    Fault("404", _respond(b"", 404), _by_kind(r"not found.*\(404\)")),
    Fault(
        "429 with Retry-After",
        _respond(b"", 429, **{"Retry-After": "90"}),
        _by_kind(RATE_LIMITED % 429),
    ),
    Fault(
        "429 with Retry-After 999999 (11 days)",
        _respond(b"", 429, **{"Retry-After": "999999"}),
        _by_kind(RATE_LIMITED % 429),
    ),
    Fault(
        "429 with Retry-After an impossible date",
        _respond(b"", 429, **{"Retry-After": "Fri, 99 Foo 99999999 99:99:99 GMT"}),
        _by_kind(RATE_LIMITED % 429),
    ),
    Fault(
        "429 with Retry-After a date in year 9999",
        _respond(b"", 429, **{"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}),
        _by_kind(RATE_LIMITED % 429),
    ),
    Fault(
        "403 with x-ratelimit-remaining 0",
        _respond(
            b'{"message": "API rate limit exceeded"}',
            403,
            "application/json",
            **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"},
        ),
        _by_kind(RATE_LIMITED % 403),
    ),
    Fault(
        "403 with x-ratelimit-reset 99999999999999",
        _respond(
            b'{"message": "API rate limit exceeded"}',
            403,
            "application/json",
            **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999999999999"},
        ),
        _by_kind(RATE_LIMITED % 403),
    ),
    Fault(
        "403 with x-ratelimit-reset inf and remaining nan",
        _respond(
            b'{"message": "API rate limit exceeded"}',
            403,
            "application/json",
            **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1e400"},
        ),
        _by_kind(RATE_LIMITED % 403),
    ),
    Fault(
        "malformed body",
        _per_kind(
            b'{"total_count": 1, "workflow_runs": [{"id": ',
            b'<Projects><Project name="web :: build"',
            "application/json",
            "application/xml",
        ),
        _by_kind(r"not valid JSON", cctray=r"feed is not well-formed XML \(line 1"),
    ),
    Fault(
        "HTML instead of JSON or XML",
        _respond(LOGIN_PAGE, 200, "text/html"),
        _by_kind(
            r"expected JSON but got an HTML page from http://127\.0\.0\.1:\d+/\S* \(looks like a"
            r" sign-in page",
            cctray=r"feed is not cctray XML \(root is <html>\)",
            health=r"^got an HTML page, not a health report \(sign-in page\?\)$",
        ),
    ),
    Fault("10 MB body", _respond(b"x" * 10 * 1024 * 1024, 200), _by_kind(r"too large")),
    Fault(
        "XML entity bomb",
        _respond(ENTITY_BOMB, 200, "application/xml"),
        _by_kind(
            r"not valid JSON \(starts with '<\?xml",
            cctray=r"^feed refused: XML entities are not allowed$",
            health=r"^got XML, not a health report$",
        ),
    ),
    Fault(
        "invalid UTF-8",
        _per_kind(
            b'{"status": "\xff\xfe"}',
            b'<Projects><Project name="\xff"/></Projects>',
            "application/json",
            "application/xml",
        ),
        _by_kind(r"not valid UTF-8", cctray=r"^feed is not valid UTF-8 \(byte 25\)$"),
    ),
    Fault("redirect loop", _redirect_loop, _by_kind(r"too many redirects from 127\.0\.0\.1")),
    Fault(
        "nested 100,000 deep",
        _per_kind(DEEP_JSON, DEEP_XML, "application/json", "application/xml"),
        _by_kind(
            r"not readable JSON \(nested more than \d+ deep\)",
            cctray=r"^no project in the feed matches 'web :: '$",  # expat nests without limit
        ),
    ),
    # Served by a raw socket that sends one byte every 50 ms: each receive is quick, only the
    # total deadline ends the read.
    Fault(
        "trickled body",
        None,
        _by_kind(rf"^no complete answer within {DEADLINE_S:g} s from 127\.0\.0\.1:\d+$"),
    ),
    Fault(
        "trickled status line and headers",
        None,
        _by_kind(rf"^no answer within {DEADLINE_S:g} s from 127\.0\.0\.1:\d+$"),
    ),
]


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets a deliberately stuck handler go once the test is done with it."""
    event = threading.Event()
    yield event
    event.set()


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
@pytest.mark.parametrize("kind", SOURCES)
def test_fault_ends_in_words(
    httpserver: HTTPServer, release: threading.Event, kind: str, fault: Fault
) -> None:
    http = HttpClient(read_timeout_s=DEADLINE_S)
    base = httpserver.url_for("").rstrip("/")
    trickling: TricklingServer | None = None
    if fault.name.startswith("trickled"):
        body = b"<Projects>" + b" " * 10_000 if kind == "cctray" else b"[" + b" " * 10_000
        trickling = TricklingServer(http_answer(body), head_first=fault.name == "trickled body")
        base = trickling.url
    elif fault.name == "connection refused":
        base = f"http://127.0.0.1:{_unused_port()}"
    elif fault.name == "timeout":

        def stuck(_request: Request) -> WzResponse:
            release.wait(5)
            return WzResponse("late")

        httpserver.expect_request(ANY_PATH).respond_with_handler(stuck)
    elif fault.serve is not None:
        fault.serve(httpserver, kind)
    source = _make_source(kind, base)
    words = fault.words(kind)

    started = time.monotonic()
    try:
        reading = source.fetch(http)
    except SourceError as err:
        assert re.search(words, str(err)), f"{kind} / {fault.name}: {err}"
        limited = fault.name.startswith(("429", "403 with"))
        assert (err.rate_limited_until is not None) == limited
        if err.rate_limited_until is not None:
            latest = datetime.now(UTC) + timedelta(seconds=MAX_WAIT_S)
            assert err.rate_limited_until <= latest, "a wait is capped at an hour"
        assert "t0k" not in str(err)
        return
    finally:
        elapsed = time.monotonic() - started
        release.set()
        http.close()
        if trickling is not None:
            trickling.close()
        # Every fault ends in bounded time: the deadline (per request) plus a margin.
        assert elapsed < 3 * DEADLINE_S + 1.0, f"{kind} / {fault.name}: took {elapsed:.1f} s"

    if kind == "cctray" and fault.name.startswith("nested"):
        assert isinstance(reading, PipelineReading) and reading.outcome is Outcome.UNKNOWN
        assert re.search(words, reading.detail), reading.detail
        return
    assert kind == "health", f"{kind} / {fault.name}: read {reading!r} instead of failing"
    assert isinstance(reading, EnvironmentReading)
    assert reading.health in (Health.DOWN, Health.UNKNOWN), reading
    assert re.search(words, reading.detail), f"{kind} / {fault.name}: {reading.detail}"


# -- every tracker against a hostile server ----------------------------------------------------

TRACKER_TOKEN = "glpat-TrackerCanary-0123456789"
TRACKERS = ["github", "gitlab", "jira", "webhook"]
T_NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _make_tracker(kind: str, base: str) -> Any:
    clock = lambda: T_NOW  # noqa: E731
    if kind == "github":
        return GitHubTracker(
            api_url=base, repo="acme/platform", token=TRACKER_TOKEN, token_hint="T", clock=clock
        )
    if kind == "gitlab":
        return GitLabTracker(
            api_url=f"{base}/api/v4", project="acme/platform", token=TRACKER_TOKEN, clock=clock
        )
    if kind == "jira":
        return JiraTracker(
            url=f"{base}/jira", flavor="cloud", project_key="OPS", email="ci@example.com",
            token=TRACKER_TOKEN, token_hint="JIRA_TOKEN", clock=clock,
        )  # fmt: skip
    return WebhookTracker(url=f"{base}/hook", token=TRACKER_TOKEN, clock=clock)


def _echo_credentials(request: Request) -> WzResponse:
    """A tracker (or the proxy in front of it) that quotes the credentials it was sent."""
    said = " ".join(
        request.headers.get(name, "") for name in ("Authorization", "PRIVATE-TOKEN")
    ).strip()
    if request.method == "POST":
        body = {
            "message": f"Validation Failed: {said}",
            "errors": [{"message": f"{said} may not"}],
            "errorMessages": [f"{said} may not"],
            "error": f"{said} may not",
        }
        return WzResponse(json.dumps(body), status=422, content_type="application/json")
    return WzResponse(f"<p>502 from upstream: Authorization: {said}</p>", status=502)


@dataclass(frozen=True)
class TrackerFault:
    name: str
    serve: Callable[[HTTPServer], None] | None  # None: the trickling server
    words: str


def _answer(body: bytes, status: int = 200, **headers: str) -> Callable[[HTTPServer], None]:
    def serve(server: HTTPServer) -> None:
        server.expect_request(ANY_PATH).respond_with_data(
            body, status=status, content_type="application/json", headers=headers
        )

    return serve


TRACKER_FAULTS = [
    TrackerFault(
        "echoes the credentials",
        lambda server: server.expect_request(ANY_PATH).respond_with_handler(_echo_credentials),
        r"\[secret\]|502",
    ),
    TrackerFault("nested 100,000 deep", _answer(DEEP_JSON, 201), r"nested more than \d+ deep"),
    TrackerFault(
        "429 with x-ratelimit-reset 99999999999999",
        _answer(
            b"{}", 429, **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999999999999"}
        ),
        r"rate limit reached \(429\)",
    ),
    TrackerFault(
        "429 with Retry-After 999999", _answer(b"{}", 429, **{"Retry-After": "999999"}), r"429"
    ),
    TrackerFault(
        "503 with Retry-After nonsense",
        _answer(b"{}", 503, **{"Retry-After": "Fri, 99 Foo 99999999 99:99:99 GMT"}),
        r"server error 503",
    ),
    TrackerFault(
        "trickled answer",
        None,
        rf"no complete answer within {DEADLINE_S:g} s from 127\.0\.0\.1:\d+",
    ),
]


@pytest.mark.parametrize("fault", TRACKER_FAULTS, ids=[f.name for f in TRACKER_FAULTS])
@pytest.mark.parametrize("action", ["create", "open_blockers"])
@pytest.mark.parametrize("kind", TRACKERS)
def test_a_tracker_fault_ends_in_words_without_the_token(
    httpserver: HTTPServer, kind: str, action: str, fault: TrackerFault
) -> None:
    if kind == "webhook" and action == "open_blockers":
        return  # a webhook lists no blockers: it sends no request
    http = HttpClient(read_timeout_s=DEADLINE_S)
    trickling: TricklingServer | None = None
    base = httpserver.url_for("").rstrip("/")
    if fault.serve is None:
        trickling = TricklingServer(http_answer(b"[" + b" " * 10_000))
        base = trickling.url
    else:
        fault.serve(httpserver)
    tracker = _make_tracker(kind, base)
    started = time.monotonic()
    try:
        if action == "create":
            tracker.create(http, sample_report())
        else:
            tracker.open_blockers(http)
    except TrackerError as err:
        assert re.search(fault.words, err.message), f"{kind} / {fault.name}: {err.message}"
        assert TRACKER_TOKEN not in err.message and "Y2lAZXhhbXBsZS5jb2" not in err.message
        if err.retry_at is not None:
            assert err.retry_at <= T_NOW + timedelta(seconds=MAX_WAIT_S), "capped at an hour"
    else:  # a webhook needs no JSON back: any 2xx is "received"
        assert (kind, fault.name) == ("webhook", "nested 100,000 deep"), f"{kind}: no error"
    finally:
        http.close()
        if trickling is not None:
            trickling.close()
    assert time.monotonic() - started < 3 * DEADLINE_S + 1.0
