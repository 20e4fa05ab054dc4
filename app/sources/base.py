"""The one small interface every source implements, and the errors sources raise.

A source reads one board item (a pipeline or an environment) over HTTP and returns a domain
reading. It owns no thread and no state beyond its configuration: the scheduler calls
`fetch()` on a worker thread with that thread's `HttpClient`, and a failure is a `SourceError`
whose message is written for the user ("token rejected (401) — check GITHUB_TOKEN").
"""

from __future__ import annotations

from typing import Protocol

from app.domain.model import EnvironmentReading, ItemKind, PipelineReading
from app.sources.errors import SourceError
from app.sources.http import HttpClient

__all__ = ["EnvironmentSource", "PipelineSource", "Source", "SourceError"]


class PipelineSource(Protocol):
    kind: ItemKind  # ItemKind.PIPELINE

    def fetch(self, http: HttpClient) -> PipelineReading: ...


class EnvironmentSource(Protocol):
    kind: ItemKind  # ItemKind.ENVIRONMENT

    def fetch(self, http: HttpClient) -> EnvironmentReading: ...


Source = PipelineSource | EnvironmentSource
