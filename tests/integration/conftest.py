"""What the integration tests share: a plain `HttpClient` for talking to a loopback server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.sources.http import HttpClient


@pytest.fixture
def http() -> Iterator[HttpClient]:
    """The shared HTTP client with its default limits, closed after the test."""
    client = HttpClient()
    yield client
    client.close()
