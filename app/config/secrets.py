"""Finds the tokens a board file names: an environment variable first, then the OS keyring.

The board file holds only *where* a secret is (`token_env`, `token_keyring`); this module reads
it at the moment a source or tracker needs it. Keyring entries live under the service
"releasable". A token value is never logged, never put in a message and never shown by
`repr()`. Reading the keyring may talk to a desktop service (D-Bus, Keychain): call these
off the GUI thread.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from types import ModuleType

from app.domain.redact import remember_secret

__all__ = [
    "KEYRING_SERVICE",
    "KeyringUnavailableError",
    "SecretStoreError",
    "TokenResult",
    "keyring_available",
    "resolve_token",
    "store_token",
]

log = logging.getLogger("app.config")

KEYRING_SERVICE = "releasable"


@dataclass(frozen=True)
class TokenResult:
    """A token and where it came from, or, without one, where it must come from.

    `origin` is e.g. "environment variable GITHUB_TOKEN"; `hint` is a plain sentence for the
    user when `token` is None ("set GITHUB_TOKEN or store it in the OS keyring as ...").
    `keyring_problem` says why the keyring entry the board names gave no token ("the keyring
    is locked", "this machine has no OS keyring", "there is no such entry"): a server's 401
    then names it as the likely cause (`keyring_words`).
    """

    token: str | None = field(default=None, repr=False)
    origin: str = ""
    hint: str = ""
    keyring_problem: str = ""
    keyring_entry: str = ""

    def keyring_words(self) -> str:
        """ "the keyring entry 'releasable/ci' could not be read: the keyring is locked", or
        "" when no keyring entry was asked for or it gave the token."""
        if self.token is not None or not self.keyring_problem or not self.keyring_entry:
            return ""
        return (
            f"the keyring entry '{keyring_name(self.keyring_entry)}' could not be read: "
            f"{self.keyring_problem}"
        )

    def __post_init__(self) -> None:
        remember_secret(self.token)  # scrubbed from anything a server says back

    @property
    def found(self) -> bool:
        return self.token is not None


class SecretStoreError(Exception):
    """The OS keyring could not store a token; the message says what to do instead."""


class KeyringUnavailableError(SecretStoreError):
    """This machine has no usable OS keyring."""


def _keyring() -> ModuleType:
    """The keyring package, imported on first use: a token in an environment variable (the
    common case, and the demo's) never pays for it at start-up."""
    import keyring
    import keyring.backends.chainer
    import keyring.backends.fail
    import keyring.backends.null
    import keyring.errors

    return keyring


def keyring_available() -> bool:
    """Whether a real OS keyring backend exists (not keyring's fail/null stand-ins)."""
    keyring = _keyring()
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not stop the app
        log.warning("OS keyring could not be set up: %s", type(exc).__name__)
        return False
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return False
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        return bool(backend.backends)
    return True


def keyring_name(entry: str) -> str:
    """How a keyring entry is named to the user."""
    return f"{KEYRING_SERVICE}/{entry}"


def resolve_token(env_name: str | None, keyring_entry: str | None) -> TokenResult:
    """The token named by `env_name` (environment) or else `keyring_entry` (OS keyring)."""
    if env_name:
        value = os.environ.get(env_name, "").strip()
        if value:
            log.debug("token read from environment variable %s", env_name)
            return TokenResult(value, origin=f"environment variable {env_name}")
    problem = ""  # why the keyring entry gave no token
    read_error = ""  # the keyring answered with an error (not just "no such entry")
    available = bool(keyring_entry) and keyring_available()  # no keyring probe without an entry
    if keyring_entry and not available:
        problem = "this machine has no OS keyring"
    elif keyring_entry:
        try:
            stored = _keyring().get_password(KEYRING_SERVICE, keyring_entry)
        except Exception as exc:  # backends raise all kinds (D-Bus, locked, denied)
            log.warning(
                "OS keyring entry %s could not be read: %s",
                keyring_name(keyring_entry),
                type(exc).__name__,
            )
            problem = read_error = _reason(exc)
        else:
            if stored:
                log.debug("token read from OS keyring entry %s", keyring_name(keyring_entry))
                return TokenResult(
                    stored, origin=f"OS keyring entry '{keyring_name(keyring_entry)}'"
                )
            problem = "there is no such entry"
    return TokenResult(
        None,
        hint=(f"the OS keyring could not be read ({read_error}); " if read_error else "")
        + _hint(env_name, keyring_entry, available),
        keyring_problem=problem,
        keyring_entry=keyring_entry or "",
    )


def _hint(env_name: str | None, keyring_entry: str | None, available: bool) -> str:
    if env_name and keyring_entry and available:
        return f"set {env_name} or store it in the OS keyring as '{keyring_name(keyring_entry)}'"
    if env_name and keyring_entry:
        return (
            f"set {env_name} (this machine has no OS keyring to hold "
            f"'{keyring_name(keyring_entry)}')"
        )
    if env_name:
        return f"set {env_name}"
    if keyring_entry and available:
        return f"store it in the OS keyring as '{keyring_name(keyring_entry)}'"
    if keyring_entry:
        return (
            f"this machine has no OS keyring to hold '{keyring_name(keyring_entry)}': "
            "name an environment variable with token_env instead"
        )
    return "no token is configured: name an environment variable with token_env"


def store_token(entry: str, token: str) -> None:
    """Store `token` in the OS keyring as 'releasable/<entry>' (the board editor's "save")."""
    if not entry.strip():
        raise ValueError("a keyring entry needs a name")
    if not token:
        raise ValueError("there is no token to store")
    if not keyring_available():
        raise KeyringUnavailableError(
            "this machine has no OS keyring to store the token in: put it in an environment "
            "variable instead and name it with token_env"
        )
    try:
        _keyring().set_password(KEYRING_SERVICE, entry, token)
    except Exception as exc:  # backends raise all kinds (D-Bus, locked, denied)
        reason = _reason(exc).replace(token, "***")
        raise SecretStoreError(
            f"the OS keyring did not store '{keyring_name(entry)}' ({reason})"
        ) from None
    log.info("token stored in OS keyring entry %s", keyring_name(entry))


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    if isinstance(exc, _keyring().errors.KeyringLocked):
        return "the keyring is locked"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
