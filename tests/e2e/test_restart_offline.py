"""Kill the app, start it again with the network gone: the last board shows at once, marked
stale, and the verdict is UNKNOWN — never green. Real processes, real loopback servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

FEED = b"""<Projects>
  <Project name="api :: build" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="12" lastBuildTime="2026-11-26T08:00:00Z" webUrl="http://ci/api/12"/>
  <Project name="api :: deploy" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="12" lastBuildTime="2026-11-26T08:04:00Z" webUrl="http://ci/api/12"/>
</Projects>"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_restart_with_the_network_gone_shows_the_last_board_stale_and_unknown(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    board = tmp_path / "board.toml"
    board.write_text(
        f"""
[board]
name = "Payments"
refresh_seconds = 1
stale_after_seconds = 1

[[pipelines]]
name = "api"
source = "cctray"
url = "{httpserver.url_for("/cc.xml")}"
project_prefix = "api :: "

[[environments]]
name = "staging"
url = "{httpserver.url_for("/health")}"
""",
        encoding="utf-8",
    )
    db = tmp_path / "releasable.db"
    root = Path(__file__).resolve().parents[2]

    first = run("status", "--board", str(board), "--db", str(db), cwd=root)
    assert first.returncode == 0, first.stderr
    assert "Payments: RELEASABLE" in first.stdout

    httpserver.stop()  # the network is gone
    try:
        shot = tmp_path / "board.png"
        second = run(
            "--board",
            str(board),
            "--db",
            str(db),
            "--screenshot",
            str(shot),
            "--after",
            "1.5",
            cwd=root,
        )
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip().endswith(": UNKNOWN")
        assert shot.stat().st_size > 10_000

        status = run("status", "--board", str(board), "--db", str(db), "--json", cwd=root)
        assert status.returncode == 2  # unknown
        assert '"verdict": "unknown"' in status.stdout
        assert "connection refused" in status.stdout
    finally:
        httpserver.start()
