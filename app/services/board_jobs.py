"""From a board file to poll jobs: which source reads which item, and how often.

Pipelines that read the same cctray feed share one job, so a feed with a thousand projects is
fetched once per refresh however many pipelines it serves; across the boards of a fleet the
jobs read it through one `SharedFeeds` (app/services/fleet_fetch.py), fetched once per
interval. Each source is built by `app.services.sources` (the same builder `releasable probe`
and the editor's "Test" use) the first time it is fetched, on a worker thread: its token may
come from the OS keyring. A missing token is not fatal (public repositories need none) but is
said on the item when the server answers 401.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from app.config.board import (
    BoardConfig,
    CctrayOptions,
    EnvironmentConfig,
    PipelineConfig,
)
from app.domain.model import ItemKind, PipelineReading, TrackerRead, item_key
from app.services.polling import FetchResult, ItemSpec, PollJob
from app.services.sources import make_environment_source, make_pipeline_source
from app.sources.errors import SourceError
from app.sources.http import HttpClient

if TYPE_CHECKING:
    from app.sources.cctray_feed import CctrayProject


def pipeline_spec(p: PipelineConfig) -> ItemSpec:
    return ItemSpec(
        key=item_key(ItemKind.PIPELINE, p.name),
        kind=ItemKind.PIPELINE,
        name=p.name,
        delivery_path=p.delivery_path,
        stale_after_s=p.stale_after_seconds,
    )


def environment_spec(e: EnvironmentConfig) -> ItemSpec:
    return ItemSpec(
        key=item_key(ItemKind.ENVIRONMENT, e.name),
        kind=ItemKind.ENVIRONMENT,
        name=e.name,
        delivery_path=e.delivery_path,
        stale_after_s=e.stale_after_seconds,
        degraded_ok=e.degraded_ok,
    )


class _OnFirstFetch:
    """Builds a source the first time it is fetched, on the worker thread: resolving its token
    may ask the OS keyring (D-Bus, Keychain), which must never block the GUI thread."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._source: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._source is None:
                try:
                    self._source = self._make()
                except ValueError as err:  # e.g. a URL that names no job: say so on the item
                    raise SourceError(f"this source is not set up right: {err}") from None
            return self._source


def _single_job(job_id: str, spec: ItemSpec, make: Callable[[], Any], interval: float) -> PollJob:
    source = _OnFirstFetch(make)

    def fetch(http: HttpClient) -> Mapping[str, FetchResult]:
        return {spec.key: source.get().fetch(http)}

    return PollJob(job_id, (spec,), interval, fetch)


class FeedReader(Protocol):
    """Fetches a cctray feed's projects: directly, or shared across the boards of a fleet
    (`app.services.fleet_fetch.SharedFeeds`)."""

    def fetch(
        self,
        http: HttpClient,
        url: str,
        interval_s: float,
        *,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
        token_hint: str = "",
    ) -> list[CctrayProject]: ...


class DirectFeeds:
    """Every fetch goes to the server (one board: its pipelines already share one job)."""

    def fetch(
        self,
        http: HttpClient,
        url: str,
        interval_s: float,
        *,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
        token_hint: str = "",
    ) -> list[CctrayProject]:
        from app.sources.cctray import fetch_feed

        return fetch_feed(
            http, url, auth=auth, ca_bundle=ca_bundle, timeout_s=timeout_s, token_hint=token_hint
        )


def _feed_job(url: str, pipelines: list[PipelineConfig], feeds: FeedReader) -> PollJob:
    """One fetch of a cctray feed, read by every pipeline that names it.

    The shared request is as strict as its strictest reader: it is made as often as the
    smallest refresh_seconds asks and given up after the smallest timeout_seconds, so a
    pipeline set to 3 s is unknown after 3 s ("no complete answer within 3 s"), whatever the
    other pipelines on the feed allow.
    """
    specs = [pipeline_spec(p) for p in pipelines]
    sources = [_OnFirstFetch(partial(make_pipeline_source, p)) for p in pipelines]
    interval = min(p.refresh_seconds for p in pipelines)
    timeout = min(p.timeout_seconds for p in pipelines)

    def fetch(http: HttpClient) -> Mapping[str, FetchResult]:
        first = sources[0].get()
        projects = feeds.fetch(
            http,
            url,
            interval,
            auth=first.auth,
            ca_bundle=first.ca_bundle,
            timeout_s=timeout,
            token_hint=first.token_hint,
        )
        readers = zip(specs, sources, strict=True)
        return {spec.key: source.get().read(projects) for spec, source in readers}

    return PollJob(f"cctray:{url}", tuple(specs), interval, fetch)


def board_specs(board: BoardConfig) -> list[ItemSpec]:
    """Every item of the board, in board-file order: pipelines, then environments."""
    return [pipeline_spec(p) for p in board.pipelines] + [
        environment_spec(e) for e in board.environments
    ]


TRACKER_NAMES = {"github": "GitHub", "gitlab": "GitLab", "jira": "Jira", "webhook": "webhook"}


def tracker_watch(board: BoardConfig) -> TrackerRead | None:
    """The tracker's list of open blockers as the verdict watches it (not read yet): stale
    after 3 × `[tracker] refresh_seconds`. None when the board has no tracker."""
    tracker = board.tracker
    if tracker.kind == "none":
        return None
    where = next(
        (
            str(value)
            for name in ("repo", "project", "project_key", "url")
            if (value := getattr(tracker.options, name, None))
        ),
        "",
    )
    name = f"{TRACKER_NAMES.get(tracker.kind, tracker.kind)} {where}".strip()
    return TrackerRead(
        name=name,
        stale_after_s=3 * tracker.refresh_seconds,
        delivery_path=tracker.delivery_path,
    )


def build_jobs(board: BoardConfig, feeds: FeedReader | None = None) -> list[PollJob]:
    """The board's poll jobs; cctray feeds are read through `feeds` (default: directly)."""
    reader = feeds if feeds is not None else DirectFeeds()
    jobs: list[PollJob] = []
    by_url: dict[str, list[PipelineConfig]] = {}
    for p in board.pipelines:
        if isinstance(p.options, CctrayOptions):
            by_url.setdefault(p.options.url, []).append(p)
        else:
            spec = pipeline_spec(p)
            make = partial(make_pipeline_source, p)
            jobs.append(_single_job(spec.key, spec, make, p.refresh_seconds))
    for url, pipelines in by_url.items():
        jobs.append(_feed_job(url, pipelines, reader))
    if not board.show_authors:
        jobs = [_without_authors(job) for job in jobs]
    for e in board.environments:
        spec = environment_spec(e)
        make = partial(make_environment_source, e)
        jobs.append(_single_job(spec.key, spec, make, e.refresh_seconds))
    return jobs


def _without_authors(job: PollJob) -> PollJob:
    """`[board] show_authors = false`: names are dropped as they are read, before the store."""
    read = job.fetch

    def fetch(http: HttpClient) -> Mapping[str, FetchResult]:
        return {
            key: result.without_authors() if isinstance(result, PipelineReading) else result
            for key, result in read(http).items()
        }

    job.fetch = fetch
    return job
