"""`releasable status --fleet FILE [--json]`: every team's verdict, and the worst as exit code.

Exit 1 if any team is NOT RELEASABLE, else 2 if any is UNKNOWN (a board file that cannot be
read counts as UNKNOWN), else 0 — the same codes as `status` for one board, so a script
that checks one board checks a fleet; a fleet file that cannot be used exits 3. Teams print
in the platform view's order: blocked the longest first, then unknown, then releasable.
No Qt is loaded.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.cli.common import EXIT_USAGE
from app.domain.fleet import EXIT_CODES, TeamRow, counts, fleet_order, worst_state
from app.domain.model import VerdictState


def run_fleet_status(fleet_file: str, db: str | None, as_json: bool) -> int:
    from app.config.errors import BoardFileError
    from app.config.fleet import load_fleet
    from app.services.fleet_boards import default_fleet_dir, poll_fleet_once

    path = Path(fleet_file)
    try:
        fleet = load_fleet(path)
    except BoardFileError as err:
        print(f"releasable: {err}", file=sys.stderr)
        return EXIT_USAGE
    db_dir = Path(db) if db else default_fleet_dir(path)
    rows = fleet_order(poll_fleet_once(fleet, db_dir))
    now = datetime.now(UTC)
    sys.stdout.write(fleet_json(fleet.name, rows) if as_json else fleet_text(fleet.name, rows, now))
    return EXIT_CODES[worst_state(rows)]


def fleet_text(name: str, rows: list[TeamRow], now: datetime) -> str:
    from app.domain.words import lasted_words

    found = counts(rows)
    lines = [
        f"{name}: {worst_state(rows).headline} — {found[VerdictState.NOT_RELEASABLE]} not "
        f"releasable, {found[VerdictState.UNKNOWN]} unknown, "
        f"{found[VerdictState.RELEASABLE]} releasable"
    ]
    for row in rows:
        since = ""
        if row.since is not None:
            since = f" {lasted_words(row.since, now)}"
        lines.append(f"{row.name}: {row.state.headline}{since}")
        if row.state is not VerdictState.RELEASABLE:
            lines.extend(f"  - {reason}" for reason in row.reasons)
        for p1 in row.p1s:
            who = f" ({p1.who})" if p1.who else ""
            where = f"  {p1.url}" if p1.url else ""
            lines.append(f"  P1 {p1.title}{who}{where}")
    return "\n".join(lines) + "\n"


def fleet_json(name: str, rows: list[TeamRow]) -> str:
    doc = {
        "fleet": name,
        "verdict": worst_state(rows).value,
        "teams": [
            {
                "team": row.name,
                "board": row.key,
                "verdict": row.state.value,
                "since": row.since.isoformat() if row.since else None,
                "reasons": list(row.reasons),
                "open_p1": [
                    {"title": p.title, "who": p.who, "url": p.url, "category": p.category}
                    for p in row.p1s
                ],
            }
            for row in rows
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
