"""Each tracker lists the team's open blockers: the exact documented request (path, query, auth)
against a loopback server, the vendors' documented answers, and how each issue is read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.domain.model import Priority
from app.sources.http import HttpClient
from app.trackers.base import RemoteBlocker, TrackerError
from app.trackers.github import GitHubTracker
from app.trackers.gitlab import GitLabTracker
from app.trackers.jira_format import to_adf, to_wiki
from app.trackers.webhook import WebhookTracker
from tests.fixtures.trackers.jira_cloud import BASIC, jira_cloud
from tests.fixtures.trackers.reports import KEY, NOW, TOKEN, answer, sample_report

GH_API = "/api/v3"
GH_ISSUES = f"{GH_API}/repos/acme/platform/issues"
GH_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "Authorization": f"Bearer {TOKEN}",
}
# pytest-httpserver matches the decoded path; the raw request line is checked separately.
GL_ISSUES = "/api/v4/projects/acme/platform/issues"
GL_RAW = "/api/v4/projects/acme%2Fplatform/issues"
JQL = (
    'project = "OPS" AND labels = "delivery-blocker" AND statusCategory != Done '
    "ORDER BY created ASC"
)
JIRA_FIELDS = "summary,priority,labels,created,reporter,status,description,assignee"


def by_ref(blockers: list[RemoteBlocker]) -> dict[str, RemoteBlocker]:
    return {b.ref: b for b in blockers}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ----- GitHub -------------------------------------------------------------------------------


def github(server: HTTPServer, **kw: Any) -> GitHubTracker:
    options: dict[str, Any] = {
        "api_url": server.url_for(GH_API),
        "repo": "acme/platform",
        "token": TOKEN,
        "token_hint": "GITHUB_TOKEN",
        "labels": ("delivery-blocker",),
        "clock": lambda: NOW,
    }
    options.update(kw)
    return GitHubTracker(**options)


def test_github_lists_open_issues_with_the_board_labels(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(
        GH_ISSUES,
        method="GET",
        headers=GH_HEADERS,
        query_string={
            "state": "open",
            "labels": "delivery-blocker,team-payments",
            "per_page": "100",
        },
    ).respond_with_json(answer("github_issues_open.json"))

    found = github(httpserver, labels=("delivery-blocker", "team-payments")).open_blockers(http)

    httpserver.check_assertions()
    assert [b.ref for b in found] == ["435", "433", "431"]  # #434 is a pull request
    dana = by_ref(found)["431"]
    assert dana == RemoteBlocker(
        ref="431",
        url="https://github.com/acme/platform/issues/431",
        title="Laptop won't boot after the OS update: cannot deploy to production",
        priority=Priority.P1,
        category="workstation-broken",  # a label named like a category
        opened_at=at("2024-05-01T11:30:00"),
        reporter="dana-kowalski",
        key="gh-acme/platform#431",
    )


def test_github_priority_is_the_label_mapping_read_backwards(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(GH_ISSUES).respond_with_json(
        answer("github_issues_open.json")
    )
    found = by_ref(github(httpserver).open_blockers(http))
    assert found["433"].priority is Priority.P2 and found["433"].category == "other"
    # Only the blocker label, no priority label: it says it blocks, so it is a P1.
    assert found["435"].priority is Priority.P1


def test_github_custom_priority_labels_and_the_highest_wins(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    issues = answer("github_issues_open.json")
    issues[0]["labels"] += [{"name": "prio: high"}, {"name": "prio: low"}]
    httpserver.expect_oneshot_request(GH_ISSUES).respond_with_json(issues)
    mapping = {"P1": "Blocks release", "P2": "prio: high", "P3": "prio: low"}
    found = by_ref(github(httpserver, priority_labels=mapping).open_blockers(http))
    assert found["435"].priority is Priority.P2
    assert found["431"].priority is Priority.P1  # its "P1" label is no longer mapped: no label


def test_github_reads_back_a_report_filed_with_releasable(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    issues = answer("github_issues_open.json")
    issues[2]["body"] = sample_report(reporter="Priya R.", category="environment-instability").body
    httpserver.expect_oneshot_request(GH_ISSUES).respond_with_json(issues)
    found = by_ref(github(httpserver).open_blockers(http))
    ours = found["433"]
    assert ours.key == KEY  # the hidden marker: the outbox's own row matches it
    assert ours.category == "environment-instability"  # the report's category, not "other"
    assert ours.reporter == "Priya R."  # the report's reporter, not the token's login
    assert ours.priority is Priority.P2  # the tracker's label still decides


def test_github_follows_link_pages_on_its_own_origin(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    page2 = httpserver.url_for(f"{GH_API}/repositories/77/issues?page=2")
    first, *rest = answer("github_issues_open.json")
    httpserver.expect_oneshot_request(
        GH_ISSUES, query_string={"state": "open", "labels": "delivery-blocker", "per_page": "100"}
    ).respond_with_json([first], headers={"Link": f'<{page2}>; rel="next"'})
    httpserver.expect_oneshot_request(
        f"{GH_API}/repositories/77/issues", query_string={"page": "2"}, headers=GH_HEADERS
    ).respond_with_json(rest)
    found = github(httpserver).open_blockers(http)
    httpserver.check_assertions()
    assert [b.ref for b in found] == ["435", "433", "431"]


def test_github_without_board_labels_lists_only_what_releasable_filed(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    issues = answer("github_issues_open.json")
    issues[3]["body"] = sample_report().body
    httpserver.expect_oneshot_request(
        GH_ISSUES, query_string={"state": "open", "per_page": "100"}
    ).respond_with_json(issues)
    found = github(httpserver, labels=()).open_blockers(http)
    assert [(b.ref, b.key) for b in found] == [("431", KEY)]


def test_github_never_keeps_a_link_that_is_not_http(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    issues = answer("github_issues_open.json")
    issues[0]["html_url"] = "javascript:alert(1)"
    httpserver.expect_oneshot_request(GH_ISSUES).respond_with_json(issues)
    assert by_ref(github(httpserver).open_blockers(http))["435"].url == ""


def test_github_refused_token_is_a_permanent_error_in_words(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(GH_ISSUES).respond_with_json(
        {"message": "Bad credentials"}, status=401
    )
    with pytest.raises(TrackerError) as caught:
        github(httpserver).open_blockers(http)
    assert caught.value.permanent
    assert caught.value.message == "token rejected (401) — check GITHUB_TOKEN"


# ----- GitLab -------------------------------------------------------------------------------


def gitlab(server: HTTPServer, **kw: Any) -> GitLabTracker:
    options: dict[str, Any] = {
        "api_url": server.url_for("/api/v4"),
        "project": "acme/platform",
        "token": TOKEN,
        "token_hint": "GITLAB_TOKEN",
        "labels": ("delivery-blocker",),
        "clock": lambda: NOW,
    }
    options.update(kw)
    return GitLabTracker(**options)


def test_gitlab_lists_opened_issues_with_the_board_labels(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(
        GL_ISSUES,
        method="GET",
        headers={"PRIVATE-TOKEN": TOKEN, "Accept": "application/json"},
        query_string={"state": "opened", "labels": "delivery-blocker", "per_page": "100"},
    ).respond_with_json(answer("gitlab_issues_opened.json"))

    found = by_ref(gitlab(httpserver).open_blockers(http))

    httpserver.check_assertions()
    assert str(httpserver.log[0][0].environ["RAW_URI"]).startswith(GL_RAW + "?")
    assert found["13"] == RemoteBlocker(
        ref="13",
        url="https://gitlab.example.com/acme/platform/-/issues/13",
        title="Runners stuck in queue",
        priority=Priority.P1,  # no priority label
        category="ci-instability",
        opened_at=at("2024-05-01T11:40:00"),
        reporter="Lee Chen",
        key="gl-acme/platform#13",
    )
    assert found["12"].priority is Priority.P3


def test_gitlab_reads_back_our_report_and_follows_x_next_page(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    lee, ours = answer("gitlab_issues_opened.json")
    ours["description"] = sample_report().body
    httpserver.expect_oneshot_request(
        GL_ISSUES, query_string={"state": "opened", "labels": "delivery-blocker", "per_page": "100"}
    ).respond_with_json([lee], headers={"X-Next-Page": "2"})
    httpserver.expect_oneshot_request(
        GL_ISSUES,
        query_string={
            "state": "opened",
            "labels": "delivery-blocker",
            "per_page": "100",
            "page": "2",
        },
    ).respond_with_json([ours], headers={"X-Next-Page": ""})
    found = by_ref(gitlab(httpserver).open_blockers(http))
    httpserver.check_assertions()
    assert found["12"].key == KEY
    assert (found["12"].category, found["12"].reporter) == ("workstation-broken", "Dana")


def test_gitlab_project_not_found_is_a_permanent_error(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(GL_ISSUES).respond_with_json(
        {"message": "404 Project Not Found"}, status=404
    )
    with pytest.raises(TrackerError) as caught:
        gitlab(httpserver).open_blockers(http)
    assert caught.value.permanent and "acme/platform not found" in caught.value.message


# ----- Jira ---------------------------------------------------------------------------------


def ours_in_jira(description: Any) -> dict[str, Any]:
    return {
        "id": "10044",
        "key": "OPS-44",
        "fields": {
            "summary": "Laptop broken, cannot deploy",
            "priority": {"name": "High", "id": "2"},
            "labels": ["delivery-blocker", "team-payments", f"releasable-{KEY}"],
            "created": "2024-05-01T12:00:04.000+0000",
            "reporter": {"displayName": "Releasable bot"},
            "status": {"statusCategory": {"key": "new"}},
            "description": description,
        },
    }


def test_jira_cloud_pages_the_enhanced_search_by_token(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    first = {"jql": JQL, "fields": JIRA_FIELDS, "maxResults": "100"}
    httpserver.expect_oneshot_request(
        "/jira/rest/api/3/search/jql",
        method="GET",
        headers={"Authorization": BASIC, "Accept": "application/json"},
        query_string=first,
    ).respond_with_json(answer("jira_search_blockers.json"))
    httpserver.expect_oneshot_request(
        "/jira/rest/api/3/search/jql",
        headers={"Authorization": BASIC},
        query_string={**first, "nextPageToken": "CAEaAggD"},
    ).respond_with_json(
        {"issues": [ours_in_jira(to_adf(sample_report(reporter="Dana K.").body))], "isLast": True}
    )

    found = by_ref(jira_cloud(httpserver).open_blockers(http))

    httpserver.check_assertions()
    assert found["OPS-42"] == RemoteBlocker(
        ref="OPS-42",
        url=httpserver.url_for("/jira/browse/OPS-42"),
        title="Laptop won't boot after the OS update",
        priority=Priority.P1,  # Highest
        category="workstation-broken",
        opened_at=at("2024-05-01T11:30:00"),
        reporter="Dana Kowalski",
        key="jira-OPS-42",
    )
    assert found["OPS-43"].priority is Priority.P3  # Medium
    assert found["OPS-43"].category == "other"
    ours = found["OPS-44"]
    assert (ours.key, ours.priority) == (KEY, Priority.P2)  # the key label; High
    assert (ours.category, ours.reporter) == ("workstation-broken", "Dana K.")  # from the ADF


def test_jira_datacenter_pages_v2_search_by_start_at(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    issues = answer("jira_search_blockers.json")["issues"]
    first = {"jql": JQL, "fields": JIRA_FIELDS, "maxResults": "100"}
    httpserver.expect_oneshot_request(
        "/jira/rest/api/2/search",
        headers={"Authorization": f"Bearer {TOKEN}"},
        query_string={**first, "startAt": "0"},
    ).respond_with_json({"startAt": 0, "maxResults": 2, "total": 3, "issues": issues})
    wiki = to_wiki(sample_report(category="ci-instability").body)
    httpserver.expect_oneshot_request(
        "/jira/rest/api/2/search", query_string={**first, "startAt": "2"}
    ).respond_with_json({"startAt": 2, "maxResults": 2, "total": 3, "issues": [ours_in_jira(wiki)]})

    found = by_ref(jira_cloud(httpserver, flavor="datacenter", email=None).open_blockers(http))

    httpserver.check_assertions()
    assert sorted(found) == ["OPS-42", "OPS-43", "OPS-44"]
    assert (found["OPS-44"].category, found["OPS-44"].reporter) == ("ci-instability", "Dana")


def test_jira_priority_names_are_read_backwards_and_unknown_is_p1(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    data = answer("jira_search_blockers.json")
    data["isLast"] = True
    data["issues"][0]["fields"]["priority"] = {"name": "Blocker"}
    data["issues"][1]["fields"]["priority"] = None
    httpserver.expect_oneshot_request("/jira/rest/api/3/search/jql").respond_with_json(data)
    names = {"P1": "Blocker", "P2": "Critical", "P3": "Major"}
    found = by_ref(jira_cloud(httpserver, priority_names=names).open_blockers(http))
    assert found["OPS-42"].priority is Priority.P1
    assert found["OPS-43"].priority is Priority.P1  # no priority: the blocker label decides


def test_jira_without_board_labels_lists_only_key_labelled_issues(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(
        "/jira/rest/api/3/search/jql",
        query_string={
            "jql": 'project = "OPS" AND statusCategory != Done ORDER BY created ASC',
            "fields": JIRA_FIELDS,
            "maxResults": "100",
        },
    ).respond_with_json(
        {"issues": [*answer("jira_search_blockers.json")["issues"], ours_in_jira(None)]}
    )
    found = jira_cloud(httpserver, labels=()).open_blockers(http)
    httpserver.check_assertions()
    assert [(b.ref, b.key) for b in found] == [("OPS-44", KEY)]


def test_jira_quotes_labels_in_jql(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/jira/rest/api/3/search/jql").respond_with_json(
        {"issues": [], "isLast": True}
    )
    jira_cloud(httpserver, labels=('say "stop"',), project_key="O\\PS").open_blockers(http)
    jql = httpserver.log[0][0].args["jql"]
    assert jql.startswith('project = "O\\\\PS" AND labels = "say-\\"stop\\"" AND ')


# ----- webhook ------------------------------------------------------------------------------


def test_a_webhook_cannot_be_read_back_and_asks_nothing(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    hook = WebhookTracker(url=httpserver.url_for("/hook"), token=TOKEN)
    assert hook.open_blockers(http) == []
    assert httpserver.log == []
