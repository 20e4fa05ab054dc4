"""`--demo-fleet`: the platform view on 30 bundled teams, over loopback, with no account.

One loopback server plays a company's shared infrastructure for 30 teams, in the shapes real
vendors answer with: every team's board file (raw text, as a git host serves it, with ETags so
a re-read costs a 304), one CI's cctray feed listing every team's stages (so the fleet's
shared fetching reads it once for all of them), and each team's health endpoints (Spring Boot
actuator JSON). A fleet file lists the boards by URL; the app loads it like any fleet.

Most teams are green. A few are blocked: a failed security scan, a staging environment down,
a P1 "laptop broken" reported by someone; a few are unknown: a board file that is gone (404),
a health check answered by a single sign-on page. `seed_demo_fleet` gives every team a month of
history (app/demo/history_sample.py, a different month each: the fleet's History page has
weeks to show), the blocked ones their current spell (minutes to hours) and their local P1s,
in the teams' stores, so the view opens as a platform team would see it on a real morning.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

from app.demo.servers import LoopbackServer
from app.demo.wire import Clock, Reply, Request, Timebase, json_reply, text_reply

TEAM_NAMES = (
    "Payments", "Checkout", "Search", "Accounts", "Catalogue", "Pricing", "Inventory",
    "Shipping", "Returns", "Loyalty", "Reviews", "Recommendations", "Notifications",
    "Identity", "Billing", "Invoicing", "Fraud", "Mobile app", "Web shop", "Partner API",
    "Data platform", "Reporting", "Marketing site", "Support tools", "Warehouse",
    "Delivery tracking", "Gift cards", "Subscriptions", "Tax", "Onboarding",
)  # fmt: skip
STAGES = ("build", "test", "security-scan", "deploy-staging", "deploy-prod")
ENVIRONMENTS = ("staging", "production")


@dataclass(frozen=True)
class TeamPlan:
    """What one demo team looks like: which stage fails, which environment is down, …"""

    name: str
    slug: str
    failed_stage: str | None = None
    down_environment: str | None = None
    login_page: str | None = None  # environment answered by an SSO page: UNKNOWN
    board_gone: bool = False  # the board file answers 404: UNKNOWN
    p1: tuple[str, str, str] | None = None  # (title, category, reporter)
    blocked_minutes: int = 0  # how long its current state has lasted


def _slug(name: str) -> str:
    return name.casefold().replace(" ", "-")


def plans() -> list[TeamPlan]:
    """The 30 teams: 5 not releasable, 3 unknown, 22 releasable."""
    special: dict[str, TeamPlan] = {
        "Checkout": TeamPlan(
            "Checkout", "checkout", failed_stage="security-scan", blocked_minutes=185
        ),
        "Identity": TeamPlan(
            "Identity", "identity", down_environment="staging", blocked_minutes=42
        ),
        "Mobile app": TeamPlan(
            "Mobile app",
            "mobile-app",
            p1=("Laptop broken: cannot sign release builds", "workstation-broken", "Dana"),
            blocked_minutes=95,
        ),
        "Billing": TeamPlan("Billing", "billing", failed_stage="test", blocked_minutes=7),
        "Partner API": TeamPlan(
            "Partner API",
            "partner-api",
            failed_stage="deploy-staging",
            p1=("Staging cluster out of disk", "environment-instability", "Sam"),
            blocked_minutes=26 * 60,
        ),
        "Reporting": TeamPlan("Reporting", "reporting", board_gone=True),
        "Fraud": TeamPlan("Fraud", "fraud", login_page="staging", blocked_minutes=12),
        "Tax": TeamPlan("Tax", "tax", login_page="production", blocked_minutes=64),
    }
    return [special.get(name) or TeamPlan(name, _slug(name)) for name in TEAM_NAMES]


def _feed(teams: list[TeamPlan], origin: datetime) -> bytes:
    """Every team's stages; a failed run finished when its team became blocked (a failure
    "3 h 5 min ago" for a team NOT RELEASABLE for 3 h 5 min), a green one 20 minutes ago."""
    projects = []
    for team in teams:
        failed = STAGES.index(team.failed_stage) if team.failed_stage else len(STAGES)
        ago = timedelta(minutes=team.blocked_minutes if team.failed_stage else 20)
        when = (origin - ago).strftime("%Y-%m-%dT%H:%M:%SZ")
        for i, stage in enumerate(STAGES):
            status = "Failure" if i == failed else ("Success" if i < failed else "Unknown")
            if i > failed:
                continue  # later stages did not run
            projects.append(
                f'<Project name="{team.slug} :: {stage}" activity="Sleeping" '
                f'lastBuildStatus="{status}" lastBuildLabel="{400 + i}" '
                f'lastBuildTime="{when}" webUrl="https://ci.example.com/{team.slug}/{stage}"/>'
            )
    return ("<Projects>" + "".join(projects) + "</Projects>").encode()


def board_text(team: TeamPlan, base: str) -> str:
    lines = [
        "[board]",
        f'name = "{team.name}"',
        "refresh_seconds = 30",
        "",
        "[[pipelines]]",
        'name = "delivery"',
        'source = "cctray"',
        f'url = "{base}/cc.xml"',
        f'project_prefix = "{team.slug} :: "',
    ]
    for env in ENVIRONMENTS:
        lines += [
            "",
            "[[environments]]",
            f'name = "{env}"',
            f'url = "{base}/health/{team.slug}/{env}"',
        ]
    return "\n".join(lines) + "\n"


class FleetDemoService:
    """Board files, the shared cctray feed and every team's health, on one loopback host."""

    name = "fleet"

    def __init__(self, timebase: Timebase, base_url: str, teams: list[TeamPlan]) -> None:
        self.timebase = timebase
        self.base = base_url.rstrip("/")
        self.teams = {team.slug: team for team in teams}
        self.boards = {team.slug: board_text(team, self.base) for team in teams}
        self.feed = _feed(teams, timebase.origin)

    def handle(self, req: Request) -> Reply:
        parts = [p for p in req.path.split("/") if p]
        if req.path == "/cc.xml":
            return Reply(200, self.feed, "application/xml; charset=utf-8")
        if len(parts) == 3 and parts[0] == "boards" and parts[2] == "board.toml":
            team = self.teams.get(parts[1])
            if team is None or team.board_gone:
                return text_reply("404: Not Found", 404)
            return text_reply(self.boards[team.slug])
        if len(parts) == 3 and parts[0] == "health":
            team = self.teams.get(parts[1])
            if team is None:
                return text_reply("404 page not found\n", 404)
            env = parts[2]
            if team.login_page == env:
                page = "<!doctype html><html><title>Sign in</title><body>Sign in</body></html>"
                return Reply(200, page.encode(), "text/html; charset=utf-8")
            if team.down_environment == env:
                return json_reply({"status": "DOWN"}, 503)
            return json_reply({"status": "UP"})
        return text_reply("404 page not found\n", 404)


