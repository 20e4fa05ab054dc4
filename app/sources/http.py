"""The HTTP client every source and tracker shares: timeouts, size cap, conditional requests,
rate limits, and errors in words.

One `HttpClient` may be shared by many threads: it keeps one `requests.Session` per thread
(Session is not thread-safe) and a `ValidatorCache` (app/sources/ports.py; in the app the
store's `HttpValidatorCache`) that remembers ETag and Last-Modified per URL across restarts,
so an unchanged upstream answers 304 and costs nothing.
Any HTTP status comes back as a `Response`; only transport failures raise here. Sources turn a
bad status into words with `check_status()`. requests itself is loaded by the first request
(app/sources/session.py), not by importing this module.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlparse, urlsplit

from app import __version__
from app.domain.redact import is_secret_query_name, remember_secret, scrub
from app.domain.words import NETWORK_NEXT_STEP, NETWORK_PLACES, clock_words
from app.sources.deadline import Deadline, stopping
from app.sources.errors import SourceError
from app.sources.import_lock import NETWORK_IMPORTS
from app.sources.ports import CachedResponse, ValidatorCache

if TYPE_CHECKING:
    import requests

USER_AGENT = f"Releasable/{__version__} (+https://github.com/releasable/releasable)"
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_REDIRECTS = 5
SECONDARY_LIMIT_WAIT_S = 60  # GitHub: wait at least a minute after a secondary limit


class MemoryValidatorCache:
    """A process-local cache, for `probe` and tests."""

    def __init__(self) -> None:
        self._entries: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()

    def lookup(self, url: str) -> CachedResponse | None:
        with self._lock:
            return self._entries.get(url)

    def remember(self, url: str, entry: CachedResponse) -> None:
        with self._lock:
            self._entries[url] = entry


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed_ms: float
    from_cache: bool = False  # a 304 answered and the cached body was reused

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise SourceError(
                f"answer from {_safe_url(self.url)} is not valid UTF-8 (byte {err.start})"
            ) from None

    def json(self) -> Any:
        """The body as JSON, or a SourceError that says what came instead."""
        if looks_like_html(self.body):
            raise SourceError(
                f"expected JSON but got an HTML page from {_safe_url(self.url)}{_login_hint(self)}"
            )
        try:
            return read_json(self.text())
        except ValueError as err:
            raise SourceError(
                f"answer from {_safe_url(self.url)} is not {err} "
                f"(starts with {_preview(self.body)})"
            ) from None

    def rate_limited_until(self, now: datetime | None = None) -> datetime | None:
        """When the server says our quota is spent, the time it comes back; else None."""
        return rate_limit_until(self.status, self.headers, self.body, now or datetime.now(UTC))


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]


def _login_hint(resp: Response) -> str:
    low = resp.body[:4096].lower()
    if b"password" in low or b"login" in low or b"sign in" in low:
        return " (looks like a sign-in page: is single sign-on in front of it?)"
    return ""


def _preview(body: bytes) -> str:
    # Scrubbed before it is cut: the first bytes may be the start of an echoed token.
    snippet = scrub(body[:4096].decode("utf-8", "replace"))[:24].replace("\n", " ").strip()
    return repr(snippet) if snippet else "nothing: the answer was empty"


MAX_JSON_DEPTH = 200  # no vendor answer nests deeper; a hostile one may nest 100,000 deep


def read_json(text: str | bytes) -> Any:
    """JSON from outside: the value, or ValueError whose words finish "the answer is not …".

    The one reader for every answer from a source or tracker: besides malformed JSON it
    refuses nesting beyond `MAX_JSON_DEPTH` (which would raise RecursionError in `json`,
    and in any code that walks the value) and numbers too long to be real.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if _too_deep(text):
        raise ValueError(f"readable JSON (nested more than {MAX_JSON_DEPTH} deep)")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"readable JSON (nested more than {MAX_JSON_DEPTH} deep)") from None
    except ValueError:  # also int() refusing a number of more than 4,300 digits
        raise ValueError("valid JSON") from None


