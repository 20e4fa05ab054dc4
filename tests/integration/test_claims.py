"""Who is on it: "I'm on it" on a blocker assigns its issue to the token's user through the
claims queue (offline-safe, once), and every teammate's board reads it back with the team's
blockers. Two boards are two stores on two "machines"; the tracker is the fake GitHub on a
real loopback socket, GitLab and Jira are vendor-shaped answers from pytest-httpserver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.config.loader import load_board
from app.demo import start_demo
from app.demo.board import TOKEN_ENV
from app.domain.model import Blocker, ItemKind, Observed, Outcome, PipelineReading
from app.services.outbox_service import OutboxService
from app.services.polling import ItemSpec, board_state
from app.sources.http import HttpClient
from app.store.claims import (
    FAILED,
    QUEUED,
    SENT,
    claim_blocker,
    claim_pipeline,
    claims,
    release_claims,
    team_claims,
)
from app.store.outbox import Outbox
from app.store.store import Store
from app.trackers.claim_issues import (
    board_label,
    claim_body,
    claim_of,
    item_label,
    item_of_labels,
)
from app.trackers.claims import deliver_claims, sync_team_claims
from app.trackers.configured import tracker_from_config
from app.trackers.github import GitHubTracker
from app.trackers.gitlab import GitLabTracker
from app.trackers.jira import JiraTracker
from app.trackers.outbox import DeliveryPolicy
from app.trackers.team_blockers import sync_team_blockers
from app.trackers.webhook import WebhookTracker
from app.ui.board.describe import pipeline_words
from tests.fake_tracker import LOGIN, FakeGitHub

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
POLICY = DeliveryPolicy(base_backoff_s=1.0, max_backoff_s=2.0)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient()
    yield client
    client.close()


def open_store(path: Path) -> Store:
    return Store.open(path)


def tracker_for(fake: FakeGitHub) -> GitHubTracker:
    return GitHubTracker(
        repo=fake.repo, token="t0ken", api_url=fake.url, labels=["delivery-blocker"]
    )


def only_blocker(store: Store) -> Blocker:
    (blocker,) = Outbox(store).blockers()
    return blocker


def file_p1(fake: FakeGitHub) -> None:
    """Dana files a P1 from her colleague's laptop."""
    fake._create(
        {
            "title": "Laptop won't boot",
            "body": "cannot deploy",
            "labels": ["delivery-blocker", "P1"],
        }
    )


def assign_posts(fake: FakeGitHub) -> int:
    return sum(1 for m, p in fake.requests if m == "POST" and p.endswith("/assignees"))


