"""The verdict banner: the biggest thing on screen, in the window and in the kiosk.

`RELEASABLE` / `NOT RELEASABLE` / `UNKNOWN` as a word, a shape and a colour at once, the
reasons in plain words (a few, then "and N more"), how long the state has lasted and how old the
picture is. Planned time (a change freeze, a maintenance window) keeps the words NOT
RELEASABLE but has its own calm colour and a clock instead of the alarm's octagon. Sizes
follow the system font in the window; the kiosk sets pixel sizes derived from the screen with
`set_pixel_sizes`.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontInfo, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from app.domain.model import Verdict, VerdictState
from app.domain.words import ago_words
from app.ui.board.describe import reason_lines, verdict_look, verdict_since_words
from app.ui.widgets.icons import status_pixmap
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import BANNER_FILLS, BANNER_TEXT, PLANNED_FILL

NO_DATA = Verdict(VerdictState.UNKNOWN)


def banner_fill(verdict: Verdict) -> str:
    """The banner's colour: planned time (a freeze, maintenance) has its own calm one."""
    return PLANNED_FILL if verdict.planned else BANNER_FILLS[verdict.state]


ALL_CLEAR = "every delivery pipeline passed, every environment is up, no P1 blocker is open"


class VerdictBanner(QFrame):
    """Shows one verdict. Call `show_verdict` on new data and `tick` every second."""

    def __init__(self, parent: QWidget | None = None, max_reasons: int = 4) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._max_reasons = max_reasons
        self._verdict: Verdict = NO_DATA
        self._taken_at: datetime | None = None

        self.icon = PlainLabel("", self)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.title = PlainLabel("UNKNOWN", self, bold=True)
        self.title.setObjectName("verdictTitle")
        self.since = PlainLabel("", self)
        self.updated = PlainLabel("", self)
        self.since.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.updated.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # A fixed pool of reason lines: updates reuse them, nothing grows.
        self.reasons = [PlainLabel("", self, wrap=True) for _ in range(max_reasons)]

        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(self.title, 1, Qt.AlignmentFlag.AlignVCenter)
        times = QVBoxLayout()
        times.setSpacing(0)
        times.addWidget(self.since)
        times.addWidget(self.updated)
        head.addLayout(times)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addLayout(head)
        for label in self.reasons:
            text.addWidget(label)
        self._body = QHBoxLayout(self)
        self._body.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self._body.addLayout(text, 1)

        base = QFontInfo(self.font()).pixelSize()
        self._title_px = round(base * 3.0)
        self._text_px = round(base * 1.2)
        self._icon_px = round(base * 4.2)
        self.set_pixel_sizes(self._title_px, self._text_px, self._icon_px, round(base * 0.9))
        self._apply()

    # -- sizing -------------------------------------------------------------------------------

    def set_pixel_sizes(self, title_px: int, text_px: int, icon_px: int, margin: int) -> None:
        """Font and icon sizes in pixels; the kiosk derives them from the screen."""
        self._title_px, self._text_px, self._icon_px = title_px, text_px, icon_px
        self.title.set_pixel_size(title_px, bold=True)
        for label in (self.since, self.updated, *self.reasons):
            label.set_pixel_size(text_px)
        self.icon.setFixedSize(icon_px, icon_px)
        self._body.setContentsMargins(margin, margin, margin * 2, margin)
        self._body.setSpacing(margin * 2)
        self._set_icon()

    def title_pixel_size(self) -> int:
        return self.title.font().pixelSize()

    # -- data ---------------------------------------------------------------------------------

    def show_verdict(self, verdict: Verdict, taken_at: datetime | None, now: datetime) -> None:
        changed = (verdict.state, verdict.planned) != (self._verdict.state, self._verdict.planned)
        self._verdict = verdict
        self._taken_at = taken_at
        if changed:
            self._apply()
        lines = reason_lines(verdict, self._max_reasons)
        if taken_at is None:
            lines = ["waiting for the first reading of the board"]
        elif not lines and verdict.state is VerdictState.RELEASABLE:
            lines = [ALL_CLEAR]
        for label, text in zip(self.reasons, [*lines, *[""] * len(self.reasons)], strict=False):
            label.set_text(f"• {text}" if text else "")
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Refresh the ages ('for 12 min', 'updated 8 s ago') without new data."""
        since = verdict_since_words(self._verdict, now)
        if self._verdict.planned:
            since = f"planned · {since}" if since else "planned"
        self.since.set_text(since)
        updated = "" if self._taken_at is None else f"updated {ago_words(self._taken_at, now)}"
        self.updated.set_text(updated)
        reasons = "; ".join(r.text for r in self._verdict.reasons)
        name = f"Verdict: {self._verdict.state.headline}"
        if self.since.text():
            name += f", {self.since.text()}"
        self.setAccessibleName(name)
        self.setAccessibleDescription(reasons or "no reasons")

    @property
    def verdict(self) -> Verdict:
        return self._verdict

    def shown_reasons(self) -> list[str]:
        return [label.text() for label in self.reasons if label.text()]

    def _apply(self) -> None:
        state = self._verdict.state
        fill = QColor(banner_fill(self._verdict))
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, fill)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.WindowText, QColor(BANNER_TEXT))
        self.setPalette(palette)
        self.title.setText(state.headline)
        self.setProperty("verdict", state.value)
        self.setProperty("planned", self._verdict.planned)
        self._set_icon()

    def _set_icon(self) -> None:
        state = self._verdict.state
        dpr = self.devicePixelRatioF() or 1.0
        pixmap = status_pixmap(
            verdict_look(self._verdict), self._icon_px, dpr, inverted_on=banner_fill(self._verdict)
        )
        self.icon.setPixmap(pixmap)
        self.icon.setAccessibleName(f"{state.headline} symbol")