def _too_deep(text: str) -> bool:
    """Whether brackets outside strings nest deeper than MAX_JSON_DEPTH (a cheap pre-scan:
    only called into when the text has that many opening brackets at all)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


MAX_WAIT_S = 3600  # a server's "come back later" is honoured up to an hour, then asked again
_MAX_HEADER_CHARS = 64


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    """A header's value as a finite number, or None for anything else (never raises)."""
    value = headers.get(name)
    if value is None or len(value) > _MAX_HEADER_CHARS:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    number = _header_number(headers, name)
    return int(number) if number is not None else None


def capped_wait(until: datetime, now: datetime) -> datetime:
    """A wait the server asked for, never in the past and never beyond MAX_WAIT_S."""
    return min(max(until, now), now + timedelta(seconds=MAX_WAIT_S))


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3); capped at an
    hour; None for anything unreadable (never raises)."""
    if not value or len(value) > _MAX_HEADER_CHARS:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), MAX_WAIT_S))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return capped_wait(when, now)


def rate_limit_until(
    status: int, headers: Mapping[str, str], body: bytes, now: datetime
) -> datetime | None:
    """The end of a rate limit the answer announces, from any of the vendors' headers.

    Retry-After (429 or 403, RFC and GitHub secondary limits), GitHub's
    `x-ratelimit-remaining: 0` + `x-ratelimit-reset` (epoch seconds), GitLab's
    `RateLimit-Remaining: 0` + `RateLimit-Reset`. A 403/429 that mentions a secondary rate
    limit with no header waits a minute, as GitHub asks. Every wait is capped at
    `MAX_WAIT_S`; absurd or unreadable values are ignored, never raised.
    """
    retry = parse_retry_after(headers.get("Retry-After"), now)
    if retry is not None and status in (403, 429, 503):
        return retry
    for remaining_h, reset_h in (
        ("x-ratelimit-remaining", "x-ratelimit-reset"),
        ("RateLimit-Remaining", "RateLimit-Reset"),
    ):
        remaining = _header_number(headers, remaining_h)
        if remaining == 0:
            reset = _header_number(headers, reset_h)
            if reset is not None and reset >= 0:
                # Epoch seconds; GitLab documents the same. A small value is a delta.
                if reset <= 1_000_000_000:
                    return now + timedelta(seconds=min(reset, MAX_WAIT_S))
                if reset - now.timestamp() >= MAX_WAIT_S:  # also 99999999999999: year 3 million
                    return now + timedelta(seconds=MAX_WAIT_S)
                return max(datetime.fromtimestamp(reset, UTC), now)
            if status in (403, 429):
                return now + timedelta(seconds=SECONDARY_LIMIT_WAIT_S)
    if status == 429:
        return now + timedelta(seconds=SECONDARY_LIMIT_WAIT_S)
    if status == 403 and b"rate limit" in body[:2048].lower():
        return now + timedelta(seconds=SECONDARY_LIMIT_WAIT_S)
    return None


class TokenProblem(str):
    """A token hint that says why no token was sent ("the keyring entry 'releasable/ci' could
    not be read: the keyring is locked"): a refusal shows it as the likely cause, as is,
    instead of "check <where the token comes from>". Never holds a token."""

    __slots__ = ()


def refusal_words(words: str, token_hint: str) -> str:
    """`words` of a refusal (401, 403), followed by what the token hint says to look at."""
    if isinstance(token_hint, TokenProblem):
        return f"{words} — {token_hint}"
    return f"{words} — check {token_hint}" if token_hint else words


def check_status(resp: Response, *, what: str, token_hint: str = "") -> None:
    """Raise a SourceError in the user's words for any answer that is not a success.

    `what` names the thing asked for ("repository acme/api"); `token_hint` names where the
    token comes from ("GITHUB_TOKEN") so a 401 says what to check, or, a `TokenProblem`, why
    no token was sent (then a 404 names it too: GitHub hides a private repository so).
    """
    if 200 <= resp.status < 300 or resp.status == 304:
        return
    until = resp.rate_limited_until()
    if until is not None:
        raise SourceError(
            f"rate-limited until {clock_words(until)} ({resp.status})", rate_limited_until=until
        )
    if resp.status == 401:
        raise SourceError(refusal_words("token rejected (401)", token_hint))
    if resp.status == 403:
        raise SourceError(refusal_words(f"access to {what} denied (403)", token_hint))
    if resp.status == 404:
        words = f"{what} not found, or the token can't see it (404)"
        raise SourceError(
            refusal_words(words, token_hint) if isinstance(token_hint, TokenProblem) else words
        )
    if resp.status == 410:
        raise SourceError(f"{what} is gone (410)")
    if 500 <= resp.status < 600:
        raise SourceError(f"server error {resp.status} from {_host(resp.url)}")
    raise SourceError(f"unexpected answer {resp.status} from {_host(resp.url)} for {what}")


def _host(url: str) -> str:
    """host[:port] for messages: never the user:password@ part of a URL."""
    parts = urlparse(url)
    host = parts.hostname or ""
    if not host:
        return "the server"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def _invalid_url_words(url: str) -> str:
    shown = url.split("?", 1)[0].rsplit("@", 1)[-1].strip()
    if "://" not in url:
        return f"not a valid URL: {shown!r} (it must start with https:// or http://)"
    return f"not a valid URL: {shown!r}"


def _safe_url(url: str) -> str:
    """The URL for messages, without credentials or query (tokens travel in both)."""
    parts = urlparse(url)
    if not parts.scheme or not parts.hostname:
        return "the server"
    return f"{parts.scheme}://{_host(url)}{parts.path}"


# Headers that carry a secret. requests drops `Authorization` when a redirect leaves the
# original host; these vendor headers must go with it.
SECRET_HEADERS = ("PRIVATE-TOKEN", "JOB-TOKEN", "X-Api-Key", "X-Auth-Token", "Cookie")
_SECRET_HEADER_NAMES = frozenset(name.lower() for name in SECRET_HEADERS)


def new_session(*, pool_connections: int = 10, pool_maxsize: int = 10) -> requests.Session:
    """A session as every request is sent: no token across hosts, our User-Agent, every
    request's total deadline (app/sources/session.py, which loads requests on first use),
    its connection pools sized as requests' default ones unless told."""
    with NETWORK_IMPORTS:  # never loaded by two threads at once (app/sources/loading.py)
        from app.sources import session

    return session.new_session(
        USER_AGENT,
        MAX_REDIRECTS,
        SECRET_HEADERS,
        pool_connections=pool_connections,
        pool_maxsize=pool_maxsize,
    )


class HttpClient:
    """Shared by all worker threads; one `requests.Session` per thread."""

    def __init__(
        self,
        cache: ValidatorCache | None = None,
        *,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.cache = cache if cache is not None else MemoryValidatorCache()
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.max_bytes = max_bytes
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self._in_flight: set[Deadline] = set()
        self._stopped = False  # stop(): no request is sent any more
        self.requests_sent = 0
        self.not_modified = 0

    def session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = new_session()
            self._local.session = session
        return session

    def session_for(self, url: str) -> requests.Session:
        """The session that sends a request to `url` (this thread's; a fleet shares one per
        host, see app/services/fleet_fetch.py)."""
        return self.session()

    def abort(self) -> None:
        """End this client's requests in flight now, on whatever thread they wait (each fails
        as if its deadline had passed). For stopping: nobody waits for a slow server."""
        with self._count_lock:
            in_flight = list(self._in_flight)
        for deadline in in_flight:
            deadline.expire(aborted=True)

    def stop(self) -> None:
        """`abort()`, and every later request fails at once without being sent: the client is
        going away. A worker that makes one request after another (the outbox's round: send,
        look up, read the blockers, the claims) then ends within moments, not after a whole
        deadline per request."""
        with self._count_lock:
            self._stopped = True
        self.abort()

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        conditional: bool = True,
        timeout_s: float | None = None,
    ) -> Response:
        """Send one request; transport failures raise SourceError, any status returns.

        GET requests are conditional by default: the URL's remembered validators are sent and
        a 304 returns the cached body with `from_cache=True`.
        """
        with NETWORK_IMPORTS:  # never loaded by two threads at once (app/sources/loading.py)
            from requests.exceptions import RequestException
            from requests.structures import CaseInsensitiveDict

            from app.sources.session import INVALID_URL_ERRORS, sent_url

        send_headers: dict[str, str] = dict(headers or {})
        _remember_secrets(url, send_headers, auth)
        try:
            full_url = sent_url(method, url, params)
        except INVALID_URL_ERRORS:
            raise SourceError(_invalid_url_words(url), not_sent=True) from None
        cached = self.cache.lookup(full_url) if (conditional and method == "GET") else None
        if cached is not None:
            if cached.etag:
                send_headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                send_headers["If-Modified-Since"] = cached.last_modified
        total = timeout_s if timeout_s is not None else self.read_timeout_s
        started = time.perf_counter()
        answered: list[bool] = []
        deadline = Deadline(total)
        with self._count_lock:
            if self._stopped or stopping():
                raise SourceError(f"the read from {_host(full_url)} was stopped", not_sent=True)
            self.requests_sent += 1
            self._in_flight.add(deadline)
        try:
            with deadline:
                raw = self.session_for(full_url).request(
                    method,
                    full_url,
                    headers=send_headers,
                    json=json_body,
                    auth=auth,
                    timeout=(min(self.connect_timeout_s, total), total),
                    verify=ca_bundle if ca_bundle else True,
                    stream=True,
                    allow_redirects=True,
                )
                answered.append(True)
                try:
                    body = self._read_capped(raw, full_url)
                finally:
                    raw.close()
            if deadline.expired:  # the body may have ended only because its socket was shut
                raise _TimedOut
        except (SourceError, RequestException, OSError, _TimedOut) as err:
            if deadline.aborted:
                raise SourceError(f"the read from {_host(full_url)} was stopped") from None
            if deadline.expired or _is_read_timeout(err):
                raise SourceError(_no_answer_words(total, full_url, whole=bool(answered))) from None
            if isinstance(err, SourceError):
                raise
            raise self._transport_error(err, url, full_url) from None
        finally:
            with self._count_lock:
                self._in_flight.discard(deadline)
        elapsed_ms = (time.perf_counter() - started) * 1000
        resp_headers = CaseInsensitiveDict(raw.headers)
        if raw.status_code == 304 and cached is not None:
            with self._count_lock:
                self.not_modified += 1
            return Response(
                url=full_url,
                status=200,
                headers=CaseInsensitiveDict({**resp_headers, "Content-Type": cached.content_type}),
                body=cached.body,
                elapsed_ms=elapsed_ms,
                from_cache=True,
            )
        if method == "GET" and raw.status_code == 200:
            etag = resp_headers.get("ETag")
            last_modified = resp_headers.get("Last-Modified")
            if etag or last_modified:
                self.cache.remember(
                    full_url,
                    CachedResponse(etag, last_modified, body, resp_headers.get("Content-Type", "")),
                )
        return Response(full_url, raw.status_code, resp_headers, body, elapsed_ms)

    def _transport_error(self, err: Exception, url: str, full_url: str) -> SourceError:
        """A transport failure (not a timeout) in words."""
        import requests

        if isinstance(err, requests.exceptions.SSLError):
            return SourceError(_tls_words(err, full_url), not_sent=True)
        if isinstance(err, requests.exceptions.ConnectTimeout):
            return SourceError(
                f"could not connect to {_host(full_url)} within {self.connect_timeout_s:g} s: "
                + NETWORK_NEXT_STEP,
                not_sent=True,
                network=True,
            )
        if isinstance(err, requests.exceptions.TooManyRedirects):
            return SourceError(
                f"too many redirects from {_host(full_url)} (more than {MAX_REDIRECTS}; a loop?)"
            )
        if isinstance(err, requests.exceptions.ConnectionError):
            words = _connection_words(err, full_url)
            return SourceError(words, not_sent=words.startswith(_NOT_SENT_WORDS), network=True)
        if isinstance(err, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
            return SourceError(_invalid_url_words(url), not_sent=True)
        return SourceError(f"request to {_host(full_url)} failed: {type(err).__name__}")

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def _read_capped(self, raw: requests.Response, url: str) -> bytes:
        declared = _header_int(raw.headers, "Content-Length")
        if declared is not None and declared > self.max_bytes:
            raise SourceError(
                f"answer from {_host(url)} is too large ({declared // 1024} KiB; "
                f"the limit is {self.max_bytes // 1024} KiB)"
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise SourceError(
                    f"answer from {_host(url)} is too large (over {self.max_bytes // 1024} KiB)"
                )
            chunks.append(chunk)
        return b"".join(chunks)


_AUTH_SCHEMES = ("bearer ", "basic ", "token ", "bot ", "sso-key ")


def _remember_secrets(url: str, headers: Mapping[str, str], auth: tuple[str, str] | None) -> None:
    """Every credential a request carries, so no answer can echo it back into a message."""
    if auth is not None:
        remember_secret(auth[1], user=auth[0])
    for name, value in headers.items():
        low = name.lower()
        if low == "authorization" or low in _SECRET_HEADER_NAMES or is_secret_query_name(low):
            remember_secret(value)
            scheme = value[: value.find(" ") + 1].lower()
            if scheme in _AUTH_SCHEMES:
                remember_secret(value[len(scheme) :].strip())
    if "?" in url or "@" in url:
        with contextlib.suppress(ValueError):
            parts = urlsplit(url)
            remember_secret(parts.password)
            for key, value in parse_qsl(parts.query):
                if is_secret_query_name(key):
                    remember_secret(value)


class _TimedOut(Exception):
    """The exchange's total deadline passed (its socket was shut under it)."""


def _is_read_timeout(err: Exception) -> bool:
    """A receive that waited its whole timeout (before or inside the body)."""
    import requests

    if isinstance(err, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(err, _TimedOut | requests.exceptions.ReadTimeout | TimeoutError):
        return True
    return isinstance(err, requests.exceptions.ConnectionError) and "timed out" in str(err)


def _no_answer_words(seconds: float, url: str, *, whole: bool) -> str:
    """The words of a read that did not end in time (DESIGN: "no answer within N s")."""
    what = "no complete answer" if whole else "no answer"
    return f"{what} within {seconds:g} s from {_host(url)}"


def _tls_words(err: Exception, url: str) -> str:
    text = str(err)
    host = _host(url)
    if "certificate has expired" in text or "CERTIFICATE_EXPIRED" in text.upper():
        return f"certificate expired for {host}"
    if "self-signed" in text or "self signed" in text:
        return f"self-signed certificate at {host} (set ca_bundle for a private CA)"
    if "hostname mismatch" in text or "doesn't match" in text:
        return f"certificate does not match the name {host}"
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return f"certificate of {host} could not be verified (set ca_bundle for a private CA)"
    return f"TLS handshake with {host} failed"


# Connection failures that happen before a single byte of the request left this machine.
_NOT_SENT_WORDS = ("connection refused by", "host name not found")


def _connection_words(err: Exception, url: str) -> str:
    text = str(err)
    host = _host(url)
    if "Connection refused" in text or "ECONNREFUSED" in text:
        return f"connection refused by {host}"
    if "Name or service not known" in text or "getaddrinfo" in text or "NameResolution" in text:
        return f"host name not found: {host}: check the address, then {NETWORK_PLACES}"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return f"{host} closed the connection without an answer"
    return f"could not reach {host}: {NETWORK_NEXT_STEP}"


__all__ = [
    "USER_AGENT",
    "HttpClient",
    "MemoryValidatorCache",
    "Response",
    "SourceError",
    "TokenProblem",
    "capped_wait",
    "check_status",
    "looks_like_html",
    "rate_limit_until",
    "read_json",
    "refusal_words",
]
