"""Every P1 counts, and the tracker is read like a source (issue 12, points 7 and 8).

Driven as people meet it: `releasable report` and `releasable status` as child processes, a real
board file, a health endpoint and a GitHub-shaped tracker on real loopback sockets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.fake_tracker import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Laptop won't boot"


def releasable(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RELEASABLE_TEST_TOKEN": "t0ken"}
    env.pop("RELEASABLE_BOARD", None)
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def board_file(tmp_path: Path, health: HTTPServer, tracker_url: str, extra: str = "") -> Path:
    health.expect_request("/health").respond_with_json({"status": "UP"})
    path = tmp_path / "board.toml"
    path.write_text(
        '[board]\nname = "Payments"\n\n'
        f'[[environments]]\nname = "staging"\nurl = "{health.url_for("/health")}"\n\n'
        f'[tracker]\nkind = "github"\napi_url = "{tracker_url}"\nrepo = "acme/platform"\n'
        f'token_env = "RELEASABLE_TEST_TOKEN"\nlabels = ["delivery-blocker"]\n{extra}',
        encoding="utf-8",
    )
    return path


def report(board: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return releasable(
        "report", "--category", "workstation-broken", "--title", TITLE,
        "--prevents-delivery", "yes", "--board", str(board), "--db", str(db),
    )  # fmt: skip


def down_tracker() -> str:
    """The address of a tracker that was there a moment ago: connection refused."""
    fake = FakeGitHub().start()
    url = fake.url
    fake.stop()
    return url


def test_a_queued_p1_makes_status_not_releasable_listed_as_not_sent_yet(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    board, db = board_file(tmp_path, httpserver, down_tracker()), tmp_path / "r.db"
    filed = report(board, db)
    assert "queued" in filed.stdout, filed.stdout + filed.stderr

    status = releasable("status", "--board", str(board), "--db", str(db))
    assert status.returncode == 1, status.stdout + status.stderr
    assert status.stdout.splitlines()[0] == "Payments: NOT RELEASABLE"
    lines = status.stdout.splitlines()
    listed = lines[lines.index("  open blockers:") + 1 :]
    assert f"    P1 {TITLE}  (not sent yet)" in listed

    as_json = json.loads(
        releasable("status", "--json", "--board", str(board), "--db", str(db)).stdout
    )
    assert as_json["verdict"] == "not-releasable"
    assert [(b["title"], b["sent"]) for b in as_json["blockers"]] == [(TITLE, False)]


def test_a_p1_closed_on_the_tracker_stops_counting_at_the_next_status(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    with FakeGitHub() as fake:
        board, db = board_file(tmp_path, httpserver, fake.url), tmp_path / "r.db"
        filed = report(board, db)
        assert filed.returncode == 0, filed.stderr
        assert releasable("status", "--board", str(board), "--db", str(db)).returncode == 1
        (issue,) = fake.issues
        fake.close_issue(issue["number"])

        status = releasable("status", "--board", str(board), "--db", str(db))
    assert status.returncode == 0, status.stdout + status.stderr
    assert status.stdout.splitlines()[0] == "Payments: RELEASABLE"
    assert TITLE not in status.stdout


def test_status_that_cannot_read_the_trackers_blockers_is_unknown_naming_it(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    board, db = board_file(tmp_path, httpserver, down_tracker()), tmp_path / "r.db"
    status = releasable("status", "--board", str(board), "--db", str(db))
    assert status.returncode == 2, status.stdout + status.stderr
    first, reason = status.stdout.splitlines()[:2]
    assert first == "Payments: UNKNOWN"
    assert reason.startswith("  - tracker GitHub acme/platform: open blockers not read")
    assert "connection refused" in reason


def test_status_says_why_the_blockers_were_not_read_once_not_also_on_stderr(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """The reason on stdout is the message; stderr stays quiet (it said it twice)."""
    board, db = board_file(tmp_path, httpserver, down_tracker()), tmp_path / "r.db"
    refused = releasable("status", "--board", str(board), "--db", str(db))
    env = {**os.environ}
    env.pop("RELEASABLE_BOARD", None)
    env.pop("RELEASABLE_TEST_TOKEN", None)
    no_token = subprocess.run(
        [sys.executable, "-m", "app", "status", "--board", str(board), "--db", str(db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    for done, why in ((refused, "connection refused"), (no_token, "set RELEASABLE_TEST_TOKEN")):
        assert done.returncode == 2, done.stdout + done.stderr
        said = [line for line in done.stdout.splitlines() if "blockers not read" in line]
        assert len(said) == 1 and why in said[0], done.stdout
        assert done.stderr == ""


def test_delivery_path_false_opts_the_tracker_out(tmp_path: Path, httpserver: HTTPServer) -> None:
    board = board_file(tmp_path, httpserver, down_tracker(), "delivery_path = false\n")
    status = releasable("status", "--board", str(board), "--db", str(tmp_path / "r.db"))
    assert status.returncode == 0, status.stdout + status.stderr
    assert status.stdout.splitlines()[0] == "Payments: RELEASABLE"


def test_a_p1_saved_here_with_no_tracker_is_listed_in_words_and_resolved_by_its_key(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """`report` with no tracker saves the P1 here; it counts until it is resolved, which the
    command line can do too (only the window could), through the window's code."""
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board = tmp_path / "board.toml"
    board.write_text(
        '[board]\nname = "Payments"\n\n'
        f'[[environments]]\nname = "staging"\nurl = "{httpserver.url_for("/health")}"\n',
        encoding="utf-8",
    )
    at = ["--board", str(board), "--db", str(tmp_path / "r.db")]
    filed = report(board, tmp_path / "r.db")
    assert filed.returncode == 0 and "saved locally" in filed.stdout, filed.stdout + filed.stderr
    assert releasable("status", *at).returncode == 1  # NOT RELEASABLE: the P1 counts

    listed = releasable("outbox", "list", *at)
    assert listed.returncode == 0, listed.stderr
    title_line, state_line = listed.stdout.splitlines()[:2]
    priority, key, title = title_line.split("  ")
    assert (priority, title) == ("P1", TITLE) and key.startswith("rls-")
    assert state_line.strip() == "saved here, not sent to a tracker"  # not "draft"
    assert "draft" not in listed.stdout

    assert f"`releasable outbox resolve {key}` once it no longer blocks" in filed.stdout
    assert releasable("outbox", "resolve", *at).returncode == 3  # which one?
    unknown = releasable("outbox", "resolve", "rls-nope", *at)
    assert unknown.returncode == 1 and "no report rls-nope" in unknown.stderr

    resolved = releasable("outbox", "resolve", key, *at)
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout == f"resolved here    P1  {TITLE}\n"
    status = releasable("status", *at)
    assert status.returncode == 0, status.stdout + status.stderr  # it no longer counts
    assert status.stdout.splitlines()[0] == "Payments: RELEASABLE"
    assert TITLE not in status.stdout

    again = releasable("outbox", "resolve", key, "--json", *at)
    assert again.returncode == 0
    assert json.loads(again.stdout) == [
        {"key": key, "title": TITLE, "priority": "P1", "resolved": True, "already": True}
    ]
    (doc,) = json.loads(releasable("outbox", "list", "--json", *at).stdout)
    assert (doc["state"], doc["state_words"], doc["resolved_here"]) == (
        "draft",
        "resolved here",
        True,
    )
