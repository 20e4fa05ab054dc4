"""The sources layer's ports: what the shared HTTP client needs from outside the layer.

Where ports live (one rule for the whole app): a port is a Protocol owned by the layer that
*uses* it, in that layer's `ports.py` (app/sources/ports.py, app/trackers/ports.py,
app/services/ports.py). The provider satisfies it by its shape and never imports the user,
so dependencies keep pointing one way and a test can hand in any object of the right shape.

Here: `ValidatorCache`, where the HTTP client keeps each URL's validators (ETag,
Last-Modified) and last body so an unchanged upstream answers 304 and costs nothing. The
store's `HttpValidatorCache` keeps them across restarts; `MemoryValidatorCache`
(app/sources/http.py) keeps them for one process (`probe`, tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CachedResponse:
    """What the validator cache keeps per URL: the validators and the body they vouch for."""

    etag: str | None
    last_modified: str | None
    body: bytes
    content_type: str = ""


class ValidatorCache(Protocol):
    """Remembers the last 200 answer's validators per URL (thread-safe)."""

    def lookup(self, url: str) -> CachedResponse | None:
        """The validators and body remembered for `url`, if any."""
        ...

    def remember(self, url: str, entry: CachedResponse) -> None:
        """Keep `entry` for `url`, replacing what was there."""
        ...


__all__ = ["CachedResponse", "ValidatorCache"]
