"""The verdict banner: word, shape and colour for each state; reasons; ages; plain text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from app.domain.model import Reason, Verdict, VerdictState
from app.ui.board.verdict_banner import ALL_CLEAR, VerdictBanner
from app.ui.widgets.theme import BANNER_FILLS, PLANNED_FILL
from tests.ui.board_helpers import T0


@pytest.fixture
def banner(qtbot: QtBot) -> VerdictBanner:
    widget = VerdictBanner()
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize(
    "state,title",
    [
        (VerdictState.RELEASABLE, "RELEASABLE"),
        (VerdictState.NOT_RELEASABLE, "NOT RELEASABLE"),
        (VerdictState.UNKNOWN, "UNKNOWN"),
    ],
)
def test_each_state_shows_its_word_shape_and_colour(
    banner: VerdictBanner, state: VerdictState, title: str
) -> None:
    banner.show_verdict(Verdict(state), T0, T0)
    assert banner.title.text() == title
    assert not banner.icon.pixmap().isNull(), "a shape, not colour alone"
    assert banner.palette().color(QPalette.ColorRole.Window).name().upper() == BANNER_FILLS[state]
    assert banner.accessibleName().startswith(f"Verdict: {title}")


def test_states_never_share_a_colour() -> None:
    assert len(set(BANNER_FILLS.values())) == 3


def test_reasons_are_capped_with_a_count_of_the_rest(banner: VerdictBanner) -> None:
    reasons = tuple(Reason(f"reason {i}", VerdictState.NOT_RELEASABLE) for i in range(7))
    banner.show_verdict(Verdict(VerdictState.NOT_RELEASABLE, reasons), T0, T0)
    shown = banner.shown_reasons()
    assert shown == ["• reason 0", "• reason 1", "• reason 2", "• and 4 more"]


def test_fewer_reasons_reuse_the_same_labels(banner: VerdictBanner) -> None:
    labels = list(banner.reasons)
    many = tuple(Reason(f"r{i}", VerdictState.UNKNOWN) for i in range(6))
    banner.show_verdict(Verdict(VerdictState.UNKNOWN, many), T0, T0)
    banner.show_verdict(Verdict(VerdictState.UNKNOWN, many[:1]), T0, T0)
    assert banner.reasons == labels
    assert banner.shown_reasons() == ["• r0"]
    assert [label.isHidden() for label in labels] == [False, True, True, True]


def test_since_and_updated_ages_move_with_the_clock(banner: VerdictBanner) -> None:
    verdict = Verdict(VerdictState.NOT_RELEASABLE, since=T0 - timedelta(minutes=12))
    banner.show_verdict(verdict, T0 - timedelta(seconds=8), T0)
    assert banner.since.text() == "for 12 min"
    assert banner.updated.text() == "updated 8 s ago"
    banner.tick(T0 + timedelta(minutes=3))
    assert banner.since.text() == "for 15 min"
    assert banner.updated.text() == "updated 3 min ago"


def test_green_says_what_is_fine_and_no_data_says_it_is_waiting(banner: VerdictBanner) -> None:
    banner.show_verdict(Verdict(VerdictState.UNKNOWN), None, T0)
    assert banner.shown_reasons() == ["• waiting for the first reading of the board"]
    banner.show_verdict(Verdict(VerdictState.RELEASABLE), T0, T0)
    assert banner.shown_reasons() == [f"• {ALL_CLEAR}"]


def test_reasons_from_servers_show_as_plain_text(banner: VerdictBanner) -> None:
    hostile = "pipeline '<b>x</b><img src=http://example.invalid/x.png>' failed"
    banner.show_verdict(
        Verdict(VerdictState.NOT_RELEASABLE, (Reason(hostile, VerdictState.NOT_RELEASABLE),)),
        T0,
        T0,
    )
    assert banner.reasons[0].text() == f"• {hostile}"
    assert banner.reasons[0].textFormat() == Qt.TextFormat.PlainText


def test_kiosk_sizes_are_pixel_sizes_from_the_screen(banner: VerdictBanner) -> None:
    banner.set_pixel_sizes(108, 32, 135, 13)
    assert banner.title_pixel_size() == 108
    assert banner.reasons[0].font().pixelSize() == 32
    assert banner.icon.width() == 135


def test_planned_time_has_its_own_calm_look_and_says_planned(banner: VerdictBanner) -> None:
    freeze = Reason(
        "change freeze until Mon 08:00 CET (year-end)",
        VerdictState.NOT_RELEASABLE,
        item_key="freeze",
        planned=True,
    )
    alarm = Verdict(VerdictState.NOT_RELEASABLE, (Reason("x", VerdictState.NOT_RELEASABLE),))
    banner.show_verdict(alarm, T0, T0)
    alarm_icon = banner.icon.pixmap().toImage()
    banner.show_verdict(Verdict(VerdictState.NOT_RELEASABLE, (freeze,), since=T0), T0, T0)
    assert banner.title.text() == "NOT RELEASABLE"
    fill = banner.palette().color(QPalette.ColorRole.Window).name().upper()
    assert fill == PLANNED_FILL and fill not in BANNER_FILLS.values()
    assert banner.icon.pixmap().toImage() != alarm_icon, "a clock, not the alarm's octagon"
    assert banner.since.text() == "planned · just now"  # not "for 0 s"
    assert banner.shown_reasons() == [f"• {freeze.text}"]
