"""The verdict as a feed: cctray (read back by the app's own cctray parser and checked against
the attributes the cctray.org standard requires), the versioned JSON document, the shields.io
endpoint badge, and the atomic write behind `--output`."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from defusedxml import ElementTree

from app.cli.publish import PublishError, write_atomically
from app.domain.model import (
    Blocker,
    BoardSnapshot,
    BoardState,
    EnvironmentReading,
    Health,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Priority,
    Verdict,
    item_key,
)
from app.domain.publish import (
    STATUS_SCHEMA,
    render_badge,
    render_cctray,
    render_json,
    status_document,
)
from app.domain.verdict import decide
from app.sources.cctray_feed import Activity, BuildStatus, parse_feed

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]

# https://cctray.org/v1/ : the attributes every <Project> must carry, and their values.
MANDATORY = ("name", "activity", "lastBuildStatus", "lastBuildLabel", "lastBuildTime", "webUrl")
ACTIVITIES = {"Sleeping", "Building", "CheckingModifications"}
STATUSES = {"Success", "Failure", "Exception", "Unknown"}


def pipeline(name: str, outcome: Outcome, *, running: bool = False, read: bool = True) -> Observed:
    return Observed(
        item_key(ItemKind.PIPELINE, name),
        ItemKind.PIPELINE,
        name,
        PipelineReading(
            (),
            outcome,
            completed_at=NOW - timedelta(minutes=30),
            running=running,
            url=f"https://ci.example.com/{name}/7",
            label="#7",
        ),
        read_at=NOW - timedelta(seconds=10) if read else None,
        status_since=NOW - timedelta(minutes=30),
    )


def environment(name: str, health: Health) -> Observed:
    return Observed(
        item_key(ItemKind.ENVIRONMENT, name),
        ItemKind.ENVIRONMENT,
        name,
        EnvironmentReading(health, url=f"https://{name}.example.com/health"),
        read_at=NOW - timedelta(seconds=10),
        status_since=NOW - timedelta(minutes=3),
    )


def snapshot(board: BoardState, since: datetime | None = None) -> BoardSnapshot:
    verdict = decide(board, NOW)
    return BoardSnapshot(board, Verdict(verdict.state, verdict.reasons, since), NOW)


def validate_cctray(text: str) -> list[dict[str, str]]:
    """Check a feed against the standard's attributes; return each project's attributes."""
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == "Projects"
    projects = []
    for project in root:
        assert project.tag == "Project"
        attrs = dict(project.attrib)
        missing = [a for a in MANDATORY if a not in attrs]
        assert missing == [], f"{attrs.get('name')} lacks {missing}"
        assert attrs["activity"] in ACTIVITIES
        assert attrs["lastBuildStatus"] in STATUSES
        when = datetime.fromisoformat(attrs["lastBuildTime"])
        assert when.tzinfo is not None, "lastBuildTime carries its offset"
        projects.append(attrs)
    return projects


def test_cctray_has_the_board_then_each_item_and_reads_back_with_the_cctray_parser() -> None:
    board = BoardState(
        "Payments",
        (pipeline("api", Outcome.FAILED), pipeline("web", Outcome.PASSED, running=True)),
        (environment("staging", Health.UP), environment("prod", Health.UNKNOWN)),
    )
    since = NOW - timedelta(minutes=30)
    text = render_cctray(snapshot(board, since), web_url="https://wall.example.com/payments")

    attrs = validate_cctray(text)
    assert [a["name"] for a in attrs] == [
        "Payments",
        "Payments :: api",
        "Payments :: web",
        "Payments :: staging",
        "Payments :: prod",
    ]
    projects = parse_feed(text.encode("utf-8"))
    by_name = {p.name: p for p in projects}
    head = by_name["Payments"]
    assert head.last_build_status is BuildStatus.FAILURE
    assert head.last_build_time == since
    assert head.last_build_label == "NOT RELEASABLE"
    assert head.web_url == "https://wall.example.com/payments"
    assert by_name["Payments :: api"].last_build_status is BuildStatus.FAILURE
    assert by_name["Payments :: api"].web_url == "https://ci.example.com/api/7"
    assert by_name["Payments :: web"].last_build_status is BuildStatus.SUCCESS
    assert by_name["Payments :: web"].activity is Activity.BUILDING
    assert by_name["Payments :: staging"].last_build_status is BuildStatus.SUCCESS
    assert by_name["Payments :: prod"].last_build_status is BuildStatus.UNKNOWN
    assert all(p.raw_status and p.raw_activity for p in projects), "nothing outside the standard"


@pytest.mark.parametrize(
    ("board", "status"),
    [
        (BoardState("B", (pipeline("api", Outcome.PASSED),)), "Success"),
        (BoardState("B", (pipeline("api", Outcome.FAILED),)), "Failure"),
        (BoardState("B", (pipeline("api", Outcome.PASSED, read=False),)), "Unknown"),
    ],
    ids=["releasable", "not-releasable", "unknown"],
)
def test_the_board_project_says_success_failure_or_unknown(board: BoardState, status: str) -> None:
    head = validate_cctray(render_cctray(snapshot(board)))[0]
    assert head["lastBuildStatus"] == status
    assert head["activity"] == "Sleeping"


def test_a_stale_item_is_unknown_in_the_feed_never_its_old_green() -> None:
    stale = Observed(
        "pipeline:api",
        ItemKind.PIPELINE,
        "api",
        PipelineReading((), Outcome.PASSED, running=True),
        read_at=NOW - timedelta(hours=2),
    )
    attrs = validate_cctray(render_cctray(snapshot(BoardState("B", (stale,)))))
    assert [a["lastBuildStatus"] for a in attrs] == ["Unknown", "Unknown"]
    assert attrs[1]["activity"] == "Sleeping"


def test_hostile_names_stay_well_formed_and_read_back_as_written() -> None:
    name = 'R&D <"core"> \x01team'
    attrs = validate_cctray(
        render_cctray(snapshot(BoardState(name, (pipeline("a&b", Outcome.PASSED),))))
    )
    assert attrs[0]["name"] == 'R&D <"core"> team'
    assert attrs[1]["name"] == 'R&D <"core"> team :: a&b'


def test_json_document_is_versioned_and_carries_verdict_items_and_blockers() -> None:
    blocker = Blocker("k1", "laptop broken", "workstation-broken", Priority.P1, NOW, "Dana")
    board = BoardState("B", (pipeline("api", Outcome.PASSED),), (), (blocker,))
    doc = json.loads(render_json(snapshot(board)))
    assert doc["schema"] == STATUS_SCHEMA == 1
    assert doc["verdict"] == "not-releasable"
    assert doc["since"] == "2026-12-04T12:00:00+00:00"
    assert doc["items"][0]["status"] == "passed"
    assert doc["blockers"][0]["reporter"] == "Dana"
    assert doc["reasons"][0]["item"] == "blocker:k1"


def test_every_field_of_the_json_document_is_documented() -> None:
    """docs/status-json.md names each field in backticks; a new field needs its line there."""
    blocker = Blocker("k1", "t", "other", Priority.P1, NOW)
    board = BoardState("B", (pipeline("api", Outcome.FAILED),), (), (blocker,))
    doc = status_document(snapshot(board))
    documented = set(re.findall(r"`([a-z_]+)`", (ROOT / "docs" / "status-json.md").read_text()))
    fields = set(doc) | set(doc["items"][0]) | set(doc["reasons"][0]) | set(doc["blockers"][0])
    assert fields - documented == set()


@pytest.mark.parametrize(
    ("board", "message", "color"),
    [
        (BoardState("Payments", (pipeline("api", Outcome.PASSED),)), "releasable", "brightgreen"),
        (BoardState("Payments", (pipeline("api", Outcome.FAILED),)), "not releasable", "red"),
        (BoardState("Payments"), "unknown", "lightgrey"),
    ],
)
def test_badge_is_a_shields_endpoint_document(board: BoardState, message: str, color: str) -> None:
    doc = json.loads(render_badge(snapshot(board)))
    assert doc == {"schemaVersion": 1, "label": "Payments", "message": message, "color": color}


def test_output_is_replaced_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "cc.xml"
    out.write_text("old", encoding="utf-8")
    old_umask = os.umask(0o022)
    try:
        write_atomically(out, "new feed")
    finally:
        os.umask(old_umask)
    assert out.read_text(encoding="utf-8") == "new feed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cc.xml"]
    assert out.stat().st_mode & 0o777 == 0o644, "readable by the web server that publishes it"


def test_a_failed_write_keeps_the_old_file_and_says_why_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "feed"
    target.mkdir()  # os.replace cannot put a file over a folder
    (target / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(PublishError, match=r"cannot write .*feed") as err:
        write_atomically(target, "new")
    assert "\n" not in str(err.value)
    assert (target / "keep").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed"]
    with pytest.raises(PublishError, match="No such file"):
        write_atomically(tmp_path / "missing" / "cc.xml", "new")


def test_the_systemd_example_runs_commands_the_cli_accepts() -> None:
    """packaging/systemd's service calls `releasable status` with options that exist."""
    from app.cli.main import parse

    unit = (ROOT / "packaging" / "systemd" / "releasable-publish.service").read_text()
    commands = [
        line.split("releasable ", 1)[1].replace("${BOARD}", "b.toml").replace("${OUT}", "/srv")
        for line in unit.splitlines()
        if line.startswith("ExecStart=")
    ]
    formats = [parse(command.split()).format for command in commands]
    assert sorted(formats) == ["badge", "cctray", "json"]
