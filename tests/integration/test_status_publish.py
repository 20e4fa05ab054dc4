"""`releasable status --format cctray|json|badge --output FILE` on a real board read from
loopback servers: the written feed is one a cctray client reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from app.cli.main import main
from app.sources.cctray_feed import BuildStatus, parse_feed

FEED = b"""<Projects>
  <Project name="api :: build" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="12" lastBuildTime="2026-11-26T08:00:00Z" webUrl="http://ci/api/12"/>
  <Project name="api :: deploy" activity="Sleeping" lastBuildStatus="Failure"
           lastBuildLabel="12" lastBuildTime="2026-11-26T08:04:00Z" webUrl="http://ci/api/12"/>
</Projects>"""


@pytest.fixture
def board(httpserver: HTTPServer, tmp_path: Path) -> Path:
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    path = tmp_path / "board.toml"
    path.write_text(
        f"""
[board]
name = "Payments"

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
    return path


def test_status_writes_a_cctray_feed_a_cctray_client_reads(board: Path, tmp_path: Path) -> None:
    out = tmp_path / "www" / "payments.xml"
    out.parent.mkdir()
    code = main(
        [
            "status",
            "--board",
            str(board),
            "--db",
            str(tmp_path / "db"),
            "--format",
            "cctray",
            "--output",
            str(out),
            "--web-url",
            "https://wall.example.com/",
        ]
    )
    assert code == 1  # not releasable: the exit code stays the verdict's
    projects = {p.name: p for p in parse_feed(out.read_bytes())}
    assert list(projects) == ["Payments", "Payments :: api", "Payments :: staging"]
    assert projects["Payments"].last_build_status is BuildStatus.FAILURE
    assert projects["Payments"].web_url == "https://wall.example.com/"
    assert projects["Payments :: api"].last_build_status is BuildStatus.FAILURE
    assert projects["Payments :: staging"].last_build_status is BuildStatus.SUCCESS
    assert sorted(p.name for p in out.parent.iterdir()) == ["payments.xml"]


def test_status_json_and_badge_formats(
    board: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db")
    assert main(["status", "--board", str(board), "--db", db, "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["schema"], doc["board"], doc["verdict"]) == (1, "Payments", "not-releasable")
    assert main(["status", "--board", str(board), "--db", db, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["schema"] == 1
    assert main(["status", "--board", str(board), "--db", db, "--format", "badge"]) == 1
    badge = json.loads(capsys.readouterr().out)
    assert badge == {
        "schemaVersion": 1,
        "label": "Payments",
        "message": "not releasable",
        "color": "red",
    }


def test_an_output_that_cannot_be_written_is_one_line_and_exit_3(
    board: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no-such-folder" / "cc.xml"
    code = main(
        [
            "status",
            "--board",
            str(board),
            "--db",
            str(tmp_path / "db"),
            "--format",
            "cctray",
            "--output",
            str(out),
        ]
    )
    assert code == 3  # not a verdict: the command could not do what it was asked
    err = capsys.readouterr().err
    assert err.startswith("releasable: cannot write ") and err.count("\n") == 1
