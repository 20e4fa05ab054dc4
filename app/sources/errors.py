"""The error every source raises, worded for the user."""

from __future__ import annotations

from datetime import datetime

from app.domain.redact import scrub


class SourceError(Exception):
    """A read failed; `str(err)` is shown on the item as is, so it must be plain user words.

    `rate_limited_until` is set when the server told us to come back later: the scheduler
    skips this source until then and the item shows "rate-limited until 14:05". Every token
    the app holds is scrubbed from the message (`app.domain.redact`).
    """

    def __init__(
        self,
        message: str,
        *,
        rate_limited_until: datetime | None = None,
        not_sent: bool = False,
        network: bool = False,
    ) -> None:
        message = scrub(message)  # a server may echo the token it was sent
        super().__init__(message)
        self.message = message
        self.rate_limited_until = rate_limited_until
        # True when no answer came back (no name, no route, no connection, timed out): a
        # missing token is then beside the point; the next step is the network, proxy or VPN.
        self.network = network
        # True when the request certainly never reached the server (refused, DNS, TLS, bad
        # URL): a create can then be retried without looking for a duplicate first.
        self.not_sent = not_sent
