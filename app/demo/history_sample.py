"""A made-up but plausible month of a team's verdict history, for the demo and the docs.

The demo replays a compressed day, so on its own its store would hold minutes of history, not
weeks. `seed_history` writes 30 days of this deterministic sample into the demo's store through
the store's own code (verdicts with `Store.record_verdict`, blockers with the tracker sync that
opens and closes them), so the demo's History page looks like README's screenshot, which
`render_history_png` draws from the same sample.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.domain.history import Change, HistoryFigures, Window, compute_figures
from app.domain.model import Blocker, BlockerState, Priority, VerdictState
from app.domain.triage import Category
from app.store.store import BOARD_KEY, Store
from app.store.tracker_blockers import sync_tracker_blockers

SAMPLE_NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
_TITLES = {
    Category.PRODUCTION_OUTAGE: "Checkout errors in production",
    Category.ENVIRONMENT_INSTABILITY: "Staging database keeps restarting",
    Category.SECURITY_FALSE_POSITIVE: "Scanner flags a test key as a leaked secret",
    Category.CI_INSTABILITY: "CI runners out of disk",
    Category.WORKSTATION_BROKEN: "Laptop cannot reach the VPN",
    Category.OTHER: "Release notes service down",
}
# How often each category comes up, roughly (flaky staging is the usual suspect).
_WEIGHTS = {
    Category.PRODUCTION_OUTAGE: 1,
    Category.ENVIRONMENT_INSTABILITY: 5,
    Category.SECURITY_FALSE_POSITIVE: 3,
    Category.CI_INSTABILITY: 3,
    Category.WORKSTATION_BROKEN: 2,
    Category.OTHER: 1,
}


def sample_history(
    now: datetime = SAMPLE_NOW,
    days: int = 45,
    seed: int = 7,
    last: VerdictState = VerdictState.NOT_RELEASABLE,
) -> tuple[list[Change], list[Blocker]]:
    """Verdict changes and blockers over the `days` before `now` (same seed, same history),
    `last` from 40 minutes before `now` (the team demo's board is blocked as it opens)."""
    rng = random.Random(seed)
    at = now - timedelta(days=days)
    changes: list[Change] = [(VerdictState.RELEASABLE, at)]
    while True:
        at += timedelta(hours=rng.expovariate(1 / 16))  # releasable for ~16 h on average
        if at >= now - timedelta(minutes=40):
            break
        spell = VerdictState.UNKNOWN if rng.random() < 0.2 else VerdictState.NOT_RELEASABLE
        changes.append((spell, at))
        at += timedelta(hours=rng.expovariate(1 / 1.6))
        if at >= now:
            break
        changes.append((VerdictState.RELEASABLE, at))
    changes.append((last, now - timedelta(minutes=40)))
    categories = list(_WEIGHTS)
    weights = [_WEIGHTS[c] for c in categories]
    blockers = []
    for n in range(int(days * 1.4)):
        category = rng.choices(categories, weights)[0]
        opened = now - timedelta(hours=rng.uniform(0, days * 24))
        closed = opened + timedelta(hours=rng.expovariate(1 / 7))
        still_open = closed > now or n % 17 == 0
        blockers.append(
            Blocker(
                key=f"sample-{n}",
                title=_TITLES[category],
                category=category.value,
                priority=Priority.P1 if category is not Category.OTHER else Priority.P2,
                opened_at=opened,
                reporter="Dana",
                state=BlockerState.OPEN if still_open else BlockerState.CLOSED,
                closed_at=None if still_open else closed,
            )
        )
    return changes, blockers


SEED_DAYS = 30


def seed_history(
    store: Store,
    now: datetime,
    days: int = SEED_DAYS,
    *,
    seed: int = 7,
    last: VerdictState = VerdictState.RELEASABLE,
) -> bool:
    """Give a store with no history yet `days` of the sample, ending before `now` (in `last`
    from 40 minutes before it: releasable, as the team demo opens, so its first failure says
    'just now' and not 'for 40 min'); another `seed`, another team's month.

    Verdict changes go in through `record_verdict`, blockers through `sync_tracker_blockers`
    replayed in time order (each opens when it was reported and closes when it was resolved;
    only resolved ones, so the live board is not blocked by made-up P1s). A store that
    already has a day of history is left as it is; returns whether it seeded.
    """
    if store.status_before(BOARD_KEY, now - timedelta(days=1)) is not None:
        return False
    changes, blockers = sample_history(now, days=days, seed=seed, last=last)
    for state, at in changes:
        if at < now:
            store.record_verdict(VerdictState(state), at, "demo history")
    resolved = [b for b in blockers if b.closed_at is not None and b.closed_at < now]
    events = sorted(
        [(b.opened_at, 1, b) for b in resolved] + [(b.closed_at or now, 0, b) for b in resolved],
        key=lambda event: (event[0], event[1]),
    )
    listed: dict[str, Blocker] = {}
    for at, opens, blocker in events:
        if opens:
            listed[blocker.key] = replace(blocker, state=BlockerState.OPEN, closed_at=None)
        else:
            listed.pop(blocker.key, None)
        sync_tracker_blockers(store, [(b, b.key) for b in listed.values()], at)
    return True


def sample_figures(
    window: Window = Window.MONTH, now: datetime = SAMPLE_NOW, board_name: str = "Payments team"
) -> HistoryFigures:
    changes, blockers = sample_history(now)
    start = now - window.duration
    return compute_figures(
        changes,
        None,
        start,
        now,
        blockers,
        window=window,
        history_start=changes[0][1],
        board_name=board_name,
    )


def seeded_figures(
    window: Window = Window.MONTH, now: datetime = SAMPLE_NOW, board_name: str = "Payments team"
) -> HistoryFigures:
    """The History page's figures as the demo shows them: `seed_history` into a scratch
    store, then read back the way the app reads them (`load_figures`)."""
    import tempfile

    from app.domain.history import load_figures
    from app.store.outbox import Outbox

    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "h.db") as store:
        seed_history(store, now)
        blockers = Outbox(store).blockers(open_only=False)
        return load_figures(window, now, store, blockers, board_name=board_name)


def render_history_png(
    path: str | Path, size: tuple[int, int] = (1600, 1000), window: Window = Window.MONTH
) -> Path:
    """Draw the History page of the seeded demo history at `size` pixels, as a PNG."""
    from PySide6.QtWidgets import QApplication

    from app.ui.history.view import HistoryView
    from app.ui.window.screenshot import render_widget_png

    if QApplication.instance() is None:
        raise RuntimeError("render_history_png needs a QApplication (offscreen is fine)")
    figures = seeded_figures(window)
    view = HistoryView(lambda _w: figures, board_name=figures.board_name, window=window)
    view.show_figures(figures)
    try:
        return render_widget_png(view, path, size)
    finally:
        view.close()
        view.deleteLater()
