"""Generic webhook adapter against a loopback server: the documented v1 payload and errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer

from app.sources.http import HttpClient
from app.trackers.base import Filed, TrackerError
from app.trackers.webhook import SCHEMA, WebhookTracker
from tests.fixtures.trackers.reports import KEY, NOW, TOKEN, sample_report


def hook(server: HTTPServer, **kw: object) -> WebhookTracker:
    options: dict[str, object] = {
        "url": server.url_for("/hooks/releasable"),
        "token": TOKEN,
        "token_hint": "WEBHOOK_TOKEN",
        "clock": lambda: NOW,
    }
    options.update(kw)
    return WebhookTracker(**options)  # type: ignore[arg-type]


def test_posts_the_documented_payload_with_an_idempotency_key(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    report = sample_report(
        category="other", prevents_delivery=False, statement="we can deploy from CI"
    )
    httpserver.expect_oneshot_request(
        "/hooks/releasable",
        method="POST",
        headers={
            "Idempotency-Key": KEY,
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
        },
        json={
            "schema": "releasable.blocker/v1",
            "key": KEY,
            "title": "Laptop broken, cannot deploy",
            "category": "other",
            "priority": "P2",
            "prevents_delivery": False,
            "statement": "we can deploy from CI",
            "body": report.body,
            "reporter": "Dana",
            "board": "Payments",
            "created_at": "2024-05-01T12:00:00Z",
            "labels": ["team-payments"],
        },
    ).respond_with_json({"id": "INC-7", "url": "https://tracker.example.com/INC-7"}, status=201)

    filed = hook(httpserver).create(http, report)

    httpserver.check_assertions()
    assert SCHEMA == "releasable.blocker/v1"
    assert filed == Filed("https://tracker.example.com/INC-7", "INC-7")


def test_no_token_no_authorization_header(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/hooks/releasable").respond_with_data("", status=204)
    hook(httpserver, token=None).create(http, sample_report())
    assert "Authorization" not in httpserver.log[0][0].headers


def test_extra_headers_from_the_board_are_sent_but_never_replace_ours(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(
        "/hooks/releasable",
        headers={"X-Team": "payments", "Idempotency-Key": KEY, "Content-Type": "application/json"},
    ).respond_with_data("", status=204)
    extra = {"X-Team": "payments", "Idempotency-Key": "other", "Content-Type": "text/plain"}
    hook(httpserver, headers=extra).create(http, sample_report())
    httpserver.check_assertions()


def test_an_empty_answer_links_the_webhook_and_uses_the_key(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request("/hooks/releasable").respond_with_data("", status=202)
    filed = hook(httpserver, url=httpserver.url_for("/hooks/releasable?secret=abc")).create(
        http, sample_report()
    )
    assert filed == Filed(httpserver.url_for("/hooks/releasable"), KEY)  # no secret in the link
    assert httpserver.log[0][0].args["secret"] == "abc"


def test_a_non_http_link_in_the_answer_is_ignored(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/hooks/releasable").respond_with_json(
        {"id": 7, "url": "javascript:alert(1)"}
    )
    filed = hook(httpserver).create(http, sample_report())
    assert filed == Filed(httpserver.url_for("/hooks/releasable"), "7")


@pytest.mark.parametrize(
    ("status", "body", "message", "permanent"),
    [
        (
            400,
            {"message": "title too long"},
            "the webhook refused the report (400): title too long",
            True,
        ),
        (
            422,
            {"errors": ["priority unknown"]},
            "the webhook refused the report (422): priority unknown",
            True,
        ),
        (401, {}, "token rejected (401) — check WEBHOOK_TOKEN", True),
        (403, {}, "the webhook refused the token (403)", True),
        (
            409,
            {},
            "the webhook is still processing an earlier send of this report (409); will retry",
            False,
        ),
    ],
)
def test_errors(
    httpserver: HTTPServer,
    http: HttpClient,
    status: int,
    body: object,
    message: str,
    permanent: bool,
) -> None:
    httpserver.expect_oneshot_request("/hooks/releasable").respond_with_json(body, status=status)
    with pytest.raises(TrackerError) as caught:
        hook(httpserver).create(http, sample_report())
    assert caught.value.message == message
    assert caught.value.permanent is permanent


def test_401_without_a_token_says_one_is_needed(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/hooks/releasable").respond_with_data("", status=401)
    with pytest.raises(TrackerError) as caught:
        hook(httpserver, token=None).create(http, sample_report())
    assert caught.value.message == "the webhook asks for a token (401)"


def test_5xx_and_429_are_retryable(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_ordered_request("/hooks/releasable").respond_with_data("", status=500)
    httpserver.expect_ordered_request("/hooks/releasable").respond_with_data(
        "", status=429, headers={"Retry-After": "90"}
    )
    with pytest.raises(TrackerError) as first:
        hook(httpserver).create(http, sample_report())
    with pytest.raises(TrackerError) as second:
        hook(httpserver).create(http, sample_report())
    assert not first.value.permanent
    assert second.value.retry_at == NOW + timedelta(seconds=90)


def test_find_and_state_cannot_be_asked(httpserver: HTTPServer, http: HttpClient) -> None:
    tracker = hook(httpserver)
    assert tracker.find(http, sample_report(), NOW) is None
    assert tracker.state(http, Filed("https://x", KEY)) is None
    assert httpserver.log == []


def test_payload_created_at_is_utc(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/hooks/releasable").respond_with_data("", status=204)
    hook(httpserver).create(http, sample_report())
    assert json.loads(httpserver.log[0][0].data)["created_at"] == "2024-05-01T12:00:00Z"


def test_repr_shows_neither_token_nor_secret_path(httpserver: HTTPServer) -> None:
    text = repr(hook(httpserver, url="https://hooks.example.com/T000/B000/XXXXSECRET"))
    assert "SECRET" not in text and TOKEN not in text
