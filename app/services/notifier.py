"""Which board changes deserve a desktop notification, and the user's mute and pause choices.

`Notifier` is fed every `BoardSnapshot` (connect `BoardService.updated` to `feed`) and emits
`notify(title, body, severity)` only for news:

- the team *stops* being releasable (RELEASABLE -> NOT RELEASABLE or UNKNOWN) or *starts*
  being releasable again (-> RELEASABLE). Changes between NOT RELEASABLE and UNKNOWN are not
  news: the team was not releasable before and still is not. Planned time (a change freeze, a
  maintenance window: `Verdict.planned`) counts as calm: a freeze starting or ending is not
  announced, a real failure during one is;
- a P1 blocker is filed (its key appears among the open P1 blockers) or closed (it leaves).

Never on the first snapshot: that is the baseline. At start-up the board comes from the store
and is usually UNKNOWN until the first poll; while the verdict has been UNKNOWN since start,
the first known verdict becomes the baseline silently (opening the app is not news).

Mute works per key (an item key like "pipeline:api", or "blocker:<key>" for a blocker). It is
kept simple: a verdict change is not announced when *every* reason behind it is muted (the new
verdict's reasons when the team stops being releasable, the previous verdict's reasons when it
starts again). So if a muted pipeline fails together with an unmuted environment, the change is
announced; if only the muted pipeline fails, it is not. A muted blocker's filing and closing are
not announced. "Pause" silences everything until a time (default one hour from now).
Notifications suppressed by mute or pause are dropped, not queued.

With `sound_enabled` (off by default), becoming NOT RELEASABLE also emits `sound_requested`;
the UI plays it (`QApplication.beep()`), since this layer has no widgets. Mute, pause and
sound are kept in QSettings (injectable), so they survive a restart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from app.domain.blocker_history import category_label
from app.domain.model import (
    Blocker,
    BlockerState,
    BoardSnapshot,
    Priority,
    Verdict,
    VerdictState,
)
from app.domain.words import duration_words

log = logging.getLogger(__name__)

ORGANIZATION = "Releasable"  # same as app.ui.window.main_window: one settings file for the app
APPLICATION = "releasable"
KEY_MUTED = "notifications/muted"
KEY_PAUSED_UNTIL = "notifications/paused_until"
KEY_SOUND = "notifications/sound"
PAUSE_FOR = timedelta(hours=1)
MAX_REASONS = 3


class Severity(StrEnum):
    """How a notification should look (maps to the tray's message icons)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


def utc_now() -> datetime:
    return datetime.now(UTC)


def blocker_key(blocker: Blocker) -> str:
    """The key a blocker is muted by (the one its verdict reason carries)."""
    return f"blocker:{blocker.key}"


def _reasons_body(verdict: Verdict) -> str:
    texts = [r.text for r in verdict.reasons]
    if len(texts) > MAX_REASONS:
        texts = [*texts[: MAX_REASONS - 1], f"and {len(texts) - MAX_REASONS + 1} more"]
    return "\n".join(texts)


def _open_p1(snapshot: BoardSnapshot) -> dict[str, Blocker]:
    return {
        b.key: b
        for b in snapshot.board.blockers
        if b.priority is Priority.P1 and b.state is BlockerState.OPEN
    }


class Notifier(QObject):
    """Turns a stream of board snapshots into the few notifications worth a person's time."""

    notify = Signal(str, str, str)  # title, body, severity (a `Severity` value)
    sound_requested = Signal()
    changed = Signal()  # mute, pause or sound changed (menus and the tray icon follow)

    def __init__(
        self,
        settings: QSettings | None = None,
        clock: Callable[[], datetime] = utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.clock = clock
        self._previous: BoardSnapshot | None = None
        self._settled = False  # a known verdict has been seen since start
        self._p1: dict[str, Blocker] = {}
        self._muted = frozenset(self._read_muted())
        self._paused_until = self._read_paused_until()
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self._on_pause_expired)
        self._arm_expiry()

    # -- feeding ------------------------------------------------------------------------------

    def feed(self, snapshot: BoardSnapshot) -> None:
        """Compare with the previous snapshot and emit what is news (see the module doc)."""
        previous, self._previous = self._previous, snapshot
        p1, before_p1 = _open_p1(snapshot), self._p1
        self._p1 = p1
        if previous is None:
            self._settled = snapshot.verdict.state is not VerdictState.UNKNOWN
            return
        events: list[tuple[str, str, Severity]] = []
        sound = False
        if not self._settled:
            self._settled = snapshot.verdict.state is not VerdictState.UNKNOWN
        else:
            verdict_event = self._verdict_event(previous, snapshot)
            if verdict_event is not None:
                events.append(verdict_event)
                verdict = snapshot.verdict
                sound = verdict.state is VerdictState.NOT_RELEASABLE and not verdict.planned
        name = snapshot.board.name
        for key in p1.keys() - before_p1.keys():
            blocker = p1[key]
            if blocker_key(blocker) not in self._muted:
                who = f" ({blocker.reporter})" if blocker.reporter else ""
                body = f"{blocker.title}{who}\n{category_label(blocker.category)}"
                events.append((f"{name}: P1 blocker filed", body, Severity.CRITICAL))
        for key in before_p1.keys() - p1.keys():
            blocker = before_p1[key]
            if blocker_key(blocker) not in self._muted:
                events.append((f"{name}: P1 blocker closed", blocker.title, Severity.INFO))
        if not events:
            return
        if self.is_paused():
            log.info("notifications paused: %d not shown", len(events))
            return
        for title, body, severity in events:
            self.notify.emit(title, body, severity.value)
        if sound and self.sound_enabled:
            self.sound_requested.emit()

    def _verdict_event(
        self, previous: BoardSnapshot, snapshot: BoardSnapshot
    ) -> tuple[str, str, Severity] | None:
        was, now = previous.verdict, snapshot.verdict
        releasable = VerdictState.RELEASABLE
        # Planned time (a freeze, maintenance) is calm: neither entering nor leaving it is news.
        was_calm = was.state is releasable or was.planned
        now_calm = now.state is releasable or now.planned
        if was_calm == now_calm or (now_calm and now.state is not releasable):
            return None
        cause = now if now.state is not releasable else was
        if self._all_muted(cause):
            log.info("verdict change to %s not announced: only muted items", now.state.value)
            return None
        name = snapshot.board.name
        if now.state is releasable:
            body = "Every gate on the delivery path passes again."
            if was.since is not None and now.since is not None and now.since > was.since:
                lasted = duration_words((now.since - was.since).total_seconds())
                body = f"Back to releasable after {lasted}."
            return (f"{name}: RELEASABLE again", body, Severity.INFO)
        severity = (
            Severity.CRITICAL if now.state is VerdictState.NOT_RELEASABLE else Severity.WARNING
        )
        body = _reasons_body(now) or "No reason given."
        return (f"{name}: {now.state.headline}", body, severity)

    def _all_muted(self, verdict: Verdict) -> bool:
        keys = [r.item_key for r in verdict.reasons]
        return bool(keys) and all(k is not None and k in self._muted for k in keys)

    # -- pause --------------------------------------------------------------------------------

    @property
    def paused_until(self) -> datetime | None:
        """When the pause ends, or None when notifications are not paused."""
        if self._paused_until is not None and self._paused_until <= self.clock():
            return None
        return self._paused_until

    def is_paused(self) -> bool:
        return self.paused_until is not None

    def pause(self, duration: timedelta = PAUSE_FOR) -> datetime:
        """Pause every notification for `duration` from now; returns when it ends."""
        until = self.clock() + duration
        self._paused_until = until
        self.settings.setValue(KEY_PAUSED_UNTIL, until.isoformat())
        self.settings.sync()
        self._arm_expiry()
        self.changed.emit()
        return until

    def resume(self) -> None:
        """End a pause now."""
        self._paused_until = None
        self.settings.remove(KEY_PAUSED_UNTIL)
        self.settings.sync()
        self._expiry.stop()
        self.changed.emit()

    def _arm_expiry(self) -> None:
        until = self.paused_until
        if until is None:
            self._expiry.stop()
            return
        ms = int((until - self.clock()).total_seconds() * 1000) + 1
        self._expiry.start(max(1, min(ms, 2**31 - 1)))

    def _on_pause_expired(self) -> None:
        if self.paused_until is None:
            self._paused_until = None
            self.settings.remove(KEY_PAUSED_UNTIL)
            self.changed.emit()
        else:  # the clock was behind the timer: wait the rest
            self._arm_expiry()

    def _read_paused_until(self) -> datetime | None:
        text = self.settings.value(KEY_PAUSED_UNTIL, "")
        try:
            until = datetime.fromisoformat(str(text)) if text else None
        except ValueError:
            return None
        if until is None or until.tzinfo is None or until <= self.clock():
            return None
        return until

    # -- mute ---------------------------------------------------------------------------------

    @property
    def muted(self) -> frozenset[str]:
        return self._muted

    def set_muted(self, key: str, muted: bool = True) -> None:
        keys = set(self._muted)
        if muted:
            keys.add(key)
        else:
            keys.discard(key)
        self.set_muted_keys(keys)

    def set_muted_keys(self, keys: Iterable[str]) -> None:
        """Mute exactly `keys` (item keys, or "blocker:<key>")."""
        muted = frozenset(k for k in keys if k)
        if muted == self._muted:
            return
        self._muted = muted
        self.settings.setValue(KEY_MUTED, json.dumps(sorted(muted)))
        self.settings.sync()
        self.changed.emit()

    def _read_muted(self) -> list[str]:
        text = self.settings.value(KEY_MUTED, "[]")
        try:
            keys = json.loads(str(text))
        except ValueError:
            return []
        return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []

    # -- sound --------------------------------------------------------------------------------

    @property
    def sound_enabled(self) -> bool:
        """Sound on becoming NOT RELEASABLE (off by default)."""
        return bool(self.settings.value(KEY_SOUND, False, type=bool))

    @sound_enabled.setter
    def sound_enabled(self, on: bool) -> None:
        if on == self.sound_enabled:
            return
        self.settings.setValue(KEY_SOUND, bool(on))
        self.settings.sync()
        self.changed.emit()
