"""Status colours, shapes and words: how every status on the board looks.

Status is never shown by colour alone: each status has a *shape* (circle, octagon, triangle,
diamond, …), a *word* and a colour from the Okabe–Ito palette, which stays distinguishable for
the common colour-vision deficiencies (blue for good, vermillion for bad, orange for warnings,
sky blue for running, greys for neutral and unknown; never green against red). Everything that
is not a status colour (backgrounds, text) comes from the system palette, so light and dark
themes are respected.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.model import Health, Outcome, StageStatus, VerdictState


class Tone(StrEnum):
    """The colour family of a status."""

    GOOD = "good"
    BAD = "bad"
    WARN = "warn"
    RUNNING = "running"
    NEUTRAL = "neutral"
    UNKNOWN = "unknown"


class Shape(StrEnum):
    """The outline of a status icon; each tone has a shape of its own."""

    CIRCLE_CHECK = "passed"
    OCTAGON_CROSS = "failed"
    TRIANGLE_BANG = "warning"
    RING_PLAY = "running"
    RING_CLOCK = "queued"
    RING_SLASH = "skipped"
    SQUARE_BAR = "canceled"
    DIAMOND_QUESTION = "unknown"


# Okabe & Ito (2008) colour-universal-design palette; banner fills are darkened where white text
# needs a contrast of at least 4.5:1.
TONE_COLOURS: dict[Tone, str] = {
    Tone.GOOD: "#0072B2",  # blue
    Tone.BAD: "#D55E00",  # vermillion
    Tone.WARN: "#E69F00",  # orange
    Tone.RUNNING: "#56B4E9",  # sky blue
    Tone.NEUTRAL: "#8C8C8C",  # grey
    Tone.UNKNOWN: "#8C8C8C",  # grey (the diamond + '?' shape tells it apart from neutral)
}
BANNER_FILLS: dict[VerdictState, str] = {
    VerdictState.RELEASABLE: "#0072B2",  # white text 5.2:1
    VerdictState.NOT_RELEASABLE: "#8F3800",  # dark vermillion: white text 7.9:1, OCR-safe
    VerdictState.UNKNOWN: "#5F5F5F",  # grey, white text 6.4:1
}
PLANNED_FILL = "#4B3F8C"  # planned time (freeze, maintenance): calm indigo, white text 9:1
BANNER_TEXT = "#FFFFFF"
STALE_COLOUR = "#9A9A9A"


@dataclass(frozen=True)
class Look:
    """How one status is drawn: shape, colour family and the word beside it."""

    shape: Shape
    tone: Tone
    word: str

    @property
    def colour(self) -> QColor:
        return QColor(TONE_COLOURS[self.tone])


STAGE_LOOKS: dict[StageStatus, Look] = {
    StageStatus.PASSED: Look(Shape.CIRCLE_CHECK, Tone.GOOD, "passed"),
    StageStatus.FAILED: Look(Shape.OCTAGON_CROSS, Tone.BAD, "failed"),
    StageStatus.WARNING: Look(Shape.TRIANGLE_BANG, Tone.WARN, "failed, allowed to fail"),
    StageStatus.CANCELED: Look(Shape.SQUARE_BAR, Tone.NEUTRAL, "canceled"),
    StageStatus.RUNNING: Look(Shape.RING_PLAY, Tone.RUNNING, "running"),
    StageStatus.QUEUED: Look(Shape.RING_CLOCK, Tone.NEUTRAL, "queued"),
    StageStatus.SKIPPED: Look(Shape.RING_SLASH, Tone.NEUTRAL, "skipped"),
    StageStatus.UNKNOWN: Look(Shape.DIAMOND_QUESTION, Tone.UNKNOWN, "unknown"),
}
OUTCOME_LOOKS: dict[Outcome, Look] = {
    Outcome.PASSED: Look(Shape.CIRCLE_CHECK, Tone.GOOD, "passed"),
    Outcome.FAILED: Look(Shape.OCTAGON_CROSS, Tone.BAD, "failed"),
    Outcome.UNKNOWN: Look(Shape.DIAMOND_QUESTION, Tone.UNKNOWN, "unknown"),
}
HEALTH_LOOKS: dict[Health, Look] = {
    Health.UP: Look(Shape.CIRCLE_CHECK, Tone.GOOD, "up"),
    Health.DEGRADED: Look(Shape.TRIANGLE_BANG, Tone.WARN, "degraded"),
    Health.DOWN: Look(Shape.OCTAGON_CROSS, Tone.BAD, "down"),
    Health.UNKNOWN: Look(Shape.DIAMOND_QUESTION, Tone.UNKNOWN, "unknown"),
}
VERDICT_LOOKS: dict[VerdictState, Look] = {
    VerdictState.RELEASABLE: Look(Shape.CIRCLE_CHECK, Tone.GOOD, "RELEASABLE"),
    VerdictState.NOT_RELEASABLE: Look(Shape.OCTAGON_CROSS, Tone.BAD, "NOT RELEASABLE"),
    VerdictState.UNKNOWN: Look(Shape.DIAMOND_QUESTION, Tone.UNKNOWN, "UNKNOWN"),
}
PLANNED_LOOK = Look(Shape.RING_CLOCK, Tone.NEUTRAL, "NOT RELEASABLE (planned)")
UNKNOWN_LOOK = Look(Shape.DIAMOND_QUESTION, Tone.UNKNOWN, "unknown")
STALE_LOOK = Look(Shape.DIAMOND_QUESTION, Tone.UNKNOWN, "stale")


def tint(base: QColor, colour: QColor, amount: float) -> QColor:
    """`colour` mixed into `base` (a palette colour) by `amount` in 0..1."""
    a = max(0.0, min(1.0, amount))
    return QColor.fromRgbF(
        base.redF() * (1 - a) + colour.redF() * a,
        base.greenF() * (1 - a) + colour.greenF() * a,
        base.blueF() * (1 - a) + colour.blueF() * a,
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def muted_text(palette: QPalette) -> QColor:
    """Greyed text that stays readable: half-way between the text and the background."""
    return tint(
        palette.color(QPalette.ColorRole.WindowText),
        palette.color(QPalette.ColorRole.Window),
        0.45,
    )


def inherited_palette(widget: QWidget) -> QPalette:
    """The palette `widget` would have without one of its own."""
    parent = widget.parentWidget()
    return parent.palette() if parent is not None else QApplication.palette()


def plain_tooltip(text: str) -> str:
    """Tool tips render rich text when the text looks like HTML: escape remote text."""
    lines = html.escape(text).split("\n")
    return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"
