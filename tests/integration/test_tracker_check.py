"""`releasable tracker check` reads, never files: token, project, labels — per tracker, against
loopback servers answering like the vendors' documented REST APIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.cli import main

TOKEN_ENV = "RELEASABLE_CHECK_TOKEN"
TOKEN = "t0ken-never-printed"

# GET /repos/{owner}/{repo} (docs.github.com/rest/repos/repos#get-a-repository), trimmed.
GITHUB_REPO: dict[str, Any] = {
    "id": 1296269,
    "full_name": "acme/platform",
    "has_issues": True,
    "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
}


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


def no_posts(server: HTTPServer) -> None:
    assert all(request.method == "GET" for request, _ in server.log)


def github(server: HTTPServer, repo: dict[str, Any]) -> list[str]:
    server.expect_request("/user", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(
        {"login": "releasable-bot", "id": 1}
    )
    server.expect_request("/repos/acme/platform").respond_with_json(repo)
    return github_argv(server)


def github_argv(server: HTTPServer) -> list[str]:
    return [
        "tracker",
        "check",
        "--tracker-kind",
        "github",
        "--tracker-url",
        server.url_for(""),
        "--repo",
        "acme/platform",
        "--token-env",
        TOKEN_ENV,
    ]


def test_github_with_push_access_is_ready(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(github(httpserver, GITHUB_REPO)) == 0
    out = capsys.readouterr().out
    assert out.startswith("github tracker: ready")
    assert "valid, for user releasable-bot" in out
    assert "labels will stick" in out
    assert TOKEN not in out
    no_posts(httpserver)


def test_github_without_push_access_fails_on_labels(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = {**GITHUB_REPO, "permissions": {"admin": False, "push": False, "pull": True}}
    assert main([*github(httpserver, repo), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] is False
    [labels] = [c for c in doc["checks"] if c["step"] == "labels"]
    assert labels["ok"] is False and "no push access to acme/platform" in labels["words"]
    no_posts(httpserver)


def test_github_with_issues_turned_off_fails(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(github(httpserver, {**GITHUB_REPO, "has_issues": False})) == 1
    assert "issues are turned off in acme/platform" in capsys.readouterr().out


def test_a_rejected_token_stops_the_check(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/user").respond_with_json({"message": "Bad credentials"}, status=401)
    assert main(github_argv(httpserver)) == 1
    out = capsys.readouterr().out
    assert f"token rejected (401) — check {TOKEN_ENV}" in out
    assert "repository  not checked" in out
    assert len(httpserver.log) == 1


def test_a_missing_token_is_a_failed_check(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    assert main(github(httpserver, GITHUB_REPO)) == 1
    assert f"no token for the github tracker: set {TOKEN_ENV}" in capsys.readouterr().out
    assert httpserver.log == []


def test_gitlab_below_reporter_fails_on_labels(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/api/v4/user", headers={"PRIVATE-TOKEN": TOKEN}).respond_with_json(
        {"id": 1, "username": "dana"}
    )
    # GET /projects/:id (docs.gitlab.com/api/projects), trimmed; 10 is the Guest role.
    httpserver.expect_request("/api/v4/projects/42").respond_with_json(
        {
            "id": 42,
            "path_with_namespace": "acme/mobile",
            "issues_enabled": True,
            "permissions": {
                "project_access": {"access_level": 10, "notification_level": 3},
                "group_access": None,
            },
        }
    )
    argv = ["tracker", "check", "--tracker-kind", "gitlab", "--project", "42"]
    argv += ["--tracker-url", httpserver.url_for("/api/v4"), "--token-env", TOKEN_ENV]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "valid, for user dana" in out and "42 is reachable" in out
    assert "below Reporter" in out
    no_posts(httpserver)


def test_jira_cloud_with_create_permission_is_ready(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    httpserver.expect_request("/rest/api/3/myself").respond_with_json(
        {"accountId": "5b10a2844c20165700ede21g", "displayName": "Dana Scully", "active": True}
    )
    httpserver.expect_request("/rest/api/3/project/PLAT").respond_with_json(
        {"id": "10000", "key": "PLAT", "name": "Platform"}
    )
    httpserver.expect_request(
        "/rest/api/3/mypermissions",
        query_string={"projectKey": "PLAT", "permissions": "CREATE_ISSUES,EDIT_ISSUES"},
    ).respond_with_json(
        {
            "permissions": {
                "CREATE_ISSUES": {"id": "11", "key": "CREATE_ISSUES", "havePermission": True},
                "EDIT_ISSUES": {"id": "12", "key": "EDIT_ISSUES", "havePermission": True},
            }
        }
    )
    board = tmp_path / "board.toml"
    board.write_text(
        '[board]\nname = "Payments"\n\n[tracker]\nkind = "jira"\n'
        f'url = "{httpserver.url_for("").rstrip("/")}"\nproject_key = "PLAT"\n'
        f'email = "dana@example.com"\ntoken_env = "{TOKEN_ENV}"\n',
        encoding="utf-8",
    )
    assert main(["tracker", "check", "--board", str(board)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("jira tracker: ready")
    assert "valid, for Dana Scully" in out and "may create issues" in out
    no_posts(httpserver)


def test_a_webhook_is_not_called(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = [
        "tracker",
        "check",
        "--tracker-kind",
        "webhook",
        "--tracker-url",
        "http://127.0.0.1:9/h",
    ]
    assert main(argv) == 0
    assert "not checked: a webhook can only be tested by sending" in capsys.readouterr().out


def test_no_tracker_is_a_setup_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "board.toml"
    board.write_text('[board]\nname = "Payments"\n', encoding="utf-8")
    assert main(["tracker", "check", "--board", str(board)]) == 3
    assert "no tracker is configured" in capsys.readouterr().err
