"""Set-up that lasts (issue 12, points 1 and 2), in a real window on a real X server.

A new user starts `releasable` with nothing set up, creates (or opens) a board from the welcome
page, quits, and starts `releasable` again with no arguments: the same board must be there,
with its toolbar. Each run is its own process with an isolated home and XDG folders, driven
by tests/drive_app.py (clicks, typing, the real file dialog) on Xvfb.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.xserver import ROOT, XServer, xvfb

Run = list[dict[str, Any]]


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A machine where Releasable never ran: empty home and XDG folders."""
    folders = {
        "HOME": tmp_path / "home",
        "XDG_CONFIG_HOME": tmp_path / "home" / ".config",
        "XDG_DATA_HOME": tmp_path / "home" / ".local" / "share",
        "XDG_CACHE_HOME": tmp_path / "home" / ".cache",
    }
    folders["HOME"].mkdir()
    return {k: str(v) for k, v in folders.items()}


@pytest.fixture
def x() -> Any:
    with xvfb(((1366, 768),)) as server:
        yield server


@pytest.fixture
def health(httpserver: HTTPServer) -> str:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    return httpserver.url_for("/health")


def drive(x: XServer, home: dict[str, str], cwd: Path, scenario: str, *args: str) -> Run:
    """One start of the app, as a person would use it; what they saw, one dict per look."""
    split = args.index("--") if "--" in args else len(args)
    env = {**x.env, **home, "PYTHONPATH": str(ROOT)}
    env.pop("RELEASABLE_BOARD", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "drive_app.py"), scenario, *args[:split], "--",
         *args[split + 1 :]],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    seen = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert not any("timeout" in s for s in seen), f"{seen}\n{done.stderr[-3000:]}"
    return seen


def test_a_board_created_on_the_welcome_page_is_there_at_the_next_start(
    x: XServer, home: dict[str, str], health: str, tmp_path: Path
) -> None:
    cwd = tmp_path / "somewhere"  # where the app was started from: nothing belongs here
    cwd.mkdir()
    config = Path(home["XDG_CONFIG_HOME"]) / "releasable"

    first = drive(x, home, cwd, "create", "Payments", health)
    assert first[0] == {"dialog_folder": str(config)}  # created when missing, and offered
    assert first[1]["page"] == "board" and first[1]["title"] == "Payments"
    assert (config / "board.toml").is_file()
    assert list(cwd.iterdir()) == []

    again = drive(x, home, cwd, "look")
    assert again == [
        {"page": "board", "title": first[1]["title"], "toolbar": True, "menubar": True}
    ]


def test_a_board_opened_from_the_welcome_page_is_reopened_and_keeps_its_toolbar(
    x: XServer, home: dict[str, str], health: str, tmp_path: Path
) -> None:
    board = tmp_path / "team" / "board.toml"  # the file the team keeps in its repository
    board.parent.mkdir()
    board.write_text(
        f'[board]\nname = "Payments"\n\n[[environments]]\nname = "staging"\nurl = "{health}"\n',
        encoding="utf-8",
    )
    first = drive(x, home, tmp_path, "look")  # nothing set up: the welcome page
    assert first[0]["page"] == "welcome"

    opened = drive(x, home, tmp_path, "open", str(board))
    assert opened[-1]["page"] == "board" and opened[-1]["toolbar"], opened

    again = drive(x, home, tmp_path, "look")  # `releasable`, no arguments
    assert again == [
        {"page": "board", "title": opened[-1]["title"], "toolbar": True, "menubar": True}
    ]
    other = tmp_path / "other.toml"
    other.write_text('[board]\nname = "Other"\n', encoding="utf-8")
    chosen = drive(x, home, tmp_path, "look", "--", "--board", str(other))  # --board wins
    assert chosen[0]["title"] == "Other"


def test_a_p1_queued_from_the_terminal_counts_in_the_window_as_not_sent_yet(
    x: XServer, home: dict[str, str], health: str, tmp_path: Path
) -> None:
    """Issue 12, point 7, as the window shows it: the tracker is down, the report waits."""
    from tests.integration.test_status_blockers_cli import down_tracker

    board = tmp_path / "board.toml"
    board.write_text(
        f'[board]\nname = "Payments"\n\n[[environments]]\nname = "staging"\nurl = "{health}"\n\n'
        f'[tracker]\nkind = "github"\napi_url = "{down_tracker()}"\nrepo = "acme/platform"\n'
        'token_env = "RELEASABLE_TEST_TOKEN"\n',
        encoding="utf-8",
    )
    env = {**home, "RELEASABLE_TEST_TOKEN": "t0ken", "PYTHONPATH": str(ROOT)}
    queued = subprocess.run(
        [sys.executable, "-m", "app", "report", "--category", "workstation-broken",
         "--title", "Laptop won't boot", "--prevents-delivery", "yes", "--board", str(board)],
        cwd=tmp_path, env={**x.env, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "queued" in queued.stdout, queued.stdout + queued.stderr

    seen = drive(x, {**home, "RELEASABLE_TEST_TOKEN": "t0ken"}, tmp_path, "blockers", "--",
                 "--board", str(board))  # fmt: skip
    assert seen == [{"verdict": "not-releasable", "blockers": ["Laptop won't boot (not sent yet)"]}]
