"""History for the platform team: the fleet's figures from every team's own history.

Pure, and built on the team figures (`app.domain.history`), never on a second definition:

- the *share of team-hours releasable*: every team's recorded releasable seconds over every
  team's recorded seconds (time a team has no record for counts for neither side);
- *time to restore per team*: each team's restored spells (median, longest, how many) and the
  spell still going, worst first — the teams that take longest to get back are the platform
  team's first conversation;
- *P1s by category across teams*: every team's P1 blockers filed in the window, per category
  (app.domain.blocker_history), with how many are closed and how long closing took.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.blocker_history import CategoryFigures, blocker_figures
from app.domain.history import HistoryFigures, Window
from app.domain.model import Blocker, Priority, VerdictState


@dataclass(frozen=True)
class TeamRestore:
    """One team's time to restore releasability in the window."""

    name: str
    restores: int
    median_s: float | None
    longest_s: float | None
    open_s: float | None  # the spell still going at the window's end, if any
    releasable_share: float | None


@dataclass(frozen=True)
class FleetHistory:
    window: Window
    start: datetime
    end: datetime
    teams: int
    releasable_s: float
    recorded_s: float
    restores: tuple[TeamRestore, ...]
    categories: tuple[CategoryFigures, ...]

    @property
    def releasable_share(self) -> float | None:
        """Share (0..1) of the recorded team-hours that were releasable; None: no record."""
        return None if self.recorded_s <= 0 else self.releasable_s / self.recorded_s

    @property
    def p1s_filed(self) -> int:
        return sum(c.filed for c in self.categories)


def fleet_history(
    window: Window,
    teams: Sequence[tuple[str, HistoryFigures]],
    blockers: Iterable[Blocker],
) -> FleetHistory:
    """The fleet's figures from each team's (name, figures) over the same window, and every
    team's blockers (only P1s count)."""
    if teams:
        start, end = teams[0][1].start, teams[0][1].end
    else:
        start = end = datetime.min
    releasable = sum(f.seconds[VerdictState.RELEASABLE] for _, f in teams)
    recorded = sum(f.recorded_s for _, f in teams)
    restores = [
        TeamRestore(
            name=name,
            restores=len(f.restores),
            median_s=f.median_restore_s,
            longest_s=f.longest_restore_s,
            open_s=f.open_spell.seconds if f.open_spell is not None else None,
            releasable_share=f.share(VerdictState.RELEASABLE),
        )
        for name, f in teams
    ]

    def worst(r: TeamRestore) -> tuple[float, float, str]:
        # the longest open spell first, then the slowest median restore
        return (-(r.open_s or 0.0), -(r.median_s or 0.0), r.name.casefold())

    p1s = [b for b in blockers if b.priority is Priority.P1]
    categories = tuple(c for c in blocker_figures(p1s, start, end) if c.filed)
    return FleetHistory(
        window=window,
        start=start,
        end=end,
        teams=len(teams),
        releasable_s=releasable,
        recorded_s=recorded,
        restores=tuple(sorted(restores, key=worst)),
        categories=categories,
    )


__all__ = ["FleetHistory", "TeamRestore", "fleet_history"]
