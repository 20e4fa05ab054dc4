"""Status icons drawn from SVG at any size, and the application icon.

Each status shape (see `app.ui.widgets.theme.Shape`) is an SVG generated here, so one
definition serves the 16 px tray icon and the 250 px kiosk verdict alike, in its own colour,
greyed for stale data, or inverted (white shape) on a coloured banner.
`python -m app.ui.widgets.icons` writes the same SVGs to `resources/icons/` for packaging and other
tools; a test keeps the files in sync.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.resources import resource_path
from app.ui.widgets.theme import STALE_COLOUR, TONE_COLOURS, Look, Shape

_STROKE = "stroke-width='2.6' stroke-linecap='round' stroke-linejoin='round' fill='none'"


def _octagon_points() -> str:
    pts = []
    for k in range(8):
        a = math.radians(22.5 + 45 * k)
        pts.append(f"{12 + 11.6 * math.cos(a):.2f},{12 + 11.6 * math.sin(a):.2f}")
    return " ".join(pts)


def _outline(shape: Shape, fill: str) -> str:
    """The filled (or ringed) outline that carries the colour."""
    if shape is Shape.CIRCLE_CHECK:
        return f"<circle cx='12' cy='12' r='11.2' fill='{fill}'/>"
    if shape is Shape.OCTAGON_CROSS:
        return f"<polygon points='{_octagon_points()}' fill='{fill}'/>"
    if shape is Shape.TRIANGLE_BANG:
        return (
            f"<path d='M12 2.2 L22.6 21 H1.4 Z' fill='{fill}' stroke='{fill}' "
            "stroke-width='1.6' stroke-linejoin='round'/>"
        )
    if shape is Shape.SQUARE_BAR:
        return f"<rect x='1.5' y='1.5' width='21' height='21' rx='3.5' fill='{fill}'/>"
    if shape is Shape.DIAMOND_QUESTION:
        return f"<polygon points='12,0.6 23.4,12 12,23.4 0.6,12' fill='{fill}'/>"
    # rings: running, queued, skipped
    return f"<circle cx='12' cy='12' r='10' stroke='{fill}' stroke-width='2.8' fill='none'/>"


def _mark(shape: Shape, ink: str, fill: str) -> str:
    """The inner mark: check, cross, '!', '?', play, clock hands, slash, bar."""
    if shape is Shape.CIRCLE_CHECK:
        return f"<path d='M6.6 12.4 L10.3 16 L17.4 8.3' stroke='{ink}' {_STROKE}/>"
    if shape is Shape.OCTAGON_CROSS:
        return f"<path d='M8 8 L16 16 M16 8 L8 16' stroke='{ink}' {_STROKE}/>"
    if shape is Shape.TRIANGLE_BANG:
        return (
            f"<path d='M12 8.6 V14.2' stroke='{ink}' {_STROKE}/>"
            f"<circle cx='12' cy='17.7' r='1.45' fill='{ink}'/>"
        )
    if shape is Shape.SQUARE_BAR:
        return f"<path d='M7 12 H17' stroke='{ink}' {_STROKE}/>"
    if shape is Shape.DIAMOND_QUESTION:
        return (
            f"<path d='M9.3 9.4 A2.8 2.8 0 1 1 13.4 11.9 C12.5 12.4 12 12.9 12 14 V14.4' "
            f"stroke='{ink}' {_STROKE}/><circle cx='12' cy='17.6' r='1.4' fill='{ink}'/>"
        )
    if shape is Shape.RING_PLAY:
        return f"<path d='M9.8 7.6 L16.4 12 L9.8 16.4 Z' fill='{fill}'/>"
    if shape is Shape.RING_CLOCK:
        return f"<path d='M12 6.8 V12 L15.6 14.2' stroke='{fill}' {_STROKE}/>"
    return f"<path d='M7.2 16.8 L16.8 7.2' stroke='{fill}' {_STROKE}/>"  # skipped


def _default_ink(shape: Shape) -> str:
    # Orange is light: a dark '!' reads better on it than a white one.
    return "#000000" if shape is Shape.TRIANGLE_BANG else "#FFFFFF"


def status_svg(shape: Shape, fill: str, ink: str | None = None) -> str:
    """SVG text for `shape` in colour `fill`, its inner mark in `ink` (default: contrasting)."""
    ink = ink or _default_ink(shape)
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' width='24' height='24'>"
        f"{_outline(shape, fill)}{_mark(shape, ink, fill)}</svg>\n"
    )


@lru_cache(maxsize=256)
def _image(shape: Shape, fill: str, ink: str | None, px: int) -> QImage:
    renderer = QSvgRenderer(QByteArray(status_svg(shape, fill, ink).encode()))
    image = QImage(px, px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, px, px))
    painter.end()
    return image


def look_colours(
    look: Look, greyed: bool = False, inverted_on: str | None = None
) -> tuple[str, str | None]:
    """(fill, ink) for drawing `look`: normal, greyed (stale) or white on a banner colour."""
    if inverted_on is not None:
        return ("#FFFFFF", inverted_on)
    fill = STALE_COLOUR if greyed else TONE_COLOURS[look.tone]
    return (fill, None)


def status_image(
    look: Look, px: int, greyed: bool = False, inverted_on: str | None = None
) -> QImage:
    """The status icon of `look` as an image `px` pixels square (cached)."""
    fill, ink = look_colours(look, greyed, inverted_on)
    return _image(look.shape, fill, ink, max(1, int(px)))


def status_pixmap(
    look: Look,
    size: int,
    dpr: float = 1.0,
    greyed: bool = False,
    inverted_on: str | None = None,
) -> QPixmap:
    """A pixmap of `size` logical pixels at device pixel ratio `dpr`."""
    pixmap = QPixmap.fromImage(status_image(look, round(size * dpr), greyed, inverted_on))
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


def status_icon(look: Look, greyed: bool = False) -> QIcon:
    icon = QIcon()
    for px in (16, 22, 24, 32, 48, 64, 128):
        icon.addPixmap(QPixmap.fromImage(status_image(look, px, greyed)))
    return icon


def app_icon() -> QIcon:
    """The application icon (resources/icons/releasable.svg)."""
    path = resource_path("icons", "releasable.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def write_icon_files(folder: Path) -> list[Path]:
    """Write one SVG per status shape in its own colour; returns the files written."""
    from app.ui.widgets.theme import STAGE_LOOKS  # the stage looks cover every shape

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for look in STAGE_LOOKS.values():
        path = folder / f"status-{look.shape.value}.svg"
        path.write_text(status_svg(look.shape, TONE_COLOURS[look.tone]), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_icon_files(resource_path("icons")):
        print(written_path)
