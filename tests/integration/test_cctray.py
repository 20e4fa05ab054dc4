"""cctray feeds as Jenkins, GoCD and CruiseControl write them, served from loopback."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WzResponse

from app.domain.model import ItemKind, Outcome, StageStatus
from app.sources.cctray import (
    Activity,
    BuildStatus,
    CctraySource,
    fetch_feed,
    parse_feed,
)
from app.sources.errors import SourceError
from app.sources.http import HttpClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cctray"


def _feed(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _xml(*projects: str) -> bytes:
    return ("<Projects>" + "".join(projects) + "</Projects>").encode()


def _p(name: str, status: str = "Success", activity: str = "Sleeping", **extra: str) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in extra.items())
    return f'<Project name="{name}" activity="{activity}" lastBuildStatus="{status}"{attrs}/>'


def test_jenkins_feed_attributes_are_read_as_written() -> None:
    projects = parse_feed(_feed("jenkins_cc.xml"))

    assert [p.name for p in projects] == [
        "web-build",
        "web-test",
        "web-deploy-staging",
        "payments » api",
    ]
    build = projects[0]
    assert build.activity is Activity.SLEEPING
    assert build.last_build_status is BuildStatus.SUCCESS
    assert build.last_build_label == "311"
    assert build.last_build_time == datetime(2024, 5, 14, 9, 12, 44, tzinfo=UTC)
    assert build.web_url == "https://jenkins.example.com/job/web-build/"
    assert projects[2].activity is Activity.BUILDING


def test_times_with_and_without_offsets_and_fractions() -> None:
    compile_, unit, package, publish = parse_feed(_feed("offsets_cctray.xml"))

    assert compile_.last_build_time == datetime(2008, 4, 24, 17, 7, 29, tzinfo=UTC)
    assert compile_.next_build_time == datetime(2008, 4, 24, 17, 12, 29, tzinfo=UTC)
    assert unit.last_build_time == datetime(
        2024, 5, 14, 11, 12, 44, 123000, tzinfo=timezone(timedelta(hours=2))
    )
    assert package.last_build_time == datetime(2024, 5, 14, 9, 30, 0, 500000, tzinfo=UTC)
    # No offset: read as UTC (see the module docstring).
    assert publish.last_build_time == datetime(2024, 5, 14, 9, 45, tzinfo=UTC)


def test_optional_attributes_are_kept() -> None:
    compile_ = parse_feed(_feed("offsets_cctray.xml"))[0]

    assert compile_.activity is Activity.CHECKING_MODIFICATIONS
    assert compile_.category == "backend"
    assert compile_.description == "Compiles the legacy app"
    assert compile_.server_name == "cc.example.com"


def test_gocd_stages_come_from_the_prefix_and_jobs_fold_into_them() -> None:
    source = CctraySource("http://unused/cc.xml", project_prefix="web :: ")
    reading = source.read(parse_feed(_feed("gocd_cctray.xml")))

    assert [s.name for s in reading.stages] == ["build", "test", "deploy-staging"]
    assert [s.status for s in reading.stages] == [
        StageStatus.PASSED,
        StageStatus.FAILED,
        StageStatus.PASSED,
    ]
    test = reading.stages[1]
    assert "failed: firefox" in test.note
    assert "breakers: Dana Lee, Sam Ortiz" in test.note
    assert test.label == "412 :: 2"
    assert test.url == "https://gocd.example.com/go/pipelines/web/412/test/2"
    assert test.finished_at == datetime(2024, 5, 14, 9, 20, 40, tzinfo=UTC)
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "test"
    assert reading.completed_at == datetime(2024, 5, 14, 9, 20, 40, tzinfo=UTC)
    assert not reading.running


def test_prefix_does_not_match_a_longer_pipeline_name() -> None:
    reading = CctraySource("http://unused", project_prefix="web :: ").read(
        parse_feed(_feed("gocd_cctray.xml"))
    )

    assert "webhooks" not in {s.name for s in reading.stages}


def test_a_failed_job_shows_on_a_stage_whose_own_entry_passed() -> None:
    feed = _xml(_p("web :: test"), _p("web :: test :: unit"), _p("web :: test :: e2e", "Failure"))
    reading = CctraySource("http://unused", project_prefix="web :: ").read(parse_feed(feed))

    assert [s.name for s in reading.stages] == ["test"]
    assert reading.stages[0].status is StageStatus.FAILED
    assert reading.stages[0].note == "failed: e2e"
    assert reading.outcome is Outcome.FAILED and reading.failed_stage == "test"


def test_a_stage_known_only_from_its_jobs_takes_their_worst_status() -> None:
    feed = _xml(_p("web :: test :: unit"), _p("web :: test :: e2e", "Exception"))
    reading = CctraySource("http://unused", project_prefix="web :: ").read(parse_feed(feed))

    assert reading.stages[0].status is StageStatus.FAILED
    assert reading.outcome is Outcome.FAILED


def test_building_stage_is_running_and_the_outcome_keeps_the_last_completed_status() -> None:
    reading = CctraySource("http://unused", project_prefix="api :: ").read(
        parse_feed(_feed("gocd_cctray.xml"))
    )

    assert reading.stages[0].status is StageStatus.RUNNING
    assert reading.stages[0].note == "last build passed"
    assert reading.running
    assert reading.outcome is Outcome.PASSED


def test_building_after_a_failure_stays_failed_until_it_completes() -> None:
    feed = _xml(_p("web :: build", "Failure", "Building"), _p("web :: test"))
    reading = CctraySource("http://unused", project_prefix="web :: ").read(parse_feed(feed))

    assert reading.stages[0].status is StageStatus.RUNNING
    assert reading.stages[0].note == "last build failed"
    assert reading.outcome is Outcome.FAILED and reading.failed_stage == "build"


@pytest.mark.parametrize(
    ("project", "note"),
    [
        (_p("web :: build", "Broken"), "status 'Broken' not recognised"),
        (_p("web :: build", "Unknown"), "no completed build yet"),
        (_p("web :: build", activity="Pending"), "activity 'Pending' not recognised"),
    ],
)
def test_unrecognised_values_are_unknown_never_passed(project: str, note: str) -> None:
    feed = _xml(project, _p("web :: test"))
    reading = CctraySource("http://unused", project_prefix="web :: ").read(parse_feed(feed))

    assert reading.stages[0].status is StageStatus.UNKNOWN
    assert note in reading.stages[0].note
    assert reading.outcome is Outcome.UNKNOWN
    assert note in reading.detail


def test_exception_is_a_failed_gate() -> None:
    reading = CctraySource("http://unused", project_prefix="legacy :: ").read(
        parse_feed(_feed("offsets_cctray.xml"))
    )

    assert reading.stages[1].status is StageStatus.FAILED
    assert reading.stages[1].note == "exception"
    assert reading.outcome is Outcome.FAILED and reading.failed_stage == "unit"


def test_nothing_matched_is_unknown_with_words() -> None:
    reading = CctraySource("http://unused", project_prefix="web :: ").read(
        parse_feed(_feed("jenkins_cc.xml"))
    )

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.stages == ()
    assert reading.detail == "no project in the feed matches 'web :: '"


def test_explicit_projects_keep_the_given_order_and_name_missing_ones() -> None:
    source = CctraySource("http://unused", projects=["web-deploy-staging", "web-build", "web-lint"])
    reading = source.read(parse_feed(_feed("jenkins_cc.xml")))

    assert [s.name for s in reading.stages] == ["web-deploy-staging", "web-build", "web-lint"]
    assert reading.stages[2].status is StageStatus.UNKNOWN
    assert reading.stages[2].note == "not in the feed"
    assert reading.outcome is Outcome.UNKNOWN
    assert reading.detail == "not in the feed: web-lint"
    assert reading.running


def test_explicit_projects_find_the_failing_one() -> None:
    source = CctraySource("http://unused", projects=["web-build", "web-test"])
    reading = source.read(parse_feed(_feed("jenkins_cc.xml")))

    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "web-test"
    assert reading.completed_at == datetime(2024, 5, 14, 9, 31, 2, tzinfo=UTC)
    assert reading.label == "290"
    assert reading.url == "https://jenkins.example.com/job/web-test/"


def test_all_passed_is_passed() -> None:
    source = CctraySource("http://unused", projects=["web-build", "payments » api"])
    reading = source.read(parse_feed(_feed("jenkins_cc.xml")))

    assert reading.outcome is Outcome.PASSED and reading.failed_stage is None


def test_no_match_with_explicit_projects_is_unknown() -> None:
    reading = CctraySource("http://unused", projects=["nope"]).read(
        parse_feed(_feed("jenkins_cc.xml"))
    )

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.detail == "none of the projects 'nope' is in the feed"


@pytest.mark.parametrize("name", ["entity_bomb.xml", "external_entity.xml"])
def test_entities_are_refused(name: str) -> None:
    with pytest.raises(SourceError, match="^feed refused: XML entities are not allowed$"):
        parse_feed(_feed(name))


def test_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><body><form>Password</form></body></html>"
    with pytest.raises(SourceError, match=r"^feed is not cctray XML \(root is <html>\)"):
        parse_feed(page)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"/>', r"feed is not cctray XML \(root is <rss>\)"),
        (b"<Projects><Project name='a'", r"feed is not well-formed XML \(line 1"),
        (b"<Projects><Project name='\xff'/></Projects>", r"feed is not valid UTF-8 \(byte 25\)"),
        (b"  \n", "feed is empty"),
    ],
)
def test_what_is_not_a_feed_is_said_in_words(body: bytes, words: str) -> None:
    with pytest.raises(SourceError, match=words):
        parse_feed(body)


def test_a_latin1_feed_that_declares_it_parses() -> None:
    body = b'<?xml version="1.0" encoding="ISO-8859-1"?><Projects>'
    body += _p("café", "Success").encode("latin-1") + b"</Projects>"

    assert parse_feed(body)[0].name == "café"


def test_big_feed_parses_fast() -> None:
    rows = [
        _p(
            f"pipeline-{i // 5:04d} :: stage-{i % 5}",
            lastBuildLabel=str(1000 + i),
            lastBuildTime=f"2024-05-01T10:{i % 60:02d}:00Z",
            webUrl=f"https://ci.example.com/go/pipelines/pipeline-{i // 5:04d}/1/stage-{i % 5}/1",
        )
        for i in range(5000)
    ]
    body = _xml(*rows)
    started = time.perf_counter()
    projects = parse_feed(body)
    elapsed = time.perf_counter() - started

    assert len(projects) == 5000
    assert elapsed < 0.5  # ~40 ms here; the bound only catches a pathological regression


def test_fetch_sends_basic_auth_and_reads_the_feed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/go/cctray.xml").respond_with_data(
        _feed("gocd_cctray.xml"), content_type="application/xml"
    )
    source = CctraySource(
        httpserver.url_for("/go/cctray.xml"), project_prefix="web :: ", auth=("dana", "t0k")
    )
    http = HttpClient()
    reading = source.fetch(http)

    assert source.kind is ItemKind.PIPELINE
    assert reading.failed_stage == "test"
    sent = httpserver.log[0][0].headers["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"dana:t0k").decode()


def test_one_feed_fetched_once_serves_many_pipelines(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> WzResponse:
        if request.headers.get("If-None-Match") == '"feed-1"':
            return WzResponse(status=304, headers={"ETag": '"feed-1"'})
        return WzResponse(_feed("gocd_cctray.xml"), headers={"ETag": '"feed-1"'})

    httpserver.expect_request("/cc.xml").respond_with_handler(handler)
    http = HttpClient()
    url = httpserver.url_for("/cc.xml")
    web = CctraySource(url, project_prefix="web :: ")
    api = CctraySource(url, project_prefix="api :: ")

    for _ in range(2):
        projects = fetch_feed(http, url)
        assert web.read(projects).outcome is Outcome.FAILED
        assert api.read(projects).outcome is Outcome.PASSED

    assert http.requests_sent == 2 and http.not_modified == 1
    assert httpserver.log[1][0].headers["If-None-Match"] == '"feed-1"'


def test_401_on_the_feed_names_the_credentials(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data("", status=401)
    source = CctraySource(
        httpserver.url_for("/cc.xml"), project_prefix="web :: ", token_hint="GOCD_TOKEN"
    )
    with pytest.raises(SourceError, match="token rejected \\(401\\) — check GOCD_TOKEN"):
        source.fetch(HttpClient())
