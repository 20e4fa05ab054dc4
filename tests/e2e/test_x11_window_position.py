"""The board window comes back exactly where it was left, on a real X server, with and without
a window manager, and a window left on a monitor that is gone comes back on a screen.

Before: Qt's `restoreGeometry` assumes a title bar above every window, so a window whose top
was within a title bar's height (25 px) of the screen's top came back lower and, when as tall
as the screen, shorter: without a window manager (`xinit` + the app) the first start's
(0,0,1280x768) came back at (1,25,1280x742), and then stayed there. Not only without one: with
openbox a window moved to (0,0) came back at (1,25), and the first start's default size
(1,20,1280x768: taller than the screen with its title bar) at (1,25,1280x742). A window moved
elsewhere came back exactly with and without openbox. A window left on a monitor that was then
removed came back on the screen but resized (528x512 instead of 800x500).

Each start is `releasable` as a child process on Xvfb with the same isolated home and XDG
folders; the window is moved and sized from outside (xdotool, as a person's drag would), quit
with Ctrl+Q, and observed from outside (xwininfo).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.xserver import ROOT, Geometry, XServer, app_on, wait_for, xvfb

WINDOW = "^Payments"  # the board window's title starts with the board's name
WAIT_S = 90.0  # a start under load (2 cores, several test runs at once)


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """Empty home and XDG folders: the settings of these starts and of no one else."""
    folders = {
        "HOME": tmp_path / "home",
        "XDG_CONFIG_HOME": tmp_path / "home" / ".config",
        "XDG_DATA_HOME": tmp_path / "home" / ".local" / "share",
        "XDG_CACHE_HOME": tmp_path / "home" / ".cache",
    }
    folders["HOME"].mkdir()
    return {**{k: str(v) for k, v in folders.items()}, "PYTHONPATH": str(ROOT)}


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


def start_args(board: Path) -> tuple[str, ...]:
    return ("--board", str(board), "--db", str(board.with_name("releasable.db")))


def shown_at(x: XServer, expected: Geometry) -> None:
    seen: list[Geometry | None] = [None]

    def there() -> bool:
        seen[0] = x.window_geometry(WINDOW)
        return seen[0] == expected

    wait_for(lambda: f"the window at {expected} (last seen: {seen[0]})", there, WAIT_S)


def shown(x: XServer) -> Geometry:
    return wait_for("the board window", lambda: x.window_geometry(WINDOW), WAIT_S)


def move(x: XServer, to: Geometry) -> Geometry:
    """Move and size the window as a person would; where it then is (a window manager may
    keep its frame, not the window, at the point asked for)."""
    window = wait_for("the board window", lambda: x.window_id(WINDOW), WAIT_S)
    x.run("xdotool", "windowsize", "--sync", window, str(to.width), str(to.height))
    x.run("xdotool", "windowmove", "--sync", window, str(to.x), str(to.y))
    return shown(x)


def quit_app(x: XServer, child: subprocess.Popen[str]) -> Geometry:
    """Ctrl+Q in the window, as a person quits; where the window was just before."""
    window = wait_for("the board window", lambda: x.window_id(WINDOW), WAIT_S)
    x.run("xdotool", "windowfocus", "--sync", window)
    last = shown(x)
    x.run("xdotool", "key", "--clearmodifiers", "ctrl+q")
    assert child.wait(WAIT_S) == 0, child.stderr.read() if child.stderr else ""
    return last


@pytest.mark.parametrize("window_manager", [False, True], ids=["no-wm", "openbox"])
@pytest.mark.parametrize(
    "place",
    [Geometry(0, 0, 1000, 700), Geometry(0, 0, 1366, 768), Geometry(183, 96, 900, 560)],
    ids=["top-left", "whole-screen", "middle"],
)
def test_the_window_comes_back_exactly_where_it_was_left(
    board: Path, home: dict[str, str], window_manager: bool, place: Geometry
) -> None:
    with xvfb(((1366, 768),), window_manager=window_manager) as x:
        with app_on(x, *start_args(board), env=home) as child:
            shown(x)
            left = move(x, place)
            if not window_manager:
                assert left == place
            quit_app(x, child)
        for _ in range(2):  # and it stays there
            with app_on(x, *start_args(board), env=home) as child:
                shown_at(x, left)
                quit_app(x, child)


@pytest.mark.parametrize("window_manager", [False, True], ids=["no-wm", "openbox"])
def test_the_first_start_position_is_kept_at_the_next_start(
    board: Path, home: dict[str, str], window_manager: bool
) -> None:
    """The colleague's case: nothing moved, the window came back elsewhere (no window manager:
    (0,0) then (1,25); openbox: the default size did not fit the screen with its title bar)."""
    with xvfb(((1366, 768),), window_manager=window_manager) as x:
        with app_on(x, *start_args(board), env=home) as child:
            shown(x)
            first = quit_app(x, child)  # where it is once it takes keys
        with app_on(x, *start_args(board), env=home) as child:
            shown_at(x, first)
            quit_app(x, child)
    assert first.y + first.height <= 768 and first.x + first.width <= 1366


@pytest.mark.parametrize("window_manager", [False, True], ids=["no-wm", "openbox"])
def test_a_window_left_on_a_monitor_that_is_gone_comes_back_on_a_screen(
    board: Path, home: dict[str, str], window_manager: bool
) -> None:
    with xvfb(((2390, 768),), window_manager=window_manager) as x:
        # two monitors side by side (Xvfb's own Xinerama heads all start at 0,0)
        x.run("xrandr", "--setmonitor", "left", "1366/300x768/200+0+0", "screen")
        x.run("xrandr", "--setmonitor", "right", "1024/300x768/200+1366+0", "none")
        with app_on(x, *start_args(board), env=home) as child:
            shown(x)
            left = move(x, Geometry(1450, 120, 800, 500))
            assert left.x >= 1366  # on the second monitor
            quit_app(x, child)
    gone = xvfb(((1366, 768),), window_manager=window_manager)  # the right one is gone
    with gone as x, app_on(x, *start_args(board), env=home) as child:
        seen: list[Geometry | None] = [None]

        def on_screen() -> bool:
            g = seen[0] = x.window_geometry(WINDOW)
            return (
                g is not None
                and g.x >= 0
                and g.y >= 0
                and (g.x + g.width <= 1366 and g.y + g.height <= 768)
            )

        wait_for(lambda: f"the window on the screen (last seen: {seen[0]})", on_screen, WAIT_S)
        assert seen[0] is not None
        assert (seen[0].width, seen[0].height) == (left.width, left.height)  # whole, same size
        quit_app(x, child)


def double_click_title_bar(x: XServer, window: Geometry) -> None:
    """What openbox maximizes and restores a window on, by default."""
    x.run("xdotool", "mousemove", str(window.x + 300), str(window.y - 8))
    x.run("xdotool", "click", "--repeat", "2", "--delay", "80", "1")


def test_a_maximized_window_comes_back_maximized_and_restores_to_where_it_was(
    board: Path, home: dict[str, str]
) -> None:
    """With openbox (no window manager maximizes). Qt's own format kept this too; it guards the
    window's own settings that replaced it."""
    with xvfb(((1366, 768),), window_manager=True) as x:
        with app_on(x, *start_args(board), env=home) as child:
            shown(x)
            left = move(x, Geometry(183, 96, 900, 560))
            double_click_title_bar(x, left)

            def maximized_at() -> Geometry | None:
                seen = x.window_geometry(WINDOW)
                return seen if seen is not None and seen.width == 1366 else None

            maximized = wait_for("the window maximized", maximized_at, WAIT_S)
            quit_app(x, child)
        with app_on(x, *start_args(board), env=home) as child:
            shown_at(x, maximized)
            double_click_title_bar(x, maximized)
            shown_at(x, left)
            quit_app(x, child)
