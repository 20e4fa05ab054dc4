"""The demo board with a change freeze added: NOT RELEASABLE with the freeze's reason, shown as
planned, in `status` and in the cctray feed; with a maintenance window over a down
environment: maintenance, not an outage. Real loopback servers, the real CLI entry point."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.demo import DemoHandle, start_demo
from app.demo.board import TOKEN_ENV
from app.sources.cctray_feed import BuildStatus, parse_feed


class StepClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(autouse=True)
def _no_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)


@pytest.fixture
def demo() -> Iterator[DemoHandle]:
    handle = start_demo(clock=StepClock(5.0))  # early in the day: every gate is green
    yield handle
    handle.stop()


def add_table(board: Path, text: str) -> None:
    board.write_text(board.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def status(board: Path, db: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["status", "--board", str(board), "--db", str(db), "--format", fmt])
    return code, capsys.readouterr().out


def test_a_freeze_turns_the_demo_board_not_releasable_with_its_reason(
    demo: DemoHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    code, out = status(demo.board_path, db, "json", capsys)
    assert (code, json.loads(out)["verdict"]) == (0, "releasable")

    now = datetime.now(UTC)
    start, end = (now - timedelta(hours=1)).isoformat(), (now + timedelta(days=2)).isoformat()
    add_table(
        demo.board_path,
        f'[[freeze]]\nstart = {start}\nend = {end}\nreason = "year-end release freeze"\n',
    )
    code, out = status(demo.board_path, db, "json", capsys)
    doc = json.loads(out)
    assert code == 1
    assert (doc["verdict"], doc["planned"]) == ("not-releasable", True)
    reason = doc["reasons"][0]
    assert reason["text"].startswith("change freeze until ")
    assert reason["text"].endswith(" (year-end release freeze)")
    assert reason["planned"] is True

    code, out = status(demo.board_path, db, "cctray", capsys)
    projects = {p.name: p for p in parse_feed(out.encode("utf-8"))}
    assert projects["Payments team"].last_build_status is BuildStatus.FAILURE
    assert projects["Payments team :: api"].last_build_status is BuildStatus.SUCCESS


def test_an_unreachable_environment_inside_its_window_is_maintenance(
    demo: DemoHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = demo.board_path.read_text(encoding="utf-8")
    staging = demo.urls["environment:staging"]
    demo.board_path.write_text(text.replace(staging, "http://127.0.0.1:9/down"), encoding="utf-8")
    now = datetime.now(UTC)
    start, end = (now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat()
    add_table(
        demo.board_path,
        f'[[maintenance]]\nenvironment = "staging"\nstart = {start}\nend = {end}\n'
        'reason = "database upgrade"\n',
    )
    code, out = status(demo.board_path, tmp_path / "demo.db", "json", capsys)
    doc = json.loads(out)
    assert (code, doc["verdict"], doc["planned"]) == (1, "not-releasable", True)
    (reason,) = doc["reasons"]
    assert reason["text"].startswith("environment 'staging' maintenance until ")
    assert reason["text"].endswith("(database upgrade)")


def test_a_failing_run_on_the_demo_shows_who_broke_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = start_demo(clock=StepClock(60.0))  # the api's security scan has just failed
    try:
        code, out = status(handle.board_path, tmp_path / "demo.db", "json", capsys)
    finally:
        handle.stop()
    api = next(i for i in json.loads(out)["items"] if i["key"] == "pipeline:api")
    assert code == 1 and api["status"] == "failed"
    (culprit,) = api["culprits"]
    assert culprit["author"] == "sam-okafor"
    assert culprit["message"] == "Bump jackson-databind to 2.17.1"
    base, full_sha = culprit["url"].rsplit("/commit/", 1)
    assert base.endswith("/acme/payments-api") and full_sha.startswith(culprit["sha"])
    assert len(culprit["sha"]) == 7
