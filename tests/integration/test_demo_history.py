"""The demo's History has a month to show (issue 12, point 17): `releasable status --demo`
seeds 30 days through the store's own code, and the History figures read back from that
database the way the window reads them look like README's screenshot, not "no record"."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.demo.history_sample import seeded_figures
from app.domain.history import Window, load_figures
from app.domain.model import VerdictState
from app.store.outbox import Outbox
from app.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_history_holds_a_month_like_the_readme_screenshot(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "app", "status", "--demo", "--db", str(db)],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1, 2), done.stderr
    now = datetime.now(UTC)
    with Store.open(db) as store:
        blockers = Outbox(store).blockers(open_only=False)
        month = load_figures(Window.MONTH, now, store, blockers, board_name="Payments team")

    assert month.recorded_s > 29.5 * 86400  # no "No record for 29 days"
    releasable = month.seconds[VerdictState.RELEASABLE] / month.recorded_s
    assert 0.6 < releasable < 0.99
    assert len(month.restores) >= 10
    assert all(spell.seconds > 0 for spell in month.restores)  # not "Median 0 s"
    assert sum(c.closed for c in month.categories) >= 20

    readme = seeded_figures(Window.MONTH)  # what README's history.png is drawn from
    assert abs(len(readme.restores) - len(month.restores)) <= 1  # the live demo may add one
    assert [c.category for c in readme.categories] == [c.category for c in month.categories]

    again = subprocess.run(
        [sys.executable, "-m", "app", "status", "--demo", "--db", str(db)],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode in (0, 1, 2), again.stderr
    with Store.open(db) as store:  # seeded once, never twice
        rows = store.transitions(now - timedelta(days=31), now, item_key="board")
    assert len(rows) <= len(month.segments) + 2


class _Frozen:
    """The demo's scenario clock stopped at `t` seconds into its compressed day."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_the_demos_first_failure_has_just_begun_not_lasted_the_seeded_forty_minutes(
    tmp_path: Path,
) -> None:
    from app.desktop.launch import open_board
    from app.services.board_store import poll_board_once

    # 100 s into the demo's day the scanner's false positive has failed 'api': the board has
    # just stopped being releasable, as the live demo says; the seeded month ends releasable.
    db = str(tmp_path / "demo.db")
    with (
        open_board(None, True, db, demo_clock=_Frozen(100.0)) as opened,
        Store.open(opened.db_path) as store,
    ):
        snapshot = poll_board_once(opened.config, store)

    assert snapshot.verdict.state is VerdictState.NOT_RELEASABLE
    assert snapshot.verdict.since == snapshot.taken_at
