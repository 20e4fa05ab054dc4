"""Shared helpers for the board window and kiosk tests: a settable clock, temp settings, three
outbox rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer, QUrl

from app.domain.outbox import Draft
from app.services.outbox_rows import OutboxRow

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


def outbox_rows_three() -> list[OutboxRow]:
    return [
        OutboxRow(
            "rls-1",
            "Staging deploys hang after the database migration step on every branch",
            "P2",
            "draft, not sent yet: double-click to finish it",
            T0 - timedelta(minutes=4),
            since_verb="saved",
            draft=Draft("rls-1", {"title": "Staging deploys hang"}, T0 - timedelta(minutes=4)),
        ),
        OutboxRow(
            "rls-2",
            "Laptop won't boot",
            "P1",
            "waiting to be sent",
            T0 - timedelta(minutes=2),
            error="could not reach github.com",
            next_try=T0 + timedelta(minutes=1),
        ),
        OutboxRow(
            "rls-3",
            "Runners gone",
            "P1",
            "not sent: needs a fix, then Send again",
            T0 - timedelta(hours=1),
            error="GitHub refused the issue (401): the token is not valid",
        ),
    ]
