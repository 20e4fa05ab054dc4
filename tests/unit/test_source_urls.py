"""URLs copied from the browser become source settings, or a clear error."""

from __future__ import annotations

import pytest

from app.sources.urls import (
    GitHubTarget,
    GitLabTarget,
    SourceUrlError,
    parse_github_url,
    parse_gitlab_url,
    parse_jenkins_url,
    parse_plain_url,
)

# -- GitHub Actions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://github.com/acme/api/actions/workflows/deploy.yml",
            GitHubTarget("https://api.github.com", "acme/api", "deploy.yml", None),
        ),
        (
            "https://github.com/acme/api/actions/workflows/deploy.yml?query=branch%3Amain",
            GitHubTarget("https://api.github.com", "acme/api", "deploy.yml", "main"),
        ),
        (
            "https://github.com/acme/api/actions/workflows/deploy.yml"
            "?query=event%3Apush+branch%3Arelease%2F2.1",
            GitHubTarget("https://api.github.com", "acme/api", "deploy.yml", "release/2.1"),
        ),
        (
            "https://github.com/acme/api/actions/workflows/deploy.yml/badge.svg?branch=develop",
            GitHubTarget("https://api.github.com", "acme/api", "deploy.yml", "develop"),
        ),
        (
            "  https://www.github.com/acme/api/actions/workflows/ci.yaml/  ",
            GitHubTarget("https://api.github.com", "acme/api", "ci.yaml", None),
        ),
        (
            "https://github.example.com/platform/payments/actions/workflows/deploy.yml",
            GitHubTarget(
                "https://github.example.com/api/v3", "platform/payments", "deploy.yml", None
            ),
        ),
        (
            "https://api.github.com/repos/acme/api/actions/workflows/61234567/runs",
            GitHubTarget("https://api.github.com", "acme/api", "61234567", None),
        ),
        (
            "https://github.example.com/api/v3/repos/acme/api/actions/workflows/deploy.yml",
            GitHubTarget("https://github.example.com/api/v3", "acme/api", "deploy.yml", None),
        ),
        (
            "http://127.0.0.1:8080/acme/api/actions/workflows/deploy.yml",
            GitHubTarget("http://127.0.0.1:8080/api/v3", "acme/api", "deploy.yml", None),
        ),
    ],
)
def test_github_workflow_pages_are_understood(url: str, expected: GitHubTarget) -> None:
    assert parse_github_url(url) == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://github.com/acme/api", "not a workflow's page"),
        ("https://github.com/acme/api/actions", "not a workflow's page"),
        ("https://github.com/acme/api/actions/runs/9122334563", "the page of one run"),
        ("https://github.com/acme", "not a GitHub repository address"),
        ("github.com/acme/api/actions/workflows/deploy.yml", "http:// or https://"),
        ("ftp://github.com/acme/api/actions/workflows/deploy.yml", "http:// or https://"),
        ("", "http:// or https://"),
    ],
)
def test_github_urls_that_are_not_a_workflow_say_what_to_copy(url: str, words: str) -> None:
    with pytest.raises(SourceUrlError, match=words) as err:
        parse_github_url(url)

    if "http://" not in words:
        assert "actions/workflows/" in str(err.value)  # the hint shows the expected shape


# -- GitLab ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://gitlab.com/acme/group/mobile",
            GitLabTarget("https://gitlab.com/api/v4", "acme/group/mobile", None),
        ),
        (
            "https://gitlab.com/acme/group/mobile/-/pipelines",
            GitLabTarget("https://gitlab.com/api/v4", "acme/group/mobile", None),
        ),
        (
            "https://gitlab.com/acme/group/mobile/-/pipelines?page=1&scope=all&ref=release%2F3",
            GitLabTarget("https://gitlab.com/api/v4", "acme/group/mobile", "release/3"),
        ),
        (
            "https://gitlab.com/acme/mobile/-/pipelines/1287654321",
            GitLabTarget("https://gitlab.com/api/v4", "acme/mobile", None),
        ),
        (
            "https://gitlab.com/acme/mobile.git",
            GitLabTarget("https://gitlab.com/api/v4", "acme/mobile", None),
        ),
        (
            "https://gitlab.example.com/acme/mobile/",
            GitLabTarget("https://gitlab.example.com/api/v4", "acme/mobile", None),
        ),
        (
            "https://gitlab.com/api/v4/projects/acme%2Fmobile/pipelines",
            GitLabTarget("https://gitlab.com/api/v4", "acme/mobile", None),
        ),
        (
            "https://gitlab.com/api/v4/projects/48123456",
            GitLabTarget("https://gitlab.com/api/v4", "48123456", None),
        ),
    ],
)
def test_gitlab_project_pages_are_understood(url: str, expected: GitLabTarget) -> None:
    assert parse_gitlab_url(url) == expected


def test_gitlab_under_a_path_needs_its_api_url_to_find_the_project() -> None:
    target = parse_gitlab_url(
        "https://example.com/gitlab/acme/mobile/-/pipelines",
        api_url="https://example.com/gitlab/api/v4/",
    )

    assert target == GitLabTarget("https://example.com/gitlab/api/v4", "acme/mobile", None)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://gitlab.com/acme", "is a group or a user, not a project"),
        ("https://gitlab.com/", "not a GitLab project address"),
        ("https://gitlab.com/explore/projects", "not a GitLab project address"),
        ("https://gitlab.com/-/ide/project/acme/mobile", "not a GitLab project address"),
        ("gitlab.com/acme/mobile", "http:// or https://"),
    ],
)
def test_gitlab_urls_that_are_not_a_project_say_what_to_copy(url: str, words: str) -> None:
    with pytest.raises(SourceUrlError, match=words):
        parse_gitlab_url(url)