class FleetDemo:
    """A running demo fleet: its fleet file, its server, and how to stop it."""

    def __init__(self, fleet_path: Path, server: LoopbackServer, owned_dir: Path | None) -> None:
        self.fleet_path = fleet_path
        self.server = server
        self._owned_dir = owned_dir
        self._lock = threading.Lock()
        self._stopped = False

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            self.server.stop()
        finally:
            if self._owned_dir is not None:
                shutil.rmtree(self._owned_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def fleet_text(base: str, teams: list[TeamPlan]) -> str:
    lines = ["[fleet]", 'name = "Platform team (demo)"', "refresh_seconds = 60"]
    for team in teams:
        lines += ["", "[[boards]]", f'url = "{base}/boards/{team.slug}/board.toml"']
        lines.append(f'name = "{team.name}"')
    return "\n".join(lines) + "\n"


def start_demo_fleet(clock: Clock | None = None, *, directory: Path | None = None) -> FleetDemo:
    """Start the loopback server and write the fleet file (in `directory` or a temp dir)."""
    timebase = Timebase(clock)
    teams = plans()
    server = LoopbackServer("fleet", timebase, max_connections=64)
    owned: Path | None = None
    try:
        server.serve(FleetDemoService(timebase, server.base_url, teams))
        target = directory
        if target is None:
            owned = target = Path(tempfile.mkdtemp(prefix="releasable-demo-fleet-"))
        path = target / "fleet.toml"
        path.write_text(fleet_text(server.base_url, teams), encoding="utf-8")
    except BaseException:
        server.stop()
        if owned is not None:
            shutil.rmtree(owned, ignore_errors=True)
        raise
    return FleetDemo(path, server, owned)


def seed_demo_fleet(fleet_path: Path, db_dir: Path, now: datetime | None = None) -> None:
    """Give the demo's teams their past: a month of verdicts and P1s each, since when their
    state today began, and the blocked ones their open P1s."""
    from app.config.fleet import load_fleet
    from app.demo.history_sample import seed_history
    from app.domain.model import (
        EnvironmentReading,
        Health,
        ItemKind,
        Priority,
        VerdictState,
        item_key,
    )
    from app.domain.report import Report
    from app.services.fleet_boards import team_db_path
    from app.store.outbox import Outbox
    from app.store.store import Store

    now = now or datetime.now(UTC)
    by_name = {team.name: team for team in plans()}
    for number, entry in enumerate(load_fleet(fleet_path).boards):
        team = by_name.get(entry.name or "")
        if team is None or team.board_gone:
            continue
        store = Store.open(team_db_path(db_dir, entry))
        try:
            # green teams have been green for a while too (hours, different for each)
            minutes = team.blocked_minutes or 60 * (3 + (number * 7) % 40)
            since = now - timedelta(minutes=minutes)
            if team.login_page:
                state = VerdictState.UNKNOWN
            elif team.blocked_minutes:
                state = VerdictState.NOT_RELEASABLE
            else:
                state = VerdictState.RELEASABLE
            # The weeks before, as the team's own app would have recorded them (another
            # month for each team), ending in another state than today's: without them a
            # team blocked for minutes is "0 % releasable" over the fleet's 7 days.
            before = VerdictState.RELEASABLE
            if state is VerdictState.RELEASABLE:
                before = VerdictState.NOT_RELEASABLE
            seed_history(store, since, seed=number, last=before)
            store.record_verdict(state, since)
            if team.down_environment:  # down since the team became blocked, not since now
                down = EnvironmentReading(Health.DOWN, http_status=503, detail="status DOWN")
                name = team.down_environment
                key = item_key(ItemKind.ENVIRONMENT, name)
                store.record_reading(key, ItemKind.ENVIRONMENT, name, down, since)
            if team.p1 is not None:
                title, category, reporter = team.p1
                report = Report(
                    key=f"demo-fleet-{team.slug}",
                    title=title,
                    category=category,
                    priority=Priority.P1,
                    body=title,
                    reporter=reporter,
                    board=team.name,
                    created_at=since,
                )
                Outbox(store).queue_report(report, tracker_kind="none", now=since)
        finally:
            store.close()
    # One read of every board now: the teams' items are in their stores and their verdicts
    # continue the past seeded above, so the view opens as it would on a real morning.
    from app.services.fleet_boards import poll_fleet_once

    poll_fleet_once(load_fleet(fleet_path), db_dir)


__all__ = [
    "FleetDemo",
    "FleetDemoService",
    "TeamPlan",
    "plans",
    "seed_demo_fleet",
    "start_demo_fleet",
]
