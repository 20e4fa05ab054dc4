"""What the integration tests share: a plain `HttpClient` for talking to a loopback server, and
the fleet's loopback team boards (tests/fleet_boards.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from app.sources.http import HttpClient
from tests.fleet_boards import serve_team_boards


@pytest.fixture
def http() -> Iterator[HttpClient]:
    """The shared HTTP client with its default limits, closed after the test."""
    client = HttpClient()
    yield client
    client.close()


@pytest.fixture
def fleet_server(httpserver: HTTPServer) -> HTTPServer:
    """The loopback server serving the fleet's team boards (`serve_team_boards`)."""
    return serve_team_boards(httpserver)
