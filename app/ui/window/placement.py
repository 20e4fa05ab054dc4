"""Where the board window goes at start: exactly where it was left, on a screen that exists.

Qt's `restoreGeometry` is not used for this: it assumes a title bar (the style's title-bar
height) above every window, so it pushes a window whose top is nearer than that to the
screen's top down and shortens one as tall as the screen. With a window manager that is
harmless; without one (`xinit` + the app, a common wall set-up) nothing draws a title bar and
a window left at (0,0) came back at (1,25), 26 px shorter. The window's own rectangle (client
geometry, as `QWidget.normalGeometry`) is saved and given back as it is. Only a window that is
no longer wholly on one screen (a monitor removed, a resolution lowered) is moved: onto the
screen it overlaps most (else the first one given, the primary), shrunk to fit, with room for
a title bar above it, since a moved window may have one.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect


def on_a_screen(saved: QRect, screens: Sequence[QRect], title_bar: int) -> QRect:
    """`saved` if one of `screens` (available geometries, primary first) holds all of it;
    else moved the least onto the screen it overlaps most and shrunk to fit there."""
    if not screens or any(screen.contains(saved) for screen in screens):
        return QRect(saved)

    def overlap(screen: QRect) -> int:
        shared = screen.intersected(saved)
        return shared.width() * shared.height() if shared.isValid() else 0

    target = max(screens, key=overlap)  # the first of the largest: the primary when none
    top = target.top() + min(title_bar, target.height() // 4)
    width = min(saved.width(), target.width())
    height = min(saved.height(), target.bottom() + 1 - top)
    x = min(max(saved.x(), target.left()), target.right() + 1 - width)
    y = min(max(saved.y(), top), target.bottom() + 1 - height)
    return QRect(x, y, width, height)
