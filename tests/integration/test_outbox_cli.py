"""`releasable report` and `releasable outbox` against a real loopback GitHub-shaped tracker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from app.domain.model import ItemKind, Outcome, PipelineReading, Stage, StageStatus
from app.store.store import Store
from tests.fake_tracker import FakeGitHub, Scripted

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "t0ken-never-printed"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "releasable.db"


def board_file(tmp_path: Path, tracker: str, extra: str = "") -> Path:
    path = tmp_path / "board.toml"
    path.write_text(f'[board]\nname = "Payments"\n\n{extra}\n{tracker}', encoding="utf-8")
    return path


def github_tracker(fake: FakeGitHub, token_env: str = "RELEASABLE_TEST_TOKEN") -> str:
    return (
        f'[tracker]\nkind = "github"\napi_url = "{fake.url}"\nrepo = "{fake.repo}"\n'
        f'token_env = "{token_env}"\nlabels = ["delivery-blocker"]\n'
    )


def releasable(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, in a child process (`python -m app` is `releasable`)."""
    env = {**os.environ, "RELEASABLE_TEST_TOKEN": TOKEN}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_report_while_unreachable_prints_p1_and_queued_then_outbox_send_delivers_once(
    tmp_path: Path, db: Path
) -> None:
    fake = FakeGitHub().start()
    port = fake.port
    fake.stop()  # the tracker is down; it comes back on the same address
    board = board_file(tmp_path, github_tracker(fake))
    title = "Laptop won't boot"
    done = releasable(
        "report", "--category", "workstation-broken", "--title", title,
        "--board", str(board), "--db", str(db),
    )  # fmt: skip
    assert done.returncode == 4, done.stderr  # queued
    first, second = done.stdout.splitlines()[:2]
    assert first == f"P1  {title}"
    assert second.startswith("queued: connection refused by 127.0.0.1")

    with FakeGitHub(port=port) as back:
        sent = releasable("outbox", "send", "--board", str(board), "--db", str(db))
        assert sent.returncode == 0, sent.stderr
        assert len(back.issues) == 1
        [issue] = back.issues
        assert issue["title"] == title
        assert sent.stdout.startswith(f"sent     P1  {title}  {issue['html_url']}")
        again = releasable("outbox", "send", "--board", str(board), "--db", str(db))
        assert (again.returncode, again.stdout.strip()) == (0, "Nothing to send.")
        assert back.posts() == 1
    listed = releasable("outbox", "list", "--db", str(db), "--json")
    [doc] = json.loads(listed.stdout)
    assert (doc["state"], doc["url"]) == ("sent", issue["html_url"])
    for output in (done, sent, again, listed):
        assert TOKEN not in output.stdout + output.stderr


