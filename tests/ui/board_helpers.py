"""Shared helpers for the board window and kiosk tests: a settable clock, temp settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer, QUrl

T0 = datetime(2025, 11, 26, 14, 5, tzinfo=UTC)


class Clock:
    """An injectable `now_fn` the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


class Opener:
    """Records the URLs a widget would open in the browser."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


def temp_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "releasable.ini"), QSettings.Format.IniFormat)


def flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def object_counts(root: QObject) -> tuple[int, int]:
    """(all descendant QObjects, descendant QTimers) after pending deletes ran."""
    flush_deletes()
    return len(root.findChildren(QObject)), len(root.findChildren(QTimer))