# -- Jenkins --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://jenkins.example.com/job/folder/job/app/",
            "https://jenkins.example.com/job/folder/job/app/",
        ),
        ("https://jenkins.example.com/job/app", "https://jenkins.example.com/job/app/"),
        (
            "https://jenkins.example.com/job/folder/job/app/123/console",
            "https://jenkins.example.com/job/folder/job/app/",
        ),
        (
            "https://jenkins.example.com/job/app/lastBuild/api/json?pretty=true",
            "https://jenkins.example.com/job/app/",
        ),
        (
            "https://ci.example.com/jenkins/view/Delivery/job/app/job/main/",
            "https://ci.example.com/jenkins/job/app/job/main/",
        ),
        (
            "https://jenkins.example.com/job/app/job/feature%252Flogin/",
            "https://jenkins.example.com/job/app/job/feature%252Flogin/",
        ),
        (
            "https://jenkins.example.com/blue/organizations/jenkins/folder%2Fapp/activity",
            "https://jenkins.example.com/job/folder/job/app/",
        ),
        (
            "https://jenkins.example.com/blue/organizations/jenkins/app/detail/main/12/pipeline",
            "https://jenkins.example.com/job/app/job/main/",
        ),
        (
            "https://jenkins.example.com/blue/organizations/jenkins/app/detail/app/12/pipeline",
            "https://jenkins.example.com/job/app/",
        ),
    ],
)
def test_jenkins_job_pages_become_the_job_address(url: str, expected: str) -> None:
    assert parse_jenkins_url(url) == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://jenkins.example.com/", "not a Jenkins job address"),
        ("https://jenkins.example.com/view/All/", "not a Jenkins job address"),
        ("https://jenkins.example.com/manage", "not a Jenkins job address"),
        ("jenkins.example.com/job/app", "http:// or https://"),
    ],
)
def test_jenkins_urls_that_are_not_a_job_say_what_to_copy(url: str, words: str) -> None:
    with pytest.raises(SourceUrlError, match=words):
        parse_jenkins_url(url)


# -- cctray and health ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://ci.example.com/cc.xml",
        "http://127.0.0.1:8153/go/cctray.xml?token=abc",
        "https://staging.example.com/actuator/health",
    ],
)
def test_feed_and_health_urls_pass_through(url: str) -> None:
    assert parse_plain_url(f" {url} ") == url


def test_a_plain_url_must_be_http() -> None:
    with pytest.raises(SourceUrlError, match="a health check URL must be an http"):
        parse_plain_url("staging.example.com/health", "a health check URL")


def test_the_url_error_is_a_value_error() -> None:
    assert issubclass(SourceUrlError, ValueError)


def test_source_values_are_the_board_keys_a_browser_url_fills() -> None:
    from app.sources.urls import source_values

    url = "https://github.com/acme/api/actions/workflows/deploy.yml?query=branch%3Amain"
    assert source_values("github-actions", url) == {
        "api_url": "https://api.github.com",
        "repo": "acme/api",
        "workflow": "deploy.yml",
        "branch": "main",
    }
    assert source_values("gitlab", "https://gitlab.com/acme/mobile/-/pipelines?ref=rc") == {
        "api_url": "https://gitlab.com/api/v4",
        "project": "acme/mobile",
        "ref": "rc",
    }
    assert source_values("health", " https://staging.example.com/health ") == {
        "url": "https://staging.example.com/health"
    }


@pytest.mark.parametrize(
    ("kind", "url", "values"),
    [
        (
            "github",
            "https://github.com/acme/platform/issues?q=is%3Aopen",
            {"api_url": "https://api.github.com", "repo": "acme/platform"},
        ),
        (
            "github",
            "https://ghe.example.com/acme/platform.git",
            {"api_url": "https://ghe.example.com/api/v3", "repo": "acme/platform"},
        ),
        (
            "gitlab",
            "https://gitlab.example.com/acme/platform/-/issues",
            {"api_url": "https://gitlab.example.com/api/v4", "project": "acme/platform"},
        ),
        (
            "jira",
            "https://acme.atlassian.net/browse/PLAT-431",
            {"url": "https://acme.atlassian.net", "project_key": "PLAT"},
        ),
        (
            "jira",
            "https://jira.example.com/jira/projects/OPS/issues",
            {"url": "https://jira.example.com/jira", "project_key": "OPS"},
        ),
    ],
)
def test_tracker_values_read_the_pages_people_copy(
    kind: str, url: str, values: dict[str, str]
) -> None:
    from app.sources.urls import tracker_values

    assert tracker_values(kind, url) == values


def test_a_tracker_url_that_names_no_project_says_what_to_copy() -> None:
    from app.sources.urls import SourceUrlError, tracker_values

    with pytest.raises(SourceUrlError, match="copy an issue's page"):
        tracker_values("jira", "https://acme.atlassian.net/")
    with pytest.raises(SourceUrlError, match="copy the repository's page"):
        tracker_values("github", "https://github.com/acme")
