"""The kiosk fills the wall (issue 12, point 5), on a real X server, from a real board file.

A common wall set-up is `xinit` + the app and nothing else: no window manager honours a
full-screen request there, and the kiosk came up as a 381×132 window on a 1366×768 display.
These start `releasable` as a child process on Xvfb, with no window manager and with openbox,
and look at what a person would see: a grab of the root window (painted magenta) must be
covered, and the kiosk's window must have the screen's geometry. Screens ("monitors") are
made with RandR 1.5 (`xrandr --setmonitor`), as a multi-head wall has them.

Xvfb cannot switch an output's mode, so a new resolution is a monitor replaced by one of
another size, under another name. Not under the same name: Qt (6.11, xcb) finds a monitor it
already knows by its name and takes its new geometry without telling anyone (no
`QScreen.geometryChanged`, `QScreen.geometry()` keeps the old size), so whether the kiosk could
follow depended on whether the app read the display between `--delmonitor` and `--setmonitor`
(it missed it under load, about 1 run in 10). A real mode change reaches Qt as a CRTC change,
which it does report.
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


def covered(x: XServer) -> None:
    """The root window's magenta is gone: the kiosk is mapped *and painted* (a grab taken right
    after the window got its geometry can come before its first paint)."""
    seen: list[float] = [1.0]

    def there() -> bool:
        seen[0] = x.uncovered_share()
        return seen[0] < 0.001

    wait_for(lambda: f"the screen covered (last seen: {seen[0]:.1%} uncovered)", there)


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
            covered(x)

            x.run("xrandr", "--delmonitor", "wall")  # the wall's resolution changes
            set_monitor(x, "wall-1024", 1024, 600, 0, "screen")
            kiosk_at(x, Geometry(0, 0, 1024, 600))


def test_with_openbox_the_kiosk_covers_the_screen(board: Path) -> None:
    with xvfb(((1366, 768),), window_manager=True) as x, app_on(x, *args(board, "--kiosk")):
        kiosk_at(x, Geometry(0, 0, 1366, 768))
        covered(x)


def test_screen_n_picks_the_screen_without_a_window_manager(board: Path) -> None:
    with xvfb(((2048, 768),)) as x:
        set_monitor(x, "left", 1024, 768, 0, "screen")
        set_monitor(x, "right", 1024, 768, 1024, "none")
        with app_on(x, *args(board, "--kiosk", "--screen", "1")):
            kiosk_at(x, Geometry(1024, 0, 1024, 768))
