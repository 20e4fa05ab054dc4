"""The tray: icon pixels per verdict, tooltip, menu actions, and life without a system tray."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.model import (
    Blocker,
    BoardSnapshot,
    BoardState,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Priority,
    Reason,
    Stage,
    StageStatus,
    Verdict,
    VerdictState,
)
from app.services.notifier import Notifier
from app.ui.widgets.theme import TONE_COLOURS, Tone
from app.ui.window.mute_dialog import MuteChoice, MuteDialog, MuteModel
from app.ui.window.tray import NO_TRAY, TOOLTIP_MAX, VerdictTray, tray_image, tray_tooltip

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
N = VerdictState.NOT_RELEASABLE
API = Observed("pipeline:api", ItemKind.PIPELINE, "api")
STAGING = Observed("environment:staging", ItemKind.ENVIRONMENT, "staging")
FAILED = Reason("pipeline 'api' failed at stage 'scan' 12 min ago", N, item_key="pipeline:api")


def snap(
    state: VerdictState, *reasons: Reason, blockers: tuple[Blocker, ...] = ()
) -> BoardSnapshot:
    board = BoardState("Payments", (API,), (STAGING,), blockers)
    return BoardSnapshot(board, Verdict(state, reasons), taken_at=T0)


def dominant(image: QImage) -> QColor:
    """The most common opaque colour of an image (the shape's fill)."""
    counts: Counter[int] = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if pixel.alpha() == 255:
                counts[pixel.rgb()] += 1
    return QColor.fromRgb(counts.most_common(1)[0][0])


@pytest.fixture
def notifier(qapp: object, tmp_path: Path) -> Notifier:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return Notifier(settings, clock=lambda: T0)


def make_tray(qtbot: QtBot, notifier: Notifier, **kwargs: object) -> VerdictTray:
    tray = VerdictTray(notifier, available=False, clock=lambda: T0, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(tray.menu)
    return tray


def test_icon_pixels_differ_per_verdict_and_carry_its_colour(qapp: object) -> None:
    images = {state: tray_image(state, 32) for state in VerdictState}
    raw = {state: bytes(image.constBits()) for state, image in images.items()}
    assert len(set(raw.values())) == 3
    expected = {
        VerdictState.RELEASABLE: Tone.GOOD,
        VerdictState.NOT_RELEASABLE: Tone.BAD,
        VerdictState.UNKNOWN: Tone.UNKNOWN,
    }
    for state, tone in expected.items():
        assert dominant(images[state]).name().upper() == TONE_COLOURS[tone].upper()


def test_icon_shapes_differ_not_only_colours(qapp: object) -> None:
    """Same pixels where opaque would mean the shapes are equal: compare the alpha masks."""
    masks = {
        state: tuple(
            tray_image(state, 24).pixelColor(x, y).alpha() > 128
            for y in range(24)
            for x in range(24)
        )
        for state in VerdictState
    }
    assert len(set(masks.values())) == 3


def test_paused_icon_has_a_badge(qapp: object) -> None:
    plain = tray_image(VerdictState.RELEASABLE, 32)
    paused = tray_image(VerdictState.RELEASABLE, 32, paused=True)
    assert bytes(plain.constBits()) != bytes(paused.constBits())
    assert paused.pixelColor(31 - 8, 31 - 3) == QColor("#000000")
    assert tray_image(None, 16).size().width() == 16


def test_tooltip_names_board_verdict_and_reasons() -> None:
    assert tray_tooltip(snap(N, FAILED), T0) == (
        "Payments: NOT RELEASABLE — pipeline 'api' failed at stage 'scan' 12 min ago"
    )
    assert tray_tooltip(None, T0) == "Releasable: waiting for the first reading of the board"


def test_tooltip_is_cut_short_and_says_when_paused() -> None:
    many = [Reason(f"environment 'env-{i}' down for 3 min", N) for i in range(20)]
    until = T0 + timedelta(hours=1)
    text = tray_tooltip(snap(N, *many), T0, paused_until=until)
    assert len(text) <= TOOLTIP_MAX
    assert "…" in text
    assert text.endswith(f"(notifications paused until {until.astimezone():%H:%M})")


def test_without_a_tray_it_says_so_and_uses_the_banner(qtbot: QtBot, notifier: Notifier) -> None:
    tray = make_tray(qtbot, notifier)
    assert tray.available is False and tray.tray is None
    assert tray.explanation == NO_TRAY
    with qtbot.waitSignal(tray.banner_requested) as banner:
        notifier.notify.emit("Payments: NOT RELEASABLE", "pipeline 'api' failed\nmore", "critical")
    assert banner.args == ["Payments: NOT RELEASABLE: pipeline 'api' failed"]


def test_offscreen_has_no_system_tray(qtbot: QtBot, notifier: Notifier) -> None:
    tray = VerdictTray(notifier)
    qtbot.addWidget(tray.menu)
    assert tray.available is False and tray.explanation == NO_TRAY


def test_follows_the_board_and_rejudges_staleness(qtbot: QtBot, notifier: Notifier) -> None:
    tray = make_tray(qtbot, notifier)
    assert tray.state is None
    tray.show_snapshot(snap(N, FAILED))
    assert tray.state is N
    assert tray.tooltip().startswith("Payments: NOT RELEASABLE")
    assert not tray.icon().isNull()
    green = PipelineReading((Stage("build", StageStatus.PASSED),), Outcome.PASSED)
    fresh = Observed("pipeline:api", ItemKind.PIPELINE, "api", green, read_at=T0, stale_after_s=60)
    board = BoardState("Payments", (fresh,))
    tray.show_snapshot(BoardSnapshot(board, Verdict(VerdictState.RELEASABLE), taken_at=T0))
    assert tray.state is VerdictState.RELEASABLE
    tray.tick(T0 + timedelta(minutes=10))  # no new snapshot, the data went stale
    assert tray.state is VerdictState.UNKNOWN


def test_menu_actions_emit_and_toggle(qtbot: QtBot, notifier: Notifier) -> None:
    tray = make_tray(qtbot, notifier)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == [
        "Open board",
        "Report a blocker…",
        "Pause notifications for 1 h",
        "Mute…",
        "Sound when not releasable",
        "Quit",
    ]
    for action, signal in (
        (tray.action_open, tray.open_board_requested),
        (tray.action_report, tray.report_requested),
        (tray.action_quit, tray.quit_requested),
    ):
        with qtbot.waitSignal(signal):
            action.trigger()
    tray.action_pause.trigger()
    assert notifier.is_paused() and tray.action_pause.isChecked()
    assert tray.action_pause.text().startswith("Notifications paused until")
    tray.action_pause.trigger()
    assert not notifier.is_paused() and not tray.action_pause.isChecked()
    tray.action_sound.trigger()
    assert notifier.sound_enabled is True
    assert tray.notification_actions() == [tray.action_pause, tray.action_mute, tray.action_sound]


def test_mute_offers_the_board_items_and_saves_the_choice(qtbot: QtBot, notifier: Notifier) -> None:
    asked: list[list[MuteChoice]] = []

    def choose(choices: list[MuteChoice], parent: object) -> set[str]:
        asked.append(choices)
        return {"pipeline:api"}

    notifier.set_muted_keys(["pipeline:gone"])
    tray = make_tray(qtbot, notifier, choose=choose)
    laptop = Blocker("b1", "laptop broken", "workstation-broken", Priority.P1, opened_at=T0)
    tray.show_snapshot(snap(N, FAILED, blockers=(laptop,)))
    tray.action_mute.trigger()
    assert [(c.key, c.label, c.muted) for c in asked[0]] == [
        ("pipeline:api", "pipeline api", False),
        ("environment:staging", "environment staging", False),
        ("blocker:b1", "blocker laptop broken", False),
        ("pipeline:gone", "pipeline:gone (not on the board now)", True),
    ]
    assert notifier.muted == frozenset({"pipeline:api"})
    assert tray.action_mute.text() == "Mute… (1 muted)"


def test_cancelled_mute_changes_nothing(qtbot: QtBot, notifier: Notifier) -> None:
    notifier.set_muted_keys(["pipeline:api"])
    tray = make_tray(qtbot, notifier, choose=lambda choices, parent: None)
    tray.action_mute.trigger()
    assert notifier.muted == frozenset({"pipeline:api"})


def test_close_removes_the_menu(qtbot: QtBot, notifier: Notifier) -> None:
    tray = VerdictTray(notifier, available=False)
    with qtbot.waitSignal(tray.menu.destroyed):
        tray.close()


def test_sound_request_beeps(qtbot: QtBot, notifier: Notifier) -> None:
    beeps: list[bool] = []
    make_tray(qtbot, notifier, beep=lambda: beeps.append(True))
    notifier.sound_requested.emit()
    assert beeps == [True]


def test_mute_model_and_dialog(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    choices = [MuteChoice("pipeline:api", "pipeline api"), MuteChoice("x", "env x", True)]
    model = MuteModel(choices)
    qtmodeltester.check(model)
    dialog = MuteDialog(choices)
    qtbot.addWidget(dialog)
    assert dialog.model.muted_keys() == {"x"}
    first = dialog.proxy.index(0, 0)
    assert dialog.proxy.setData(first, 2, 10)  # Qt.CheckStateRole = 10, Checked = 2
    assert dialog.model.muted_keys() == {"pipeline:api", "x"}
    dialog.filter.setText("env")
    assert dialog.proxy.rowCount() == 1
    dialog.model.set_all(False)
    assert dialog.model.muted_keys() == set()
