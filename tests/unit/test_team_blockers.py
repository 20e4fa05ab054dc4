"""The team's blockers from the tracker into the store: reading a report back, the mapping rules,
and the sync that adds, updates, reopens and closes `tracker` rows without ever touching (or
duplicating) the blockers this machine filed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlite_utils

from app.domain.model import BlockerState, Priority
from app.domain.report import Report
from app.domain.report_readback import ReadBack, read_report
from app.store.outbox import Outbox
from app.store.schema import MIGRATIONS, migrate
from app.store.store import Store
from app.store.tracker_blockers import LOCAL, TRACKER, blocker_origin
from app.trackers.base import RemoteBlocker, TrackerError
from app.trackers.jira_format import adf_text, to_adf, to_wiki
from app.trackers.open_issues import category_of, parse_time, priority_of
from app.trackers.team_blockers import sync_team_blockers
from tests.fixtures.trackers.reports import sample_report

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
LABELS = {"P1": "P1", "P2": "P2", "P3": "P3"}


# ----- reading a report back ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "escaped"),
    [
        ("markdown", lambda body: body, True),
        ("jira wiki", to_wiki, True),
        ("atlassian document", lambda body: adf_text(to_adf(body)), False),
    ],
)
def test_category_and_reporter_are_read_back_from_every_format(
    name: str, text: Any, escaped: bool
) -> None:
    body = sample_report(reporter="Dana *K* [x]", category="security-false-positive").body
    assert read_report(text(body), escaped=escaped) == ReadBack(
        "security-false-positive", "Dana *K* [x]"
    ), name


def test_the_reporters_own_words_cannot_pose_as_the_triage_lines() -> None:
    fake = "- Category: Other (other): x\n- Reporter: Mallory"
    body = sample_report(impact=fake, trying_to=fake, reporter="").body
    assert read_report(body) == ReadBack("workstation-broken", None)  # "unknown" is no name
    adf = adf_text(to_adf(body))
    assert read_report(adf, escaped=False).category == "workstation-broken"


def test_free_text_gives_nothing_back() -> None:
    assert read_report("Category: CI (ci-instability)") == ReadBack()
    assert read_report(None) == ReadBack()


# ----- mapping rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["delivery-blocker", "P2"], Priority.P2),
        (["delivery-blocker", "p3"], Priority.P3),  # labels compare without case
        (["delivery-blocker"], Priority.P1),  # the blocker label alone: it blocks
        (["P3", "P2"], Priority.P2),  # the highest wins
        ([], Priority.P1),
    ],
)
def test_priority_is_the_mapping_read_backwards(labels: list[str], expected: Priority) -> None:
    assert priority_of(labels, LABELS) is expected


def test_category_prefers_the_report_then_a_label_then_other() -> None:
    labels = ["delivery-blocker", "CI-Instability"]
    assert category_of(labels, ReadBack("workstation-broken")) == "workstation-broken"
    assert category_of(labels, ReadBack(None, "Dana")) == "ci-instability"
    assert category_of(["delivery-blocker"]) == "other"


def test_times_in_every_vendor_format_become_utc() -> None:
    assert parse_time("2024-05-01T12:00:00.000+0000", NOW) == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_time("2024-05-01T14:00:00+02:00", NOW) == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_time("2024-05-01T12:00:00.081Z", NOW).microsecond == 81000
    assert parse_time("yesterday", NOW) == NOW and parse_time(None, NOW) == NOW


# ----- the sync -----------------------------------------------------------------------------


class ListingTracker:
    """A tracker whose open blockers the test sets (or whose listing fails)."""

    kind = "github"

    def __init__(self) -> None:
        self.listed: list[RemoteBlocker] = []
        self.error: TrackerError | None = None
        self.calls = 0

    def open_blockers(self, http: Any) -> list[RemoteBlocker]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return list(self.listed)


def remote(number: int, **kw: Any) -> RemoteBlocker:
    fields: dict[str, Any] = {
        "ref": str(number),
        "url": f"https://github.com/acme/platform/issues/{number}",
        "title": f"issue {number}",
        "priority": Priority.P1,
        "category": "other",
        "opened_at": NOW - timedelta(minutes=number),
        "reporter": "dana-kowalski",
        "key": f"gh-acme/platform#{number}",
    }
    fields.update(kw)
    return RemoteBlocker(**fields)


def own_report(key: str = "rls-ours") -> Report:
    return Report(
        key=key,
        title="Laptop won't boot",
        category="workstation-broken",
        priority=Priority.P1,
        body=f"cannot deploy\n\n<!-- releasable-key: {key} -->",
        reporter="Sam",
        board="Payments",
        created_at=NOW - timedelta(hours=1),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "releasable.db") as s:
        yield s


@pytest.fixture
def tracker() -> ListingTracker:
    return ListingTracker()


def open_keys(store: Store) -> list[str]:
    return sorted(b.key for b in Outbox(store).blockers())


def sync(store: Store, tracker: ListingTracker, at: datetime = NOW) -> Any:
    return sync_team_blockers(store, tracker, None, at)  # type: ignore[arg-type]


def test_the_teams_open_blockers_are_added_to_the_board(
    store: Store, tracker: ListingTracker
) -> None:
    tracker.listed = [remote(431, category="workstation-broken"), remote(433, priority=Priority.P2)]
    done = sync(store, tracker)
    assert done.changes.opened == ("gh-acme/platform#431", "gh-acme/platform#433")
    (dana, other) = Outbox(store).blockers()[::-1]  # oldest first: #433 opened later
    assert dana.key == "gh-acme/platform#431" and dana.priority is Priority.P1
    assert (dana.title, dana.category, dana.reporter) == (
        "issue 431",
        "workstation-broken",
        "dana-kowalski",
    )
    assert dana.url == "https://github.com/acme/platform/issues/431"
    assert dana.opened_at == NOW - timedelta(minutes=431)
    assert other.priority is Priority.P2
    assert blocker_origin(store, dana.key) == TRACKER
    assert not sync(store, tracker).changed  # nothing new: nothing written


def test_a_blocker_no_longer_listed_is_closed(store: Store, tracker: ListingTracker) -> None:
    tracker.listed = [remote(431), remote(433)]
    sync(store, tracker)
    tracker.listed = [remote(433)]
    later = NOW + timedelta(minutes=2)
    done = sync(store, tracker, later)
    assert done.changes.closed == ("gh-acme/platform#431",)
    assert open_keys(store) == ["gh-acme/platform#433"]
    closed = [b for b in Outbox(store).blockers(open_only=False) if b.key.endswith("#431")]
    assert closed[0].state is BlockerState.CLOSED and closed[0].closed_at == later


def test_a_relabelled_blocker_is_updated_and_a_reopened_one_opened_again(
    store: Store, tracker: ListingTracker
) -> None:
    tracker.listed = [remote(431)]
    sync(store, tracker)
    tracker.listed = [remote(431, priority=Priority.P2, title="Laptop fixed? no")]
    assert sync(store, tracker).changes.updated == ("gh-acme/platform#431",)
    (blocker,) = Outbox(store).blockers()
    assert (blocker.priority, blocker.title) == (Priority.P2, "Laptop fixed? no")
    tracker.listed = []
    sync(store, tracker)
    tracker.listed = [remote(431)]
    assert sync(store, tracker).changes.opened == ("gh-acme/platform#431",)
    assert open_keys(store) == ["gh-acme/platform#431"]


def test_our_own_sent_report_is_never_shown_twice(store: Store, tracker: ListingTracker) -> None:
    outbox = Outbox(store)
    report = own_report()
    outbox.queue_report(report, tracker_kind="github", now=NOW)
    outbox.mark_sent(
        report.key, url="https://github.com/acme/platform/issues/440", ref="440", now=NOW
    )
    tracker.listed = [
        remote(440, key=report.key, title="renamed on the tracker", priority=Priority.P3),
        remote(431),
    ]
    done = sync(store, tracker)
    assert done.changes.opened == ("gh-acme/platform#431",)  # only Dana's is new
    assert open_keys(store) == ["gh-acme/platform#431", report.key]
    ours = next(b for b in outbox.blockers() if b.key == report.key)
    assert (ours.title, ours.priority) == ("Laptop won't boot", Priority.P1)  # the outbox's row
    assert blocker_origin(store, report.key) == LOCAL
    tracker.listed = [remote(431)]  # ours left the listing: refresh_blockers decides, not us
    sync(store, tracker)
    assert report.key in open_keys(store)


def test_our_report_with_its_marker_edited_out_is_matched_by_its_link(
    store: Store, tracker: ListingTracker
) -> None:
    outbox = Outbox(store)
    report = own_report()
    outbox.queue_report(report, tracker_kind="github", now=NOW)
    outbox.mark_sent(
        report.key, url="https://github.com/acme/platform/issues/440", ref="440", now=NOW
    )
    tracker.listed = [remote(440)]  # no marker: a key made from the issue number
    assert not sync(store, tracker).changed
    assert open_keys(store) == [report.key]


def test_local_only_blockers_stay_as_they_are(store: Store, tracker: ListingTracker) -> None:
    report = own_report("rls-local")
    Outbox(store).queue_report(report, tracker_kind="none", now=NOW)  # no tracker: kept here
    tracker.listed = []
    assert not sync(store, tracker).changed
    assert open_keys(store) == ["rls-local"]


def test_a_report_the_outbox_is_unsure_about_shows_once_and_becomes_ours(
    store: Store, tracker: ListingTracker
) -> None:
    outbox = Outbox(store)
    report = own_report()
    outbox.queue_report(report, tracker_kind="github", now=NOW)  # sent? the answer was lost
    assert open_keys(store) == [report.key]  # it counts from the moment it was reported
    tracker.listed = [remote(440, key=report.key)]
    assert not sync(store, tracker).changes.opened  # recognised as ours: never shown twice
    assert open_keys(store) == [report.key]
    outbox.mark_sent(
        report.key, url="https://github.com/acme/platform/issues/440", ref="440", now=NOW
    )
    assert open_keys(store) == [report.key]
    assert blocker_origin(store, report.key) == LOCAL


def test_the_same_report_listed_twice_counts_once(store: Store, tracker: ListingTracker) -> None:
    tracker.listed = [remote(440, key="rls-twice"), remote(441, key="rls-twice")]
    assert sync(store, tracker).changes.opened == ("rls-twice",)
    (blocker,) = Outbox(store).blockers()
    assert blocker.url == "https://github.com/acme/platform/issues/440"


def test_an_unreachable_tracker_changes_nothing(store: Store, tracker: ListingTracker) -> None:
    tracker.listed = [remote(431)]
    sync(store, tracker)
    tracker.error = TrackerError("connection refused by github.com")
    done = sync(store, tracker)
    assert done.error == "connection refused by github.com" and not done.changed
    assert open_keys(store) == ["gh-acme/platform#431"]  # a P1 never vanishes with the network


def test_no_tracker_or_one_that_cannot_list_changes_nothing(
    store: Store, tracker: ListingTracker
) -> None:
    tracker.listed = [remote(431)]
    sync(store, tracker)
    assert not sync_team_blockers(store, None, None, NOW).changed  # type: ignore[arg-type]
    cannot_list = SimpleNamespace(kind="plug-in")  # an adapter without open_blockers
    assert not sync_team_blockers(store, cannot_list, None, NOW).changed  # type: ignore[arg-type]
    assert open_keys(store) == ["gh-acme/platform#431"]


def test_migration_3_marks_existing_blockers_local(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    migrate(db, migrations=MIGRATIONS[:2])
    db.execute(
        "INSERT INTO blockers (key, title, category, priority, opened_at, state) "
        "VALUES ('rls-old', 'old', 'other', 'P1', '2025-01-01T00:00:00.000000Z', 'open')"
    )
    assert migrate(db) == len(MIGRATIONS)
    assert db.execute("SELECT origin FROM blockers").fetchall() == [(LOCAL,)]
    db.conn.close()
