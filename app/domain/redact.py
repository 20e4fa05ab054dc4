"""Secrets kept out of everything the app shows, logs, stores or files.

Two rules, one module, so every layer applies the same ones:

- **Tokens the app holds are scrubbed from text that came from outside.** A tracker or a proxy
  may echo the credentials it was sent ("Bad credentials: Bearer ghp_…"). Every token the app
  reads (`app.config.secrets`) or sends (`app.sources.http`) is remembered here for the life of
  the process, and `scrub()` replaces each one — also base64-encoded in a Basic header, and
  URL-encoded — with `[secret]`. `SourceError` and `TrackerError` scrub their message when
  they are made, so nothing downstream (the board, the store, the outbox, logs, `report`)
  ever holds the original.
- **Query values are redacted from URLs that leave the app** (report bodies): signed URLs carry
  their secret in the query under many names (`sig`, `X-Amz-Signature`, `code`, `jwt` …), so a
  URL in a report keeps its names and loses every value. `is_secret_query_name()` is how the
  board-file checks recognise such a parameter by name.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "SECRET_QUERY_NAMES",
    "ScrubbingFilter",
    "install_log_scrubbing",
    "is_secret_query_name",
    "redact_url",
    "remember_secret",
    "scrub",
]

MASK = "[secret]"
MIN_SECRET_CHARS = 8  # shorter values would mask ordinary words ("other" in "another")

# Query parameters that carry a secret in signed URLs, OAuth flows and APIs (compared without
# case, with '-' and '_' alike).
SECRET_QUERY_NAMES = frozenset(
    name.lower().replace("-", "_")
    for name in (
        # generic
        "token", "access_token", "refresh_token", "id_token", "auth", "auth_token",
        "authorization", "jwt", "key", "apikey", "api_key", "api-key", "secret", "client_secret",
        "password", "passwd", "pass", "pwd", "code", "sig", "signature", "session", "sessionid",
        "session_id", "sid", "private_token", "private-token", "job_token", "ticket",
        "credential", "credentials",
        # AWS SigV4, Google Cloud Storage V4, Azure SAS (sig), CloudFront
        "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "AWSAccessKeyId",
        "X-Goog-Signature", "X-Goog-Credential", "GoogleAccessId", "Key-Pair-Id",
    )
)  # fmt: skip
_SECRET_NAME = re.compile(r"token|passw|secret|signature|credential|api_?key", re.IGNORECASE)


def is_secret_query_name(name: str) -> bool:
    """Whether a query parameter of this name carries a secret."""
    norm = name.strip().lower().replace("-", "_")
    return norm in SECRET_QUERY_NAMES or bool(_SECRET_NAME.search(norm))


def redact_url(url: str) -> str:
    """`url` without its user:password@ part and with every query (and fragment parameter)
    value replaced: `https://s3/x?X-Amz-Signature=ab&v=2` → `…?X-Amz-Signature=REDACTED&v=REDACTED`.
    A URL that does not parse is returned scrubbed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return scrub(url)
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    fragment = _redact_pairs(parts.fragment) if "=" in parts.fragment else parts.fragment
    return scrub(
        urlunsplit((parts.scheme, netloc, parts.path, _redact_pairs(parts.query), fragment))
    )


def _redact_pairs(query: str) -> str:
    if not query:
        return ""
    pairs = []
    for pair in re.split(r"[&;]", query):
        name, sep, _value = pair.partition("=")
        pairs.append(f"{name}=REDACTED" if sep else name)
    return "&".join(pairs)


class _Secrets:
    def __init__(self) -> None:
        self._forms: dict[str, None] = {}  # every form of every secret, longest first on use
        self._pattern: re.Pattern[str] | None = None
        self._seen: set[tuple[str, str | None]] = set()
        self._lock = threading.Lock()

    def remember(self, secret: str | None, user: str | None = None) -> None:
        if not secret or len(secret) < MIN_SECRET_CHARS or (secret, user) in self._seen:
            return  # the common case: a token sent again, known since the first request
        forms = {secret, quote(secret, safe=""), quote(secret, safe="/")}
        if user is not None:
            basic = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
            forms.add(basic)
        with self._lock:
            self._seen.add((secret, user))
            new = forms - self._forms.keys()
            if not new:
                return
            for form in new:
                self._forms[form] = None
            ordered = sorted(self._forms, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(form) for form in ordered))

    def scrub(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)


_SECRETS = _Secrets()


def remember_secret(secret: str | None, *, user: str | None = None) -> None:
    """Remember a token (with `user`: also its Basic-auth form) so `scrub()` hides it."""
    _SECRETS.remember(secret, user)


def scrub(text: str) -> str:
    """`text` with every remembered secret replaced by `[secret]`."""
    return _SECRETS.scrub(text)


class ScrubbingFilter(logging.Filter):
    """Scrubs every record's message and traceback before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def install_log_scrubbing() -> None:
    """Scrub what every handler of the root logger (and logging's last resort) writes."""
    handlers = [*logging.getLogger().handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, ScrubbingFilter) for f in handler.filters):
            handler.addFilter(ScrubbingFilter())
