"""The fleet from where a platform team starts: its fleet file, naming two team boards on disk
and one by address on a loopback server. One team's staging health check says DOWN, one
team's board file answers 404, one team is fine. `releasable status --fleet F --json` (the
real command line, in its own process) and the fleet window (real widgets, offscreen, opened
from the parsed command line as `releasable --fleet F` does) both list them blocked first,
then unknown — the 404 said in words — then releasable.

Loopback board files are read over plain http: the fleet file refuses http:// except on
this machine (app/config/fleet.py), so no TLS is needed here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.cli.main import parse
from app.desktop.fleet import fleet_view, open_fleet
from app.domain.model import VerdictState
from app.ui.fleet.model import TEXT_ROLE, TeamText
from app.ui.fleet.window import FleetWindow
from tests.fleet_boards import board_text

ROOT = Path(__file__).resolve().parents[2]
# "just now" unless this machine took seconds between reading staging and deciding
DOWN = re.compile(r"environment 'staging' down (just now|for \d+ s) \(status DOWN\)")
FEED = (
    "<Projects>"
    '<Project name="alpha :: build" activity="Sleeping" lastBuildStatus="Success" '
    'lastBuildTime="2026-12-04T10:00:00Z" webUrl="https://ci.example/alpha"/>'
    '<Project name="beta :: build" activity="Sleeping" lastBuildStatus="Success" '
    'lastBuildTime="2026-12-04T10:00:00Z" webUrl="https://ci.example/beta"/>'
    "</Projects>"
)


def _platform_repo(tmp_path: Path, server: HTTPServer) -> Path:
    """The platform team's fleet file and two teams' checkouts beside it; the third team's
    board file is read from its (loopback) repository host, which answers 404."""
    server.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    server.expect_request("/alpha/health").respond_with_json({"status": "DOWN"})
    server.expect_request("/beta/health").respond_with_json({"status": "UP"})
    server.expect_request("/acme/gamma/main/board.toml").respond_with_data(
        "404: Not Found", status=404
    )
    feed = server.url_for("/cc.xml")
    for team, name in (("alpha", "Alpha"), ("beta", "Beta")):
        board = tmp_path / "checkouts" / team / "board.toml"
        board.parent.mkdir(parents=True)
        text = board_text(name, team, feed, server.url_for(f"/{team}/health"))
        board.write_text(text, encoding="utf-8")
    fleet = tmp_path / "platform" / "fleet.toml"
    fleet.parent.mkdir()
    fleet.write_text(
        '[fleet]\nname = "Platform team"\n\n'
        '[[boards]]\npath = "../checkouts/beta/board.toml"\n\n'
        f'[[boards]]\nurl = "{server.url_for("/acme/gamma/main/board.toml")}"\n\n'
        '[[boards]]\npath = "../checkouts/alpha/board.toml"\n',
        encoding="utf-8",
    )
    return fleet


def test_status_fleet_json_from_a_fleet_file(httpserver: HTTPServer, tmp_path: Path) -> None:
    fleet = _platform_repo(tmp_path, httpserver)
    done = subprocess.run(
        [sys.executable, "-m", "app", "status", "--fleet", str(fleet), "--json"],
        cwd=ROOT,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # the worst: a team is not releasable
    doc = json.loads(done.stdout)
    assert doc["fleet"] == "Platform team" and doc["verdict"] == "not-releasable"
    teams = [(t["team"], t["verdict"]) for t in doc["teams"]]
    assert teams == [("Alpha", "not-releasable"), ("gamma", "unknown"), ("Beta", "releasable")]
    alpha, gamma, _ = doc["teams"]
    assert len(alpha["reasons"]) == 1 and DOWN.fullmatch(alpha["reasons"][0])
    assert gamma["reasons"][0].startswith("board file could not be fetched:")
    assert "acme/gamma/main/board.toml not found" in gamma["reasons"][0]
    assert "404" in gamma["reasons"][0]
    # each team's own store, in the fleet's folder of the user's data directory
    assert list((tmp_path / "data" / "releasable" / "fleets").glob("fleet-*/alpha-*.db"))


def test_the_fleet_window_from_a_fleet_file(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path
) -> None:
    fleet_file = _platform_repo(tmp_path, httpserver)
    args = parse(["--fleet", str(fleet_file), "--db", str(tmp_path / "db")])
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    with open_fleet(args) as (fleet, db_dir):
        service, view = fleet_view(app, fleet, db_dir, kiosk=False, tray=False)
        qtbot.addWidget(view)
        assert isinstance(view, FleetWindow)
        view.resize(1366, 768)
        view.show()
        service.start()

        def shown() -> list[TeamText]:
            model = view.list.model()
            return [model.index(i, 0).data(TEXT_ROLE) for i in range(model.rowCount())]

        def settled() -> bool:
            states = {t.name: t.state for t in shown()}
            return states == {
                "Alpha": VerdictState.NOT_RELEASABLE,
                "gamma": VerdictState.UNKNOWN,
                "Beta": VerdictState.RELEASABLE,
            }

        qtbot.waitUntil(settled, timeout=15_000)
        rows = shown()
        assert [t.name for t in rows] == ["Alpha", "gamma", "Beta"]
        model = view.list.model()
        tops = [view.list.visualRect(model.index(i, 0)).top() for i in range(3)]
        assert tops == sorted(tops) and len(set(tops)) == 3  # drawn in that order
        alpha, gamma, beta = rows
        assert alpha.verdict.startswith("NOT RELEASABLE")
        assert DOWN.fullmatch(alpha.reasons)
        assert gamma.verdict.startswith("UNKNOWN")
        assert gamma.reasons.startswith("board file could not be fetched:")
        assert "404" in gamma.reasons
        assert "gamma: UNKNOWN" in gamma.accessible and "404" in gamma.accessible
        assert beta.verdict.startswith("RELEASABLE") and beta.reasons == ""
        assert view.summary.text() == "1 not releasable · 1 unknown · 1 releasable"
        assert not view.grab().isNull()
        service.stop()
