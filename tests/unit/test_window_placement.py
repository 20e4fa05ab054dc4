"""Where the board window goes at start (app.ui.window.placement): where it was left when a
screen holds it, else onto the screen it overlaps most, whole, with room for a title bar."""

from __future__ import annotations

from PySide6.QtCore import QRect

from app.ui.window.placement import on_a_screen

LEFT, RIGHT = QRect(0, 0, 1366, 768), QRect(1366, 0, 1024, 768)


def test_a_window_wholly_on_a_screen_stays_exactly_there_even_at_its_top_left() -> None:
    for left in (QRect(0, 0, 1366, 768), QRect(0, 0, 1000, 700), QRect(1400, 10, 900, 700)):
        assert on_a_screen(left, [LEFT, RIGHT], 25) == left


def test_a_window_on_a_monitor_that_is_gone_moves_onto_the_remaining_one_keeping_its_size() -> None:
    assert on_a_screen(QRect(1450, 120, 800, 500), [LEFT], 25) == QRect(566, 120, 800, 500)


def test_a_window_partly_off_moves_onto_the_screen_it_overlaps_most_and_shrinks_to_fit() -> None:
    assert on_a_screen(QRect(1300, -40, 900, 900), [LEFT, RIGHT], 25) == QRect(1366, 25, 900, 743)
    assert on_a_screen(QRect(-5000, 0, 400, 300), [LEFT, RIGHT], 25) == QRect(0, 25, 400, 300)
