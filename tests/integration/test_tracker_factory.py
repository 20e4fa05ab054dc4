"""make_tracker: the board's tracker kind and plain options to an adapter, or words."""

from __future__ import annotations

import pytest

from app.trackers.factory import KINDS, make_tracker
from app.trackers.github import GitHubTracker
from app.trackers.gitlab import GitLabTracker
from app.trackers.jira import JiraTracker
from app.trackers.webhook import WebhookTracker


@pytest.mark.parametrize("kind", ["none", "NONE", ""])
def test_none_means_no_tracker(kind: str) -> None:
    assert make_tracker(kind) is None


def test_github_from_board_options() -> None:
    tracker = make_tracker(
        "github",
        api_url="https://ghe.example.com/api/v3/",
        repo="acme/platform",
        token="t",
        token_env="GITHUB_TOKEN",  # the config layer's business: ignored here
        token_hint="GITHUB_TOKEN",
        labels=["delivery-blocker"],
        priority_labels={"P1": "P1", "P2": "P2", "P3": "P3"},
    )
    assert isinstance(tracker, GitHubTracker)
    assert tracker.api_url == "https://ghe.example.com/api/v3"
    assert tracker.labels == ("delivery-blocker",)
    assert tracker.kind == "github"


def test_every_kind_is_made() -> None:
    assert isinstance(make_tracker("gitlab", project="acme/platform", token="t"), GitLabTracker)
    jira = make_tracker(
        "jira",
        api_url="https://acme.atlassian.net",
        project_key="OPS",
        token="t",
        email="dana@example.com",
    )
    assert isinstance(jira, JiraTracker) and jira.url == "https://acme.atlassian.net"
    webhook = make_tracker(
        "webhook", url="https://hooks.example.com/x", token_env=None, headers={"X-Team": "a"}
    )
    assert isinstance(webhook, WebhookTracker) and webhook.headers == {"X-Team": "a"}
    assert KINDS == ("github", "gitlab", "jira", "webhook", "none")


def test_comma_separated_labels_are_split() -> None:
    tracker = make_tracker("gitlab", project=42, token="t", labels="a, b,,c")
    assert isinstance(tracker, GitLabTracker) and tracker.labels == ("a", "b", "c")


def test_unknown_kind_in_words() -> None:
    with pytest.raises(ValueError, match="unknown tracker kind 'redmine': use github, gitlab"):
        make_tracker("redmine")


def test_unknown_option_in_words() -> None:
    with pytest.raises(ValueError, match="a github tracker has no option projekt"):
        make_tracker("github", repo="acme/platform", token="t", projekt="x")


def test_missing_option_in_words() -> None:
    with pytest.raises(ValueError, match="a jira tracker needs project_key, token"):
        make_tracker("jira", url="https://jira.example.com")
