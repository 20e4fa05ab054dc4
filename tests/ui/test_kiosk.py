"""The team-room kiosk: sizes from the screen, everything fits, pages rotate, never modal."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.demo.sample import many_snapshot, sample_snapshot
from app.ui.kiosk.kiosk import KioskWindow
from tests.ui.board_helpers import Clock, object_counts

SCREENS = [(1366, 768), (1920, 1080), (3840, 2160)]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_kiosk(qtbot: QtBot, clock: Clock, size: tuple[int, int], **kw: float) -> KioskWindow:
    kiosk = KioskWindow(clock, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(kiosk)
    kiosk.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    kiosk.resize(*size)
    kiosk.show()
    qtbot.waitUntil(lambda: kiosk.width() == size[0])
    return kiosk


def inside(kiosk: KioskWindow) -> bool:
    area = kiosk.area.rect()
    return all(area.contains(t.geometry()) for t in kiosk.tiles if not t.isHidden())


@pytest.mark.parametrize("size", SCREENS)
def test_verdict_is_at_least_eight_percent_of_the_screen(
    qtbot: QtBot, clock: Clock, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(qtbot, clock, size)
    kiosk.show_snapshot(sample_snapshot(clock()))
    assert kiosk.banner.title.text() == "NOT RELEASABLE"
    assert kiosk.banner.title_pixel_size() >= 0.08 * size[1]
    assert kiosk.banner.title.sizeHint().width() <= size[0], "the word fits across"


@pytest.mark.parametrize("size", SCREENS)
def test_small_board_fits_on_one_page_without_scrolling(
    qtbot: QtBot, clock: Clock, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(qtbot, clock, size)
    kiosk.show_snapshot(sample_snapshot(clock()))
    keys = kiosk.visible_tile_keys()
    board = kiosk.snapshot.board if kiosk.snapshot else None
    assert board is not None
    expected = {i.key for i in (*board.pipelines, *board.environments)}
    assert expected <= set(keys)
    assert kiosk.layout_state.pages == 1 and kiosk.page_label.isHidden()
    assert not kiosk.rotation_timer.isActive()
    assert inside(kiosk)


def test_failures_come_first_on_the_wall(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1920, 1080))
    kiosk.show_snapshot(sample_snapshot(clock()))
    assert kiosk.visible_tile_keys()[:2] == ["pipeline:api", "blocker:rls-1"]


@pytest.mark.parametrize("size", SCREENS)
def test_big_board_pages_rotate_on_a_timer(
    qtbot: QtBot, clock: Clock, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(qtbot, clock, size, page_seconds=0.05)
    kiosk.show_snapshot(many_snapshot(clock(), 500))
    layout = kiosk.layout_state
    assert layout.pages > 1
    assert kiosk.page_label.text().startswith(f"page 1 of {layout.pages}")
    first = kiosk.visible_tile_keys()
    assert len(first) == layout.per_page and inside(kiosk)
    assert kiosk.rotation_timer.isActive()
    qtbot.waitUntil(lambda: kiosk.page == 1, timeout=3000)
    assert kiosk.page_label.text().startswith(f"page 2 of {layout.pages}")
    assert set(kiosk.visible_tile_keys()).isdisjoint(first)


def test_rotation_visits_every_item_and_wraps(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1366, 768))
    snapshot = many_snapshot(clock(), 120)
    kiosk.show_snapshot(snapshot)
    seen: list[str] = []
    for _ in range(kiosk.layout_state.pages):
        seen.extend(kiosk.visible_tile_keys())
        kiosk.next_page()
    assert kiosk.page == 0
    expected = {i.key for i in (*snapshot.board.pipelines, *snapshot.board.environments)}
    assert sorted(seen) == sorted(expected)


def test_page_stays_put_across_updates(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1366, 768))
    kiosk.show_snapshot(many_snapshot(clock(), 200))
    kiosk.next_page()
    kiosk.show_snapshot(many_snapshot(clock(), 200))
    assert kiosk.page == 1
    kiosk.show_snapshot(sample_snapshot(clock()))
    assert kiosk.page == 0 and not kiosk.rotation_timer.isActive()


def test_stale_tiles_grey_out_with_their_age(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1920, 1080))
    kiosk.show_snapshot(sample_snapshot(clock(), "green"))
    assert kiosk.banner.title.text() == "RELEASABLE"
    assert not any(t.data.greyed for t in kiosk.tiles if t.data.key)
    clock.advance(minutes=8)
    kiosk.tick()
    tiles = {t.data.key: t.data for t in kiosk.tiles if t.data.key}
    assert tiles["environment:test"].greyed
    assert tiles["environment:test"].status == "stale"
    assert tiles["environment:test"].detail.startswith("last read 8 min ago")
    assert kiosk.banner.title.text() == "UNKNOWN", "stale data never stays green"


def test_clock_and_updated_age_tick_from_the_injected_clock(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1366, 768))
    kiosk.show_snapshot(sample_snapshot(clock()))
    assert kiosk.clock.text() == clock().astimezone().strftime("%H:%M")
    assert kiosk.tick_timer.interval() == 1000
    clock.advance(seconds=75)
    qtbot.waitUntil(lambda: kiosk.banner.updated.text() == "updated 1 min ago", timeout=3000)
    assert kiosk.clock.text() == clock().astimezone().strftime("%H:%M")


def test_errors_show_as_a_banner_never_a_dialog(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1366, 768))
    kiosk.show_banner("Could not read https://ci.example.com/cc.xml: timed out", seconds=0.05)
    assert kiosk.message.text().startswith("Could not read")
    assert not kiosk.message.isHidden()
    assert QApplication.activeModalWidget() is None
    qtbot.waitUntil(lambda: kiosk.message.isHidden(), timeout=3000)


def test_cursor_hides_when_idle_and_returns_on_movement(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1366, 768), idle_cursor_ms=20)
    qtbot.waitUntil(lambda: kiosk.cursor().shape() == Qt.CursorShape.BlankCursor, timeout=3000)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(10, 10),
        QPointF(kiosk.mapToGlobal(QPointF(10, 10))),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(kiosk.area, move)
    assert kiosk.cursor().shape() == Qt.CursorShape.ArrowCursor
    qtbot.waitUntil(lambda: kiosk.cursor().shape() == Qt.CursorShape.BlankCursor, timeout=3000)


def test_exit_and_refresh_keys(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1366, 768))
    assert [s.toString() for s in kiosk.action_exit.shortcuts()] == ["F11", "Esc"]
    with qtbot.waitSignal(kiosk.exit_requested):
        kiosk.action_exit.trigger()
    with qtbot.waitSignal(kiosk.refresh_requested):
        kiosk.action_refresh.trigger()
    with qtbot.waitSignal(kiosk.quit_requested):
        kiosk.action_quit.trigger()


def test_weeks_of_updates_do_not_grow_widgets_or_timers(qtbot: QtBot, clock: Clock) -> None:
    kiosk = make_kiosk(qtbot, clock, (1920, 1080))
    sizes = [9, 50, 500, 120, 9]
    kiosk.show_snapshot(sample_snapshot(clock()))
    before = object_counts(kiosk)
    for i in range(60):  # an accelerated run: updates, ticks, page turns, resizes
        clock.advance(minutes=1)
        n = sizes[i % len(sizes)]
        kiosk.show_snapshot(many_snapshot(clock(), n) if n > 9 else sample_snapshot(clock()))
        kiosk.tick()
        kiosk.next_page()
        if i % 7 == 0:
            kiosk.resize(1366 if i % 2 else 1920, 768 if i % 2 else 1080)
    kiosk.resize(1920, 1080)
    qtbot.waitUntil(lambda: kiosk.width() == 1920)
    kiosk.show_snapshot(sample_snapshot(clock()))
    assert object_counts(kiosk) == before
