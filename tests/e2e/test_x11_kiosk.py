"""The kiosk fills the wall (issue 12, point 5), on a real X server, from a real board file.

A common wall set-up is `xinit` + the app and nothing else: no window manager honours a
full-screen request there, and the kiosk came up as a 381×132 window on a 1366×768 display.
These start `releasable` as a child process on Xvfb, with no window manager and with openbox,
and look at what a person would see: a grab of the root window (painted magenta) must be
covered, and the kiosk's window must have the screen's geometry. Screens ("monitors") are
made with RandR 1.5 (`xrandr --setmonitor`), as a multi-head wall has them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.xserver import Geometry, XServer, app_on, wait_for, xvfb

KIOSK = "^Releasable$"  # the kiosk's window title; the board window's names the board


@pytest.fixture
def board(tmp_path: Path, httpserver: HTTPServer) -> Path:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    path = tmp_path / "board.toml"
    path.write_text(
        '[board]\nname = "Payments"\n\n'
        f'[[environments]]\nname = "staging"\nurl = "{httpserver.url_for("/health")}"\n',
        encoding="utf-8",
    )
    return path


def args(board: Path, *more: str) -> tuple[str, ...]:
    return ("--board", str(board), "--db", str(board.with_name("releasable.db")), *more)


def kiosk_at(x: XServer, expected: Geometry) -> None:
    seen: list[Geometry | None] = [None]

    def there() -> bool:
        seen[0] = x.window_geometry(KIOSK)
        return seen[0] == expected

    wait_for(lambda: f"the kiosk at {expected} (last seen: {seen[0]})", there)


def set_monitor(x: XServer, name: str, width: int, height: int, left: int, output: str) -> None:
    x.run("xrandr", "--setmonitor", name, f"{width}/300x{height}/200+{left}+0", output)


def test_without_a_window_manager_f11_fills_the_screen_and_follows_its_resolution(
    board: Path,
) -> None:
    with xvfb(((1366, 768),)) as x:
        set_monitor(x, "wall", 1366, 768, 0, "screen")
        with app_on(x, *args(board)):
            x.press("Payments", "F11")
            kiosk_at(x, Geometry(0, 0, 1366, 768))
            assert x.uncovered_share() < 0.001

            x.run("xrandr", "--delmonitor", "wall")
            set_monitor(x, "wall", 1024, 600, 0, "screen")  # the wall's resolution changes
            kiosk_at(x, Geometry(0, 0, 1024, 600))


def test_with_openbox_the_kiosk_covers_the_screen(board: Path) -> None:
    with xvfb(((1366, 768),), window_manager=True) as x, app_on(x, *args(board, "--kiosk")):
        kiosk_at(x, Geometry(0, 0, 1366, 768))
        assert x.uncovered_share() < 0.001


def test_screen_n_picks_the_screen_without_a_window_manager(board: Path) -> None:
    with xvfb(((2048, 768),)) as x:
        set_monitor(x, "left", 1024, 768, 0, "screen")
        set_monitor(x, "right", 1024, 768, 1024, "none")
        with app_on(x, *args(board, "--kiosk", "--screen", "1")):
            kiosk_at(x, Geometry(1024, 0, 1024, 768))
