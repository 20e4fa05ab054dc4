"""GitHub Actions source against a loopback server answering like the REST API (2022-11-28).

Fixtures in tests/fixtures/github are shaped like the documented answers of "List workflow
runs for a workflow" and "List jobs for a workflow run".
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.domain.model import ItemKind, Outcome, StageStatus
from app.sources.errors import SourceError
from app.sources.github_actions import GitHubActionsSource, job_stage
from app.sources.http import HttpClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
RUNS_PATH = "/repos/acme/payments-api/actions/workflows/deploy.yml/runs"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def jobs_path(run_id: int) -> str:
    return f"/repos/acme/payments-api/actions/runs/{run_id}/jobs"


def source(server: HTTPServer, **kwargs: Any) -> GitHubActionsSource:
    settings: dict[str, Any] = {
        "api_url": server.url_for("/").rstrip("/"),
        "repo": "acme/payments-api",
        "workflow": "deploy.yml",
        "branch": "main",
        "token": "ghp_test_token_123",
        "token_hint": "GITHUB_TOKEN",
    }
    settings.update(kwargs)
    return GitHubActionsSource(**settings)


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


def serve_runs(server: HTTPServer, body: Any) -> None:
    server.expect_request(RUNS_PATH).respond_with_json(body)


def serve_jobs(server: HTTPServer, run_id: int, body: Any) -> None:
    server.expect_request(jobs_path(run_id)).respond_with_json(body)


def test_kind_is_pipeline(httpserver: HTTPServer) -> None:
    assert source(httpserver).kind is ItemKind.PIPELINE


def test_requests_are_exactly_as_documented(httpserver: HTTPServer, http: HttpClient) -> None:
    serve_runs(httpserver, load("runs_success_with_continue_on_error.json"))
    serve_jobs(httpserver, 9122335001, load("jobs_run_570_continue_on_error.json"))

    source(httpserver).fetch(http)

    (runs_req, _), (jobs_req, _) = httpserver.log
    assert runs_req.method == "GET"
    assert runs_req.path == RUNS_PATH
    assert parse_qs(runs_req.query_string.decode()) == {"branch": ["main"], "per_page": ["20"]}
    assert jobs_req.path == jobs_path(9122335001)
    assert parse_qs(jobs_req.query_string.decode()) == {"per_page": ["100"]}
    for req in (runs_req, jobs_req):
        assert req.headers["Accept"] == "application/vnd.github+json"
        assert req.headers["X-GitHub-Api-Version"] == "2022-11-28"
        assert req.headers["Authorization"] == "Bearer ghp_test_token_123"
        assert req.headers["User-Agent"].startswith("Releasable/")


def test_without_a_token_no_authorization_header_is_sent(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve_runs(httpserver, load("runs_success_with_continue_on_error.json"))
    serve_jobs(httpserver, 9122335001, load("jobs_run_570_continue_on_error.json"))

    source(httpserver, token=None).fetch(http)

    assert all("Authorization" not in req.headers for req, _ in httpserver.log)


def test_numeric_workflow_id_goes_in_the_path(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request(
        "/repos/acme/payments-api/actions/workflows/61234567/runs"
    ).respond_with_json(load("runs_success_with_continue_on_error.json"))
    serve_jobs(httpserver, 9122335001, load("jobs_run_570_continue_on_error.json"))

    reading = source(httpserver, workflow=61234567).fetch(http)

    assert reading.outcome is Outcome.PASSED


def test_latest_run_in_progress_shows_its_stages_but_the_gate_is_the_completed_run(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve_runs(httpserver, load("runs_in_progress_over_failed.json"))
    serve_jobs(httpserver, 9122334563, load("jobs_run_563_in_progress.json"))
    serve_jobs(httpserver, 9122334562, load("jobs_run_562_failed.json"))

    reading = source(httpserver).fetch(http)

    assert [(s.name, s.status) for s in reading.stages] == [
        ("build", StageStatus.PASSED),
        ("unit-tests", StageStatus.PASSED),
        ("security-scan", StageStatus.RUNNING),
        ("deploy-staging", StageStatus.QUEUED),
        ("deploy-production", StageStatus.QUEUED),
    ]
    assert reading.stages[4].note.startswith("waiting")
    assert reading.running is True
    assert reading.label == "#563"
    assert reading.url == "https://github.com/acme/payments-api/actions/runs/9122334563"
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "security-scan"  # from run 562's jobs
    assert reading.completed_at == datetime(2024, 5, 14, 13, 12, tzinfo=UTC)
    assert reading.detail == "run #562 failed"
    assert [req.path for req, _ in httpserver.log] == [
        RUNS_PATH,
        jobs_path(9122334563),
        jobs_path(9122334562),
    ]


def test_a_failed_job_among_successful_ones_fails_the_gate(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    body = load("runs_in_progress_over_failed.json")
    body["workflow_runs"] = body["workflow_runs"][1:]  # run 562 (failed) is now the latest
    serve_runs(httpserver, body)
    serve_jobs(httpserver, 9122334562, load("jobs_run_562_failed.json"))

    reading = source(httpserver).fetch(http)

    statuses = {s.name: s.status for s in reading.stages}
    assert statuses == {
        "build": StageStatus.PASSED,
        "unit-tests": StageStatus.PASSED,
        "integration-tests (postgres-15)": StageStatus.PASSED,
        "integration-tests (postgres-16)": StageStatus.PASSED,
        "security-scan": StageStatus.FAILED,
        "deploy-staging": StageStatus.SKIPPED,
        "deploy-production": StageStatus.SKIPPED,
    }
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "security-scan"
    assert reading.running is False
    scan = reading.stages[4]
    assert scan.started_at == datetime(2024, 5, 14, 13, 7, tzinfo=UTC)
    assert scan.duration_s == 183.0
    assert (
        scan.url == "https://github.com/acme/payments-api/actions/runs/9122334562/job/25110999005"
    )
    assert scan.label == "#562"
    assert len(httpserver.log) == 2  # the latest run is the completed one: jobs read once


def test_a_job_failing_in_a_successful_run_is_a_warning_not_a_failed_gate(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve_runs(httpserver, load("runs_success_with_continue_on_error.json"))
    serve_jobs(httpserver, 9122335001, load("jobs_run_570_continue_on_error.json"))

    reading = source(httpserver).fetch(http)

    lint = next(s for s in reading.stages if s.name == "lint (experimental)")
    assert lint.status is StageStatus.WARNING
    assert lint.note == "allowed to fail"
    assert reading.outcome is Outcome.PASSED
    assert reading.failed_stage is None
    assert reading.detail == ""


def test_an_older_payload_without_name_title_or_attempt_is_read(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve_runs(httpserver, load("runs_old_payload.json"))
    serve_jobs(httpserver, 4412001, load("jobs_old_payload.json"))

    reading = source(httpserver).fetch(http)

    assert reading.label == "#88"
    assert reading.outcome is Outcome.PASSED
    assert [(s.name, s.status) for s in reading.stages] == [
        ("build", StageStatus.PASSED),
        ("deploy", StageStatus.PASSED),
    ]


def test_a_rerun_is_labelled_with_its_attempt(httpserver: HTTPServer, http: HttpClient) -> None:
    body = load("runs_in_progress_over_failed.json")
    body["workflow_runs"] = body["workflow_runs"][3:]  # run 560, attempt 2
    serve_runs(httpserver, body)
    serve_jobs(httpserver, 9122334560, {"total_count": 0, "jobs": []})

    reading = source(httpserver).fetch(http)

    assert reading.label == "#560 (attempt 2)"


def test_job_pages_are_followed_through_the_link_header(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    """GitHub's next links point at /repositories/{id}/…; the source follows them as given."""
    all_jobs = load("jobs_run_562_failed.json")["jobs"]
    body = load("runs_in_progress_over_failed.json")
    body["workflow_runs"] = body["workflow_runs"][1:]
    serve_runs(httpserver, body)

    def page(request: Request) -> Response:
        per_page = int(request.args["per_page"])
        number = int(request.args.get("page", "1"))
        last = -(-len(all_jobs) // per_page)
        chunk = all_jobs[(number - 1) * per_page : number * per_page]
        base = httpserver.url_for("/repositories/712345678/actions/runs/9122334562/jobs")
        links = []
        if number < last:
            links.append(f'<{base}?per_page={per_page}&page={number + 1}>; rel="next"')
            links.append(f'<{base}?per_page={per_page}&page={last}>; rel="last"')
        if number > 1:
            links.append(f'<{base}?per_page={per_page}&page={number - 1}>; rel="prev"')
            links.append(f'<{base}?per_page={per_page}&page=1>; rel="first"')
        headers = {"Link": ", ".join(links)} if links else {}
        return Response(
            json.dumps({"total_count": len(all_jobs), "jobs": chunk}),
            headers=headers,
            content_type="application/json; charset=utf-8",
        )

    httpserver.expect_request(jobs_path(9122334562)).respond_with_handler(page)
    httpserver.expect_request(
        "/repositories/712345678/actions/runs/9122334562/jobs"
    ).respond_with_handler(page)
    src = source(httpserver)
    src.jobs_per_page = 3

    reading = src.fetch(http)

    assert [s.name for s in reading.stages] == [job["name"] for job in all_jobs]
    assert reading.failed_stage == "security-scan"
    requested = [(req.path, req.query_string.decode()) for req, _ in httpserver.log[1:]]
    assert requested == [
        (jobs_path(9122334562), "per_page=3"),
        ("/repositories/712345678/actions/runs/9122334562/jobs", "per_page=3&page=2"),
        ("/repositories/712345678/actions/runs/9122334562/jobs", "per_page=3&page=3"),
    ]
    assert all(
        req.headers["Authorization"] == "Bearer ghp_test_token_123" for req, _ in httpserver.log
    )


def test_a_next_link_to_another_host_is_not_followed(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve_runs(httpserver, load("runs_success_with_continue_on_error.json"))
    httpserver.expect_request(jobs_path(9122335001)).respond_with_json(
        load("jobs_run_570_continue_on_error.json"),
        headers={"Link": '<https://evil.example/steal?page=2>; rel="next"'},
    )

    with pytest.raises(SourceError, match="another host"):
        source(httpserver).fetch(http)


@pytest.mark.parametrize(
    ("conclusion", "outcome", "detail"),
    [
        ("success", Outcome.PASSED, ""),
        ("neutral", Outcome.PASSED, "run #561 concluded neutral (counted as passed)"),
        ("failure", Outcome.FAILED, "run #561 failed"),
        ("timed_out", Outcome.FAILED, "run #561 timed out"),
        ("startup_failure", Outcome.FAILED, "run #561 failed to start"),
        ("cancelled", Outcome.FAILED, "run #561 was cancelled"),
        ("action_required", Outcome.FAILED, "run #561 needs action (an approval) and did not pass"),
        ("skipped", Outcome.UNKNOWN, "run #561 was skipped"),
        ("stale", Outcome.UNKNOWN, "run #561 is stale"),
        ("exploded", Outcome.UNKNOWN, "run #561 concluded 'exploded', which is not recognised"),
        (None, Outcome.UNKNOWN, "run #561 concluded None, which is not recognised"),
    ],
)
def test_every_run_conclusion_maps_to_a_gate(
    httpserver: HTTPServer,
    http: HttpClient,
    conclusion: str | None,
    outcome: Outcome,
    detail: str,
) -> None:
    body = load("runs_in_progress_over_failed.json")
    run = body["workflow_runs"][2]
    run["conclusion"] = conclusion
    body["workflow_runs"] = [run]
    serve_runs(httpserver, body)
    serve_jobs(httpserver, run["id"], {"total_count": 0, "jobs": []})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is outcome
    assert reading.detail == detail


def job(status: Any, conclusion: Any = None, **extra: Any) -> dict[str, Any]:
    base = copy.deepcopy(load("jobs_run_562_failed.json")["jobs"][0])
    base.update(status=status, conclusion=conclusion, **extra)
    return cast(dict[str, Any], base)


@pytest.mark.parametrize(
    ("status", "conclusion", "expected", "note"),
    [
        ("queued", None, StageStatus.QUEUED, ""),
        ("in_progress", None, StageStatus.RUNNING, ""),
        ("waiting", None, StageStatus.QUEUED, "waiting (approval or concurrency)"),
        ("requested", None, StageStatus.QUEUED, "requested"),
        ("pending", None, StageStatus.QUEUED, "pending"),
        ("completed", "success", StageStatus.PASSED, ""),
        ("completed", "failure", StageStatus.FAILED, ""),
        ("completed", "timed_out", StageStatus.FAILED, "timed out"),
        ("completed", "startup_failure", StageStatus.FAILED, "failed to start"),
        ("completed", "action_required", StageStatus.FAILED, "action required"),
        ("completed", "cancelled", StageStatus.CANCELED, ""),
        ("completed", "skipped", StageStatus.SKIPPED, ""),
        ("completed", "neutral", StageStatus.PASSED, "neutral"),
        ("completed", "stale", StageStatus.UNKNOWN, "stale"),
        ("completed", None, StageStatus.UNKNOWN, "completed without a conclusion"),
        ("completed", "brand_new", StageStatus.UNKNOWN, "conclusion 'brand_new' not recognised"),
        ("teleporting", None, StageStatus.UNKNOWN, "status 'teleporting' not recognised"),
        (None, None, StageStatus.UNKNOWN, "status None not recognised"),
    ],
)
def test_every_job_status_and_conclusion_maps_to_a_stage_status(
    status: Any, conclusion: Any, expected: StageStatus, note: str
) -> None:
    stage = job_stage(job(status, conclusion), run_conclusion=None, label="#1")

    assert stage.status is expected
    assert stage.note == note


def test_unknown_is_never_passed_even_inside_a_successful_run() -> None:
    stage = job_stage(job("completed", "brand_new"), run_conclusion="success", label=None)

    assert stage.status is StageStatus.UNKNOWN


def test_a_timed_out_job_in_a_successful_run_is_also_only_a_warning() -> None:
    stage = job_stage(job("completed", "timed_out"), run_conclusion="success", label=None)

    assert (stage.status, stage.note) == (StageStatus.WARNING, "allowed to fail")


def test_a_job_with_no_fields_at_all_is_unknown_not_a_crash() -> None:
    stage = job_stage({}, run_conclusion=None, label=None)

    assert (stage.name, stage.status) == ("(unnamed job)", StageStatus.UNKNOWN)
    assert stage.started_at is None and stage.duration_s is None and stage.url is None


def test_no_completed_run_on_a_full_page_asks_for_the_latest_completed_one(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    template = load("runs_in_progress_over_failed.json")["workflow_runs"][0]
    running = []
    for i in range(20):
        run = copy.deepcopy(template)
        run.update(id=9122334600 - i, run_number=600 - i, status="queued" if i else "in_progress")
        running.append(run)
    completed = load("runs_in_progress_over_failed.json")["workflow_runs"][2]
    httpserver.expect_request(
        RUNS_PATH, query_string={"branch": "main", "status": "completed", "per_page": "1"}
    ).respond_with_json({"total_count": 120, "workflow_runs": [completed]})
    httpserver.expect_request(RUNS_PATH).respond_with_json(
        {"total_count": 140, "workflow_runs": running}
    )
    serve_jobs(httpserver, 9122334600, {"total_count": 0, "jobs": []})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.PASSED
    assert reading.label == "#600"
    assert reading.running is True
    second = httpserver.log[1][0]
    assert parse_qs(second.query_string.decode()) == {
        "branch": ["main"],
        "status": ["completed"],
        "per_page": ["1"],
    }


def test_no_completed_run_yet_is_unknown(httpserver: HTTPServer, http: HttpClient) -> None:
    body = load("runs_in_progress_over_failed.json")
    body["workflow_runs"] = body["workflow_runs"][:1]
    serve_runs(httpserver, body)
    serve_jobs(httpserver, 9122334563, load("jobs_run_563_in_progress.json"))

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.detail == "no completed run yet"
    assert reading.running is True
    assert len(reading.stages) == 5


def test_no_runs_at_all_is_unknown(httpserver: HTTPServer, http: HttpClient) -> None:
    serve_runs(httpserver, {"total_count": 0, "workflow_runs": []})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.stages == ()
    assert reading.detail == "no runs of deploy.yml on main yet"


@pytest.mark.parametrize(
    "body",
    [
        {"total_count": 1, "workflow_runs": {"id": 1}},
        {"total_count": 1},
        [],
        {"workflow_runs": ["not a run"]},
    ],
)
def test_a_malformed_run_list_is_an_error_in_words(
    httpserver: HTTPServer, http: HttpClient, body: Any
) -> None:
    serve_runs(httpserver, body)

    with pytest.raises(SourceError, match="^unexpected answer from GitHub: "):
        source(httpserver).fetch(http)


def test_a_malformed_job_list_is_an_error_in_words(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve_runs(httpserver, load("runs_success_with_continue_on_error.json"))
    serve_jobs(httpserver, 9122335001, {"total_count": 1, "jobs": "build"})

    with pytest.raises(SourceError, match="^unexpected answer from GitHub: "):
        source(httpserver).fetch(http)


def test_not_found_names_the_repository_and_workflow(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/repos/acme/x/actions/workflows/deploy.yml/runs").respond_with_json(
        {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, status=404
    )

    with pytest.raises(SourceError) as err:
        source(httpserver, repo="acme/x").fetch(http)

    assert str(err.value) == (
        "repository acme/x or workflow deploy.yml not found, or the token can't see it (404)"
    )


def test_a_rejected_token_says_where_it_comes_from(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(RUNS_PATH).respond_with_json(
        {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
        status=401,
    )

    with pytest.raises(SourceError) as err:
        source(httpserver).fetch(http)

    assert str(err.value) == "token rejected (401) — check GITHUB_TOKEN"
    assert "ghp_test_token_123" not in str(err.value)


def test_a_sign_in_page_instead_of_json_is_said_in_words(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(RUNS_PATH).respond_with_data(
        "<!DOCTYPE html><html><body>Sign in to continue</body></html>",
        content_type="text/html",
    )

    with pytest.raises(SourceError, match="expected JSON but got an HTML page"):
        source(httpserver).fetch(http)


@pytest.mark.parametrize("repo", ["acme", "acme/", "/payments", "a/b/c", ""])
def test_a_repository_that_is_not_owner_slash_name_is_refused(repo: str) -> None:
    with pytest.raises(ValueError, match="OWNER/NAME"):
        GitHubActionsSource(repo=repo, workflow="deploy.yml")


def test_the_token_is_not_in_the_repr() -> None:
    src = GitHubActionsSource(repo="acme/api", workflow="deploy.yml", token="ghp_secret")

    assert "ghp_secret" not in repr(src)
