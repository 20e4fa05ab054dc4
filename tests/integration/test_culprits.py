"""Who broke it: each source names the commits of a failed run from vendor-shaped answers on
a loopback server (GitHub's head commit, GitLab's commit API, Jenkins' change sets and
culprits, GoCD's Breakers), `[board] show_authors = false` drops the names before they are
stored, and the row, the tile and the report's evidence say it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.config.loader import parse_board
from app.domain.model import (
    BoardState,
    Culprit,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
)
from app.domain.report_body import Evidence, _evidence_section, evidence_from
from app.domain.verdict import decide
from app.services.board_jobs import build_jobs
from app.sources.cctray import CctraySource
from app.sources.cctray_feed import parse_feed
from app.sources.github_actions import GitHubActionsSource
from app.sources.gitlab import GitLabSource
from app.sources.http import HttpClient
from app.sources.jenkins import TREE, JenkinsSource
from app.store.codec import decode_reading, encode_reading
from app.ui.board.describe import culprit_words, pipeline_words

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2024, 5, 14, 14, 0, tzinfo=UTC)


def load(kind: str, name: str) -> Any:
    return json.loads((FIXTURES / kind / name).read_text())


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


# -- GitHub Actions: the completed run's head commit -------------------------------------------


def test_github_names_the_failed_runs_head_commit(httpserver: HTTPServer, http: HttpClient) -> None:
    runs = load("github", "runs_in_progress_over_failed.json")
    httpserver.expect_request(
        "/repos/acme/payments-api/actions/workflows/deploy.yml/runs"
    ).respond_with_json(runs)
    for run in runs["workflow_runs"][:2]:
        name = (
            "jobs_run_563_in_progress.json"
            if run["status"] != "completed"
            else ("jobs_run_562_failed.json")
        )
        httpserver.expect_request(
            f"/repos/acme/payments-api/actions/runs/{run['id']}/jobs"
        ).respond_with_json(load("github", name))
    source = GitHubActionsSource(
        api_url=httpserver.url_for("/").rstrip("/"), repo="acme/payments-api", workflow="deploy.yml"
    )

    reading = source.fetch(http)

    assert reading.outcome is Outcome.FAILED
    assert reading.culprits == (
        Culprit(
            "Dana Kowalski",
            "3b7e1f2",
            "Bump scanner rules to 2024.05",
            "https://github.com/acme/payments-api/commit/3b7e1f2a9c8d4e5f60718293a4b5c6d7e8f90a1b",
        ),
    )


def test_github_passing_run_names_nobody(httpserver: HTTPServer, http: HttpClient) -> None:
    runs = load("github", "runs_success_with_continue_on_error.json")
    httpserver.expect_request(
        "/repos/acme/payments-api/actions/workflows/deploy.yml/runs"
    ).respond_with_json(runs)
    httpserver.expect_request(
        "/repos/acme/payments-api/actions/runs/9122335001/jobs"
    ).respond_with_json(load("github", "jobs_run_570_continue_on_error.json"))
    source = GitHubActionsSource(
        api_url=httpserver.url_for("/").rstrip("/"), repo="acme/payments-api", workflow="deploy.yml"
    )
    assert source.fetch(http).culprits == ()


# -- GitLab: the failed pipeline's commit, from the commit API ---------------------------------

GITLAB_PROJECT = "/api/v4/projects/acme/group/mobile"
FAILED_ID, SHA = 1287654321, "a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e"


def serve_gitlab(server: HTTPServer) -> GitLabSource:
    pipelines = load("gitlab", "pipelines_running_over_failed.json")[1:]
    server.expect_request(f"{GITLAB_PROJECT}/pipelines").respond_with_json(pipelines)
    server.expect_request(f"{GITLAB_PROJECT}/pipelines/{FAILED_ID}/jobs").respond_with_json(
        load("gitlab", "jobs_pipeline_1287654321_failed.json")
    )
    return GitLabSource(
        api_url=server.url_for("/api/v4"), project="acme/group/mobile", token="glpat-x"
    )


def test_gitlab_names_the_failed_pipelines_commit(httpserver: HTTPServer, http: HttpClient) -> None:
    source = serve_gitlab(httpserver)
    httpserver.expect_request(f"{GITLAB_PROJECT}/repository/commits/{SHA}").respond_with_json(
        load("gitlab", "commit_a1b2c3d4.json")
    )

    reading = source.fetch(http)

    assert reading.culprits == (
        Culprit(
            "Priya Raman",
            "a1b2c3d4",
            "Pin the SAST analyzer to 4.1",
            f"https://gitlab.com/acme/group/mobile/-/commit/{SHA}",
        ),
    )
    commit_req = httpserver.log[-1][0]
    assert commit_req.headers["PRIVATE-TOKEN"] == "glpat-x"
    assert commit_req.environ["RAW_URI"] == (
        f"/api/v4/projects/acme%2Fgroup%2Fmobile/repository/commits/{SHA}"
    )


def test_gitlab_commit_that_cannot_be_read_leaves_its_sha_and_the_reading_stands(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    source = serve_gitlab(httpserver)
    httpserver.expect_request(f"{GITLAB_PROJECT}/repository/commits/{SHA}").respond_with_json(
        {"message": "403 Forbidden"}, status=403
    )

    reading = source.fetch(http)

    assert reading.outcome is Outcome.FAILED and reading.failed_stage == "security-scan"
    assert reading.culprits == (Culprit(sha="a1b2c3d"),)


# -- Jenkins: change sets, else culprits --------------------------------------------------------

JOB = "/job/payments/job/api/"


def test_jenkins_names_the_change_sets_newest_first(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(f"{JOB}api/json", query_string={"tree": TREE}).respond_with_json(
        load("jenkins", "job_failed_with_changes.json")
    )
    httpserver.expect_request(f"{JOB}128/wfapi/describe").respond_with_json(
        load("jenkins", "describe_128_failed.json")
    )

    reading = JenkinsSource(httpserver.url_for(JOB)).fetch(http)

    changes = httpserver.url_for(f"{JOB}128/changes")
    assert reading.culprits == (
        Culprit("Dana Kowalski", "4b5c6d7", "Bump scanner rules to 2024.05", changes),
        Culprit("Lee Chen", "9f8e7d6", "Tighten CSP headers", changes),
    )


def test_jenkins_freestyle_without_changes_names_its_culprits(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    build = {
        "_class": "hudson.model.FreeStyleBuild",
        "building": False,
        "duration": 45210,
        "number": 58,
        "result": "FAILURE",
        "timestamp": 1715670000000,
        "url": "https://jenkins.example.com/job/nightly-smoke/58/",
        "changeSet": {"_class": "hudson.scm.EmptyChangeLogSet", "items": [], "kind": None},
        "culprits": [{"absoluteUrl": "https://jenkins.example.com/user/sam", "fullName": "Sam"}],
    }
    job = {
        "_class": "hudson.model.FreeStyleProject",
        "name": "nightly-smoke",
        "url": "https://jenkins.example.com/job/nightly-smoke/",
        "color": "red",
        "lastBuild": build,
        "lastCompletedBuild": build,
    }
    httpserver.expect_request("/job/nightly-smoke/api/json").respond_with_json(job)
    httpserver.expect_request("/job/nightly-smoke/58/wfapi/describe").respond_with_data(
        "Not Found", status=404
    )

    reading = JenkinsSource(httpserver.url_for("/job/nightly-smoke/")).fetch(http)

    assert reading.outcome is Outcome.FAILED
    url = httpserver.url_for("/job/nightly-smoke/58/changes")
    assert reading.culprits == (Culprit("Sam", url=url),)
    assert culprit_words(reading) == "breakers: Sam"


# -- cctray: GoCD's Breakers --------------------------------------------------------------------

GOCD_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<Projects>
  <Project name="web :: build" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="214" lastBuildTime="2024-05-14T12:00:00Z"
           webUrl="https://go.example.com/go/pipelines/web/214/build/1" />
  <Project name="web :: e2e" activity="Sleeping" lastBuildStatus="Failure"
           lastBuildLabel="214" lastBuildTime="2024-05-14T12:10:00Z"
           webUrl="https://go.example.com/go/pipelines/web/214/e2e/1">
    <messages>
      <message text="Lee Chen, Dana Kowalski" kind="Breakers" />
    </messages>
  </Project>
</Projects>
"""


