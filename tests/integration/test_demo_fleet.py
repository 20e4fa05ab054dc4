"""The demo fleet: 30 teams over loopback, through the same code as a real fleet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.config.fleet import load_fleet
from app.demo.fleet import seed_demo_fleet, start_demo_fleet
from app.domain.fleet import counts, fleet_order
from app.domain.history import Window
from app.domain.model import VerdictState
from app.services.fleet_boards import poll_fleet_once, team_db_path
from app.services.fleet_service import load_fleet_history
from app.store.store import Store


def test_the_demo_fleet_has_blocked_unknown_and_green_teams_in_order(tmp_path: Path) -> None:
    with start_demo_fleet(directory=tmp_path) as demo:
        seed_demo_fleet(demo.fleet_path, tmp_path / "db")
        rows = fleet_order(poll_fleet_once(load_fleet(demo.fleet_path), tmp_path / "db"))
    found = counts(rows)
    assert len(rows) == 30
    assert found[VerdictState.NOT_RELEASABLE] == 5
    assert found[VerdictState.UNKNOWN] == 3
    assert found[VerdictState.RELEASABLE] == 22
    # blocked the longest first: Partner API has been blocked for a day
    assert rows[0].name == "Partner API"
    assert rows[0].p1s and rows[0].p1s[0].who == "Sam"
    reporting = next(r for r in rows if r.name == "Reporting")
    assert reporting.reasons[0].startswith("board file could not be fetched:")
    # what failed or went down happened when the team became blocked, not "just now"
    checkout = next(r for r in rows if r.name == "Checkout")
    assert checkout.reasons == (
        "pipeline 'delivery' failed at stage 'security-scan' 3 h 5 min ago",
    )
    identity = next(r for r in rows if r.name == "Identity")
    assert identity.reasons == ("environment 'staging' down for 42 min (status DOWN)",)
    fraud = next(r for r in rows if r.name == "Fraud")
    assert "HTML page" in fraud.reasons[0]


def test_the_demo_fleets_history_is_weeks_of_use_not_minutes(tmp_path: Path) -> None:
    """Each team's store holds a month as its own app would have recorded it, so a team
    blocked for 7 minutes was releasable most of the week (not "0 %"), and P1s of every
    kind were filed and closed across teams."""
    now = datetime.now(UTC)
    with start_demo_fleet(directory=tmp_path) as demo:
        seed_demo_fleet(demo.fleet_path, tmp_path / "db", now)
        fleet = load_fleet(demo.fleet_path)
    stores = [
        (entry.name or "", Store.open(path))
        for entry in fleet.boards
        if (path := team_db_path(tmp_path / "db", entry)).exists()
    ]
    try:
        history = load_fleet_history(Window.WEEK, now, stores)
    finally:
        for _, store in stores:
            store.close()
    assert history.teams == 29  # every team but the one whose board file is gone
    teams = {team.name: team for team in history.restores}
    billing = teams["Billing"]  # NOT RELEASABLE for 7 minutes, today
    assert billing.open_s == 7 * 60
    assert billing.releasable_share is not None and billing.releasable_share > 0.5
    assert all(team.restores > 0 for team in history.restores)
    assert history.releasable_share is not None and 0.7 < history.releasable_share < 1.0
    filed = {c.label: c.filed for c in history.categories}
    assert len(filed) >= 4 and all(n > 0 for n in filed.values())
    assert all(c.closed > 0 for c in history.categories)
