"""Token lookup: environment variable first, then the OS keyring, else a plain hint."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest

from app.config.secrets import (
    KeyringUnavailableError,
    SecretStoreError,
    keyring_available,
    resolve_token,
    store_token,
)

TOKEN = "ghp_" + "x" * 36


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real (non-null) keyring backend that lives in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring has no annotations
        self.entries: dict[tuple[str, str], str] = {}
        self.fail_with: Exception | None = None

    def get_password(self, service: str, username: str) -> str | None:
        if self.fail_with is not None:
            raise self.fail_with
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_the_test_setup_has_no_real_keyring() -> None:
    assert keyring_available() is False


def test_environment_variable_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN + "\n")
    result = resolve_token("GITHUB_TOKEN", None)
    assert result.token == TOKEN
    assert result.origin == "environment variable GITHUB_TOKEN"
    assert result.found


def test_environment_beats_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.entries[("releasable", "api")] = "from-keyring"
    monkeypatch.setenv("GITHUB_TOKEN", "from-env")
    assert resolve_token("GITHUB_TOKEN", "api").token == "from-env"


def test_keyring_is_used_when_the_variable_is_unset_or_empty(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.entries[("releasable", "api")] = "from-keyring"
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = resolve_token("GITHUB_TOKEN", "api")
    assert (result.token, result.origin) == ("from-keyring", "OS keyring entry 'releasable/api'")
    monkeypatch.setenv("GITHUB_TOKEN", "  ")
    assert resolve_token("GITHUB_TOKEN", "api").token == "from-keyring"


def test_nothing_found_says_where_the_token_must_come_from(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = resolve_token("GITHUB_TOKEN", "api")
    assert result.token is None and not result.found
    assert result.hint == "set GITHUB_TOKEN or store it in the OS keyring as 'releasable/api'"


def test_hints_without_a_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    assert resolve_token("GITLAB_TOKEN", None).hint == "set GITLAB_TOKEN"
    assert resolve_token("GITLAB_TOKEN", "ci").hint == (
        "set GITLAB_TOKEN (this machine has no OS keyring to hold 'releasable/ci')"
    )
    assert resolve_token(None, "ci").hint == (
        "this machine has no OS keyring to hold 'releasable/ci': "
        "name an environment variable with token_env instead"
    )
    assert resolve_token(None, None).hint == (
        "no token is configured: name an environment variable with token_env"
    )


def test_a_failing_keyring_is_a_hint_not_a_crash(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    memory_keyring.fail_with = keyring.errors.KeyringLocked("locked")
    with caplog.at_level(logging.WARNING, logger="app.config"):
        result = resolve_token(None, "api")
    assert result.token is None
    assert result.hint.startswith("the OS keyring could not be read (the keyring is locked); ")
    assert "releasable/api" in caplog.text


def test_the_token_is_never_in_repr_or_logs(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    memory_keyring.entries[("releasable", "api")] = TOKEN
    with caplog.at_level(logging.DEBUG):
        from_env = resolve_token("GITHUB_TOKEN", None)
        from_keyring = resolve_token(None, "api")
    assert TOKEN not in repr(from_env) and TOKEN not in repr(from_keyring)
    assert TOKEN not in caplog.text
    assert "GITHUB_TOKEN" in caplog.text  # where it came from is logged


def test_store_token_puts_it_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store_token("api", TOKEN)
    assert memory_keyring.entries[("releasable", "api")] == TOKEN
    assert resolve_token(None, "api").token == TOKEN


def test_store_token_without_a_keyring_says_what_to_do_instead() -> None:
    with pytest.raises(KeyringUnavailableError, match="name it with token_env"):
        store_token("api", TOKEN)


def test_store_token_reports_keyring_failures_without_the_token(
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.fail_with = keyring.errors.PasswordSetError(f"refused {TOKEN}")
    with pytest.raises(SecretStoreError) as caught:
        store_token("api", TOKEN)
    assert "releasable/api" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_store_token_refuses_empty_input(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError, match="no token"):
        store_token("api", "")
    with pytest.raises(ValueError, match="needs a name"):
        store_token(" ", TOKEN)
