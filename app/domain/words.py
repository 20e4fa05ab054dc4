"""The short plain words every surface uses: durations and ages ("12 min", "3 h 5 min", "for
12 min", "just now" — never "for 0 s" or "0 s ago"), how an
item that was never read is said ("not read yet": the window, the kiosk, the CLI, the verdict and
reports say it the same way), where a report stands (the window's outbox list and `releasable
outbox list`), the next step after a network failure, and a file's path as people read it
(`~/.config/releasable/board.toml`, not the home folder spelt out)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from app.domain.outbox import OutboxState


def path_words(path: Path) -> str:
    """`path` with the user's home folder as `~`, as a file dialog or a shell shows it."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except (ValueError, RuntimeError):  # outside home, or no home folder known
        return str(path)


def duration_words(seconds: float) -> str:
    """A compact human duration: '45 s', '12 min', '3 h 5 min', '2 d 4 h'."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    minutes = s // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


NOT_READ_YET = "not read yet"

# Where a report stands, in words: the window's outbox list and `releasable outbox list`.
OUTBOX_STATE_WORDS: Mapping[OutboxState, str] = MappingProxyType(
    {
        OutboxState.DRAFT: "saved here, not sent to a tracker",
        OutboxState.QUEUED: "waiting to be sent",
        OutboxState.SENDING: "sending now",
        OutboxState.SENT: "sent",
        OutboxState.FAILED: "not sent: needs a fix, then Send again",
    }
)
# A report saved here (no tracker) whose blocker was resolved here: nothing is waiting.
RESOLVED_HERE = "resolved here"
# What to try when a request never reached an answer (no route, no name, no connection).
NETWORK_PLACES = "the network connection, a proxy (HTTPS_PROXY) or the VPN"
NETWORK_NEXT_STEP = f"check {NETWORK_PLACES}"


def last_read_words(read_at: datetime | None, now: datetime) -> str:
    """'last read 7 min ago', or 'not read yet' for an item that was never read."""
    return NOT_READ_YET if read_at is None else f"last read {ago_words(read_at, now)}"


JUST_NOW = "just now"
JUST_NOW_S = 5.0  # a moment less than this long ago is "just now"


def ago_words(then: datetime | None, now: datetime) -> str:
    """'12 min ago', 'just now', or 'never'."""
    if then is None:
        return "never"
    seconds = (now - then).total_seconds()
    if seconds < JUST_NOW_S:
        return JUST_NOW
    return f"{duration_words(seconds)} ago"


def lasted_words(since: datetime, now: datetime) -> str:
    """How long a state has lasted: 'for 12 min', or 'just now' when it began less than
    JUST_NOW_S ago ("down just now", "NOT RELEASABLE just now", not "for 0 s")."""
    seconds = (now - since).total_seconds()
    if seconds < JUST_NOW_S:
        return JUST_NOW
    return f"for {duration_words(seconds)}"


def clock_words(when: datetime, now: datetime | None = None) -> str:
    """A moment in local time: '07:41' today, 'Sat 5 Dec 07:41' on any other day."""
    local = when.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %H:%M}"
