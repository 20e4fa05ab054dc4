"""HTTP health checks for environments: status code, JSON status field, latency, TLS expiry.

What counts as an answer (DESIGN.md, "Reading rules that keep the verdict honest"):
- JSON with a status field decides by it: Spring Boot actuator `UP`/`DOWN`/`OUT_OF_SERVICE`/
  `UNKNOWN`, `application/health+json` `pass`/`warn`/`fail` (and the draft's aliases `ok`/`up`,
  `error`/`down`), or a custom dotted `json_field` (`true`/`false` too). `warn` is degraded.
- A plain-text or empty answer (Kubernetes `/livez`, `/readyz`) decides by its status code:
  2xx up, 5xx down (or exactly `expected_status`, when one is set).
- An HTML page with a 2xx status (often a single sign-on page in front of the service), a
  JSON body that does not parse, XML, or text that is not UTF-8 is unknown, said in words.

A bad health answer is a *reading*, never an error: a 503 with actuator `DOWN` is Health.DOWN.
`SourceError` is raised only when no statement about health could be read at all: nothing
answered (connection refused, timeout, TLS failure other than an expired certificate, too many
redirects, an answer too large), or the check itself is refused or throttled (401, 403, 404,
407, 429 or a rate limit): those say "fix the check", not "the environment is down", and the
board shows them as unknown through its error path. An expired certificate is DOWN: every
client refuses the service.

Health checks are never conditional (a cached 304 would hide a dead server behind a proxy).
For https URLs the certificate's expiry is read with the stdlib `ssl` module over a separate
short connection with the same verification (the given CA bundle, else the one `requests`
uses) and the client's connect timeout, at most once an hour per host (`TlsExpiryCache`), and
afresh when the request itself failed its TLS handshake, to tell "expired" from other faults.
Behind an HTTP(S) proxy no direct handshake is tried and expiry stays unread.
"""

from __future__ import annotations

import math
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from app.domain.model import EnvironmentReading, Health, ItemKind
from app.domain.redact import scrub
from app.domain.words import clock_words
from app.sources.errors import SourceError
from app.sources.http import (
    HttpClient,
    Response,
    TokenProblem,
    looks_like_html,
    read_json,
    refusal_words,
)

TLS_CHECK_EVERY_S = 3600.0

_WORDS_TO_HEALTH = {
    # Spring Boot actuator (org.springframework.boot.actuate.health.Status)
    "up": Health.UP,
    "down": Health.DOWN,
    "out_of_service": Health.DOWN,
    "unknown": Health.UNKNOWN,
    # application/health+json (draft-inadarei-api-health-check), with its aliases
    "pass": Health.UP,
    "ok": Health.UP,
    "warn": Health.DEGRADED,
    "fail": Health.DOWN,
    "error": Health.DOWN,
    # custom fields
    "true": Health.UP,
    "false": Health.DOWN,
    "healthy": Health.UP,
    "unhealthy": Health.DOWN,
    "degraded": Health.DEGRADED,
}


