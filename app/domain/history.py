"""History figures of the board's verdict: timeline, time shares, time to restore, blockers.

Pure: it takes the board verdict's transitions as `(status, at)` pairs (what the store keeps
under its board key), the state before them and a window `[start, end)`, and computes

- the *timeline*: consecutive `Segment`s of RELEASABLE / NOT_RELEASABLE / UNKNOWN, or `None`
  where nothing was recorded yet (before the app's first verdict);
- the *share of time* in each state, over the recorded part of the window (time with no
  record is reported apart, never counted as releasable or not);
- the *time to restore releasability*: a spell is a stretch of not being releasable
  (NOT_RELEASABLE and UNKNOWN together: "NOT, then UNKNOWN, then RELEASABLE" is one spell). A
  spell counts when it ends in RELEASABLE inside the window; its length is measured from its
  real start, which may lie before the window (callers pass earlier transitions for that, see
  `load_figures`). A spell still going at the end is reported separately (`open_spell`);
- *blockers per category* filed in the window, how many are closed and their time to close
  (app.domain.blocker_history).

The store's own records satisfy the small `HistorySource` protocol, so `load_figures` does the
query and the computing in one call without this module importing the store.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from app.domain.blocker_history import CategoryFigures, blocker_figures, category_label
from app.domain.model import Blocker, VerdictState

BOARD_KEY = "board"  # the store's item key for the board's own verdict (app.store.records)
PLANNED = "planned"  # stored for a NOT RELEASABLE that is only planned time (freeze, maintenance)


class Window(StrEnum):
    """The periods the history view offers."""

    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"

    @property
    def duration(self) -> timedelta:
        return {
            Window.DAY: timedelta(hours=24),
            Window.WEEK: timedelta(days=7),
            Window.MONTH: timedelta(days=30),
        }[self]

    @property
    def short(self) -> str:
        """Button text: '24 h', '7 d', '30 d'."""
        return {Window.DAY: "24 h", Window.WEEK: "7 d", Window.MONTH: "30 d"}[self]

    @property
    def words(self) -> str:
        """'last 24 hours', 'last 7 days', 'last 30 days'."""
        return {
            Window.DAY: "last 24 hours",
            Window.WEEK: "last 7 days",
            Window.MONTH: "last 30 days",
        }[self]


class StateChange(Protocol):
    """One recorded change of the verdict (the store's `Transition` is one)."""

    @property
    def status(self) -> str: ...

    @property
    def at(self) -> datetime: ...


class HistorySource(Protocol):
    """The two queries history needs (`app.store.Store` provides both)."""

    def transitions(
        self, since: datetime, until: datetime | None = None, item_key: str | None = None
    ) -> Sequence[StateChange]: ...

    def status_before(self, item_key: str, at: datetime) -> str | None: ...


Change = tuple[str | VerdictState, datetime]
_STATES: dict[str, VerdictState] = {s.value: s for s in VerdictState}
_STATES[PLANNED] = VerdictState.NOT_RELEASABLE
_NOT_RELEASABLE = (VerdictState.NOT_RELEASABLE, VerdictState.UNKNOWN)
# How far back `load_figures` looks for the start of a spell carried into the window, in steps
# (most spells are short: one day of rows usually finds it).
LOOKBACK_STEPS = (timedelta(days=1), timedelta(days=7), timedelta(days=30), timedelta(days=90))


def verdict_state(status: str | VerdictState | None) -> VerdictState | None:
    """The verdict a stored status word means: None is "no record", unrecognised is UNKNOWN."""
    if status is None:
        return None
    return _STATES.get(status, VerdictState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Segment:
    """The verdict was `state` over `[start, end)`; `state` None means nothing was recorded.
    `planned`: NOT RELEASABLE on purpose (a change freeze, maintenance), shown apart."""

    state: VerdictState | None
    start: datetime
    end: datetime
    planned: bool = False

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Spell:
    """A stretch of not being releasable, from `start` until `end`.

    `restored` is True when it ended in RELEASABLE at `end`; False for the spell still going at
    the end of the window. `start_known` is False when the spell began before the earliest
    history looked at: then `start` is that earliest time and the length is a lower bound.
    """

    start: datetime
    end: datetime
    restored: bool
    start_known: bool = True
    planned_s: float = 0.0  # planned time inside the spell: not counted against restoring

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds() - self.planned_s)


@dataclass(frozen=True)
class HistoryFigures:
    """Everything the history view shows for one window."""

    start: datetime
    end: datetime
    segments: tuple[Segment, ...]
    restores: tuple[Spell, ...] = ()
    open_spell: Spell | None = None
    categories: tuple[CategoryFigures, ...] = ()
    window: Window | None = None
    board_name: str = ""

    @property
    def seconds(self) -> dict[VerdictState, float]:
        """Recorded seconds per verdict state (planned time is not in NOT_RELEASABLE's)."""
        totals = dict.fromkeys(VerdictState, 0.0)
        for seg in self.segments:
            if seg.state is not None and not seg.planned:
                totals[seg.state] += seg.seconds
        return totals

    @property
    def planned_s(self) -> float:
        """Seconds of planned time (change freezes, maintenance) in the window."""
        return sum(seg.seconds for seg in self.segments if seg.planned)

    @property
    def recorded_s(self) -> float:
        """Seconds of the window with a recorded verdict."""
        return sum(self.seconds.values()) + self.planned_s

    def planned_share(self) -> float | None:
        """Fraction (0..1) of the recorded time that was planned; None with no record."""
        recorded = self.recorded_s
        return None if recorded <= 0 else self.planned_s / recorded

    @property
    def no_record_s(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds() - self.recorded_s)

    def share(self, state: VerdictState) -> float | None:
        """Fraction (0..1) of the recorded time spent in `state`; None with no record at all."""
        recorded = self.recorded_s
        return None if recorded <= 0 else self.seconds.get(state, 0.0) / recorded

    @property
    def median_restore_s(self) -> float | None:
        times = [s.seconds for s in self.restores]
        return statistics.median(times) if times else None

    @property
    def longest_restore(self) -> Spell | None:
        return max(self.restores, key=lambda s: s.seconds, default=None)

    @property
    def longest_restore_s(self) -> float | None:
        longest = self.longest_restore
        return None if longest is None else longest.seconds

    @property
    def blockers_filed(self) -> int:
        return sum(c.filed for c in self.categories)


Parsed = list[tuple[VerdictState, datetime, bool]]  # state, when, planned


def _sorted_changes(changes: Iterable[Change]) -> Parsed:
    # sorted() is stable: two changes at the same instant keep their recorded order.
    pairs = [(verdict_state(s) or VerdictState.UNKNOWN, at, s == PLANNED) for s, at in changes]
    pairs.sort(key=lambda p: p[1])
    return pairs


def timeline(
    changes: Iterable[Change],
    before: str | VerdictState | None,
    start: datetime,
    end: datetime,
) -> list[Segment]:
    """The verdict over `[start, end)` as consecutive segments, same states merged.

    `changes` may include changes before `start` (they set the state carried into the window)
    and after `end` (ignored); `before` is the state before the earliest of them (None when
    nothing was recorded before).
    """
    state = verdict_state(before)
    return _timeline(_sorted_changes(changes), state, start, end, before == PLANNED)


def _timeline(
    changes: Parsed,
    state: VerdictState | None,
    start: datetime,
    end: datetime,
    planned: bool = False,
) -> list[Segment]:
    if end <= start:
        return []
    cursor = start
    segments: list[Segment] = []

    def add(seg_state: VerdictState | None, seg_planned: bool, until: datetime) -> None:
        if until <= cursor:
            return
        last = segments[-1] if segments else None
        if last is not None and last.state is seg_state and last.planned == seg_planned:
            segments[-1] = Segment(seg_state, last.start, until, seg_planned)
        else:
            segments.append(Segment(seg_state, cursor, until, seg_planned))

    for new_state, at, new_planned in changes:
        if at >= end:
            break
        if (new_state, new_planned) != (state, planned) and at > start:
            add(state, planned, at)
            cursor = at
        state, planned = new_state, new_planned
    add(state, planned, end)
    return segments


def spells(
    changes: Iterable[Change],
    before: str | VerdictState | None,
    start: datetime,
    end: datetime,
    history_start: datetime | None = None,
) -> tuple[list[Spell], Spell | None]:
    """Spells restored inside `[start, end)`, and the spell still open at `end` (if any).

    `history_start` is when the earliest change given could have begun (the start of the
    query); a spell already going then has an unknown start. Defaults to `start`.
    """
    first = history_start if history_start is not None else start
    planned = before == PLANNED
    return _spells(_sorted_changes(changes), verdict_state(before), start, end, first, planned)


def _spells(
    changes: Parsed,
    state: VerdictState | None,
    start: datetime,
    end: datetime,
    first: datetime,
    planned: bool = False,
) -> tuple[list[Spell], Spell | None]:
    """Spells of not being releasable. Planned time neither starts one nor counts in one: a
    freeze alone is no spell, and a failure that runs into a freeze is paused while it lasts."""
    began: datetime | None = None
    known = True
    paused = 0.0  # planned seconds inside the current spell
    planned_since: datetime | None = first if planned else None
    if state in _NOT_RELEASABLE and not planned:
        began, known = first, False
    restored: list[Spell] = []
    for new_state, at, new_planned in changes:
        if at >= end:
            break
        if planned_since is not None:
            if began is not None:
                paused += (at - planned_since).total_seconds()
            planned_since = None
        if new_planned:
            planned_since = at
        elif new_state is VerdictState.RELEASABLE:
            if began is not None and at >= start and at > began:
                restored.append(Spell(began, at, True, known, paused))
            began, paused = None, 0.0
        elif began is None:
            began, known, paused = at, True, 0.0
    if began is not None and planned_since is not None:
        paused += (end - planned_since).total_seconds()
    still = None if began is None else Spell(began, end, False, known, paused)
    return restored, still


def compute_figures(
    changes: Sequence[Change],
    before: str | VerdictState | None,
    start: datetime,
    end: datetime,
    blockers: Iterable[Blocker] = (),
    *,
    window: Window | None = None,
    history_start: datetime | None = None,
    board_name: str = "",
) -> HistoryFigures:
    """All figures for `[start, end)` (see the module docstring for what each one means)."""
    parsed = _sorted_changes(changes)
    state, planned = verdict_state(before), before == PLANNED
    first = history_start if history_start is not None else start
    restored, still = _spells(parsed, state, start, end, first, planned)
    return HistoryFigures(
        start=start,
        end=end,
        segments=tuple(_timeline(parsed, state, start, end, planned)),
        restores=tuple(restored),
        open_spell=still,
        categories=blocker_figures(blockers, start, end),
        window=window,
        board_name=board_name,
    )


def _carried_in(
    source: HistorySource, key: str, start: datetime, before: str | None
) -> tuple[list[Change], str | None, datetime]:
    """Changes before `start` back to the beginning of the spell going at `start`, if any.

    Returns (those changes, the state before them, when they were read from). Looks back in
    `LOOKBACK_STEPS`; a spell longer than the last step keeps an unknown start.
    """
    earlier: list[Change] = []
    until = since = start
    for step in LOOKBACK_STEPS:
        if verdict_state(before) not in _NOT_RELEASABLE:
            break
        since = start - step
        rows = [(t.status, t.at) for t in source.transitions(since, until, item_key=key)]
        earlier = rows + earlier
        before = source.status_before(key, since)
        if any(verdict_state(s) is VerdictState.RELEASABLE for s, _ in rows):
            break
        until = since
    return earlier, before, since


def load_figures(
    window: Window,
    now: datetime,
    source: HistorySource,
    blockers: Iterable[Blocker] = (),
    *,
    board_key: str = BOARD_KEY,
    board_name: str = "",
) -> HistoryFigures:
    """Query the board verdict's history from `source` and compute the window ending `now`.

    Indexed queries on the board's own rows only: the window's transitions and the state
    before it, and, when the team was not releasable at the window's start, the rows back to
    where that spell began. Blocking (it reads the database): run it off the GUI thread.
    """
    start = now - window.duration
    rows = [(t.status, t.at) for t in source.transitions(start, now, item_key=board_key)]
    before = source.status_before(board_key, start)
    earlier, before, since = _carried_in(source, board_key, start, before)
    return compute_figures(
        earlier + rows,
        before,
        start,
        now,
        blockers,
        window=window,
        history_start=since,
        board_name=board_name,
    )


__all__ = [
    "BOARD_KEY",
    "CategoryFigures",
    "Change",
    "HistoryFigures",
    "HistorySource",
    "Segment",
    "Spell",
    "Window",
    "blocker_figures",
    "category_label",
    "compute_figures",
    "load_figures",
    "spells",
    "timeline",
    "verdict_state",
]
