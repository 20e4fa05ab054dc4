"""Jenkins jobs over the JSON API and the Stage View `wfapi`, served from loopback."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.domain.model import ItemKind, Outcome, StageStatus
from app.sources.errors import SourceError
from app.sources.http import HttpClient
from app.sources.jenkins import TREE, JenkinsSource

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jenkins"
JOB = "/job/payments/job/api/"


def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _serve_job(server: HTTPServer, job: str, describes: dict[int, str], path: str = JOB) -> None:
    server.expect_request(f"{path}api/json", query_string={"tree": TREE}).respond_with_json(
        _json(job)
    )
    for number, name in describes.items():
        server.expect_request(f"{path}{number}/wfapi/describe").respond_with_json(_json(name))
    server.expect_request(re.compile(r".*/wfapi/describe")).respond_with_data(
        "Not Found", status=404
    )


def test_failed_pipeline_names_the_failed_stage(httpserver: HTTPServer) -> None:
    _serve_job(httpserver, "job_failed.json", {128: "describe_128_failed.json"})
    source = JenkinsSource(
        httpserver.url_for(JOB), username="dana", token="11aa22bb", token_hint="JENKINS_TOKEN"
    )
    reading = source.fetch(HttpClient())

    assert source.kind is ItemKind.PIPELINE
    assert [(s.name, s.status) for s in reading.stages] == [
        ("Build", StageStatus.PASSED),
        ("Test", StageStatus.PASSED),
        ("Security scan", StageStatus.FAILED),
        ("Deploy staging", StageStatus.SKIPPED),
    ]
    scan = reading.stages[2]
    assert scan.started_at == datetime.fromtimestamp(1715678361.240, UTC)
    assert scan.duration_s == 357.0
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "Security scan"
    assert reading.completed_at == datetime.fromtimestamp(1715677964 + 754.321, UTC)
    assert reading.label == "#128"
    assert reading.url == "https://jenkins.example.com/job/payments/job/api/128/"
    assert not reading.running
    auth = httpserver.log[0][0].headers["Authorization"]
    assert auth == "Basic " + base64.b64encode(b"dana:11aa22bb").decode()


def test_the_documented_tree_query_is_sent(httpserver: HTTPServer) -> None:
    _serve_job(httpserver, "job_failed.json", {128: "describe_128_failed.json"})
    JenkinsSource(httpserver.url_for(JOB)).fetch(HttpClient())

    assert httpserver.log[0][0].args["tree"] == (
        "name,url,color,"
        "lastBuild[number,url,result,building,timestamp,duration],"
        "lastCompletedBuild[number,url,result,building,timestamp,duration,"
        "changeSets[items[commitId,msg,author[fullName]]],"
        "changeSet[items[commitId,msg,author[fullName]]],"
        "culprits[fullName]]"
    )
    assert httpserver.log[1][0].path == f"{JOB}128/wfapi/describe"


def test_running_build_is_shown_but_the_last_completed_decides(httpserver: HTTPServer) -> None:
    _serve_job(
        httpserver,
        "job_running_after_unstable.json",
        {130: "describe_130_in_progress.json", 129: "describe_129_unstable.json"},
    )
    reading = JenkinsSource(httpserver.url_for(JOB)).fetch(HttpClient())

    assert [(s.name, s.status) for s in reading.stages] == [
        ("Build", StageStatus.PASSED),
        ("Test", StageStatus.RUNNING),
    ]
    assert reading.running
    assert reading.label == "#130"
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "Test"
    assert reading.detail == "last completed build #129 unstable (test failures)"


def test_unstable_and_paused_stages(httpserver: HTTPServer) -> None:
    job = _json("job_running_after_unstable.json")
    job["lastBuild"] = job["lastCompletedBuild"]
    httpserver.expect_request(f"{JOB}api/json").respond_with_json(job)
    httpserver.expect_request(f"{JOB}129/wfapi/describe").respond_with_json(
        _json("describe_129_unstable.json")
    )
    reading = JenkinsSource(httpserver.url_for(JOB)).fetch(HttpClient())

    test, approve = reading.stages[1], reading.stages[2]
    assert (test.status, test.note) == (StageStatus.FAILED, "unstable (test failures)")
    assert (approve.status, approve.note) == (StageStatus.QUEUED, "waiting for input")


def test_freestyle_job_without_stage_view_is_one_stage(httpserver: HTTPServer) -> None:
    _serve_job(httpserver, "job_freestyle_success.json", {}, path="/job/nightly-smoke/")
    reading = JenkinsSource(httpserver.url_for("/job/nightly-smoke")).fetch(HttpClient())

    (stage,) = reading.stages
    assert (stage.name, stage.status, stage.label) == ("nightly-smoke", StageStatus.PASSED, "#57")
    assert stage.duration_s == 45.21
    assert reading.outcome is Outcome.PASSED and reading.failed_stage is None


def test_aborted_build_is_canceled_and_not_a_pass(httpserver: HTTPServer) -> None:
    _serve_job(httpserver, "job_aborted.json", {})
    reading = JenkinsSource(httpserver.url_for(JOB)).fetch(HttpClient())

    assert reading.stages[0].status is StageStatus.CANCELED
    assert reading.outcome is Outcome.UNKNOWN
    assert reading.detail == "last completed build #131 was aborted"


def test_never_built_job_is_unknown(httpserver: HTTPServer) -> None:
    _serve_job(httpserver, "job_never_built.json", {}, path="/job/new-service/")
    reading = JenkinsSource(httpserver.url_for("/job/new-service/")).fetch(HttpClient())

    assert (reading.outcome, reading.stages, reading.detail) == (
        Outcome.UNKNOWN,
        (),
        "no build yet",
    )


def test_unrecognised_result_is_unknown(httpserver: HTTPServer) -> None:
    job = _json("job_freestyle_success.json")
    job["lastBuild"]["result"] = job["lastCompletedBuild"]["result"] = "WOBBLY"
    httpserver.expect_request("/job/nightly-smoke/api/json").respond_with_json(job)
    httpserver.expect_request(re.compile(".*wfapi.*")).respond_with_data("", status=404)
    reading = JenkinsSource(httpserver.url_for("/job/nightly-smoke/")).fetch(HttpClient())

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.stages[0].status is StageStatus.UNKNOWN
    assert reading.detail == "result 'WOBBLY' of build #57 not recognised"


def test_a_folder_is_not_a_job(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/job/payments/api/json").respond_with_json(_json("folder.json"))
    with pytest.raises(SourceError, match="Jenkins payments is a folder, not a job"):
        JenkinsSource(httpserver.url_for("/job/payments/")).fetch(HttpClient())


@pytest.mark.parametrize(
    "pasted",
    [
        "/job/payments/job/api",
        "/job/payments/job/api/",
        "/job/payments/job/api/128/",
        "/job/payments/job/api/lastBuild/console",
        "/view/all/job/payments/job/api/",
    ],
)
def test_pasted_job_pages_reach_the_job(httpserver: HTTPServer, pasted: str) -> None:
    _serve_job(httpserver, "job_failed.json", {128: "describe_128_failed.json"})
    reading = JenkinsSource(httpserver.url_for(pasted)).fetch(HttpClient())

    assert reading.failed_stage == "Security scan"


def test_401_names_the_token_hint(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"{JOB}api/json").respond_with_data("", status=401)
    source = JenkinsSource(
        httpserver.url_for(JOB), username="dana", token="bad", token_hint="JENKINS_TOKEN"
    )
    with pytest.raises(SourceError, match="token rejected \\(401\\) — check JENKINS_TOKEN"):
        source.fetch(HttpClient())
