"""GitLab Issues adapter against a loopback server: the documented requests and the errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer

from app.domain.model import BlockerState
from app.sources.http import HttpClient
from app.trackers.base import Filed, TrackerError
from app.trackers.gitlab import GitLabTracker
from tests.fixtures.trackers.reports import KEY, NOW, TOKEN, answer, sample_report

API = "/api/v4"
# pytest-httpserver matches the decoded path; the raw request line is checked separately.
ISSUES = f"{API}/projects/acme/platform/issues"
RAW_ISSUES = f"{API}/projects/acme%2Fplatform/issues"
HEADERS = {"PRIVATE-TOKEN": TOKEN}


def tracker(server: HTTPServer, **kw: object) -> GitLabTracker:
    options: dict[str, object] = {
        "api_url": server.url_for(API),
        "project": "acme/platform",
        "token": TOKEN,
        "token_hint": "GITLAB_TOKEN",
        "labels": ("delivery-blocker",),
        "issue_type": "incident",
        "clock": lambda: NOW,
    }
    options.update(kw)
    return GitLabTracker(**options)  # type: ignore[arg-type]


def create_error(server: HTTPServer, http: HttpClient) -> TrackerError:
    with pytest.raises(TrackerError) as caught:
        tracker(server).create(http, sample_report())
    assert TOKEN not in caught.value.message
    return caught.value


def raw_uri(server: HTTPServer, n: int = 0) -> str:
    return str(server.log[n][0].environ["RAW_URI"])


def test_create_sends_the_documented_request(httpserver: HTTPServer, http: HttpClient) -> None:
    report = sample_report()
    httpserver.expect_oneshot_request(
        ISSUES,
        method="POST",
        headers={**HEADERS, "Content-Type": "application/json"},
        json={
            "title": "Laptop broken, cannot deploy",
            "description": report.body,
            "labels": "delivery-blocker,team-payments,P1",
            "issue_type": "incident",
        },
    ).respond_with_json(answer("gitlab_issue_created.json"), status=201)

    filed = tracker(httpserver).create(http, report)

    httpserver.check_assertions()
    assert raw_uri(httpserver) == RAW_ISSUES  # the path is URL-encoded as GitLab documents
    assert filed.url == "https://gitlab.example.com/acme/platform/-/issues/12"


def test_create_returns_the_web_url_and_iid(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        answer("gitlab_issue_created.json"), status=201
    )
    filed = tracker(httpserver, labels=("delivery-blocker", "P1")).create(
        http, sample_report(labels=())
    )
    assert filed == Filed("https://gitlab.example.com/acme/platform/-/issues/12", "12")


def test_numeric_project_id(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(f"{API}/projects/42/issues", method="POST").respond_with_json(
        answer("gitlab_issue_created.json"), status=201
    )
    tracker(httpserver, project=42).create(http, sample_report())
    assert raw_uri(httpserver) == f"{API}/projects/42/issues"
    assert json.loads(httpserver.log[0][0].data)["issue_type"] == "incident"


def test_labels_not_applied_become_a_warning(httpserver: HTTPServer, http: HttpClient) -> None:
    created = {**answer("gitlab_issue_created.json"), "labels": []}
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(created, status=201)
    filed = tracker(httpserver).create(http, sample_report())
    assert filed.warnings == (
        "labels were not applied — the token may not label issues in acme/platform",
    )


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            400,
            {"message": {"title": ["can't be blank"]}},
            "GitLab refused the issue (400): title can't be blank",
        ),
        (400, {"error": "title is missing"}, "GitLab refused the issue (400): title is missing"),
        (401, {"message": "401 Unauthorized"}, "token rejected (401) — check GITLAB_TOKEN"),
        (
            403,
            {"message": "403 Forbidden"},
            "the token may not create issues in acme/platform (403): 403 Forbidden",
        ),
        (
            404,
            {"message": "404 Project Not Found"},
            "project acme/platform not found or not visible to the token (404)",
        ),
    ],
)
def test_errors_in_words(
    httpserver: HTTPServer, http: HttpClient, status: int, body: object, message: str
) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(body, status=status)
    err = create_error(httpserver, http)
    assert err.message == message
    assert err.permanent


def test_server_error_is_retryable(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_json(
        {"message": "500 Internal Server Error"}, status=500
    )
    err = create_error(httpserver, http)
    assert not err.permanent and not err.uncertain and err.retry_at is None


def test_429_retry_after_sets_retry_at(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES, method="POST").respond_with_data(
        "Retry later",
        status=429,
        headers={"Retry-After": "60", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"},
    )
    err = create_error(httpserver, http)
    assert not err.permanent
    assert err.retry_at == NOW + timedelta(seconds=60)


def described(iid: int, key: str) -> dict[str, object]:
    return {
        "iid": iid,
        "web_url": f"https://gitlab.example.com/acme/platform/-/issues/{iid}",
        "state": "opened",
        "description": f"body\n\n<!-- releasable-key: {key} -->\n",
    }


def test_find_lists_my_issues_and_reads_markers_across_pages(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    page2 = httpserver.url_for(f"{RAW_ISSUES}?page=2&per_page=100")
    httpserver.expect_oneshot_request(
        ISSUES,
        method="GET",
        headers=HEADERS,
        query_string={
            "scope": "created_by_me",
            "created_after": "2024-05-01T10:00:00Z",
            "order_by": "created_at",
            "sort": "desc",
            "per_page": "100",
        },
    ).respond_with_json(
        [described(14, "rls-other"), {"iid": 13, "web_url": "x", "description": None}],
        headers={"Link": f'<{page2}>; rel="next"', "X-Next-Page": "2"},
    )
    httpserver.expect_oneshot_request(
        ISSUES, query_string={"page": "2", "per_page": "100"}
    ).respond_with_json([described(12, KEY)])

    found = tracker(httpserver).find(http, sample_report(), NOW - timedelta(hours=1))

    httpserver.check_assertions()
    assert found == Filed("https://gitlab.example.com/acme/platform/-/issues/12", "12")


def test_find_follows_x_next_page_without_a_link(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(
        ISSUES,
        query_string={
            "scope": "created_by_me",
            "created_after": "2024-05-01T11:00:00Z",
            "order_by": "created_at",
            "sort": "desc",
            "per_page": "100",
        },
    ).respond_with_json([], headers={"X-Next-Page": "2"})
    httpserver.expect_oneshot_request(ISSUES).respond_with_json(
        [described(12, KEY)], headers={"X-Next-Page": ""}
    )
    found = tracker(httpserver).find(http, sample_report(), NOW)
    assert found is not None and found.ref == "12"
    assert httpserver.log[1][0].args["page"] == "2"


def test_find_without_a_match_is_none(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(ISSUES).respond_with_json([described(3, "rls-other")])
    assert tracker(httpserver).find(http, sample_report(), NOW) is None


@pytest.mark.parametrize(
    ("state", "expected"), [("opened", BlockerState.OPEN), ("closed", BlockerState.CLOSED)]
)
def test_state(
    httpserver: HTTPServer, http: HttpClient, state: str, expected: BlockerState
) -> None:
    httpserver.expect_oneshot_request(f"{ISSUES}/12", headers=HEADERS).respond_with_json(
        {"iid": 12, "state": state}
    )
    assert tracker(httpserver).state(http, Filed("https://gitlab.example.com/x", "12")) is expected
    assert raw_uri(httpserver) == f"{RAW_ISSUES}/12"
