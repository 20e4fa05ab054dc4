"""Drafts, outbox rows and blockers in the store (app/store/outbox.py, migration 2)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.model import BlockerState, Priority
from app.domain.report import Report
from app.store import recovery
from app.store.outbox import (
    Outbox,
    OutboxState,
    report_from_json,
    report_to_json,
)
from app.store.schema import MIGRATIONS, schema_version
from app.store.store import Store

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def make_report(key: str = "rls-abc", priority: Priority = Priority.P1, **kw: object) -> Report:
    fields: dict[str, object] = {
        "key": key,
        "title": "Laptop won't boot",
        "category": "workstation-broken",
        "priority": priority,
        "body": "Team **Payments** cannot deploy to production.\n\n<!-- releasable-key: x -->",
        "reporter": "Dana",
        "board": "Payments",
        "created_at": NOW,
        "labels": ("delivery-blocker",),
    }
    fields.update(kw)
    return Report(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "releasable.db") as s:
        yield s


def test_migration_2_creates_the_tables_with_salvageable_names(store: Store) -> None:
    assert schema_version(store.db) == len(MIGRATIONS) >= 2
    names = set(store.db.table_names())
    assert {"drafts", "outbox", "blockers"} <= names
    assert "drafts".startswith(recovery.SALVAGE_PREFIXES)
    assert "outbox".startswith(recovery.SALVAGE_PREFIXES)


def test_drafts_save_load_delete_keep_only_the_dialogs_fields(store: Store) -> None:
    outbox = Outbox(store)
    outbox.save_draft("rls-1", {"title": "VPN down", "category": "other", "junk": 1}, NOW)
    outbox.save_draft("rls-2", {"title": "Scanner"}, NOW + timedelta(minutes=1))
    outbox.save_draft("rls-1", {"title": "VPN down again", "prevents_delivery": True}, NOW)
    drafts = outbox.load_drafts()
    assert [d.key for d in drafts] == ["rls-2", "rls-1"]  # most recently edited first
    assert drafts[1].fields == {"title": "VPN down again", "prevents_delivery": True}
    outbox.delete_draft("rls-2")
    assert [d.key for d in outbox.load_drafts()] == ["rls-1"]


def test_a_saved_draft_survives_sigkill_of_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    code = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from app.store.store import Store
        from app.store.outbox import Outbox
        store = Store.open(Path({str(path)!r}))
        Outbox(store).save_draft("rls-typed", {{"title": "half a sent", "impact": "no deploys"}})
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
    assert proc.returncode == -9
    with Store.open(path) as store:
        drafts = Outbox(store).load_drafts()
    assert [(d.key, d.fields["title"]) for d in drafts] == [("rls-typed", "half a sent")]


def test_report_json_round_trip_is_lossless() -> None:
    report = make_report(statement="staging only, prod fine", prevents_delivery=False)
    assert report_from_json(report_to_json(report)) == report


def test_queue_report_moves_the_draft_into_the_outbox(store: Store) -> None:
    outbox = Outbox(store)
    outbox.save_draft("rls-abc", {"title": "Laptop won't boot"}, NOW)
    item = outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    assert item.state is OutboxState.QUEUED
    assert item.queued_at == NOW
    assert item.report == make_report()
    assert outbox.load_drafts() == []
    [blocker] = outbox.blockers()  # a P1 counts from the moment it is reported
    assert (blocker.key, blocker.url, blocker.pending) == ("rls-abc", None, True)


def test_with_no_tracker_the_blocker_is_local_at_once_and_exportable(store: Store) -> None:
    outbox = Outbox(store)
    item = outbox.queue_report(make_report(), tracker_kind="none", now=NOW)
    assert item.state is OutboxState.DRAFT
    [blocker] = outbox.blockers()
    assert (blocker.key, blocker.priority, blocker.url) == ("rls-abc", Priority.P1, None)
    text = outbox.export_markdown("rls-abc")
    assert text.startswith("# [P1] Laptop won't boot\n")
    assert "Team **Payments** cannot deploy to production." in text


def test_mark_sent_opens_the_blocker_with_its_link_and_close_hides_it(store: Store) -> None:
    outbox = Outbox(store)
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    outbox.mark_sent("rls-abc", url="https://t/1", ref="1", warnings=["labels dropped"], now=NOW)
    item = outbox.get("rls-abc")
    assert item is not None
    assert (item.state, item.url, item.ref, item.warnings) == (
        OutboxState.SENT,
        "https://t/1",
        "1",
        ("labels dropped",),
    )
    [blocker] = outbox.blockers()
    assert (blocker.url, blocker.state) == ("https://t/1", BlockerState.OPEN)
    assert outbox.blocker_ref("rls-abc") == "1"
    outbox.set_blocker_state("rls-abc", BlockerState.CLOSED, NOW + timedelta(hours=1))
    assert outbox.blockers() == ()
    [closed] = outbox.blockers(open_only=False)
    assert closed.closed_at == NOW + timedelta(hours=1)


def test_claim_is_won_by_one_sender_only(store: Store) -> None:
    outbox = Outbox(store)
    item = outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    assert outbox.claim(item, NOW, tracker_kind="github")
    assert not outbox.claim(item, NOW, tracker_kind="github")  # the same read, a second time
    claimed = outbox.get("rls-abc")
    assert claimed is not None
    assert (claimed.state, claimed.attempts) == (OutboxState.SENDING, 1)


def test_requeue_and_discard_only_touch_undelivered_reports(store: Store) -> None:
    outbox = Outbox(store)
    outbox.queue_report(make_report(), tracker_kind="github", now=NOW)
    outbox.mark_failed("rls-abc", error="token rejected (401)", now=NOW)
    edited = make_report(title="Laptop won't boot (disk)")
    assert outbox.requeue("rls-abc", edited, NOW)
    item = outbox.get("rls-abc")
    assert item is not None
    assert (item.state, item.title, item.next_attempt_at) == (
        OutboxState.QUEUED,
        edited.title,
        None,
    )
    with pytest.raises(ValueError):
        outbox.requeue("rls-abc", make_report(key="rls-other"))
    outbox.mark_sent("rls-abc", url="u", ref="1", now=NOW)
    assert not outbox.requeue("rls-abc")
    assert not outbox.discard("rls-abc")
    assert not outbox.requeue("rls-unknown")
    outbox.queue_report(make_report(key="rls-local"), tracker_kind="none", now=NOW)
    assert outbox.discard("rls-local")
    assert outbox.get("rls-local") is None


def test_pending_lists_everything_not_delivered(store: Store) -> None:
    outbox = Outbox(store)
    outbox.queue_report(make_report(key="rls-a"), tracker_kind="github", now=NOW)
    outbox.queue_report(make_report(key="rls-b"), tracker_kind="github", now=NOW)
    outbox.mark_sent("rls-a", url="u", ref="1", now=NOW)
    assert [i.key for i in outbox.pending()] == ["rls-b"]
    assert [i.key for i in outbox.items([OutboxState.SENT])] == ["rls-a"]