def test_a_claim_made_on_one_board_appears_on_another(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    file_p1(fake)
    tracker = tracker_for(fake)
    with open_store(tmp_path / "mine.db") as mine, open_store(tmp_path / "theirs.db") as theirs:
        for store in (mine, theirs):
            sync_team_blockers(store, tracker, http, NOW)
        assert only_blocker(theirs).assignee == ""
        key = only_blocker(mine).key

        claim = claim_blocker(mine, key, NOW)
        assert claim is not None and claim.state == QUEUED
        (result,) = deliver_claims(mine, tracker, http, NOW, policy=POLICY)

        assert (result.state, result.claimed_by) == (SENT, LOGIN)
        assert fake.issues[0]["assignees"] == [{"login": LOGIN}]
        assert only_blocker(mine).assignee == LOGIN  # at once, before the next read
        done = sync_team_blockers(theirs, tracker, http, NOW + timedelta(minutes=1))
        assert done.changes.updated == (key,)
        assert only_blocker(theirs).assignee == LOGIN  # the teammate's board, at its next read


def test_a_claim_made_offline_is_delivered_once_when_the_tracker_is_back(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    file_p1(fake)
    tracker = tracker_for(fake)
    path = tmp_path / "mine.db"
    with open_store(path) as store:
        sync_team_blockers(store, tracker, http, NOW)
        key = only_blocker(store).key
        fake.stop()  # the train goes into a tunnel
        http = HttpClient()  # no kept-alive connection to the stopped server's last thread
        claim_blocker(store, key, NOW)
        (result,) = deliver_claims(store, tracker, http, NOW, policy=POLICY)
        assert result.state == QUEUED and result.error
        (waiting,) = claims(store)
        assert waiting.state == QUEUED and waiting.next_attempt_at is not None
        assert deliver_claims(store, tracker, http, NOW, policy=POLICY) == []  # not due yet
        later = waiting.next_attempt_at
    fake.start()  # same port: the network is back (and the app was restarted meanwhile)
    with open_store(path) as store:
        assert deliver_claims(store, tracker, http, later - timedelta(seconds=1)) == []
        (result,) = deliver_claims(store, tracker, http, later, policy=POLICY)
        assert result.state == SENT
        assert deliver_claims(store, tracker, http, later + timedelta(hours=1)) == []
        again = claim_blocker(store, key, later)  # "I'm on it" pressed twice
        assert again is not None and again.state == SENT
        assert deliver_claims(store, tracker, http, later + timedelta(hours=2)) == []
    assert assign_posts(fake) == 1
    assert fake.issues[0]["assignees"] == [{"login": LOGIN}]


def test_a_blocker_not_on_the_tracker_cannot_be_claimed(tmp_path: Path) -> None:
    with open_store(tmp_path / "mine.db") as store:
        assert claim_blocker(store, "no-such-blocker", NOW) is None
        assert claims(store) == []


def test_a_tracker_that_cannot_assign_fails_the_claim_in_words(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    file_p1(fake)
    with open_store(tmp_path / "mine.db") as store:
        sync_team_blockers(store, tracker_for(fake), http, NOW)
        claim_blocker(store, only_blocker(store).key, NOW)
        webhook = WebhookTracker(url=f"{fake.url}/hook")
        (result,) = deliver_claims(store, webhook, http, NOW)
        assert result.state == FAILED
        assert result.error == (
            "the webhook tracker cannot assign issues: nobody is told who is on it"
        )


def test_github_refusing_the_assignment_fails_it_once(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    from tests.fake_tracker import Scripted

    file_p1(fake)
    tracker = tracker_for(fake)
    with open_store(tmp_path / "mine.db") as store:
        sync_team_blockers(store, tracker, http, NOW)
        claim_blocker(store, only_blocker(store).key, NOW)
        fake.post_script.append(Scripted(403, {"message": "Must have push access"}))
        (result,) = deliver_claims(store, tracker, http, NOW)
        assert result.state == FAILED and "may not assign" in (result.error or "")
        assert deliver_claims(store, tracker, http, NOW + timedelta(hours=1)) == []


# -- GitLab and Jira: the documented calls -----------------------------------------------------


def test_gitlab_assigns_the_issue_to_the_tokens_user(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    api = httpserver.url_for("/api/v4")
    httpserver.expect_request(
        "/api/v4/user", headers={"PRIVATE-TOKEN": "glpat-x"}
    ).respond_with_json({"id": 4711, "username": "lchen", "name": "Lee Chen", "state": "active"})
    httpserver.expect_request(
        "/api/v4/projects/acme/platform/issues/12", method="PUT", json={"assignee_ids": [4711]}
    ).respond_with_json(
        {"iid": 12, "assignees": [{"id": 4711, "username": "lchen", "name": "Lee Chen"}]}
    )
    tracker = GitLabTracker(project="acme/platform", token="glpat-x", api_url=api)

    assert tracker.assign(http, "12") == "Lee Chen"


@pytest.mark.parametrize(
    ("flavor", "me", "body"),
    [
        (
            "cloud",
            {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Lee Chen"},
            {"accountId": "5b10ac8d82e05b22cc7d4ef5"},
        ),
        ("datacenter", {"name": "lchen", "displayName": "Lee Chen"}, {"name": "lchen"}),
    ],
)
def test_jira_assigns_the_issue_to_the_tokens_user(
    httpserver: HTTPServer, http: HttpClient, flavor: str, me: dict[str, str], body: dict[str, str]
) -> None:
    version = 3 if flavor == "cloud" else 2
    httpserver.expect_request(f"/rest/api/{version}/myself").respond_with_json(me)
    httpserver.expect_request(
        f"/rest/api/{version}/issue/PLAT-42/assignee", method="PUT", json=body
    ).respond_with_data("", status=204)
    tracker = JiraTracker(
        url=httpserver.url_for("").rstrip("/"),
        project_key="PLAT",
        token="t0ken",
        email="lee@acme.example" if flavor == "cloud" else None,
        flavor=flavor,
    )

    assert tracker.assign(http, "PLAT-42") == "Lee Chen"


def test_the_assignee_is_read_back_from_each_tracker(fake: FakeGitHub, http: HttpClient) -> None:
    file_p1(fake)
    fake.issues[0]["assignees"] = [{"login": "lee"}, {"login": "dana"}]
    (listed,) = tracker_for(fake).open_blockers(http)
    assert listed.assignee == "lee, dana"


# -- the running app: "I'm on it" from the window ----------------------------------------------


def test_im_on_it_in_the_app_is_queued_then_sent_and_the_board_shows_it(
    qtbot: QtBot, fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    file_p1(fake)
    tracker = tracker_for(fake)
    pool = QThreadPool()
    with open_store(tmp_path / "mine.db") as store:
        sync_team_blockers(store, tracker, http, NOW)
        key = only_blocker(store).key
        service = OutboxService(
            store, tracker, HttpClient(), pool=pool, watch_ms=0, interval_ms=60_000
        )
        results: list[tuple[str, str, str]] = []
        service.claim_result.connect(lambda *args: results.append(args))
        with qtbot.waitSignal(service.changed, timeout=5000):
            service.claim_blocker(key)
        qtbot.waitUntil(lambda: any(state == SENT for _k, state, _w in results), timeout=10_000)
        service.stop()
        service.wait()
        pool.waitForDone(15_000)
        assert results[0] == (f"blocker:{key}", QUEUED, "On it: telling the tracker…")
        assert results[-1] == (f"blocker:{key}", SENT, f"On it: the tracker now shows {LOGIN}.")
        assert only_blocker(store).assignee == LOGIN
    assert assign_posts(fake) == 1


# -- the demo: Dana's P1, claimed on one board, seen on another ---------------------------------


class StepClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_on_the_demo_a_claim_made_on_one_board_appears_on_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, http: HttpClient
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    demo = start_demo(clock=StepClock(240.0))  # Dana's laptop broke ten seconds ago
    try:
        tracker = tracker_from_config(load_board(demo.board_path).tracker)
        with open_store(tmp_path / "laptop.db") as mine, open_store(tmp_path / "kiosk.db") as wall:
            for store in (mine, wall):
                sync_team_blockers(store, tracker, http, NOW)
            dana = only_blocker(wall)
            assert dana.priority.value == "P1" and dana.assignee == ""
            claim_blocker(mine, dana.key, NOW)
            (result,) = deliver_claims(mine, tracker, http, NOW)
            assert result.state == SENT
            sync_team_blockers(wall, tracker, http, NOW + timedelta(seconds=2))
            assert only_blocker(wall).assignee == result.claimed_by == "releasable-demo"
    finally:
        demo.stop()


# -- a failing pipeline: claimed on one board, seen on another, ended when it passes ------------

BOARD = "Payments team"


def failing(name: str = "api", outcome: Outcome = Outcome.FAILED) -> Observed:
    reading = PipelineReading((), outcome, completed_at=NOW)
    return Observed(f"pipeline:{name}", ItemKind.PIPELINE, name, reading, read_at=NOW)


def spec(name: str = "api") -> ItemSpec:
    return ItemSpec(f"pipeline:{name}", ItemKind.PIPELINE, name)


def test_a_pipeline_claim_is_a_claim_issue_every_board_reads_and_it_ends_when_it_passes(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    tracker = tracker_for(fake)
    with open_store(tmp_path / "mine.db") as mine, open_store(tmp_path / "theirs.db") as theirs:
        claim_pipeline(mine, "pipeline:api", NOW)
        assert team_claims(mine) == {"pipeline:api": "you"}  # shown here at once
        (result,) = deliver_claims(mine, tracker, http, NOW, board=BOARD, policy=POLICY)
        assert (result.state, result.claimed_by) == (SENT, LOGIN)
        (issue,) = fake.issues
        assert [label["name"] for label in issue["labels"]] == ["releasable-claim"]
        assert issue["assignees"] == [{"login": LOGIN}]
        assert tracker.open_blockers(http) == []  # a claim is not a blocker

        assert sync_team_claims(theirs, tracker, http, BOARD, NOW) is None
        assert team_claims(theirs) == {"pipeline:api": LOGIN}
        assert sync_team_claims(theirs, tracker, http, "Another team", NOW) is None
        assert team_claims(theirs) == {}  # another board's claim is not ours
        sync_team_claims(theirs, tracker, http, BOARD, NOW)

        shown = board_state(
            BOARD, [spec()], {"pipeline:api": failing()}, claims=team_claims(theirs)
        )
        assert shown.pipelines[0].claimed_by == LOGIN
        assert "on it: releasable-bot" in pipeline_words(shown.pipelines[0], NOW)
        passing = {"pipeline:api": failing(outcome=Outcome.PASSED)}
        assert (
            board_state(BOARD, [spec()], passing, claims=team_claims(theirs))
            .pipelines[0]
            .claimed_by
            == ""
        )  # a claim shows only while its pipeline does not pass

        assert release_claims(theirs, ["pipeline:api"], NOW) == ["pipeline:api"]
        assert team_claims(theirs) == {}
        (closed,) = deliver_claims(theirs, tracker, http, NOW, board=BOARD, policy=POLICY)
        assert closed.state == SENT and issue["state"] == "closed"
        sync_team_claims(mine, tracker, http, BOARD, NOW)
        release_claims(mine, ["pipeline:api"], NOW)  # both boards saw it pass
        deliver_claims(mine, tracker, http, NOW, board=BOARD, policy=POLICY)
        assert team_claims(mine) == {}
    assert sum(1 for m, _ in fake.requests if m == "PATCH") <= 2  # closing twice is harmless
    assert len(fake.issues) == 1


def test_a_pipeline_claim_whose_answer_was_lost_joins_the_issue_instead_of_filing_another(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    tracker = tracker_for(fake)
    fake._create(  # the first attempt reached GitHub; its answer did not reach us
        {
            "title": "On it",
            "body": claim_body(BOARD, "pipeline:api"),
            "labels": ["releasable-claim"],
        }
    )
    with open_store(tmp_path / "mine.db") as mine:
        claim_pipeline(mine, "pipeline:api", NOW)
        (result,) = deliver_claims(mine, tracker, http, NOW, board=BOARD, policy=POLICY)
    assert result.state == SENT
    assert len(fake.issues) == 1 and fake.issues[0]["assignees"] == [{"login": LOGIN}]


def test_a_pipeline_claimed_offline_is_filed_when_the_tracker_is_back(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    tracker = tracker_for(fake)
    with open_store(tmp_path / "mine.db") as mine:
        fake.stop()
        http = HttpClient()
        claim_pipeline(mine, "pipeline:api", NOW)
        (waiting,) = deliver_claims(mine, tracker, http, NOW, board=BOARD, policy=POLICY)
        assert waiting.state == QUEUED and fake.issues == []
        fake.start()
        (sent,) = deliver_claims(
            mine, tracker, HttpClient(), NOW + timedelta(minutes=5), board=BOARD, policy=POLICY
        )
        assert sent.state == SENT and len(fake.issues) == 1


def test_gitlab_files_the_claim_issue_and_assigns_it(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    issues = "/api/v4/projects/acme/platform/issues"
    httpserver.expect_request(issues, method="GET").respond_with_json([])
    httpserver.expect_request(issues, method="POST").respond_with_json(
        {"iid": 31, "web_url": "https://gitlab.com/acme/platform/-/issues/31", "state": "opened"},
        status=201,
    )
    httpserver.expect_request("/api/v4/user").respond_with_json(
        {"id": 4711, "username": "lchen", "name": "Lee Chen"}
    )
    httpserver.expect_request(f"{issues}/31", method="PUT").respond_with_json({"iid": 31})
    tracker = GitLabTracker(
        project="acme/platform", token="glpat-x", api_url=httpserver.url_for("/api/v4")
    )

    claim = tracker.claim_pipeline(http, BOARD, "pipeline:api")

    assert (claim.item_key, claim.claimed_by, claim.ref) == ("pipeline:api", "Lee Chen", "31")
    created = next(r for r, _ in httpserver.log if r.method == "POST").get_json()
    assert created["labels"] == "releasable-claim"
    assert claim_of(created["description"], BOARD) == "pipeline:api"


def test_a_tracker_that_cannot_file_claims_says_so(
    fake: FakeGitHub, http: HttpClient, tmp_path: Path
) -> None:
    with open_store(tmp_path / "mine.db") as mine:
        claim_pipeline(mine, "pipeline:api", NOW)
        webhook = WebhookTracker(url=f"{fake.url}/hook")
        (result,) = deliver_claims(mine, webhook, http, NOW, board=BOARD)
    assert result.state == FAILED
    assert result.error == (
        "the webhook tracker cannot claim failing pipelines: nobody is told who is on it"
    )


def jira(server: HTTPServer) -> JiraTracker:
    return JiraTracker(
        url=server.url_for("").rstrip("/"),
        project_key="PLAT",
        token="t0ken",
        email="lee@acme.example",
        flavor="cloud",
    )


def test_jira_files_the_claim_issue_with_labels_and_assigns_it(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    httpserver.expect_request("/rest/api/3/search/jql").respond_with_json(
        {"issues": [], "isLast": True}
    )
    httpserver.expect_request("/rest/api/3/issue", method="POST").respond_with_json(
        {
            "id": "10042",
            "key": "PLAT-42",
            "self": "https://acme.atlassian.net/rest/api/3/issue/10042",
        },
        status=201,
    )
    httpserver.expect_request("/rest/api/3/myself").respond_with_json(
        {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Lee Chen"}
    )
    httpserver.expect_request("/rest/api/3/issue/PLAT-42/assignee", method="PUT").respond_with_data(
        "", status=204
    )

    claim = jira(httpserver).claim_pipeline(http, BOARD, "pipeline:mobile app")

    assert (claim.item_key, claim.claimed_by, claim.ref) == (
        "pipeline:mobile app",
        "Lee Chen",
        "PLAT-42",
    )
    created = next(r for r, _ in httpserver.log if r.method == "POST").get_json()
    labels = created["fields"]["labels"]
    assert labels[0] == "releasable-claim" and all(" " not in label for label in labels)
    assert item_of_labels(labels, BOARD) == "pipeline:mobile app"
    assert item_of_labels(labels, "Another team") is None


def test_jira_lists_claims_and_closes_one_through_a_done_transition(
    httpserver: HTTPServer, http: HttpClient
) -> None:
    labels = ["releasable-claim", board_label(BOARD), item_label("pipeline:api")]
    httpserver.expect_request("/rest/api/3/search/jql").respond_with_json(
        {
            "issues": [
                {
                    "id": "10042",
                    "key": "PLAT-42",
                    "fields": {
                        "labels": labels,
                        "assignee": {"accountId": "5b10", "displayName": "Lee Chen"},
                        "reporter": {"accountId": "5b11", "displayName": "Dana"},
                    },
                }
            ],
            "isLast": True,
        }
    )
    httpserver.expect_request(
        "/rest/api/3/issue/PLAT-42/transitions", method="GET"
    ).respond_with_json(
        {
            "transitions": [
                {
                    "id": "21",
                    "name": "In Progress",
                    "to": {"statusCategory": {"key": "indeterminate"}},
                },
                {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}},
            ]
        }
    )
    httpserver.expect_request(
        "/rest/api/3/issue/PLAT-42/transitions", method="POST", json={"transition": {"id": "31"}}
    ).respond_with_data("", status=204)
    tracker = jira(httpserver)

    (claim,) = tracker.open_claims(http, BOARD)
    assert (claim.item_key, claim.claimed_by, claim.ref) == ("pipeline:api", "Lee Chen", "PLAT-42")
    jql = httpserver.log[0][0].args["jql"]
    assert f'labels = "{board_label(BOARD)}"' in jql and "statusCategory != Done" in jql

    tracker.release_claim(http, "PLAT-42")
    assert httpserver.log[-1][0].method == "POST"
