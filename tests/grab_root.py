"""Grab the X root window ($DISPLAY) with Qt and print the share of pixels still magenta.

Run as a child process by tests/xserver.py: Qt's platform is chosen once per process, and the
tests themselves run offscreen. Prints one number between 0 and 1.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QGuiApplication, QImage


def magenta_share(image: QImage) -> float:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    step = 4  # every 4th pixel each way: plenty for "is the screen covered"
    total = hits = 0
    for y in range(0, height, step):
        for x in range(0, width, step):
            color = QColor(image.pixel(x, y))
            total += 1
            if color.red() > 240 and color.green() < 16 and color.blue() > 240:
                hits += 1
    return hits / max(1, total)


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    grab = screen.grabWindow(0).toImage()  # window 0: the whole root window
    print(f"{magenta_share(grab):.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
