"""How every tracker talks HTTP: one request through the shared client, and every way it can go
wrong turned into a `TrackerError` in the user's words.

The shared `HttpClient` raises `SourceError` on transport failures and returns any status. This
module decides, for a tracker, what each failure means for the outbox: *permanent* (the request
is wrong or not allowed: fix the token, the project or the report), *retryable* (network, 5xx,
429, rate limits; with `retry_at` when the server said when), and *uncertain* (a create that may
have reached the tracker before the answer was lost: look the key up before sending again).
It also walks paginated lists (`paged_items`) and follows `Link: rel="next"` pagination, only
ever to the tracker's own origin, so a hostile answer cannot send the token elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from app.domain.redact import scrub
from app.domain.words import clock_words
from app.sources.errors import SourceError
from app.sources.http import Response, parse_retry_after, rate_limit_until
from app.trackers.base import TrackerError
from app.trackers.ports import Http

Clock = Callable[[], datetime]
# Where a paginated list goes on: the next page's URL (None at the end) and its query.
NextPage = Callable[[Response, Mapping[str, str]], tuple[str | None, Mapping[str, str]]]

# Transport failures that happen before a request leaves the machine: nothing was created.
_RETRY_LATER_STATUSES = (408, 425, 429)
MAX_PAGES = 10  # a look-up never walks more than this many pages
DETAILS_LIMIT = 300  # a vendor's error text is quoted up to this many characters


def utc_now() -> datetime:
    return datetime.now(UTC)


def send(
    http: Http,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json_body: Any = None,
    auth: tuple[str, str] | None = None,
    ca_bundle: str | None = None,
) -> Response:
    """Send one request; a transport failure becomes a retryable TrackerError.

    A request that changes something (any method but GET) is `uncertain` when it may have
    reached the server: a timeout or a dropped connection after sending.
    """
    try:
        return http.request(
            method,
            url,
            headers=headers,
            params=params,
            json_body=json_body,
            auth=auth,
            ca_bundle=ca_bundle,
            conditional=method == "GET",
        )
    except SourceError as err:
        sent = not err.not_sent
        raise TrackerError(
            err.message,
            retry_at=err.rate_limited_until,
            uncertain=sent and method != "GET",
        ) from None


def is_success(resp: Response) -> bool:
    return 200 <= resp.status < 300


def json_of(resp: Response, *, uncertain: bool = False) -> Any:
    """The answer's JSON, or a retryable TrackerError saying what came instead.

    `uncertain` is for a create that succeeded with an unreadable answer: the issue may exist.
    """
    try:
        return resp.json()
    except SourceError as err:
        raise TrackerError(err.message, uncertain=uncertain) from None


def maybe_json(resp: Response) -> Any:
    """The answer's JSON, or None when it is not JSON (error bodies vary by proxy)."""
    try:
        return resp.json()
    except SourceError:
        return None


def error_for(
    resp: Response,
    *,
    vendor: str,
    token_hint: str,
    forbidden: str,
    not_found: str,
    refused: str,
    details: str,
    now: datetime,
) -> TrackerError:
    """The TrackerError for an answer that is not a success.

    `forbidden` and `not_found` are whole phrases ("the token may not create issues in
    acme/platform"); `refused` starts the validation message ("GitHub refused the issue");
    `details` are the vendor's own field messages, already in words.
    """
    status = resp.status
    host = urlsplit(resp.url).netloc or resp.url
    until = rate_limit_until(status, resp.headers, resp.body, now)
    if until is not None:
        return TrackerError(
            f"{vendor} rate limit reached ({status}); retrying after {clock_words(until, now)}",
            retry_at=until,
        )
    details = clip(" ".join(scrub(details).split()), DETAILS_LIMIT)  # scrubbed, then cut
    tail = f": {details}" if details else ""
    if status == 401:
        check = f" — check {token_hint}" if token_hint else ""
        return TrackerError(f"token rejected (401){check}", permanent=True)
    if status == 403:
        return TrackerError(f"{forbidden} (403){tail}", permanent=True)
    if status == 404:
        return TrackerError(f"{not_found} (404)", permanent=True)
    if status in _RETRY_LATER_STATUSES or status >= 500:
        retry_at = parse_retry_after(resp.headers.get("Retry-After"), now)
        kind = "server error" if status >= 500 else "busy"
        return TrackerError(f"{vendor} {kind} {status} from {host}; will retry", retry_at=retry_at)
    return TrackerError(f"{refused} ({status}){tail}", permanent=True)


def next_link(resp: Response, base_url: str) -> str | None:
    """The `rel="next"` URL of a paginated answer, if it stays on the tracker's origin."""
    for part in resp.headers.get("Link", "").split(","):
        target_part, _, params = part.partition(";")
        target = re.fullmatch(r"\s*<([^>]*)>\s*", target_part)
        rel = re.search(r'rel\s*=\s*"?([^";]*)"?', params)
        if target and rel and "next" in rel.group(1).split():
            url = urljoin(resp.url, target.group(1))
            return url if _origin(url) == _origin(base_url) else None
    return None


def paged_items(
    get: Callable[[str, Mapping[str, str]], Response],
    url: str,
    params: Mapping[str, str],
    *,
    next_page: NextPage,
    error: Callable[[Response], TrackerError],
) -> Iterator[Any]:
    """The items of a paginated JSON list, page after page, at most `MAX_PAGES` pages.

    `get(url, params)` sends one GET; an answer that is not a success raises `error(answer)`.
    `next_page` says where the list goes on. Pages are asked for only as items are taken, so
    a look-up that stops at its match sends no further request.
    """
    next_url: str | None = url
    for _ in range(MAX_PAGES):
        if next_url is None:
            return
        resp = get(next_url, params)
        if not is_success(resp):
            raise error(resp)
        page = json_of(resp)
        yield from page if isinstance(page, list) else []
        next_url, params = next_page(resp, params)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def merge_labels(*groups: Iterable[str]) -> tuple[str, ...]:
    """Labels from all groups, in order, each once, blanks dropped."""
    seen: dict[str, None] = {}
    for group in groups:
        for label in group:
            label = label.strip()
            if label and label.lower() not in {s.lower() for s in seen}:
                seen[label] = None
    return tuple(seen)


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis (issue titles have vendor limits)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = [
    "MAX_PAGES",
    "Clock",
    "NextPage",
    "clip",
    "error_for",
    "is_success",
    "json_of",
    "maybe_json",
    "merge_labels",
    "next_link",
    "paged_items",
    "send",
    "utc_now",
]
