"""Notifications: exactly the verdict and P1 changes, and mute, pause and sound that persist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.domain.model import (
    Blocker,
    BoardSnapshot,
    BoardState,
    Priority,
    Reason,
    Verdict,
    VerdictState,
)
from app.services.notifier import KEY_SOUND, Notifier, Severity

R = VerdictState.RELEASABLE
N = VerdictState.NOT_RELEASABLE
U = VerdictState.UNKNOWN
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
API_FAILED = Reason("pipeline 'api' failed at stage 'scan'", N, item_key="pipeline:api")
STAGING_DOWN = Reason("environment 'staging' down", N, item_key="environment:staging")
STALE = Reason("pipeline 'web' has no fresh data", U, item_key="pipeline:web")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def snap(
    state: VerdictState,
    *reasons: Reason,
    since: datetime | None = None,
    blockers: tuple[Blocker, ...] = (),
) -> BoardSnapshot:
    board = BoardState("Payments", blockers=blockers)
    return BoardSnapshot(board, Verdict(state, reasons, since), taken_at=T0)


def p1(key: str, title: str, priority: Priority = Priority.P1) -> Blocker:
    return Blocker(key, title, "workstation-broken", priority, opened_at=T0, reporter="Dana")


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


def make(settings_path: Path, clock: Clock | None = None) -> tuple[Notifier, list[tuple[Any, ...]]]:
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    notifier = Notifier(settings, clock or Clock())
    shown: list[tuple[Any, ...]] = []
    notifier.notify.connect(lambda *args: shown.append(args))
    return notifier, shown


def test_first_snapshot_is_the_baseline(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    notifier.feed(snap(N, API_FAILED, blockers=(p1("b1", "laptop broken"),)))
    assert shown == []


def test_stopping_and_starting_to_be_releasable_notify_once_each(
    qapp: object, settings_path: Path
) -> None:
    notifier, shown = make(settings_path)
    notifier.feed(snap(R, since=T0))
    notifier.feed(snap(N, API_FAILED, since=T0 + timedelta(minutes=5)))
    notifier.feed(snap(N, API_FAILED, STAGING_DOWN, since=T0 + timedelta(minutes=5)))
    notifier.feed(snap(R, since=T0 + timedelta(minutes=47)))
    notifier.feed(snap(R, since=T0 + timedelta(minutes=47)))
    assert shown == [
        ("Payments: NOT RELEASABLE", API_FAILED.text, "critical"),
        ("Payments: RELEASABLE again", "Back to releasable after 42 min.", "info"),
    ]


def test_unknown_counts_as_stopping_but_not_between_not_and_unknown(
    qapp: object, settings_path: Path
) -> None:
    notifier, shown = make(settings_path)
    notifier.feed(snap(R))
    notifier.feed(snap(U, STALE))
    notifier.feed(snap(N, API_FAILED))
    notifier.feed(snap(U, STALE))
    assert shown == [("Payments: UNKNOWN", STALE.text, Severity.WARNING.value)]


def test_many_reasons_are_summarised(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    notifier.feed(snap(R))
    reasons = [Reason(f"pipeline 'p{i}' failed", N, item_key=f"pipeline:p{i}") for i in range(5)]
    notifier.feed(snap(N, *reasons))
    assert shown[0][1] == "pipeline 'p0' failed\npipeline 'p1' failed\nand 3 more"


def test_start_up_from_unknown_is_not_news(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    notifier.feed(snap(U, STALE))  # the last known board, stale
    notifier.feed(snap(U, STALE))
    notifier.feed(snap(R))  # the first poll: baseline, silently
    assert shown == []
    notifier.feed(snap(N, API_FAILED))
    assert [s[0] for s in shown] == ["Payments: NOT RELEASABLE"]


def test_p1_filed_and_closed_notify_and_p2_does_not(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    laptop = p1("b1", "laptop broken")
    printer = p1("b2", "printer jam", Priority.P2)
    notifier.feed(snap(R))
    notifier.feed(snap(N, blockers=(laptop, printer)))
    notifier.feed(snap(N, blockers=(laptop, printer)))
    notifier.feed(snap(R, blockers=(printer,)))
    assert shown == [
        ("Payments: NOT RELEASABLE", "No reason given.", "critical"),
        ("Payments: P1 blocker filed", "laptop broken (Dana)\nWorkstation broken", "critical"),
        ("Payments: RELEASABLE again", "Every gate on the delivery path passes again.", "info"),
        ("Payments: P1 blocker closed", "laptop broken", "info"),
    ]


def test_pause_suppresses_until_it_ends_and_is_remembered(
    qapp: object, settings_path: Path
) -> None:
    clock = Clock()
    notifier, shown = make(settings_path, clock)
    notifier.feed(snap(R))
    until = notifier.pause()
    assert until == T0 + timedelta(hours=1)
    notifier.feed(snap(N, API_FAILED))
    assert shown == []
    again, _ = make(settings_path, clock)
    assert again.paused_until == until
    clock.now = T0 + timedelta(hours=1, seconds=1)
    assert not notifier.is_paused() and not again.is_paused()
    notifier.feed(snap(R))
    assert [s[0] for s in shown] == ["Payments: RELEASABLE again"]


def test_resume_ends_a_pause_for_every_instance(qapp: object, settings_path: Path) -> None:
    notifier, _ = make(settings_path)
    notifier.pause()
    notifier.resume()
    assert not notifier.is_paused()
    assert make(settings_path)[0].paused_until is None


def test_pause_expiry_tells_listeners(qtbot: QtBot, settings_path: Path) -> None:
    clock = Clock()
    notifier, _ = make(settings_path, clock)
    notifier.pause(timedelta(milliseconds=20))
    clock.now = T0 + timedelta(seconds=1)
    with qtbot.waitSignal(notifier.changed, timeout=2000):
        pass
    assert not notifier.is_paused()


def test_a_muted_item_alone_does_not_notify(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    notifier.set_muted("pipeline:api")
    notifier.feed(snap(R))
    notifier.feed(snap(N, API_FAILED))
    notifier.feed(snap(R))
    assert shown == []


def test_a_muted_item_with_an_unmuted_one_notifies(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    notifier.set_muted("pipeline:api")
    notifier.feed(snap(R))
    notifier.feed(snap(N, API_FAILED, STAGING_DOWN))
    notifier.feed(snap(R))
    assert [s[0] for s in shown] == ["Payments: NOT RELEASABLE", "Payments: RELEASABLE again"]


def test_a_muted_blocker_does_not_notify(qapp: object, settings_path: Path) -> None:
    notifier, shown = make(settings_path)
    laptop = p1("b1", "laptop broken")
    notifier.set_muted("blocker:b1")
    reason = Reason("P1 blocker 'laptop broken'", N, item_key="blocker:b1")
    notifier.feed(snap(R))
    notifier.feed(snap(N, reason, blockers=(laptop,)))
    notifier.feed(snap(R))
    assert shown == []


def test_mute_is_remembered_and_can_be_undone(qapp: object, settings_path: Path) -> None:
    notifier, _ = make(settings_path)
    changes: list[bool] = []
    notifier.changed.connect(lambda: changes.append(True))
    notifier.set_muted_keys(["pipeline:api", "environment:staging"])
    notifier.set_muted("environment:staging", False)
    assert changes == [True, True]
    assert make(settings_path)[0].muted == frozenset({"pipeline:api"})


def test_sound_is_off_by_default_and_plays_on_not_releasable_only(
    qapp: object, settings_path: Path
) -> None:
    notifier, _ = make(settings_path)
    sounds: list[bool] = []
    notifier.sound_requested.connect(lambda: sounds.append(True))
    assert notifier.sound_enabled is False
    notifier.feed(snap(R))
    notifier.feed(snap(N, API_FAILED))
    assert sounds == []
    notifier.sound_enabled = True
    notifier.feed(snap(R))
    notifier.feed(snap(U, STALE))
    notifier.feed(snap(R))
    notifier.feed(snap(N, API_FAILED))
    assert sounds == [True]
    assert make(settings_path)[0].sound_enabled is True
    stored = QSettings(str(settings_path), QSettings.Format.IniFormat).value(KEY_SOUND)
    assert stored in (True, "true")


def test_sound_is_silent_while_paused(qapp: object, settings_path: Path) -> None:
    notifier, _ = make(settings_path)
    notifier.sound_enabled = True
    sounds: list[bool] = []
    notifier.sound_requested.connect(lambda: sounds.append(True))
    notifier.feed(snap(R))
    notifier.pause()
    notifier.feed(snap(N, API_FAILED))
    assert sounds == []


def test_damaged_settings_are_ignored(qapp: object, settings_path: Path) -> None:
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue("notifications/muted", "{not json")
    settings.setValue("notifications/paused_until", "yesterday")
    settings.sync()
    notifier, _ = make(settings_path)
    assert notifier.muted == frozenset() and notifier.paused_until is None


FREEZE = Reason("change freeze until Mon 08:00 CET (year-end)", N, item_key="freeze", planned=True)
MAINTENANCE = Reason(
    "environment 'staging' maintenance until 04:00 UTC", N, "environment:staging", planned=True
)


def test_planned_time_is_calm_no_alarm_no_storm(qapp: object, settings_path: Path) -> None:
    """A freeze or maintenance window starting, ending or flapping is not news; a real
    failure during one is."""
    notifier, shown = make(settings_path)
    notifier.settings.setValue(KEY_SOUND, True)
    sounds: list[bool] = []
    notifier.sound_requested.connect(lambda: sounds.append(True))
    notifier.feed(snap(R, since=T0))
    for _ in range(3):  # a window that flaps with every poll
        notifier.feed(snap(N, MAINTENANCE, since=T0))
        notifier.feed(snap(R, since=T0))
    notifier.feed(snap(N, FREEZE, since=T0))
    assert shown == [] and sounds == []
    notifier.feed(snap(N, FREEZE, API_FAILED, since=T0))  # a real failure during the freeze
    notifier.feed(snap(N, FREEZE, since=T0))  # fixed, still frozen: quiet
    notifier.feed(snap(R, since=T0))  # the freeze ends: quiet
    assert [s[0] for s in shown] == ["Payments: NOT RELEASABLE"]
    assert API_FAILED.text in shown[0][1]