def test_report_files_through_the_board_files_tracker_with_the_stores_evidence(
    tmp_path: Path,
    db: Path,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RELEASABLE_TEST_TOKEN", TOKEN)
    pipeline = '[[pipelines]]\nname = "api"\nsource = "cctray"\nurl = "http://127.0.0.1:9/cc.xml"\n'
    board = board_file(tmp_path, github_tracker(fake), pipeline)
    with Store.open(db) as store:  # the board as the app last saw it
        failed = PipelineReading(
            stages=(Stage("security-scan", StageStatus.FAILED, url="https://ci.test/run/7"),),
            outcome=Outcome.FAILED,
            failed_stage="security-scan",
        )
        store.record_reading("pipeline:api", ItemKind.PIPELINE, "api", failed, datetime.now(UTC))
    code = main(
        ["report", "--category", "security-false-positive", "--title", "Scanner blocks on CVE-0000",
         "--board", str(board), "--db", str(db), "--reporter", "Dana"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    [issue] = fake.issues
    assert out.splitlines()[:2] == ["P1  Scanner blocks on CVE-0000", f"sent  {issue['html_url']}"]
    [posted] = fake.post_bodies
    assert posted["labels"] == ["delivery-blocker", "P1"]
    assert fake.post_headers[0]["Authorization"] == f"Bearer {TOKEN}"
    assert "Pipeline *api*, stage *security-scan*: failed" in posted["body"]
    assert "Dana" in posted["body"]
    assert TOKEN not in out


def test_outbox_list_json_shows_state_priority_title_and_link_or_error(
    db: Path, fake: FakeGitHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEASABLE_TEST_TOKEN", TOKEN)
    opts = ["--db", str(db), "--tracker-kind", "github", "--repo", fake.repo]
    opts += ["--tracker-url", fake.url, "--token-env", "RELEASABLE_TEST_TOKEN"]
    main(["report", "--category", "ci-instability", "--title", "CI is down", *opts])
    down = ["--db", str(db), "--tracker-kind", "github", "--repo", "a/b"]
    down += ["--tracker-url", "http://127.0.0.1:9", "--token-env", "RELEASABLE_TEST_TOKEN"]
    main(["report", "--category", "other", "--title", "Wiki slow", "--prevents-delivery", "no",
          "--statement", "deploys do not need the wiki", "--workaround", "yes", *down])  # fmt: skip
    capsys.readouterr()
    assert main(["outbox", "list", "--json", "--db", str(db)]) == 0
    docs = json.loads(capsys.readouterr().out)
    summary = [(d["state"], d["priority"], d["title"], d["url"], d["last_error"]) for d in docs]
    assert sorted(summary) == [
        ("queued", "P3", "Wiki slow", None, "connection refused by 127.0.0.1:9"),
        ("sent", "P1", "CI is down", fake.issues[0]["html_url"], None),
    ]
    assert all(d["key"].startswith("rls-") and d["category"] for d in docs)
    assert main(["outbox", "list", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "P3  " in text and "    waiting to be sent\n" in text
    assert "    last try: connection refused by 127.0.0.1:9" in text


def test_a_permanent_error_prints_the_reason_exits_1_and_stays_resendable(
    db: Path, fake: FakeGitHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEASABLE_TEST_TOKEN", TOKEN)
    fake.post_script.append(Scripted(401, {"message": "Bad credentials"}))
    opts = ["--db", str(db), "--tracker-kind", "github", "--repo", fake.repo]
    opts += ["--tracker-url", fake.url, "--token-env", "RELEASABLE_TEST_TOKEN"]
    code = main(["report", "--category", "workstation-broken", "--title", "Laptop dead", *opts])
    out = capsys.readouterr().out
    assert code == 1
    assert "failed: token rejected (401) — check RELEASABLE_TEST_TOKEN" in out
    assert TOKEN not in out
    assert fake.issues == []
    assert main(["outbox", "send", *opts]) == 0  # a failed report is not retried by itself
    assert "Nothing to send." in capsys.readouterr().out
    main(["outbox", "list", "--json", "--db", str(db)])
    [doc] = json.loads(capsys.readouterr().out)
    assert doc["state"] == "failed"
    assert main(["outbox", "send", doc["key"], *opts]) == 0  # the token is fixed: send it again
    assert "sent     P1  Laptop dead" in capsys.readouterr().out
    assert len(fake.issues_with_key(doc["key"])) == 1


def test_with_no_tracker_the_blocker_stays_local_and_exports_as_markdown(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = board_file(tmp_path, "")
    code = main(["report", "--category", "workstation-broken", "--title", "Laptop dead",
                       "--board", str(board), "--db", str(db)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("P1  Laptop dead\nsaved locally (no tracker configured)")
    main(["outbox", "list", "--json", "--db", str(db)])
    [doc] = json.loads(capsys.readouterr().out)
    assert doc["state"] == "draft"
    assert main(["outbox", "export", doc["key"], "--db", str(db)]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# [P1] Laptop dead\n")
    assert "Team **Payments** cannot deploy to production" in markdown
    with Store.open(db) as store:
        from app.store.outbox import Outbox

        [blocker] = Outbox(store).blockers()
    assert (blocker.key, blocker.url) == (doc["key"], None)


def test_a_missing_token_queues_the_report_and_names_the_variable(
    tmp_path: Path, db: Path, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    board = board_file(tmp_path, github_tracker(fake, token_env="RELEASABLE_TEST_NO_SUCH_VAR"))
    code = main(["report", "--category", "ci-instability", "--title", "CI down",
                       "--board", str(board), "--db", str(db)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 4  # queued, whatever the reason
    assert "queued: no token for the github tracker: set RELEASABLE_TEST_NO_SUCH_VAR" in out
    assert fake.posts() == 0


def test_other_must_say_whether_it_prevents_delivery(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--category", "other", "--title", "Hmm", "--db", str(db)]) == 3
    assert "--prevents-delivery yes or no" in capsys.readouterr().err
    assert not db.exists()  # nothing was queued


def test_report_json_and_send_json_carry_the_outcome_and_warnings(
    db: Path, fake: FakeGitHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEASABLE_TEST_TOKEN", TOKEN)
    fake.drop_labels = True
    opts = ["--db", str(db), "--tracker-kind", "github", "--repo", fake.repo]
    opts += ["--tracker-url", fake.url, "--token-env", "RELEASABLE_TEST_TOKEN", "--json"]
    fake.post_script.append(Scripted(502, {"message": "Bad gateway"}))
    assert main(["report", "--category", "ci-instability", "--title", "CI down", *opts]) == 4
    doc = json.loads(capsys.readouterr().out)
    assert (doc["priority"], doc["state"], doc["url"]) == ("P1", "queued", None)
    assert doc["error"].startswith("GitHub server error 502")
    assert main(["outbox", "send", *opts]) == 0  # now, whatever the backoff says
    [result] = json.loads(capsys.readouterr().out)
    assert (result["state"], result["url"]) == ("sent", fake.issues[0]["html_url"])
    assert result["warnings"] == [
        f"labels were not applied — the token needs push access to {fake.repo}"
    ]
