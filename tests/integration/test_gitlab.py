"""GitLab CI source against a loopback server answering like REST API v4.

Fixtures in tests/fixtures/gitlab are shaped like the documented answers of "List project
pipelines" and "List pipeline jobs" (newest job first). The jobs server below paginates the
way GitLab documents it: `page`/`per_page` in, `x-page`, `x-per-page`, `x-next-page` (empty
on the last page), `x-prev-page`, `x-total`, `x-total-pages` and `Link` out.
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
from app.sources.gitlab import GitLabSource, build_stages
from app.sources.http import HttpClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gitlab"
# The server sees the path decoded; the raw URI keeps the encoded slashes.
PROJECT_RAW = "/api/v4/projects/acme%2Fgroup%2Fmobile"
PROJECT_PATH = "/api/v4/projects/acme/group/mobile"
RUNNING_ID, FAILED_ID, PASSED_ID = 1287654399, 1287654321, 1287654300


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def pipelines() -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], load("pipelines_running_over_failed.json"))


def jobs_of(pipeline_id: int) -> list[dict[str, Any]]:
    name = {
        RUNNING_ID: "jobs_pipeline_1287654399_running.json",
        FAILED_ID: "jobs_pipeline_1287654321_failed.json",
    }[pipeline_id]
    return cast(list[dict[str, Any]], load(name))


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


def source(server: HTTPServer, **kwargs: Any) -> GitLabSource:
    settings: dict[str, Any] = {
        "api_url": server.url_for("/api/v4"),
        "project": "acme/group/mobile",
        "ref": "main",
        "token": "glpat-test-token-123",
        "token_hint": "GITLAB_TOKEN",
    }
    settings.update(kwargs)
    return GitLabSource(**settings)


def paginated(items: list[dict[str, Any]]) -> Any:
    """A handler that pages `items` as GitLab does (offset pagination)."""

    def handler(request: Request) -> Response:
        per_page = min(int(request.args.get("per_page", "20")), 100)
        page = int(request.args.get("page", "1"))
        total_pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        base = request.base_url
        query = "&".join(f"{k}={v}" for k, v in request.args.items() if k != "page")
        links = []
        if page < total_pages:
            links.append(f'<{base}?{query}&page={page + 1}>; rel="next"')
        if page > 1:
            links.append(f'<{base}?{query}&page={page - 1}>; rel="prev"')
        links.append(f'<{base}?{query}&page=1>; rel="first"')
        links.append(f'<{base}?{query}&page={total_pages}>; rel="last"')
        headers = {
            "x-page": str(page),
            "x-per-page": str(per_page),
            "x-next-page": str(page + 1) if page < total_pages else "",
            "x-prev-page": str(page - 1) if page > 1 else "",
            "x-total": str(len(items)),
            "x-total-pages": str(total_pages),
            "Link": ", ".join(links),
        }
        return Response(json.dumps(chunk), headers=headers, content_type="application/json")

    return handler


def serve(
    server: HTTPServer,
    pipeline_list: list[dict[str, Any]],
    jobs: dict[int, list[dict[str, Any]]],
    project_path: str = PROJECT_PATH,
) -> None:
    server.expect_request(f"{project_path}/pipelines").respond_with_json(pipeline_list)
    for pid, items in jobs.items():
        server.expect_request(f"{project_path}/pipelines/{pid}/jobs").respond_with_handler(
            paginated(items)
        )


def calls(server: HTTPServer) -> list[Any]:
    """The requests for pipelines and jobs (a failed gate also asks for its commit)."""
    return [(req, resp) for req, resp in server.log if "/repository/commits/" not in req.path]


def test_kind_is_pipeline(httpserver: HTTPServer) -> None:
    assert source(httpserver).kind is ItemKind.PIPELINE


def test_requests_encode_the_project_path_and_carry_the_token(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve(httpserver, pipelines()[1:], {FAILED_ID: jobs_of(FAILED_ID)})

    source(httpserver).fetch(http)

    (pipes_req, _), (jobs_req, _) = calls(httpserver)
    assert pipes_req.environ["RAW_URI"].split("?")[0] == f"{PROJECT_RAW}/pipelines"
    assert parse_qs(pipes_req.query_string.decode()) == {"ref": ["main"], "per_page": ["20"]}
    assert jobs_req.environ["RAW_URI"].split("?")[0] == f"{PROJECT_RAW}/pipelines/{FAILED_ID}/jobs"
    assert parse_qs(jobs_req.query_string.decode()) == {
        "per_page": ["100"],
        "include_retried": ["true"],
    }
    for req in (pipes_req, jobs_req):
        assert req.method == "GET"
        assert req.headers["PRIVATE-TOKEN"] == "glpat-test-token-123"
        assert "Authorization" not in req.headers


def test_a_numeric_project_id_is_used_as_is(httpserver: HTTPServer, http: HttpClient) -> None:
    serve(httpserver, pipelines()[1:], {FAILED_ID: jobs_of(FAILED_ID)}, "/api/v4/projects/48123456")

    reading = source(httpserver, project=48123456, token=None).fetch(http)

    assert reading.outcome is Outcome.FAILED
    assert httpserver.log[0][0].environ["RAW_URI"].startswith("/api/v4/projects/48123456/pipelines")
    assert all("PRIVATE-TOKEN" not in req.headers for req, _ in calls(httpserver))


def test_stages_are_grouped_and_ordered_by_their_earliest_job_even_after_a_retry(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    """'compile' was retried (new id, higher than every other job): build stays first, and
    only the retry (success) counts, not the first attempt (failed)."""
    serve(httpserver, pipelines()[1:], {FAILED_ID: jobs_of(FAILED_ID)})

    reading = source(httpserver).fetch(http)

    assert [(s.name, s.status, s.note) for s in reading.stages] == [
        ("build", StageStatus.PASSED, ""),
        ("test", StageStatus.WARNING, "allowed to fail: rubocop"),
        ("security-scan", StageStatus.FAILED, "failed: sast"),
        ("deploy-staging", StageStatus.SKIPPED, ""),
        ("deploy-production", StageStatus.SKIPPED, ""),
    ]
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "security-scan"
    assert reading.running is False
    assert reading.label == f"#{FAILED_ID}"
    assert reading.url == f"https://gitlab.com/acme/group/mobile/-/pipelines/{FAILED_ID}"
    assert reading.detail == f"pipeline #{FAILED_ID} failed"
    assert reading.completed_at == datetime(2024, 5, 14, 13, 22, tzinfo=UTC)
    scan = reading.stages[2]
    assert scan.url == "https://gitlab.com/acme/group/mobile/-/jobs/7700000108"
    assert scan.started_at == datetime(2024, 5, 14, 13, 8, 30, tzinfo=UTC)
    assert scan.duration_s == 150.0  # first start 13:08:30 to last finish 13:11:00
    assert scan.label == f"#{FAILED_ID}"


def test_a_single_job_stage_takes_the_jobs_duration(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    items = [j for j in jobs_of(FAILED_ID) if j["stage"] == "security-scan" and j["name"] == "sast"]
    serve(httpserver, pipelines()[1:], {FAILED_ID: items})

    reading = source(httpserver).fetch(http)

    (scan,) = reading.stages
    assert scan.duration_s == 150.0
    assert scan.note == ""  # one job: the stage is that job


def test_the_latest_running_pipeline_shows_its_stages_but_the_gate_is_the_completed_one(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve(
        httpserver,
        pipelines(),
        {RUNNING_ID: jobs_of(RUNNING_ID), FAILED_ID: jobs_of(FAILED_ID)},
    )

    reading = source(httpserver).fetch(http)

    assert [(s.name, s.status) for s in reading.stages] == [
        ("build", StageStatus.PASSED),
        ("test", StageStatus.RUNNING),
        ("security-scan", StageStatus.QUEUED),
        ("deploy-staging", StageStatus.QUEUED),
        ("deploy-production", StageStatus.QUEUED),
    ]
    assert reading.stages[4].note == "manual"
    assert reading.stages[1].duration_s is None  # still running
    assert reading.running is True
    assert reading.label == f"#{RUNNING_ID}"
    assert reading.outcome is Outcome.FAILED
    assert reading.failed_stage == "security-scan"  # from the failed pipeline's jobs
    assert [req.path for req, _ in calls(httpserver)] == [
        f"{PROJECT_PATH}/pipelines",
        f"{PROJECT_PATH}/pipelines/{RUNNING_ID}/jobs",
        f"{PROJECT_PATH}/pipelines/{FAILED_ID}/jobs",
    ]


def test_all_job_pages_are_read_through_x_next_page(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    items = jobs_of(FAILED_ID)  # 14 jobs
    serve(httpserver, pipelines()[1:], {FAILED_ID: items})
    src = source(httpserver)
    src.jobs_per_page = 4

    reading = src.fetch(http)

    pages = [parse_qs(req.query_string.decode()) for req, _ in calls(httpserver)[1:]]
    assert [p.get("page") for p in pages] == [None, ["2"], ["3"], ["4"]]
    assert all(p["per_page"] == ["4"] and p["include_retried"] == ["true"] for p in pages)
    assert [resp.headers["x-next-page"] for _, resp in calls(httpserver)[1:]] == ["2", "3", "4", ""]
    assert [s.name for s in reading.stages] == [
        "build",
        "test",
        "security-scan",
        "deploy-staging",
        "deploy-production",
    ]
    assert reading.failed_stage == "security-scan"


def test_a_server_repeating_the_same_next_page_does_not_loop(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines").respond_with_json(pipelines()[1:])
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines/{FAILED_ID}/jobs").respond_with_json(
        jobs_of(FAILED_ID), headers={"x-next-page": "1", "x-page": "1"}
    )

    reading = source(httpserver).fetch(http)

    assert len(calls(httpserver)) == 2
    assert reading.outcome is Outcome.FAILED


def pipeline_list(*statuses: str) -> list[dict[str, Any]]:
    template = pipelines()[2]
    out = []
    for i, status in enumerate(statuses):
        item = copy.deepcopy(template)
        item.update(id=PASSED_ID - i, iid=410 - i, status=status)
        item["web_url"] = f"https://gitlab.com/acme/group/mobile/-/pipelines/{PASSED_ID - i}"
        out.append(item)
    return out


@pytest.mark.parametrize(
    ("status", "outcome", "detail"),
    [
        ("success", Outcome.PASSED, ""),
        ("failed", Outcome.FAILED, f"pipeline #{PASSED_ID} failed"),
        ("canceled", Outcome.FAILED, f"pipeline #{PASSED_ID} was canceled"),
        ("skipped", Outcome.UNKNOWN, f"pipeline #{PASSED_ID} was skipped"),
    ],
)
def test_every_completed_pipeline_status_maps_to_a_gate(
    httpserver: HTTPServer, http: HttpClient, status: str, outcome: Outcome, detail: str
) -> None:
    serve(httpserver, pipeline_list(status), {PASSED_ID: []})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is outcome
    assert reading.detail == detail
    assert reading.running is False


@pytest.mark.parametrize(
    "status",
    [
        "created",
        "waiting_for_resource",
        "preparing",
        "pending",
        "running",
        "scheduled",
        "manual",
        "canceling",
        "brand_new",
    ],
)
def test_a_pipeline_that_has_not_completed_is_not_the_gate(
    httpserver: HTTPServer, http: HttpClient, status: str
) -> None:
    serve(httpserver, pipeline_list(status, "success"), {PASSED_ID: []})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.PASSED  # from the older, completed pipeline
    assert reading.label == f"#{PASSED_ID}"
    assert reading.running is (status != "manual")


def test_a_pipeline_blocked_on_a_manual_job_says_so(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    serve(httpserver, pipeline_list("manual"), {PASSED_ID: []})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.running is False
    assert reading.detail == "no completed pipeline yet"


def test_no_completed_pipeline_on_a_full_page_asks_for_the_latest_finished_one(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(
        f"{PROJECT_PATH}/pipelines",
        query_string={"ref": "main", "scope": "finished", "per_page": "1"},
    ).respond_with_json(pipelines()[2:])
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines").respond_with_json(
        pipeline_list(*["running"] * 20)
    )
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines/{PASSED_ID}/jobs").respond_with_json([])

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.PASSED
    assert reading.running is True
    assert parse_qs(calls(httpserver)[1][0].query_string.decode()) == {
        "ref": ["main"],
        "scope": ["finished"],
        "per_page": ["1"],
    }


def test_no_pipelines_is_unknown(httpserver: HTTPServer, http: HttpClient) -> None:
    serve(httpserver, [], {})

    reading = source(httpserver).fetch(http)

    assert reading.outcome is Outcome.UNKNOWN
    assert reading.stages == ()
    assert reading.detail == "no pipelines for main yet"


def gl_job(job_id: int, stage: str, status: str, **extra: Any) -> dict[str, Any]:
    base = copy.deepcopy(jobs_of(FAILED_ID)[-1])
    base.update(id=job_id, name=f"job-{job_id}", stage=stage, status=status, **extra)
    return base


@pytest.mark.parametrize(
    ("status", "expected", "note"),
    [
        ("created", StageStatus.QUEUED, "created"),
        ("waiting_for_resource", StageStatus.QUEUED, "waiting for a resource"),
        ("preparing", StageStatus.QUEUED, "preparing"),
        ("pending", StageStatus.QUEUED, "pending"),
        ("running", StageStatus.RUNNING, ""),
        ("success", StageStatus.PASSED, ""),
        ("failed", StageStatus.FAILED, ""),
        ("canceled", StageStatus.CANCELED, ""),
        ("skipped", StageStatus.SKIPPED, ""),
        ("manual", StageStatus.QUEUED, "manual"),
        ("scheduled", StageStatus.QUEUED, "scheduled"),
        ("canceling", StageStatus.CANCELED, "canceling"),
        ("waiting_for_callback", StageStatus.RUNNING, "waiting for a callback"),
        ("brand_new", StageStatus.UNKNOWN, "status 'brand_new' not recognised"),
    ],
)
def test_every_job_status_maps_to_a_stage_status(
    status: str, expected: StageStatus, note: str
) -> None:
    (stage,) = build_stages([gl_job(1, "test", status)], label=None)

    assert (stage.status, stage.note) == (expected, note)


def test_a_failed_job_allowed_to_fail_is_a_warning() -> None:
    (stage,) = build_stages([gl_job(1, "lint", "failed", allow_failure=True)], label=None)

    assert (stage.status, stage.note) == (StageStatus.WARNING, "allowed to fail")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["success", "success"], StageStatus.PASSED),
        (["success", "skipped"], StageStatus.PASSED),
        (["skipped", "skipped"], StageStatus.SKIPPED),
        (["success", "failed"], StageStatus.FAILED),
        (["running", "failed"], StageStatus.FAILED),
        (["success", "running"], StageStatus.RUNNING),
        (["running", "pending"], StageStatus.RUNNING),
        (["success", "pending"], StageStatus.QUEUED),
        (["success", "manual"], StageStatus.QUEUED),
        (["success", "canceled"], StageStatus.CANCELED),
        (["success", "brand_new"], StageStatus.UNKNOWN),
        (["skipped", "brand_new"], StageStatus.UNKNOWN),
    ],
)
def test_a_stage_status_comes_from_all_its_jobs(statuses: list[str], expected: StageStatus) -> None:
    jobs = [gl_job(i + 1, "test", status) for i, status in enumerate(statuses)]

    (stage,) = build_stages(jobs, label=None)

    assert stage.status is expected


def test_an_unknown_job_never_lets_a_stage_pass() -> None:
    jobs = [gl_job(1, "test", "success"), gl_job(2, "test", "teleporting")]

    (stage,) = build_stages(jobs, label=None)

    assert stage.status is StageStatus.UNKNOWN
    assert "teleporting" in stage.note


def test_jobs_missing_fields_are_read_without_crashing() -> None:
    stages = build_stages([{"status": "success"}, {"id": 3, "stage": "build"}], label=None)

    assert [(s.name, s.status) for s in stages] == [
        ("build", StageStatus.UNKNOWN),
        ("(no stage)", StageStatus.PASSED),
    ]


@pytest.mark.parametrize("body", [{"message": "oops"}, [1, 2], "pipelines"])
def test_a_malformed_pipeline_list_is_an_error_in_words(
    httpserver: HTTPServer, http: HttpClient, body: Any
) -> None:
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines").respond_with_json(body)

    with pytest.raises(SourceError, match="^unexpected answer from GitLab: "):
        source(httpserver).fetch(http)


def test_a_malformed_job_list_is_an_error_in_words(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines").respond_with_json(pipelines()[1:])
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines/{FAILED_ID}/jobs").respond_with_json(
        {"jobs": []}
    )

    with pytest.raises(SourceError, match="^unexpected answer from GitLab: "):
        source(httpserver).fetch(http)


def test_not_found_names_the_project(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines").respond_with_json(
        {"message": "404 Project Not Found"}, status=404
    )

    with pytest.raises(SourceError) as err:
        source(httpserver).fetch(http)

    assert str(err.value) == (
        "project acme/group/mobile not found, or the token can't see it (404)"
    )


def test_a_rejected_token_says_where_it_comes_from(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request(f"{PROJECT_PATH}/pipelines").respond_with_json(
        {"message": "401 Unauthorized"}, status=401
    )

    with pytest.raises(SourceError) as err:
        source(httpserver).fetch(http)

    assert str(err.value) == "token rejected (401) — check GITLAB_TOKEN"


def test_the_token_is_not_in_the_repr() -> None:
    src = GitLabSource(project="acme/mobile", token="glpat-secret")

    assert "glpat-secret" not in repr(src)
