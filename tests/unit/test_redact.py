"""Secrets out of what the app shows, logs, stores and files (issue 9, points 7 and 8)."""

from __future__ import annotations

import base64
import logging

import pytest

from app.config.loader import BoardFileError, parse_board
from app.domain.redact import (
    ScrubbingFilter,
    is_secret_query_name,
    redact_url,
    remember_secret,
    scrub,
)
from app.domain.report_body import md_link, safe_url
from app.sources.errors import SourceError
from app.trackers.base import TrackerError

TOKEN = "glpat-Unit7Canary7Token7Xy"

SIGNED = [
    "https://bucket.s3.amazonaws.com/log.txt?X-Amz-Algorithm=AWS4&X-Amz-Signature=abc123",
    "https://storage.googleapis.com/b/o?X-Goog-Signature=abc123&X-Goog-Credential=sa",
    "https://acct.blob.core.windows.net/c/log?sv=2022&sig=abc123",
    "https://ci.example.com/artifact?code=abc123",
    "https://ci.example.com/artifact?key=abc123",
    "https://ci.example.com/artifact?auth=abc123",
    "https://ci.example.com/artifact?jwt=abc123",
    "https://ci.example.com/artifact?access_token=abc123",
    "https://ci.example.com/artifact?token=abc123",
    "https://ci.example.com/artifact?signature=abc123",
]


@pytest.mark.parametrize("url", SIGNED)
def test_a_url_in_a_report_keeps_its_names_and_loses_every_value(url: str) -> None:
    shown = safe_url(url)
    assert shown is not None and "abc123" not in shown and "REDACTED" in shown
    assert "abc123" not in md_link("log", url)


def test_redaction_drops_user_and_password_and_fragment_parameters() -> None:
    assert redact_url("https://u:p4ss@ci.example.com:8443/x?a=1&b#access_token=abc") == (
        "https://ci.example.com:8443/x?a=REDACTED&b#access_token=REDACTED"
    )
    assert redact_url("https://ci.example.com/job/api/12/") == "https://ci.example.com/job/api/12/"


@pytest.mark.parametrize(
    "name",
    ["sig", "code", "key", "X-Amz-Signature", "x-amz-credential", "auth", "jwt", "token",
     "access_token", "signature", "X-Goog-Signature", "private_token", "client_secret"],
)  # fmt: skip
def test_signed_url_and_token_parameters_are_secrets_by_name(name: str) -> None:
    assert is_secret_query_name(name)


@pytest.mark.parametrize("name", ["branch", "per_page", "state", "sv", "ref", "page"])
def test_ordinary_parameters_are_not(name: str) -> None:
    assert not is_secret_query_name(name)


@pytest.mark.parametrize("param", ["sig", "code", "key", "X-Amz-Signature", "auth", "jwt"])
def test_the_board_file_refuses_a_url_that_carries_a_secret_by_name(param: str) -> None:
    text = (
        '[board]\nname = "T"\n\n[[environments]]\nname = "e"\n'
        f'url = "https://e.example.com/health?{param}=abc123"\n'
    )
    with pytest.raises(BoardFileError) as caught:
        parse_board(text, "board.toml")
    assert caught.value.errors[0].startswith("board.toml:6: environments[1].url: this address")
    assert "abc123" not in str(caught.value)


def test_every_form_of_a_remembered_token_is_scrubbed() -> None:
    remember_secret(TOKEN, user="ci")
    basic = base64.b64encode(f"ci:{TOKEN}".encode()).decode()
    text = f"bad {TOKEN}; Authorization: Basic {basic}; url-encoded {TOKEN.replace('-', '%2D')}"
    assert TOKEN not in scrub(text) and basic not in scrub(text)
    assert scrub("no secret here") == "no secret here"


def test_errors_from_outside_are_scrubbed_when_they_are_made() -> None:
    remember_secret(TOKEN)
    assert str(SourceError(f"401: bad token {TOKEN}")) == "401: bad token [secret]"
    err = TrackerError(f"GitLab refused the issue (422): {TOKEN} is not valid")
    assert err.message == "GitLab refused the issue (422): [secret] is not valid"
    assert TOKEN not in str(err)


def test_log_records_are_scrubbed_with_their_tracebacks() -> None:
    remember_secret(TOKEN)
    try:
        raise ValueError(f"echoed {TOKEN}")
    except ValueError as err:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "failed: %s", (err,), (type(err), err, None)
        )
    assert ScrubbingFilter().filter(record)
    assert record.getMessage() == "failed: echoed [secret]"
    assert record.exc_text is not None and TOKEN not in record.exc_text
