"""The shared HTTP client against a real loopback server: validators, rate limits, caps, faults."""

from __future__ import annotations

import email.utils
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WzResponse

from app.domain.words import clock_words
from app.sources.errors import SourceError
from app.sources.http import (
    MAX_WAIT_S,
    HttpClient,
    check_status,
    parse_retry_after,
    rate_limit_until,
    read_json,
)


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


def _etag_handler(request: Request) -> WzResponse:
    if request.headers.get("If-None-Match") == '"v1"':
        return WzResponse(status=304, headers={"ETag": '"v1"'})
    return WzResponse(b"<Projects/>", headers={"ETag": '"v1"'}, content_type="application/xml")


def test_etag_second_poll_sends_if_none_match_and_reuses_body_on_304(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_handler(_etag_handler)
    first = http.get(httpserver.url_for("/cc.xml"))
    second = http.get(httpserver.url_for("/cc.xml"))

    sent = [req for req, _ in httpserver.log]
    assert "If-None-Match" not in sent[0].headers
    assert sent[1].headers["If-None-Match"] == '"v1"'
    assert httpserver.log[1][1].status_code == 304
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.status == 200 and second.body == b"<Projects/>"
    assert second.content_type == "application/xml"
    assert (http.requests_sent, http.not_modified) == (2, 1)


def test_last_modified_is_sent_back_as_if_modified_since(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    stamp = "Tue, 14 May 2024 09:12:44 GMT"

    def handler(request: Request) -> WzResponse:
        if request.headers.get("If-Modified-Since") == stamp:
            return WzResponse(status=304)
        return WzResponse(b'{"ok": true}', headers={"Last-Modified": stamp})

    httpserver.expect_request("/status").respond_with_handler(handler)
    http.get(httpserver.url_for("/status"))
    second = http.get(httpserver.url_for("/status"))

    assert httpserver.log[1][0].headers["If-Modified-Since"] == stamp
    assert second.from_cache and second.json() == {"ok": True}


def test_conditional_false_sends_no_validators(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/cc.xml").respond_with_handler(_etag_handler)
    http.get(httpserver.url_for("/cc.xml"))
    again = http.get(httpserver.url_for("/cc.xml"), conditional=False)

    assert "If-None-Match" not in httpserver.log[1][0].headers
    assert not again.from_cache


def test_retry_after_seconds_sets_rate_limit_end(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    before = datetime.now(UTC)
    resp = http.get(httpserver.url_for("/x"))
    with pytest.raises(SourceError, match=r"rate-limited until \d\d:\d\d \(429\)") as info:
        check_status(resp, what="x")

    until = info.value.rate_limited_until
    assert until is not None
    assert before + timedelta(seconds=119) <= until <= datetime.now(UTC) + timedelta(seconds=121)


def test_retry_after_http_date(httpserver: HTTPServer, http: HttpClient) -> None:
    when = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
    httpserver.expect_request("/x").respond_with_data(
        "", status=503, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)}
    )
    resp = http.get(httpserver.url_for("/x"))

    assert resp.rate_limited_until() == when


def test_github_ratelimit_remaining_zero_waits_until_reset(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=30)).timestamp())
    httpserver.expect_request("/repos").respond_with_json(
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    resp = http.get(httpserver.url_for("/repos"))
    with pytest.raises(SourceError, match="rate-limited until") as info:
        check_status(resp, what="repository", token_hint="GITHUB_TOKEN")

    assert info.value.rate_limited_until == datetime.fromtimestamp(reset, UTC)


def test_gitlab_ratelimit_remaining_zero_waits_until_reset(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    httpserver.expect_request("/api/v4/projects").respond_with_data(
        "Retry later",
        status=429,
        headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
    )
    resp = http.get(httpserver.url_for("/api/v4/projects"))

    assert resp.rate_limited_until() == datetime.fromtimestamp(reset, UTC)


def test_success_with_quota_left_is_not_a_rate_limit(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/x").respond_with_json(
        {}, headers={"x-ratelimit-remaining": "4999", "x-ratelimit-reset": "1999999999"}
    )
    resp = http.get(httpserver.url_for("/x"))

    check_status(resp, what="x")
    assert resp.rate_limited_until() is None


def test_declared_length_over_the_cap_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 200_000)
    http = HttpClient(max_bytes=100_000)
    with pytest.raises(SourceError, match=r"too large \(195 KiB; the limit is 97 KiB\)"):
        http.get(httpserver.url_for("/big"))


def test_streamed_body_over_the_cap_is_cut_off(httpserver: HTTPServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b"y" * 10_000

    httpserver.expect_request("/stream").respond_with_response(WzResponse(chunks()))
    http = HttpClient(max_bytes=100_000)
    with pytest.raises(SourceError, match=r"too large \(over 97 KiB\)"):
        http.get(httpserver.url_for("/stream"))


def test_redirect_loop_is_reported(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(SourceError, match=r"too many redirects from 127\.0\.0\.1:\d+"):
        http.get(httpserver.url_for("/loop"))


def test_read_timeout_is_reported_in_words(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def stuck(_request: Request) -> WzResponse:
        release.wait(5)
        return WzResponse("late")

    httpserver.expect_request("/slow").respond_with_handler(stuck)
    http = HttpClient(read_timeout_s=0.2)
    try:
        with pytest.raises(SourceError, match=r"^no answer within 0\.2 s from 127\.0\.0\.1:\d+$"):
            http.get(httpserver.url_for("/slow"))
    finally:
        release.set()


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_reported_in_words(http: HttpClient) -> None:
    port = _unused_port()
    with pytest.raises(SourceError, match=rf"connection refused by 127\.0\.0\.1:{port}$"):
        http.get(f"http://127.0.0.1:{port}/cc.xml")


def test_messages_never_carry_credentials_from_the_url(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/org.xml").respond_with_data("<!doctype html><html></html>")
    port = httpserver.port
    url = f"http://dana:s3cret@127.0.0.1:{port}/org.xml?access_token=tok123"
    with pytest.raises(SourceError) as html_err:
        http.get(url).json()
    with pytest.raises(SourceError) as refused:
        http.get(f"http://dana:s3cret@127.0.0.1:{_unused_port()}/x?access_token=tok123")

    for err in (html_err.value, refused.value):
        assert "s3cret" not in str(err) and "tok123" not in str(err)
    assert f"http://127.0.0.1:{port}/org.xml" in str(html_err.value)


@pytest.mark.parametrize("url", ["ci.example.com/cc.xml", "ftp://ci.example.com/cc.xml"])
def test_a_url_that_is_not_http_is_a_source_error(http: HttpClient, url: str) -> None:
    with pytest.raises(SourceError, match="not a valid URL"):
        http.get(url)


def test_401_names_the_token_hint(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/x").respond_with_data("", status=401)
    resp = http.get(httpserver.url_for("/x"))
    with pytest.raises(SourceError, match="token rejected \\(401\\) — check GITHUB_TOKEN"):
        check_status(resp, what="x", token_hint="GITHUB_TOKEN")


def test_secret_headers_do_not_follow_a_redirect_to_another_host(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    other = HTTPServer(host="127.0.0.2", port=0)
    other.start()
    try:
        other.expect_request("/landing").respond_with_json({"ok": True})
        target = f"http://127.0.0.2:{other.port}/landing"
        httpserver.expect_request("/start").respond_with_data(
            "", status=302, headers={"Location": target}
        )
        resp = http.get(
            httpserver.url_for("/start"),
            headers={"PRIVATE-TOKEN": "glpat-secret", "Authorization": "Bearer ghp-secret"},
        )
        assert resp.status == 200
        ((request, _),) = other.log
        assert "PRIVATE-TOKEN" not in request.headers
        assert "Authorization" not in request.headers
    finally:
        other.clear()
        other.stop()


def test_secret_headers_stay_on_a_same_host_redirect(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/landing").respond_with_json({"ok": True})
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/landing")}
    )
    http.get(httpserver.url_for("/start"), headers={"PRIVATE-TOKEN": "glpat-secret"})
    landing = [r for r, _ in httpserver.log if r.path == "/landing"]
    assert landing[0].headers.get("PRIVATE-TOKEN") == "glpat-secret"


# -- hostile headers and bodies (issue 9, points 2-4) ----------------------------------------

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(seconds=MAX_WAIT_S)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        ("999999", NOW + HOUR),  # 11.6 days: capped, then asked again
        ("9" * 40, NOW + HOUR),
        ("Mon, 02 Mar 2026 12:10:00 GMT", NOW + timedelta(minutes=10)),
        ("Fri, 31 Dec 9999 23:59:59 GMT", NOW + HOUR),
        ("Mon, 02 Mar 2026 11:00:00 GMT", NOW),  # in the past: now
        ("Fri, 99 Foo 99999999 99:99:99 GMT", None),
        ("-5", None),
        ("1e400", None),
        ("soon", None),
        ("", None),
        ("x" * 10_000, None),
    ],
)
def test_retry_after_is_read_defensively_and_capped(value: str, expected: datetime | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("remaining", "reset", "expected"),
    [
        ("0", str(int((NOW + timedelta(minutes=5)).timestamp())), NOW + timedelta(minutes=5)),
        ("0", "99999999999999", NOW + HOUR),
        ("0", "1e400", NOW + timedelta(seconds=60)),  # unreadable reset: GitHub's minute
        ("0", "nan", NOW + timedelta(seconds=60)),
        ("0", "-3", NOW + timedelta(seconds=60)),
        ("0", "30", NOW + timedelta(seconds=30)),
        ("nan", "30", NOW + timedelta(seconds=60)),  # a 429 without a readable header
        ("inf", "inf", NOW + timedelta(seconds=60)),
    ],
)
def test_rate_limit_headers_never_raise_and_never_wait_beyond_an_hour(
    remaining: str, reset: str, expected: datetime
) -> None:
    headers = {"x-ratelimit-remaining": remaining, "x-ratelimit-reset": reset}
    assert rate_limit_until(429, headers, b"", NOW) == expected


def test_a_wait_beyond_today_is_shown_with_its_date() -> None:
    now = datetime(2026, 3, 2, 12, 0).astimezone()
    assert clock_words(now.replace(hour=14, minute=5), now) == "14:05"
    assert clock_words(now + timedelta(days=11, hours=-4, minutes=-19), now) == "Fri 13 Mar 07:41"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "readable JSON (nested more than 200 deep)"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "readable JSON (nested more than 200 deep)"),
        ("1" * 10_000, "valid JSON"),  # int() refuses numbers of more than 4,300 digits
        ('{"a": ', "valid JSON"),
    ],
)
def test_json_beyond_reason_is_one_more_unreadable_answer(text: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        read_json(text)
    assert str(caught.value) == words


def test_json_that_only_looks_deep_in_its_strings_is_read() -> None:
    text = '{"log": "' + "[" * 5_000 + '", "list": ' + "[" * 150 + "]" * 150 + "}"
    assert read_json(text)["log"] == "[" * 5_000