class HealthSource:
    """One environment's health endpoint."""

    kind = ItemKind.ENVIRONMENT

    def __init__(
        self,
        url: str,
        *,
        json_field: str | None = None,
        slow_ms: float = 2000,
        tls_warn_days: int = 14,
        expected_status: int | Collection[int] | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
        tls_cache: TlsExpiryCache | None = None,
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        token_hint: str = "",
    ) -> None:
        self.url = url
        self.token_hint = token_hint  # a TokenProblem: a refusal names why no token was sent
        self.headers = dict(headers or {})
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.json_field = json_field or None
        self.slow_ms = slow_ms
        self.tls_warn_days = tls_warn_days
        if isinstance(expected_status, int):
            expected_status = (expected_status,)
        self.expected_status: tuple[int, ...] | None = (
            tuple(expected_status) if expected_status else None
        )
        self.ca_bundle = ca_bundle
        self.timeout_s = timeout_s  # the total deadline of each request; None: the client's
        self.tls_cache = tls_cache if tls_cache is not None else SHARED_TLS_CACHE

    def fetch(self, http: HttpClient) -> EnvironmentReading:
        try:
            resp = http.get(
                self.url,
                headers=self.headers,
                conditional=False,
                ca_bundle=self.ca_bundle,
                timeout_s=self.timeout_s,
            )
        except SourceError as err:
            # A TLS failure: was it an expired certificate? Ask afresh (not the hourly cache):
            # a renewal must show at once. Any other failure stays an error.
            tls_failed = isinstance(err.__context__, requests.exceptions.SSLError)
            tls = self._tls(http, fresh=True) if tls_failed else None
            if tls is not None and tls.expired:
                return EnvironmentReading(
                    health=Health.DOWN, detail="certificate expired", url=self.url
                )
            raise
        _raise_if_check_refused(resp, self.token_hint)
        health, detail = self._judge(resp)
        notes = [detail] if detail else []
        tls = self._tls(http)
        days_left = tls.days_left() if tls is not None else None
        if health in (Health.UP, Health.DEGRADED):
            if resp.elapsed_ms > self.slow_ms:
                health = Health.DEGRADED
                notes.append(f"slow: {resp.elapsed_ms:,.0f} ms")
            if days_left is not None and days_left < self.tls_warn_days:
                health = Health.DEGRADED
                notes.append(_expires_words(days_left))
        return EnvironmentReading(
            health=health,
            latency_ms=round(resp.elapsed_ms, 1),
            http_status=resp.status,
            detail="; ".join(notes),
            tls_days_left=days_left,
            url=self.url,
        )

    def _tls(self, http: HttpClient, *, fresh: bool = False) -> TlsInfo | None:
        parts = urlsplit(self.url)
        if parts.scheme != "https" or not parts.hostname:
            return None
        if requests.utils.get_environ_proxies(self.url):
            return None  # behind a proxy a direct handshake may hang; expiry is then not read
        try:
            port = parts.port or 443
        except ValueError:
            return None
        timeout = http.connect_timeout_s
        return self.tls_cache.get(parts.hostname, port, self.ca_bundle, timeout, fresh=fresh)

    def _judge(self, resp: Response) -> tuple[Health, str]:
        body = resp.body
        stripped = body.lstrip()
        if looks_like_html(body):
            if resp.status >= 500:
                return Health.DOWN, f"server error {resp.status}"
            if 200 <= resp.status < 300:
                return Health.UNKNOWN, "got an HTML page, not a health report (sign-in page?)"
            return Health.UNKNOWN, f"got an HTML page with status {resp.status}"
        ctype = resp.content_type
        if ctype.endswith("json") or stripped[:1] == b"{":
            data, problem = _load_json(body)
            if problem is None:
                return self._judge_data(resp.status, data)
            if ctype.endswith("json"):
                # A 5xx is the server saying it fails, whatever its body; a 2xx must prove it.
                unread = Health.DOWN if resp.status >= 500 else Health.UNKNOWN
                return unread, f"{problem} (status {resp.status})"
            # "{..." that is not JSON, sent as text: plain text after all.
        if self.json_field:
            expected = f"expected JSON with {self.json_field!r}, got {_kind(resp)}"
            return self._down_by_code_or_unknown(resp.status, expected)
        if stripped.startswith(b"<") or ctype.endswith("xml"):
            return self._down_by_code_or_unknown(resp.status, "got XML, not a health report")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            return Health.UNKNOWN, f"answer is not valid UTF-8 (byte {err.start})"
        return self._by_code(resp.status, text)

    def _judge_data(self, status: int, data: Any) -> tuple[Health, str]:
        if self.json_field:
            found, value = _dig(data, self.json_field)
            if not found:
                return Health.UNKNOWN, f"no field {self.json_field!r} in the answer"
            return _by_value(value, self.json_field)
        if isinstance(data, dict) and "status" in data:
            health, words = _by_value(data["status"], "status")
            extra = _failing_parts(data) if health is not Health.UP else ""
            return health, words + extra
        return self._by_code(status, "")

    def _down_by_code_or_unknown(self, status: int, unread: str) -> tuple[Health, str]:
        """An answer that is not the health report asked for: a status code that says the
        server fails (5xx, or not an expected_status) is still DOWN; otherwise unknown."""
        by_code = self._by_code(status, "")
        return by_code if by_code[0] is Health.DOWN else (Health.UNKNOWN, unread)

    def _by_code(self, status: int, text: str) -> tuple[Health, str]:
        snippet = _snippet(text)
        if self.expected_status is not None:
            if status in self.expected_status:
                return Health.UP, f"answered {status}{snippet}"
            wanted = " or ".join(str(code) for code in self.expected_status)
            return Health.DOWN, f"answered {status}, expected {wanted}{snippet}"
        if 200 <= status < 300:
            return Health.UP, f"answered {status}{snippet}"
        if status >= 500:
            return Health.DOWN, f"server error {status}{snippet}"
        return Health.UNKNOWN, f"unexpected answer {status}{snippet}"


def _load_json(body: bytes) -> tuple[Any, str | None]:
    """The parsed body, or None and what is wrong with it."""
    try:
        return read_json(body), None
    except UnicodeDecodeError as err:
        return None, f"answer is not valid UTF-8 (byte {err.start})"
    except ValueError as err:
        return None, f"answer is not {err}"


def _raise_if_check_refused(resp: Response, token_hint: str = "") -> None:
    """401/403/404/407/429 and rate limits: the check cannot read health (see module doc)."""
    status = resp.status
    if status in (403, 429):
        until = resp.rate_limited_until()
        if until is not None:
            raise SourceError(
                f"rate-limited until {clock_words(until)} ({status})", rate_limited_until=until
            )
    words = {
        401: "the health endpoint asks for sign-in (401)",
        403: "access to the health endpoint denied (403)",
        404: "health endpoint not found (404): check the URL",
        407: "the proxy asks for sign-in (407)",
    }.get(status)
    if words and status in (401, 403) and isinstance(token_hint, TokenProblem):
        words = refusal_words(words, token_hint)
    if words:
        raise SourceError(words)


