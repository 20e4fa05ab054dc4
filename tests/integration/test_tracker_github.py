"""GitHub Issues adapter against a loopback server: the exact documented requests and every
way an answer can go wrong."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.domain.model import BlockerState
from app.sources.http import HttpClient
from app.trackers.base import Filed, TrackerError
from app.trackers.github import GitHubTracker
from tests.fixtures.trackers.reports import KEY, NOW, TOKEN, answer, sample_report

API = "/api/v3"  # an Enterprise-style prefix: the adapter takes any base URL
ISSUES = f"{API}/repos/acme/platform/issues"
HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "Authorization": f"Bearer {TOKEN}",
}


def tracker(server: HTTPServer, **kw: object) -> GitHubTracker:
    options: dict[str, object] = {
        "api_url": server.url_for(API),
        "repo": "acme/platform",
        "token": TOKEN,
        "token_hint": "GITHUB_TOKEN",
        "labels": ("delivery-blocker",),
        "assignees": ("platform-oncall",),
        "clock": lambda: NOW,
    }
    options.update(kw)
    return GitHubTracker(**options)  # type: ignore[arg-type]


def create_error(server: HTTPServer, http: HttpClient, **kw: object) -> TrackerError:
    with pytest.raises(TrackerError) as caught:
        tracker(server).create(http, sample_report(**kw))
    assert TOKEN not in caught.value.message
    return caught.value


# ----- create -------------------------------------------------------------------------------


def test_create_sends_the_documented_request(httpserver: HTTPServer, http: HttpClient) -> None:
    report = sample_report()
    httpserver.expect_oneshot_request(
        ISSUES,
        method="POST",
        headers={**HEADERS, "Content-Type": "application/json"},
        json={
            "title": "Laptop broken, cannot deploy",
            "body": report.body,
            "labels": ["delivery-blocker", "team-payments", "P1"],
            "assignees": ["platform-oncall"],
        },
    ).respond_with_json(answer("github_issue_created.json"), status=201)

    filed = tracker(httpserver).create(http, report)

    httpserver.check_assertions()
    assert filed == Filed("https://github.com/acme/platform/issues/431", "431")
    assert f"<!-- releasable-key: {KEY} -->" in json.loads(httpserver.log[0][0].data)["body"]


def test_priority_label_follows_the_mapping(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        answer("github_issue_created.json"), status=201
    )
    gh = tracker(httpserver, labels=(), assignees=(), priority_labels={"P1": "priority: P1"})
    gh.create(http, sample_report(labels=()))
    sent = json.loads(httpserver.log[0][0].data)
    assert sent["labels"] == ["priority: P1"]
    assert sent["assignees"] == []


def test_dropped_labels_and_assignees_become_warnings(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        answer("github_issue_created_no_push.json"), status=201
    )
    filed = tracker(httpserver).create(http, sample_report())
    assert filed.ref == "432"
    assert filed.warnings == (
        "labels were not applied — the token needs push access to acme/platform",
        "assignees were not applied — the token needs push access to acme/platform",
    )


def test_validation_error_in_githubs_words(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        answer("github_validation_failed.json"), status=422
    )
    err = create_error(httpserver, http)
    assert err.message == "GitHub refused the issue (422): title is missing"
    assert err.permanent and not err.uncertain


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (401, {"message": "Bad credentials"}, "token rejected (401) — check GITHUB_TOKEN"),
        (
            403,
            {"message": "Resource not accessible by personal access token"},
            "the token may not create issues in acme/platform (403): "
            "Resource not accessible by personal access token",
        ),
        (
            404,
            {"message": "Not Found"},
            "repository acme/platform not found or not visible to the token (404)",
        ),
        (
            410,
            {"message": "Issues are disabled for this repo"},
            "issues are disabled in acme/platform (410)",
        ),
    ],
)
def test_permanent_errors_in_words(
    httpserver: HTTPServer, http: HttpClient, status: int, body: object, message: str
) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(body, status=status)
    err = create_error(httpserver, http)
    assert err.message == message
    assert err.permanent


def test_server_error_is_retryable(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_data(
        "<html>Unicorn!</html>", status=502, content_type="text/html"
    )
    err = create_error(httpserver, http)
    assert not err.permanent and not err.uncertain
    assert err.message.startswith("GitHub server error 502 from 127.0.0.1:")


def test_429_retry_after_sets_retry_at(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        {"message": "slow down"}, status=429, headers={"Retry-After": "120"}
    )
    err = create_error(httpserver, http)
    assert not err.permanent
    assert err.retry_at == NOW + timedelta(seconds=120)


def test_primary_rate_limit_403_is_retryable_until_reset(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    reset = int((NOW + timedelta(minutes=7)).timestamp())
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    err = create_error(httpserver, http)
    assert not err.permanent
    assert err.retry_at == NOW + timedelta(minutes=7)


def test_refused_connection_is_retryable_and_certain(http: HttpClient) -> None:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    url = server.url_for(API)
    server.stop()  # nothing listens there any more
    with pytest.raises(TrackerError) as caught:
        GitHubTracker(api_url=url, repo="acme/platform", token=TOKEN).create(http, sample_report())
    assert not caught.value.permanent
    assert not caught.value.uncertain  # the request never left: no look-up needed


def test_timeout_after_sending_is_uncertain(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(5)
        return Response("{}", status=201)

    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_handler(stall)
    client = HttpClient(read_timeout_s=0.2)
    try:
        with pytest.raises(TrackerError) as caught:
            tracker(httpserver).create(client, sample_report())
    finally:
        release.set()
        client.close()
    assert caught.value.uncertain and not caught.value.permanent


def test_created_but_unreadable_answer_is_uncertain(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_data(
        "<html><body>Sign in</body></html>", status=201, content_type="text/html"
    )
    err = create_error(httpserver, http)
    assert err.uncertain and not err.permanent


# ----- find ---------------------------------------------------------------------------------


def issue(number: int, body: str, **extra: object) -> dict[str, object]:
    return {
        "number": number,
        "html_url": f"https://github.com/acme/platform/issues/{number}",
        "state": "open",
        "body": body,
        **extra,
    }


def test_find_reads_markers_across_two_pages(httpserver: HTTPServer, http: HttpClient) -> None:
    marker = f"text\n\n<!-- releasable-key: {KEY} -->\n"
    httpserver.expect_oneshot_request(f"{API}/user", headers=HEADERS).respond_with_json(
        {"login": "releasable-bot"}
    )
    page2 = httpserver.url_for(f"{API}/repositories/77/issues?page=2")
    httpserver.expect_oneshot_request(
        ISSUES,
        method="GET",
        headers=HEADERS,
        query_string={
            "state": "all",
            "since": "2024-05-01T10:00:00Z",  # an hour of slack for a fast laptop clock
            "per_page": "100",
            "creator": "releasable-bot",
        },
    ).respond_with_json(
        [
            issue(440, "another report\n<!-- releasable-key: rls-ffff -->"),
            issue(439, marker, pull_request={"url": "…"}),  # a pull request: never a match
            issue(438, None),  # type: ignore[arg-type]
        ],
        headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'},
    )
    httpserver.expect_oneshot_request(
        f"{API}/repositories/77/issues", query_string={"page": "2"}, headers=HEADERS
    ).respond_with_json([issue(431, marker)])

    found = tracker(httpserver).find(http, sample_report(), NOW - timedelta(hours=1))

    httpserver.check_assertions()
    assert found == Filed("https://github.com/acme/platform/issues/431", "431")


def test_find_lists_without_creator_when_user_is_not_allowed(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(f"{API}/user").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    httpserver.expect_oneshot_request(ISSUES, method="GET").respond_with_json([])
    assert tracker(httpserver).find(http, sample_report(), NOW) is None
    listed = httpserver.log[1][0]
    assert "creator" not in listed.args and listed.args["state"] == "all"


def test_find_asks_for_the_login_once(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(f"{API}/user").respond_with_json({"login": "bot"})
    httpserver.expect_request(ISSUES, method="GET").respond_with_json([])
    gh = tracker(httpserver)
    gh.find(http, sample_report(), NOW)
    gh.find(http, sample_report(), NOW)
    assert [r.path for r, _ in httpserver.log].count(f"{API}/user") == 1


def test_find_never_follows_a_link_to_another_host(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(f"{API}/user").respond_with_json({"login": "bot"})
    httpserver.expect_oneshot_request(ISSUES, method="GET").respond_with_json(
        [], headers={"Link": '<https://evil.example.com/steal?page=2>; rel="next"'}
    )
    assert tracker(httpserver).find(http, sample_report(), NOW) is None
    assert len(httpserver.log) == 2


# ----- state --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"number": 431, "state": "open"}, BlockerState.OPEN),
        (200, {"number": 431, "state": "closed"}, BlockerState.CLOSED),
        (410, {"message": "This issue was deleted"}, BlockerState.CLOSED),
    ],
)
def test_state(
    httpserver: HTTPServer,
    http: HttpClient,
    status: int,
    body: object,
    expected: BlockerState,
) -> None:
    httpserver.expect_oneshot_request(f"{ISSUES}/431", headers=HEADERS).respond_with_json(
        body, status=status
    )
    assert tracker(httpserver).state(http, Filed("https://github.com/x", "431")) is expected


def test_state_of_a_missing_issue_says_so(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(f"{ISSUES}/431").respond_with_json({}, status=404)
    with pytest.raises(TrackerError) as caught:
        tracker(httpserver).state(http, Filed("https://github.com/x", "431"))
    assert caught.value.message == (
        "issue #431 not found in acme/platform, or not visible to the token (404)"
    )


def test_repr_hides_the_token(httpserver: HTTPServer) -> None:
    assert TOKEN not in repr(tracker(httpserver))