def test_cctray_names_gocd_breakers_of_the_failing_stage() -> None:
    reading = CctraySource(url="http://ci/cc.xml", project_prefix="web :: ").read(
        parse_feed(GOCD_FEED)
    )
    assert reading.outcome is Outcome.FAILED
    assert reading.culprits == (Culprit("Lee Chen"), Culprit("Dana Kowalski"))
    assert culprit_words(reading) == "breakers: Lee Chen, Dana Kowalski"


# -- show_authors = false -----------------------------------------------------------------------


def test_show_authors_false_drops_the_names_before_the_store(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    source = serve_gitlab(httpserver)
    httpserver.expect_request(f"{GITLAB_PROJECT}/repository/commits/{SHA}").respond_with_json(
        load("gitlab", "commit_a1b2c3d4.json")
    )
    board = parse_board(
        f"""
[board]
name = "Mobile"
show_authors = false

[[pipelines]]
name = "mobile"
source = "gitlab"
api_url = "{source.api_url}"
project = "acme/group/mobile"
""",
        "board.toml",
    )
    (job,) = build_jobs(board)

    (reading,) = job.fetch(http).values()

    assert isinstance(reading, PipelineReading)
    assert [(c.author, c.sha) for c in reading.culprits] == [("", "a1b2c3d4")]
    assert "Priya" not in encode_reading(reading)


# -- shown on the row and the tile, kept by the store, in the report's evidence ------------------

FAILED = PipelineReading(
    stages=(Stage("scan", StageStatus.FAILED),),
    outcome=Outcome.FAILED,
    completed_at=NOW,
    failed_stage="scan",
    culprits=(
        Culprit("Dana", "3b7e1f2", "Bump scanner rules", "https://github.com/a/b/commit/3b7e1f2"),
        Culprit("Lee", "9f8e7d6", "Tighten CSP"),
    ),
)


def test_row_words_say_who_broke_it_and_the_store_keeps_it() -> None:
    item = Observed("pipeline:api", ItemKind.PIPELINE, "api", FAILED, read_at=NOW)
    assert "by Dana: 3b7e1f2 Bump scanner rules and 1 more" in pipeline_words(item, NOW)
    assert decode_reading(encode_reading(FAILED)) == FAILED
    old = json.loads(encode_reading(FAILED))
    del old["culprits"]  # a reading stored before culprits existed
    assert decode_reading(json.dumps(old)) == PipelineReading(
        FAILED.stages, FAILED.outcome, FAILED.completed_at, "scan"
    )


def test_the_reports_evidence_names_the_commits() -> None:
    board = BoardState(
        "B", (Observed("pipeline:api", ItemKind.PIPELINE, "api", FAILED, read_at=NOW),)
    )
    evidence: Evidence = evidence_from(board, decide(board, NOW), NOW)
    text = _evidence_section(evidence)
    assert (
        "  - Change 3b7e1f2 Bump scanner rules by Dana: "
        "[commit](https://github.com/a/b/commit/3b7e1f2)" in text
    )
    assert "  - Change 9f8e7d6 Tighten CSP by Lee" in text
