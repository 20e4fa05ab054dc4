"""Jira adapter (Cloud REST v3 and Data Center REST v2) against a loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from app.domain.model import BlockerState
from app.sources.http import HttpClient
from app.trackers.base import Filed, TrackerError
from app.trackers.jira import JiraTracker
from tests.fixtures.trackers.jira_cloud import BASIC, jira_cloud
from tests.fixtures.trackers.reports import KEY, NOW, TOKEN, answer, sample_report

LABEL = f"releasable-{KEY}"


def datacenter(server: HTTPServer, **kw: Any) -> JiraTracker:
    return jira_cloud(server, flavor="datacenter", email=None, **kw)


def sent(server: HTTPServer, n: int = 0) -> dict[str, Any]:
    return json.loads(server.log[n][0].data)  # type: ignore[no-any-return]


# ----- create: Cloud ------------------------------------------------------------------------


def test_cloud_create_sends_the_documented_request(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(
        "/jira/rest/api/3/issue",
        method="POST",
        headers={"Authorization": BASIC, "Content-Type": "application/json"},
    ).respond_with_json(answer("jira_created.json"), status=201)

    filed = jira_cloud(httpserver).create(http, sample_report())

    httpserver.check_assertions()
    assert filed == Filed(httpserver.url_for("/jira/browse/OPS-42"), "OPS-42")
    fields = sent(httpserver)["fields"]
    assert {k: v for k, v in fields.items() if k != "description"} == {
        "project": {"key": "OPS"},
        "summary": "Laptop broken, cannot deploy",
        "issuetype": {"name": "Bug"},
        "priority": {"name": "Highest"},
        "labels": ["delivery-blocker", "team-payments", LABEL],
    }


def test_cloud_description_is_atlassian_document_format(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request("/jira/rest/api/3/issue").respond_with_json(
        answer("jira_created.json"), status=201
    )
    jira_cloud(httpserver).create(http, sample_report())
    doc = sent(httpserver)["fields"]["description"]

    assert doc["type"] == "doc" and doc["version"] == 1
    first = doc["content"][0]
    assert first == {
        "type": "paragraph",
        "content": [
            {"type": "text", "text": "Team "},
            {"type": "text", "text": "Payments", "marks": [{"type": "strong"}]},
            {"type": "text", "text": " cannot deploy to production."},
        ],
    }
    headings = [b for b in doc["content"] if b["type"] == "heading"]
    assert [h["content"][0]["text"] for h in headings] == [
        "What they were trying to do",
        "Triage",
        "Evidence (board at 2024-05-01T12:00:00Z)",
        "Reported",
    ]
    assert all(h["attrs"] == {"level": 3} for h in headings)
    evidence = doc["content"][doc["content"].index(headings[2]) + 1]
    assert evidence["type"] == "bulletList"
    verdict_item = evidence["content"][0]
    assert verdict_item["type"] == "listItem"
    assert [node["type"] for node in verdict_item["content"]] == ["paragraph", "bulletList"]
    stage_item = evidence["content"][1]["content"][0]["content"]
    assert {
        "type": "text",
        "text": "open",
        "marks": [{"type": "link", "attrs": {"href": "https://ci.example.com/api/562/scan"}}],
    } in stage_item
    # Every text node has text, and the hidden key marker is not shown in Jira.
    texts = list(_texts(doc))
    assert all(texts)
    assert not any("releasable-key" in t for t in texts)


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "text":
            yield node["text"]
        for child in node.get("content", []):
            yield from _texts(child)


# ----- create: Data Center ------------------------------------------------------------------


def test_datacenter_create_uses_v2_bearer_and_wiki_text(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_oneshot_request(
        "/jira/rest/api/2/issue",
        method="POST",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    ).respond_with_json({"id": "10042", "key": "OPS-42", "self": "x"}, status=201)

    filed = datacenter(httpserver, issue_type="Incident").create(http, sample_report())

    httpserver.check_assertions()
    assert filed.ref == "OPS-42"
    fields = sent(httpserver)["fields"]
    assert fields["issuetype"] == {"name": "Incident"}
    description = fields["description"]
    assert isinstance(description, str)
    assert description.startswith("Team *Payments* cannot deploy to production.\n\nh3. ")
    assert "* Pipeline _api_, stage _security-scan_: failed since 2024-05-01T11:48:00Z: " in (
        description
    )
    assert "[open|https://ci.example.com/api/562/scan]" in description
    assert "releasable-key" not in description


# ----- create: errors -----------------------------------------------------------------------


def test_validation_errors_in_jiras_words(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/jira/rest/api/3/issue").respond_with_json(
        answer("jira_validation_failed.json"), status=400
    )
    with pytest.raises(TrackerError) as caught:
        jira_cloud(httpserver).create(http, sample_report())
    assert caught.value.permanent
    assert caught.value.message == (
        "Jira refused the issue (400): summary: You must specify a summary of the issue.; "
        "issuetype: The issue type selected is invalid."
    )


def test_error_messages_list_is_used(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/jira/rest/api/3/issue").respond_with_json(
        {"errorMessages": ["Issue type is required."], "errors": {}}, status=400
    )
    with pytest.raises(TrackerError) as caught:
        jira_cloud(httpserver).create(http, sample_report())
    assert caught.value.message == "Jira refused the issue (400): Issue type is required."


def test_priority_missing_from_the_screen_is_filed_without_it(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    problem = "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown."
    httpserver.expect_ordered_request("/jira/rest/api/3/issue").respond_with_json(
        {"errorMessages": [], "errors": {"priority": problem}}, status=400
    )
    httpserver.expect_ordered_request("/jira/rest/api/3/issue").respond_with_json(
        answer("jira_created.json"), status=201
    )
    filed = jira_cloud(httpserver).create(http, sample_report())
    httpserver.check_assertions()
    assert "priority" in sent(httpserver, 0)["fields"]
    assert "priority" not in sent(httpserver, 1)["fields"]
    assert filed.ref == "OPS-42"
    assert filed.warnings == (f"priority was not set — Jira says: {problem}",)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "token rejected (401) — check JIRA_TOKEN"),
        (403, "the token may not create issues in project OPS (403)"),
    ],
)
def test_auth_errors(httpserver: HTTPServer, http: HttpClient, status: int, message: str) -> None:
    httpserver.expect_oneshot_request("/jira/rest/api/3/issue").respond_with_data("", status=status)
    with pytest.raises(TrackerError) as caught:
        jira_cloud(httpserver).create(http, sample_report())
    assert caught.value.message == message and caught.value.permanent
    assert TOKEN not in caught.value.message


def test_server_error_and_429_are_retryable(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_ordered_request("/jira/rest/api/3/issue").respond_with_data("", status=503)
    httpserver.expect_ordered_request("/jira/rest/api/3/issue").respond_with_json(
        {"errorMessages": ["Rate limit exceeded."]}, status=429, headers={"Retry-After": "30"}
    )
    jira = jira_cloud(httpserver)
    with pytest.raises(TrackerError) as first:
        jira.create(http, sample_report())
    with pytest.raises(TrackerError) as second:
        jira.create(http, sample_report())
    assert not first.value.permanent and first.value.retry_at is None
    assert not second.value.permanent
    assert second.value.retry_at == NOW + timedelta(seconds=30)


def test_cloud_without_email_says_so_before_sending(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    with pytest.raises(TrackerError) as caught:
        jira_cloud(httpserver, email=None).create(http, sample_report())
    assert caught.value.permanent and "email" in caught.value.message
    assert httpserver.log == []


# ----- find ---------------------------------------------------------------------------------


def test_cloud_find_uses_the_enhanced_jql_search(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(
        "/jira/rest/api/3/search/jql",
        method="GET",
        headers={"Authorization": BASIC},
        query_string={
            "jql": f'labels = "{LABEL}" ORDER BY created ASC',
            "fields": "status",
            "maxResults": "10",
        },
    ).respond_with_json(answer("jira_search_jql.json"))
    found = jira_cloud(httpserver).find(http, sample_report(), NOW)
    httpserver.check_assertions()
    assert found == Filed(httpserver.url_for("/jira/browse/OPS-42"), "OPS-42")


def test_datacenter_find_uses_v2_search(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(
        "/jira/rest/api/2/search",
        headers={"Authorization": f"Bearer {TOKEN}"},
        query_string={
            "jql": f'labels = "{LABEL}" ORDER BY created ASC',
            "fields": "status",
            "maxResults": "10",
        },
    ).respond_with_json({"startAt": 0, "maxResults": 10, "total": 0, "issues": []})
    assert datacenter(httpserver).find(http, sample_report(), NOW) is None
    httpserver.check_assertions()


def test_find_with_ids_only_asks_for_the_key(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/jira/rest/api/3/search/jql").respond_with_json(
        {"issues": [{"id": "10042"}], "isLast": True}
    )
    httpserver.expect_oneshot_request("/jira/rest/api/3/issue/10042").respond_with_json(
        answer("jira_issue_done.json")
    )
    found = jira_cloud(httpserver).find(http, sample_report(), NOW)
    assert found is not None and found.ref == "OPS-42"


# ----- state --------------------------------------------------------------------------------


def test_state_done_category_is_closed(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request(
        "/jira/rest/api/3/issue/OPS-42", query_string={"fields": "status"}
    ).respond_with_json(answer("jira_issue_done.json"))
    assert jira_cloud(httpserver).state(http, Filed("x", "OPS-42")) is BlockerState.CLOSED


def test_state_in_progress_is_open(httpserver: HTTPServer, http: HttpClient) -> None:
    in_progress = answer("jira_search_jql.json")["issues"][0]
    httpserver.expect_oneshot_request("/jira/rest/api/2/issue/OPS-42").respond_with_json(
        in_progress
    )
    assert datacenter(httpserver).state(http, Filed("x", "OPS-42")) is BlockerState.OPEN


def test_unknown_flavor_is_refused() -> None:
    with pytest.raises(ValueError):
        JiraTracker(url="https://jira", flavor="onprem", project_key="OPS", token=TOKEN)
