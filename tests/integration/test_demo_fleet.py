"""The demo fleet: 30 teams over loopback, through the same code as a real fleet."""

from __future__ import annotations

from pathlib import Path

from app.config.fleet import load_fleet
from app.demo.fleet import seed_demo_fleet, start_demo_fleet
from app.domain.fleet import counts, fleet_order
from app.domain.model import VerdictState
from app.services.fleet_boards import poll_fleet_once


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
