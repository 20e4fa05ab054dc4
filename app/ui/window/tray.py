"""The tray icon: the verdict by shape and colour, a short menu, and where notifications show.

`VerdictTray` draws the verdict's status shape from the theme (✓ circle for RELEASABLE, ✕
octagon for NOT RELEASABLE, ? diamond for UNKNOWN, the same shapes the board uses) with a small
pause badge while notifications are paused, keeps a one-line tooltip ("Payments: NOT
RELEASABLE — pipeline 'api' failed…") and offers Open board, Report a blocker…, Pause
notifications for 1 h, Mute…, Sound, Quit.

Where no system tray exists (`QSystemTrayIcon.isSystemTrayAvailable()` is False: offscreen,
bare X servers, some Wayland desktops) no tray icon is created: `available` is False,
`explanation` says so in one line for the window's status bar, and notifications are handed to
the window's banner through `banner_requested`. The menu and its actions exist either way, so
the window can offer them too (`notification_actions()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

from app.domain.model import BoardSnapshot, VerdictState
from app.services.notifier import Notifier, Severity
from app.ui.board.describe import effective_verdict
from app.ui.widgets.icons import status_image
from app.ui.widgets.theme import UNKNOWN_LOOK, VERDICT_LOOKS
from app.ui.window.mute_dialog import MuteChoice, choose_muted

NO_TRAY = "No system tray here: notifications show in the window"
TOOLTIP_MAX = 120  # some desktops cut tray tooltips at 127 characters
ICON_SIZES = (16, 22, 24, 32, 48, 64)
MESSAGE_MS = 10_000
_MESSAGE_ICONS = {
    Severity.INFO: QSystemTrayIcon.MessageIcon.Information,
    Severity.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Severity.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}

ChooseMuted = Callable[[list[MuteChoice], QWidget | None], set[str] | None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _draw_pause_badge(image: QImage, px: int) -> None:
    """A black square with two white bars in the bottom-right corner, on whole pixels so it
    stays crisp at 16 px (a white rim only where there is room for it)."""
    side = max(9, round(px * 0.5))
    bar_w = max(2, side // 5)
    margin_y = max(2, side // 4)
    left = top = px - side
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    if px >= 32:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rim = max(1, px // 32)
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRoundedRect(QRectF(left - rim, top - rim, side + rim, side + rim), 3, 3)
        painter.setBrush(QColor("#000000"))
        painter.drawRoundedRect(QRectF(left, top, side, side), 2, 2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    else:
        painter.fillRect(left, top, side, side, QColor("#000000"))
    x0 = left + (side - 3 * bar_w) // 2
    for x in (x0, x0 + 2 * bar_w):
        painter.fillRect(x, top + margin_y, bar_w, side - 2 * margin_y, QColor("#FFFFFF"))
    painter.end()


def tray_image(state: VerdictState | None, px: int, paused: bool = False) -> QImage:
    """The tray picture of `state` (None: no data yet) at `px` pixels square."""
    look = VERDICT_LOOKS[state] if state is not None else UNKNOWN_LOOK
    image = status_image(look, px).copy()
    if paused:
        _draw_pause_badge(image, px)
    return image


def tray_icon(state: VerdictState | None, paused: bool = False) -> QIcon:
    icon = QIcon()
    for px in ICON_SIZES:
        icon.addPixmap(QPixmap.fromImage(tray_image(state, px, paused)))
    return icon


def tray_tooltip(
    snapshot: BoardSnapshot | None, now: datetime, paused_until: datetime | None = None
) -> str:
    """'Payments: NOT RELEASABLE — pipeline 'api' failed…' in at most `TOOLTIP_MAX` chars."""
    if snapshot is None:
        text = "Releasable: waiting for the first reading of the board"
    else:
        verdict = effective_verdict(snapshot, now)
        text = f"{snapshot.board.name}: {verdict.state.headline}"
        reasons = "; ".join(r.text for r in verdict.reasons)
        if reasons:
            text += f" — {reasons}"
    pause = ""
    if paused_until is not None:
        pause = f" (notifications paused until {paused_until.astimezone().strftime('%H:%M')})"
    room = TOOLTIP_MAX - len(pause)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return text + pause


class VerdictTray(QObject):
    """The verdict in the system tray (where there is one) and the notifications' display."""

    open_board_requested = Signal()
    report_requested = Signal()
    quit_requested = Signal()
    banner_requested = Signal(str)  # no tray: show this line in the window's banner

    def __init__(
        self,
        notifier: Notifier,
        *,
        available: bool | None = None,
        clock: Callable[[], datetime] = _utc_now,
        choose: ChooseMuted = choose_muted,
        beep: Callable[[], None] = QApplication.beep,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self.clock = clock
        self._choose = choose
        self._beep = beep
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.explanation = "" if self.available else NO_TRAY
        self.snapshot: BoardSnapshot | None = None
        self.state: VerdictState | None = None
        self.parent_widget: QWidget | None = None  # the window, for the Mute dialog

        self.menu = QMenu()
        self.action_open = self._add("Open board", self.open_board_requested.emit)
        self.action_report = self._add("Report a blocker…", self.report_requested.emit)
        self.menu.addSeparator()
        self.action_pause = self._add("Pause notifications for 1 h", self._toggle_pause)
        self.action_pause.setCheckable(True)
        self.action_mute = self._add("Mute…", self.choose_muted)
        self.action_sound = self._add("Sound when not releasable", self._toggle_sound)
        self.action_sound.setCheckable(True)
        self.menu.addSeparator()
        self.action_quit = self._add("Quit", self.quit_requested.emit)

        self.tray: QSystemTrayIcon | None = None
        if self.available:
            self.tray = QSystemTrayIcon(self)
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._on_activated)
            self.tray.messageClicked.connect(self.open_board_requested.emit)
        notifier.notify.connect(self.show_notification)
        notifier.sound_requested.connect(self.play_sound)
        notifier.changed.connect(self._refresh)
        self._refresh()
        if self.tray is not None:
            self.tray.show()

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    # -- what it shows ------------------------------------------------------------------------

    def show_snapshot(self, snapshot: BoardSnapshot) -> None:
        """Follow the board (connect `BoardService.updated` here)."""
        self.snapshot = snapshot
        self._refresh()

    def tick(self, now: datetime | None = None) -> None:
        """Re-judge staleness between snapshots (a stale green board turns UNKNOWN here too)."""
        self._refresh(now)

    def icon(self) -> QIcon:
        return tray_icon(self.state, self.notifier.is_paused())

    def tooltip(self) -> str:
        return tray_tooltip(self.snapshot, self.clock(), self.notifier.paused_until)

    def _refresh(self, now: datetime | None = None) -> None:
        now = now or self.clock()
        snapshot = self.snapshot
        self.state = None if snapshot is None else effective_verdict(snapshot, now).state
        until = self.notifier.paused_until
        self.action_pause.setChecked(until is not None)
        self.action_pause.setText(
            "Pause notifications for 1 h"
            if until is None
            else f"Notifications paused until {until.astimezone().strftime('%H:%M')} (resume)"
        )
        count = len(self.notifier.muted)
        self.action_mute.setText(f"Mute… ({count} muted)" if count else "Mute…")
        self.action_sound.setChecked(self.notifier.sound_enabled)
        if self.tray is not None:
            self.tray.setIcon(self.icon())
            self.tray.setToolTip(self.tooltip())

    # -- notifications ------------------------------------------------------------------------

    def show_notification(self, title: str, body: str, severity: str) -> None:
        """Show a `Notifier.notify` in the tray, or (no tray) as the window's banner."""
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            icon = _MESSAGE_ICONS.get(Severity(severity), _MESSAGE_ICONS[Severity.INFO])
            self.tray.showMessage(title, body, icon, MESSAGE_MS)
            return
        first = body.splitlines()[0] if body else ""
        self.banner_requested.emit(f"{title}: {first}" if first else title)

    def play_sound(self) -> None:
        self._beep()

    # -- menu actions -------------------------------------------------------------------------

    def notification_actions(self) -> list[QAction]:
        """Pause, Mute… and Sound, for the window's menu (needed where there is no tray)."""
        return [self.action_pause, self.action_mute, self.action_sound]

    def _toggle_pause(self) -> None:
        if self.notifier.is_paused():
            self.notifier.resume()
        else:
            self.notifier.pause()

    def _toggle_sound(self) -> None:
        self.notifier.sound_enabled = self.action_sound.isChecked()

    def choose_muted(self) -> None:
        """Ask which items to mute (the board's items, plus any muted one no longer on it)."""
        chosen = self._choose(self.mute_choices(), self.parent_widget)
        if chosen is not None:
            self.notifier.set_muted_keys(chosen)

    def mute_choices(self) -> list[MuteChoice]:
        muted = self.notifier.muted
        choices: list[MuteChoice] = []
        seen: set[str] = set()
        board = self.snapshot.board if self.snapshot is not None else None
        items: Iterable[tuple[str, str]] = ()
        if board is not None:
            items = [
                *((p.key, f"pipeline {p.name}") for p in board.pipelines),
                *((e.key, f"environment {e.name}") for e in board.environments),
                *((f"blocker:{b.key}", f"blocker {b.title}") for b in board.blockers),
            ]
        for key, label in items:
            seen.add(key)
            choices.append(MuteChoice(key, label, key in muted))
        for key in sorted(muted - seen):
            choices.append(MuteChoice(key, f"{key} (not on the board now)", True))
        return choices

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_board_requested.emit()

    def close(self) -> None:
        """Remove the tray icon and its menu (connect `QApplication.aboutToQuit` here).

        The menu is a top-level widget (a QObject cannot parent a widget): it must go before
        the application does, and a hidden icon leaves no ghost in the tray.
        """
        if self.tray is not None:
            self.tray.hide()
            self.tray.setContextMenu(None)  # type: ignore[arg-type]
        self.menu.deleteLater()
