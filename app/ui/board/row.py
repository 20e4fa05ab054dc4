"""What everything on the board that stands for something observed shares: links and menus.

Links open through an injectable opener, and only http/https links (a feed must not make us
open files or run handlers). The context menu offers "Report a blocker…" when something is
wrong (the caller passes what emits the pre-fill), "Open in browser" and "Copy link".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

Opener = Callable[[QUrl], Any]
NowFn = Callable[[], datetime]


def open_in_browser(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def safe_url(url: str | None) -> QUrl | None:
    """Only web links are opened: a feed must not make us open files or run handlers."""
    if not url:
        return None
    qurl = QUrl(url)
    return qurl if qurl.isValid() and qurl.scheme() in ("http", "https") else None


def report_menu(
    parent: QWidget,
    url: QUrl | None,
    opener: Opener,
    report: Callable[[], None] | None,
) -> QMenu:
    """The shared context menu: open, copy link, and report when something is wrong."""
    menu = QMenu(parent)
    if report is not None:
        menu.addAction("Report a blocker…", report)
    if url is not None:
        menu.addAction("Open in browser", lambda: opener(url))
        menu.addAction(
            "Copy link",
            lambda: QGuiApplication.clipboard().setText(url.toString()),
        )
    return menu
