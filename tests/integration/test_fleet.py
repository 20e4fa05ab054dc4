"""The fleet end to end over loopback: board files served by URL (conditionally, with a token),
one shared cctray feed, health checks, and `releasable status --fleet` printing every team."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from app.cli.main import main
from app.config.fleet import FleetBoard
from app.services.fleet_boards import FLEET_DB, read_team_board
from app.services.fleet_fetch import FleetHttp, SharedFeeds
from app.sources.errors import SourceError
from app.sources.http import HttpClient
from tests.fleet_boards import FEED, board_text, requests_to, write_fleet_file

ROOT = Path(__file__).resolve().parents[2]


def test_status_fleet_prints_every_team_worst_first_and_exits_with_the_worst(
    fleet_server: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FLEET_TEST_TOKEN", "s3cret")
    fleet = write_fleet_file(tmp_path, fleet_server)
    code = main(["status", "--fleet", str(fleet), "--db", str(tmp_path / "db"), "--json"])
    out = capsys.readouterr().out
    doc = json.loads(out)

    assert code == 1  # Shop is not releasable
    assert doc["fleet"] == "Platform team" and doc["verdict"] == "not-releasable"
    teams = [(t["team"], t["verdict"]) for t in doc["teams"]]
    assert teams[0] == ("Shop", "not-releasable")
    assert set(teams[1:3]) == {("gone", "unknown"), ("broken", "unknown")}
    assert teams[3] == ("Payments", "releasable")
    gone = next(t for t in doc["teams"] if t["team"] == "gone")
    assert gone["reasons"][0].startswith("board file could not be fetched:")
    assert "404" in gone["reasons"][0]
    broken = next(t for t in doc["teams"] if t["team"] == "broken")
    assert "board.toml:6: pipelines[1].source: unknown source 'jenkinz'" in broken["reasons"][0]
    assert "s3cret" not in out
    # One feed read by two teams' boards: fetched once.
    assert len(requests_to(fleet_server, "/cc.xml")) == 1


@pytest.mark.parametrize(
    "order",
    [
        ["status", "--fleet", "FLEET", "--db", "DB", "--json"],
        ["--fleet", "FLEET", "status", "--db", "DB", "--json"],
        ["--fleet", "FLEET", "--db", "DB", "status", "--json"],
    ],
)
def test_status_fleet_is_the_fleet_whether_fleet_comes_before_or_after_status(
    order: list[str], fleet_server: HTTPServer, tmp_path: Path
) -> None:
    fleet = write_fleet_file(tmp_path, fleet_server)
    db = tmp_path / "db"
    argv = [{"FLEET": str(fleet), "DB": str(db)}.get(arg, arg) for arg in order]
    done = subprocess.run(
        [sys.executable, "-m", "app", *argv],
        cwd=ROOT,
        env={**os.environ, "FLEET_TEST_TOKEN": "s3cret", "RELEASABLE_BOARD": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["fleet"] == "Platform team"
    assert [t["team"] for t in doc["teams"]][0] == "Shop"
    assert len(doc["teams"]) == 4
    assert (db / FLEET_DB).exists()  # --db, before or after status, is the fleet's folder


def test_a_second_run_asks_for_board_files_conditionally(
    fleet_server: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FLEET_TEST_TOKEN", "s3cret")
    fleet = write_fleet_file(tmp_path, fleet_server)
    db = str(tmp_path / "db")
    main(["status", "--fleet", str(fleet), "--db", db])
    capsys.readouterr()
    code = main(["status", "--fleet", str(fleet), "--db", db])
    text = capsys.readouterr().out

    assert code == 1
    asks = requests_to(fleet_server, "/acme/payments/main/board.toml")
    assert [r.headers.get("If-None-Match") for r in asks] == [None, '"pay-1"']
    assert text.splitlines()[0] == (
        "Platform team: NOT RELEASABLE — 1 not releasable, 2 unknown, 1 releasable"
    )
    assert "Payments: RELEASABLE" in text


def test_without_its_token_a_private_board_is_unknown_in_words(
    fleet_server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLEET_TEST_TOKEN", raising=False)
    entry = FleetBoard(
        url=fleet_server.url_for("/acme/shop/main/board.toml"), token_env="FLEET_TEST_TOKEN"
    )
    team = read_team_board(entry, HttpClient())
    assert team.config is None
    assert team.name == "shop"
    assert team.error is not None and team.error.startswith("board file could not be fetched")


def test_a_fleet_of_only_releasable_teams_exits_0_and_unknown_exits_2(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    board = tmp_path / "pay.toml"
    board.write_text(board_text("Payments", "pay", httpserver.url_for("/cc.xml")), encoding="utf-8")
    fleet = tmp_path / "fleet.toml"
    fleet.write_text('[fleet]\nname = "P"\n[[boards]]\npath = "pay.toml"\n', encoding="utf-8")
    assert main(["status", "--fleet", str(fleet), "--db", str(tmp_path / "db")]) == 0
    board.write_text(
        board_text("Payments", "nothing", httpserver.url_for("/cc.xml")), encoding="utf-8"
    )
    assert main(["status", "--fleet", str(fleet), "--db", str(tmp_path / "db")]) == 2
    capsys.readouterr()


def test_a_bad_fleet_file_says_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = tmp_path / "fleet.toml"
    fleet.write_text('[fleet]\nname = "P"\n[[boards]]\nurl = "ftp://x/b.toml"\n', encoding="utf-8")
    code = main(["status", "--fleet", str(fleet)])
    err = capsys.readouterr().err
    assert code == 3
    assert f"{fleet}:4: boards[1].url: only http:// and https://" in err


# --- shared fetching ------------------------------------------------------------------------


def test_a_rate_limit_holds_back_every_board_with_the_same_host_and_token(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/api").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    http = FleetHttp()
    first = http.get(httpserver.url_for("/api"), headers={"Authorization": "Bearer a"})
    assert first.status == 429
    with pytest.raises(SourceError) as held:
        http.get(httpserver.url_for("/api"), headers={"Authorization": "Bearer a"})
    assert held.value.rate_limited_until is not None
    assert held.value.rate_limited_until > datetime.now(UTC) + timedelta(seconds=100)
    assert held.value.message.startswith("rate-limited until")
    assert "Bearer" not in held.value.message
    other = http.get(httpserver.url_for("/api"), headers={"Authorization": "Bearer b"})
    assert other.status == 429  # another token has its own quota: asked
    assert len(requests_to(httpserver, "/api")) == 2
    assert http.held_back == 1
    assert http.hosts == 1
    http.close()


def test_a_shared_feed_is_fetched_once_per_interval(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    now = [0.0]
    feeds = SharedFeeds(clock=lambda: now[0])
    http = HttpClient()
    url = httpserver.url_for("/cc.xml")
    first = feeds.fetch(http, url, 60)
    assert feeds.fetch(http, url, 60) == first
    now[0] = 30.0
    feeds.fetch(http, url, 60)
    assert len(requests_to(httpserver, "/cc.xml")) == 1
    now[0] = 60.0
    feeds.fetch(http, url, 60)
    assert len(requests_to(httpserver, "/cc.xml")) == 2
    feeds.fetch(http, url, 60, auth=("ci", "other"))  # other credentials: their own fetch
    assert len(requests_to(httpserver, "/cc.xml")) == 3
