"""The headline promise, where a real user starts: "I can't deploy because my laptop is broken"
becomes a P1 on the platform team's tracker in two clicks, even while offline.

No demo: an empty home, a board file written by hand (one health check that is UP, a GitHub
tracker that is tests/fake_tracker.py on loopback), `releasable --board FILE` in a real window
on Xvfb with a window manager (openbox), as on a laptop.

1. The board is RELEASABLE, then the tracker goes away (the laptop is offline). The user
   presses Ctrl+B in the window, types the title, picks "Workstation broken", answers "Yes, it
   prevents production delivery" and sends with Ctrl+Return — real key presses on the X
   server (xdotool), nothing done inside the app. The board turns NOT RELEASABLE with the
   blocker listed as "not sent yet".
2. The session ends (SIGTERM) with the report still queued; `releasable` starts again with no
   arguments (the last board is remembered): the blocker still counts.
3. The tracker comes back: the report is filed exactly once, the blocker gets its link, and
   the board stays NOT RELEASABLE until the issue is closed on the tracker; once it is closed
   there, the next read makes the board RELEASABLE.

What the window shows is read by tests/drive_app.py `watch`, which only looks (the verdict
banner, the open blockers with their links, the fields of an open report dialog). The keys go
in as a keyboard sends them; the test waits until the dialog shows each answer before the next
key, because a mnemonic (Alt+Y) clicks its button a moment after the key press, and sending
before that would send a report without the answer the user gave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.fake_tracker import FakeGitHub
from tests.xserver import Watched, XServer, wait_for, xvfb

TITLE = "Laptop won't boot"
WINDOW = "^Payments — "  # the board window's title: "<board> — <VERDICT> — Releasable"
DIALOG = "^Report a blocker"
WATCH_S = 240.0
TRACKER_REFRESH_S = 2
TOKEN_ENV = "RELEASABLE_TEST_TOKEN"
Seen = dict[str, Any]


@pytest.fixture
def x() -> Iterator[XServer]:
    with xvfb(((1366, 768),), window_manager=True) as display:
        yield display


@pytest.fixture
def tracker() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A machine where Releasable never ran: empty home and XDG folders."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        TOKEN_ENV: "t0ken",
    }


def board_file(tmp_path: Path, health: str, tracker: FakeGitHub) -> Path:
    board = tmp_path / "team" / "board.toml"
    board.parent.mkdir()
    board.write_text(
        f"""[board]
name = "Payments"
refresh_seconds = 1

[[environments]]
name = "staging"
url = "{health}"

[tracker]
kind = "github"
api_url = "{tracker.url}"
repo = "{tracker.repo}"
token_env = "{TOKEN_ENV}"
refresh_seconds = {TRACKER_REFRESH_S}
""",
        encoding="utf-8",
    )
    return board


def verdict(headline: str) -> Callable[[Seen], bool]:
    return lambda seen: bool(seen["verdict"] == headline)


def listed(text: str, url: str | None) -> Callable[[Seen], bool]:
    """NOT RELEASABLE with exactly this blocker in the list (as it reads there), this link."""
    return lambda seen: (
        seen["verdict"] == "NOT RELEASABLE" and seen["blockers"] == [{"text": text, "url": url}]
    )


def dialog_shows(**fields: object) -> Callable[[Seen], bool]:
    return lambda seen: (
        seen["dialog"] is not None
        and all(seen["dialog"][name] == value for name, value in fields.items())
    )


def report_by_keyboard(x: XServer, window: Watched) -> None:
    """Ctrl+B, the title, the category, "yes", Ctrl+Return: what the user's keyboard sends."""
    x.press(WINDOW, "ctrl+b")
    window.wait_for("the report dialog, its title field focused", dialog_shows(focus="Title"))
    x.type_text(DIALOG, TITLE)
    window.wait_for("the title typed", dialog_shows(title=TITLE))
    x.press(DIALOG, "alt+c")  # "&Category:"
    window.wait_for("the category focused", dialog_shows(focus="Category"))
    x.type_text(DIALOG, "w")  # a closed combo box jumps to the item its typed letters start
    window.wait_for("Workstation broken picked", dialog_shows(category="workstation-broken"))
    x.press(DIALOG, "alt+y")  # "&Yes, it prevents production delivery"
    window.wait_for("the answer yes", dialog_shows(prevents_delivery=True))
    x.press(DIALOG, "ctrl+Return")  # click 2: Send
    window.wait_for("the dialog closed, the report queued", lambda seen: seen["dialog"] is None)


def test_a_p1_reported_offline_counts_across_a_restart_is_filed_once_and_counts_until_closed(
    x: XServer, tracker: FakeGitHub, home: dict[str, str], httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board = board_file(tmp_path, httpserver.url_for("/health"), tracker)

    first = Watched.start(x, home, tmp_path, WATCH_S, "--board", str(board))
    try:
        first.wait_for("RELEASABLE (health UP, tracker read)", verdict("RELEASABLE"), 90)
        tracker.stop()  # offline from here on
        report_by_keyboard(x, first)
        first.wait_for("the P1 counting, not sent yet", listed(f"{TITLE} (not sent yet)", None))
        first.terminate()  # the session ends with the report still queued
    finally:
        first.kill()
    assert tracker.issues == []

    second = Watched.start(x, home, tmp_path, WATCH_S)  # `releasable`, no arguments
    try:
        second.wait_for(
            "the queued P1 counting after the restart", listed(f"{TITLE} (not sent yet)", None), 90
        )
        tracker.start()  # back online, same address
        issue_url = f"{tracker.url}/{tracker.repo}/issues/1"
        delivered, _ = second.wait_for("the P1 with its link", listed(TITLE, issue_url), 60)
        filed_at = second.seen.index(delivered)
        (issue,) = tracker.issues
        assert issue["title"] == TITLE
        assert "P1" in {label["name"] for label in issue["labels"]}
        # what the keys said reached the tracker: the category picked, the answer given
        assert "Category: Workstation broken (workstation-broken)" in issue["body"]
        assert "Priority: **P1**: It prevents production delivery" in issue["body"]
        assert tracker.posts() == 1

        # Still counting after the tracker was read again (the issue is open there).
        read_after = len(tracker.requests)
        wait_for(
            "two reads of the tracker after the P1 was filed",
            lambda: sum(m == "GET" for m, _ in tracker.requests[read_after:]) >= 2,
        )
        tracker.close_issue(1)
        closed_at = len(second.seen)
        _, took = second.wait_for("RELEASABLE once the issue is closed", verdict("RELEASABLE"))
        assert all(s["verdict"] == "NOT RELEASABLE" for s in second.seen[filed_at:closed_at])
        assert second.last is not None and second.last["blockers"] == []
        assert took < 3 * TRACKER_REFRESH_S + 10, took  # the next read, with room for a busy CI
        assert len(tracker.issues) == 1 and tracker.posts() == 1
        second.terminate()
    finally:
        second.kill()
