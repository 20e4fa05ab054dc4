"""Team boards and fleet files for the fleet's tests: a cctray feed two teams share, board-file
text, loopback servers that serve board files (conditionally, behind a token, or 404), and the
fleet file a platform team would write for them.

Shared by the fleet's CLI, service and window tests (the `fleet_server` fixture in
tests/integration/conftest.py serves `serve_team_boards`), so no test module imports another.
"""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WzResponse

FEED = (
    "<Projects>"
    '<Project name="pay :: build" activity="Sleeping" lastBuildStatus="Success" '
    'lastBuildTime="2026-12-04T10:00:00Z" webUrl="https://ci.example/pay"/>'
    '<Project name="shop :: build" activity="Sleeping" lastBuildStatus="Failure" '
    'lastBuildTime="2026-12-04T10:00:00Z" webUrl="https://ci.example/shop"/>'
    "</Projects>"
)


def board_text(name: str, prefix: str, feed_url: str, health_url: str | None = None) -> str:
    """A team's board file: one cctray pipeline (the feed's `prefix :: ` projects), and a
    staging environment when `health_url` is given."""
    text = (
        f'[board]\nname = "{name}"\n\n'
        f'[[pipelines]]\nname = "main"\nsource = "cctray"\nurl = "{feed_url}"\n'
        f'project_prefix = "{prefix} :: "\n'
    )
    if health_url:
        text += f'\n[[environments]]\nname = "staging"\nurl = "{health_url}"\n'
    return text


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    """The requests `server` received for `path`, oldest first."""
    return [request for request, _ in server.log if request.path == path]


def serve_team_boards(server: HTTPServer) -> HTTPServer:
    """The shared feed (/cc.xml), a health check that is UP (/health), and three board files
    by URL: Payments' (with an ETag, answering 304 to it), Shop's (404 without the token
    "s3cret", failing in the feed) and one that is gone (404)."""
    feed_url = server.url_for("/cc.xml")
    server.expect_request("/cc.xml").respond_with_data(
        FEED, content_type="application/xml", headers={"ETag": '"feed-1"'}
    )
    server.expect_request("/health").respond_with_json({"status": "UP"})
    payments = board_text("Payments", "pay", feed_url, server.url_for("/health"))

    def board_file(request: Request) -> WzResponse:
        if request.headers.get("If-None-Match") == '"pay-1"':
            return WzResponse(status=304, headers={"ETag": '"pay-1"'})
        return WzResponse(payments, content_type="text/plain", headers={"ETag": '"pay-1"'})

    server.expect_request("/acme/payments/main/board.toml").respond_with_handler(board_file)

    def private_board(request: Request) -> WzResponse:
        if request.headers.get("Authorization") != "Bearer s3cret":
            return WzResponse("Not Found", status=404)
        return WzResponse(board_text("Shop", "shop", feed_url), content_type="text/plain")

    server.expect_request("/acme/shop/main/board.toml").respond_with_handler(private_board)
    server.expect_request("/acme/gone/main/board.toml").respond_with_data("no", status=404)
    return server


def write_fleet_file(tmp_path: Path, server: HTTPServer) -> Path:
    """platform/fleet.toml naming `serve_team_boards`' three board files by URL (Shop's with
    token_env FLEET_TEST_TOKEN) and teams/broken/board.toml by path (an unknown source)."""
    (tmp_path / "teams" / "broken").mkdir(parents=True)
    (tmp_path / "teams" / "broken" / "board.toml").write_text(
        '[board]\nname = "Broken"\n\n[[pipelines]]\nname = "x"\nsource = "jenkinz"\n',
        encoding="utf-8",
    )
    fleet = tmp_path / "platform" / "fleet.toml"
    fleet.parent.mkdir()
    fleet.write_text(
        '[fleet]\nname = "Platform team"\n\n'
        f'[[boards]]\nurl = "{server.url_for("/acme/payments/main/board.toml")}"\n\n'
        f'[[boards]]\nurl = "{server.url_for("/acme/shop/main/board.toml")}"\n'
        'token_env = "FLEET_TEST_TOKEN"\n\n'
        f'[[boards]]\nurl = "{server.url_for("/acme/gone/main/board.toml")}"\n\n'
        '[[boards]]\npath = "../teams/broken/board.toml"\n',
        encoding="utf-8",
    )
    return fleet