def _by_value(value: Any, field: str) -> tuple[Health, str]:
    word = str(value).lower() if isinstance(value, str | bool) else None
    health = _WORDS_TO_HEALTH.get(word) if word is not None else None
    if health is None:
        return Health.UNKNOWN, f"{field} {_plain(value)!r} not recognised"
    return health, f"{field} {_plain(value)}"


def _failing_parts(data: dict[str, Any]) -> str:
    """Names of actuator components / health+json checks that are not up, in words."""
    bad: list[str] = []
    parts = data.get("components") or data.get("details")  # Boot 2.2+ / older
    if isinstance(parts, dict):
        for name, part in parts.items():
            if isinstance(part, dict) and str(part.get("status", "UP")).upper() != "UP":
                bad.append(f"{_plain(name)} {_plain(part.get('status'))}")
    checks = data.get("checks")
    if isinstance(checks, dict):
        for name, results in checks.items():
            items = results if isinstance(results, list) else [results]
            for item in items:
                if isinstance(item, dict) and str(item.get("status", "pass")).lower() != "pass":
                    bad.append(f"{_plain(name)} {_plain(item.get('status'))}")
                    break
    output = data.get("output")
    if isinstance(output, str) and output.strip():
        bad.append(_plain(output))
    return f" ({', '.join(bad[:5])}{', …' if len(bad) > 5 else ''})" if bad else ""


def _dig(data: Any, dotted: str) -> tuple[bool, Any]:
    for key in dotted.split("."):
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return False, None
    return True, data


def _plain(value: Any, limit: int = 60) -> str:
    """Remote text as one short plain line, scrubbed of the tokens the app holds (before it
    is cut: half a token would no longer be recognised)."""
    text = " ".join(scrub(str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _snippet(text: str) -> str:
    line = _plain(text, 40) if text.strip() else ""
    return f" ({line})" if line else ""


def _kind(resp: Response) -> str:
    return resp.content_type or ("an empty answer" if not resp.body.strip() else "plain text")


def _expires_words(days_left: int) -> str:
    if days_left <= 0:
        return "certificate expires today"
    return f"certificate expires in {days_left} day{'s' if days_left != 1 else ''}"


@dataclass(frozen=True)
class TlsInfo:
    """What the TLS probe learnt of a host's certificate."""

    not_after: datetime | None
    expired: bool = False

    def days_left(self, now: datetime | None = None) -> int | None:
        """Whole days left, rounded up (4.2 days is "5 days"); 0 or less once past."""
        if self.not_after is None:
            return None
        seconds = (self.not_after - (now or datetime.now(UTC))).total_seconds()
        return math.ceil(seconds / 86400) if seconds > 0 else math.floor(seconds / 86400)


class TlsExpiryCache:
    """Certificate expiry per (host, port, CA bundle), probed at most once an hour.

    A probe that fails for any reason other than an expired certificate gives None: the
    HTTP request that follows words that failure, and expiry is not worth a second voice.
    """

    def __init__(
        self,
        *,
        every_s: float = TLS_CHECK_EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
        probe: Callable[[str, int, str | None, float], TlsInfo | None] | None = None,
    ) -> None:
        self.every_s = every_s
        self._monotonic = monotonic
        self._probe = probe or probe_certificate
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int, str | None], tuple[float, TlsInfo | None]] = {}
        self.probes = 0

    def get(
        self,
        host: str,
        port: int,
        ca_bundle: str | None,
        timeout_s: float,
        *,
        fresh: bool = False,
    ) -> TlsInfo | None:
        key = (host.lower(), port, ca_bundle)
        now = self._monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if not fresh and entry is not None and now - entry[0] < self.every_s:
                return entry[1]
        info = self._probe(host, port, ca_bundle, timeout_s)
        with self._lock:
            self.probes += 1
            self._entries[key] = (now, info)
        return info


def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The verification `requests` does: the given bundle, else its environment, else certifi."""
    where = (
        ca_bundle
        or os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or DEFAULT_CA_BUNDLE_PATH
    )
    if os.path.isdir(where):
        return ssl.create_default_context(capath=where)
    return ssl.create_default_context(cafile=where)


def probe_certificate(
    host: str, port: int, ca_bundle: str | None, timeout_s: float
) -> TlsInfo | None:
    try:
        context = _ssl_context(ca_bundle)
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            cert = tls.getpeercert()
    except ssl.SSLCertVerificationError as err:
        if err.verify_code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
            return TlsInfo(not_after=None, expired=True)
        return None
    except (OSError, ValueError):
        return None
    not_after = cert.get("notAfter") if cert else None
    if not isinstance(not_after, str):
        return None
    return TlsInfo(not_after=datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC))


SHARED_TLS_CACHE = TlsExpiryCache()

__all__ = ["SHARED_TLS_CACHE", "HealthSource", "TlsExpiryCache", "TlsInfo", "probe_certificate"]
