"""`releasable probe`: one read of one source, printed as text or one JSON document."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import keyring
import pytest
from pytest_httpserver import HTTPServer

from app.cli import main
from app.domain.model import Outcome, PipelineReading, Stage, StageStatus

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GH_API = "/api/v3/repos/acme/payments-api"  # a loopback host reads as GitHub Enterprise
GH_PAGE = "/acme/payments-api/actions/workflows/deploy.yml"


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


@pytest.fixture(autouse=True)
def _no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_TOKEN", "GITLAB_TOKEN", "JENKINS_TOKEN", "JENKINS_USER", "CCTRAY_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def serve_github(server: HTTPServer) -> None:
    server.expect_request(f"{GH_API}/actions/workflows/deploy.yml/runs").respond_with_json(
        load("github/runs_in_progress_over_failed.json")
    )
    server.expect_request(f"{GH_API}/actions/runs/9122334563/jobs").respond_with_json(
        load("github/jobs_run_563_in_progress.json")
    )
    server.expect_request(f"{GH_API}/actions/runs/9122334562/jobs").respond_with_json(
        load("github/jobs_run_562_failed.json")
    )


def test_text_output_shows_the_gate_and_the_stage_table(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_probe_secret")
    serve_github(httpserver)

    code = main(["probe", "github-actions", httpserver.url_for(GH_PAGE)])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == f"github-actions  {httpserver.url_for(GH_PAGE)}"
    assert "  token      from the environment variable GITHUB_TOKEN" in lines
    assert "  outcome    FAILED at stage security-scan" in lines
    assert "  completed  2024-05-14 13:12:00 UTC" in lines
    assert "  detail     run #562 failed" in lines
    table = lines[lines.index("") + 1 :]
    assert table[0].split() == ["STAGE", "STATUS", "STARTED", "DURATION", "NOTE"]
    assert [row.split()[:2] for row in table[1:]] == [
        ["build", "passed"],
        ["unit-tests", "passed"],
        ["security-scan", "running"],
        ["deploy-staging", "queued"],
        ["deploy-production", "queued"],
    ]
    assert table[1].split()[-2:] == ["1m", "12s"]
    assert table[5].endswith("waiting (approval or concurrency)")
    assert "ghp_probe_secret" not in out
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer ghp_probe_secret"


def test_json_output_is_one_document(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_probe_secret")
    serve_github(httpserver)
    url = httpserver.url_for(GH_PAGE) + "?query=branch%3Amain"

    code = main(["probe", "github-actions", url, "--json"])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    doc = json.loads(out)  # the whole output parses: one document
    assert doc["kind"] == "github-actions"
    assert doc["url"] == url
    assert doc["settings"] == {
        "api_url": httpserver.url_for("/api/v3"),
        "repo": "acme/payments-api",
        "workflow": "deploy.yml",
        "branch": "main",
    }
    assert doc["token"] == {
        "set": True,
        "from": "environment variable GITHUB_TOKEN",
        "hint": None,
    }
    assert doc["outcome"] == "failed"
    assert doc["failed_stage"] == "security-scan"
    assert doc["running"] is True
    assert doc["label"] == "#563"
    assert doc["completed_at"] == "2024-05-14T13:12:00Z"
    assert doc["detail"] == "run #562 failed"
    assert doc["errors"] == []
    assert [(s["name"], s["status"]) for s in doc["stages"]] == [
        ("build", "passed"),
        ("unit-tests", "passed"),
        ("security-scan", "running"),
        ("deploy-staging", "queued"),
        ("deploy-production", "queued"),
    ]
    assert doc["stages"][0]["started_at"] == "2024-05-14T14:00:12Z"
    assert doc["stages"][0]["duration_s"] == 72.0
    assert "ghp_probe_secret" not in out


def test_branch_option_overrides_the_url(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_github(httpserver)

    code = main(
        [
            "probe",
            "github-actions",
            httpserver.url_for(GH_PAGE) + "?query=branch%3Amain",
            "--branch",
            "rc",
        ]
    )

    assert code == 0
    assert httpserver.log[0][0].args["branch"] == "rc"
    assert "Authorization" not in httpserver.log[0][0].headers
    assert "  token      none — set GITHUB_TOKEN" in capsys.readouterr().out


def test_gitlab_reads_the_token_from_the_named_variable(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_GITLAB_TOKEN", "glpat-probe-secret")
    base = "/api/v4/projects/acme/group/mobile"
    httpserver.expect_request(f"{base}/pipelines").respond_with_json(
        load("gitlab/pipelines_running_over_failed.json")[1:]
    )
    httpserver.expect_request(f"{base}/pipelines/1287654321/jobs").respond_with_json(
        load("gitlab/jobs_pipeline_1287654321_failed.json")
    )
    url = httpserver.url_for("/acme/group/mobile/-/pipelines") + "?ref=release"

    code = main(["probe", "gitlab", url, "--token-env", "TEAM_GITLAB_TOKEN", "--json"])

    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["settings"] == {
        "api_url": httpserver.url_for("/api/v4"),
        "project": "acme/group/mobile",
        "ref": "release",
    }
    assert doc["outcome"] == "failed"
    assert [s["status"] for s in doc["stages"]] == [
        "passed",
        "warning",
        "failed",
        "skipped",
        "skipped",
    ]
    first = httpserver.log[0][0]
    assert first.environ["RAW_URI"].startswith("/api/v4/projects/acme%2Fgroup%2Fmobile/pipelines")
    assert first.args["ref"] == "release"
    assert first.headers["PRIVATE-TOKEN"] == "glpat-probe-secret"
    assert "glpat-probe-secret" not in json.dumps(doc)


def test_a_read_that_fails_is_said_in_words_with_exit_code_1(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request(
        "/api/v3/repos/acme/x/actions/workflows/deploy.yml/runs"
    ).respond_with_json({"message": "Not Found"}, status=404)

    code = main(
        ["probe", "github-actions", httpserver.url_for("/acme/x/actions/workflows/deploy.yml")]
    )

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "releasable probe github-actions: repository acme/x or workflow deploy.yml not found, "
        "or the token can't see it (404)",
        "  (no token: set GITHUB_TOKEN)",
    ]


def test_a_failed_read_with_json_is_still_one_document(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request(
        "/api/v3/repos/acme/x/actions/workflows/deploy.yml/runs"
    ).respond_with_json({"message": "Bad credentials"}, status=401)
    url = httpserver.url_for("/acme/x/actions/workflows/deploy.yml")

    code = main(["probe", "github-actions", url, "--json"])

    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    doc = json.loads(out)
    assert doc["kind"] == "github-actions"
    assert doc["outcome"] == "unknown"
    assert doc["stages"] == []
    assert doc["errors"] == ["token rejected (401) — check GITHUB_TOKEN"]


def test_an_unreachable_server_is_an_error_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there

    code = main(["probe", "health", f"http://127.0.0.1:{port}/health", "--json"])

    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["health"] == "unknown"
    assert doc["errors"] == [f"connection refused by 127.0.0.1:{port}"]
    assert "stages" not in doc


def test_a_dns_failure_suggests_the_network_and_no_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # .invalid never resolves (RFC 6761): the answer comes from the resolver, at once.
    code = main(["probe", "github-actions", "https://ci.invalid/acme/x/actions/workflows/d.yml"])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "releasable probe github-actions: host name not found: ci.invalid: check the address, "
        "then the network connection, a proxy (HTTPS_PROXY) or the VPN"
    ]  # no "(no token: set GITHUB_TOKEN)": a token would not have found the host


def test_probe_json_marks_a_network_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["probe", "health", "http://ci.invalid/health", "--json"])

    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["network"] is True
    assert "the VPN" in doc["errors"][0]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["teamcity", "https://ci.example.com/"], "invalid choice: 'teamcity'"),
        (["gitlab"], "the following arguments are required: URL"),
        (["gitlab", "https://gitlab.com/acme/app", "--branch", "a", "--ref", "b"], "not allowed"),
        (["gitlab", "https://gitlab.com/acme/app", "--timeout", "0"], "between 0 and 600"),
        (["gitlab", "https://gitlab.com/acme/app", "--timeout", "soon"], "not a number"),
        (["gitlab", "https://gitlab.com/acme/app", "--jsn"], "unrecognized arguments: --jsn"),
        (["gitlab", "https://gitlab.com/acme"], "is a group or a user, not a project"),
        (["github-actions", "https://github.com/acme/api"], "not a workflow's page"),
        (["jenkins", "https://jenkins.example.com/"], "not a Jenkins job address"),
        (["health", "staging.example.com/health"], "must be an http:// or https:// address"),
        (["health", "https://x.example.com/h", "--prefix", "p"], "--prefix does not apply"),
        (["cctray", "https://x.example.com/cc.xml", "--branch", "b"], "--branch does not apply"),
        (["jenkins", "https://x.example.com/job/a/", "--api-url", "u"], "--api-url does not"),
    ],
)
def test_usage_errors_exit_with_3_and_say_why(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["probe", *argv])

    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    assert words in err


def test_a_usage_error_with_json_is_a_document_too(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["probe", "gitlab", "https://gitlab.com/acme", "--json"])

    doc = json.loads(capsys.readouterr().out)
    assert code == 3
    assert doc["outcome"] == "unknown"
    assert "is a group or a user, not a project" in doc["errors"][0]


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "--help"]) == 0
    assert "releasable probe" in capsys.readouterr().out


def test_health_shows_the_environment_state(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/actuator/health").respond_with_data(
        (FIXTURES / "health" / "actuator_up.json").read_bytes(),
        content_type="application/vnd.spring-boot.actuator.v3+json",
    )
    url = httpserver.url_for("/actuator/health")

    assert main(["probe", "health", url]) == 0
    text = capsys.readouterr().out
    assert main(["probe", "health", url, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)

    assert "  health     UP" in text.splitlines()
    assert "  answer     status 200, " in text
    assert "token" not in text
    assert doc["kind"] == "health"
    assert doc["health"] == "up"
    assert doc["http_status"] == 200
    assert isinstance(doc["latency_ms"], float)
    assert doc["errors"] == []
    assert "stages" not in doc and "outcome" not in doc


def test_cctray_with_a_prefix_shows_the_matching_projects_as_stages(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(
        (FIXTURES / "cctray" / "jenkins_cc.xml").read_bytes(), content_type="application/xml"
    )

    code = main(["probe", "cctray", httpserver.url_for("/cc.xml"), "--prefix", "web-", "--json"])

    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["settings"] == {"url": httpserver.url_for("/cc.xml"), "project_prefix": "web-"}
    assert doc["outcome"] == "failed"
    assert len(doc["stages"]) == 3
    assert {s["status"] for s in doc["stages"]} <= {s.value for s in StageStatus}
    assert "token" not in doc


def test_a_password_in_the_url_is_refused_as_the_board_would_and_not_printed(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = httpserver.url_for("/cc.xml").replace("http://", "http://ci-bot:s3cr3t-pw@")

    code = main(["probe", "cctray", url, "--json"])

    out = capsys.readouterr().out
    assert code == 3  # the board file would refuse it too: secrets never live in a URL
    assert "s3cr3t-pw" not in out
    doc = json.loads(out)
    assert doc["url"].startswith("http://ci-bot:***@127.0.0.1:")
    assert "environment variable or the OS keyring" in doc["errors"][0]
    assert httpserver.log == []


class FakeJenkinsSource:
    made: list[dict[str, Any]] = []

    def __init__(self, url: str, **kwargs: Any) -> None:
        FakeJenkinsSource.made.append({"url": url, **kwargs})

    def fetch(self, http: Any) -> PipelineReading:
        return PipelineReading(
            stages=(
                Stage("Build", StageStatus.PASSED, duration_s=3725.0),
                Stage("Deploy \x1b[2J", StageStatus.FAILED, note="exit 1\r\nrm -rf"),
            ),
            outcome=Outcome.FAILED,
            failed_stage="Deploy \x1b[2J",
            label="#42",
        )


def test_jenkins_gets_the_job_address_user_and_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The jenkins module is imported only when asked for; here it is a stand-in."""
    fake = types.ModuleType("app.sources.jenkins")
    fake.JenkinsSource = FakeJenkinsSource  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.sources.jenkins", fake)
    monkeypatch.setenv("JENKINS_TOKEN", "11aa22bb33cc")
    FakeJenkinsSource.made.clear()

    code = main(
        [
            "probe",
            "jenkins",
            "https://ci.example.com/job/payments/job/api/128/console",
            "--user",
            "dana",
        ]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert FakeJenkinsSource.made == [
        {
            "url": "https://ci.example.com/job/payments/job/api/",
            "username": "dana",
            "token": "11aa22bb33cc",
            "token_hint": "JENKINS_TOKEN",
            "ca_bundle": None,
            "timeout_s": 10.0,
        }
    ]
    assert "1h 02m" in out
    # Remote text cannot drive the terminal: control characters are not passed on.
    assert "\x1b" not in out and "\r" not in out
    assert "  outcome    FAILED at stage Deploy ?[2J" in out.splitlines()
    assert "11aa22bb33cc" not in out


def test_the_probe_starts_without_qt_or_the_store(httpserver: HTTPServer) -> None:
    """A probe runs as its own quick process: no Qt, no SQLite, and requests only on use."""
    httpserver.expect_request("/cc.xml").respond_with_data(
        (FIXTURES / "cctray" / "jenkins_cc.xml").read_bytes(), content_type="application/xml"
    )
    script = (
        "import sys, json\n"
        "import app.cli\n"
        "lazy = 'requests' not in sys.modules\n"
        "code = app.cli.main(['probe', 'cctray', sys.argv[1], '--json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'PySide6', 'shiboken6', 'sqlite_utils', 'sqlite3', 'keyring'})\n"
        "app_mods = sorted(m for m in sys.modules if m.startswith(('app.ui', 'app.store', "
        "'app.desktop', 'app.trackers', 'app.services.board')))\n"
        "print(json.dumps({'code': code, 'lazy': lazy, 'heavy': heavy, 'app': app_mods}), "
        "file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, httpserver.url_for("/cc.xml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )

    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "lazy": True, "heavy": [], "app": []}
    assert json.loads(done.stdout)["kind"] == "cctray"


def test_the_token_can_come_from_the_os_keyring(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe builds its source with the board's builder, so the keyring works as there."""
    from tests.unit.test_config_secrets import MemoryKeyring

    serve_github(httpserver)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.entries[("releasable", "ci-github")] = "ghp_from_the_keyring"
    keyring.set_keyring(backend)
    try:
        code = main(
            [
                "probe",
                "github-actions",
                httpserver.url_for(GH_PAGE),
                "--token-keyring",
                "ci-github",
                "--json",
            ]
        )
    finally:
        keyring.set_keyring(previous)

    out = capsys.readouterr().out
    assert code == 0
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer ghp_from_the_keyring"
    assert json.loads(out)["token"]["from"] == "OS keyring entry 'releasable/ci-github'"
    assert "ghp_from_the_keyring" not in out
