"""The fleet's first picture needs no HTTP library: `releasable --fleet` draws every team from
the stores before requests and urllib3 are loaded (about a tenth of a second of the start on
this machine); they come with the first poll, on a worker.

Run in a process of its own (the test process has long loaded requests), with the window as
`releasable --fleet F` opens it (app.desktop.fleet), offscreen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.cli.main import parse
from app.desktop.fleet import fleet_view, open_fleet

app = QApplication([])
args = parse(["--fleet", sys.argv[1], "--db", sys.argv[2]])
seen = {}

def rows_shown(rows):
    http = sorted({m.split(".")[0] for m in sys.modules} & {"requests", "urllib3"})
    if "first" not in seen:
        seen["first"] = {"teams": len(rows), "http": http}
    if all(row.state.value == "releasable" for row in rows):
        seen["polled"] = {"teams": len(rows), "http": http}
        app.quit()

with open_fleet(args) as (fleet, db_dir):
    service, view = fleet_view(app, fleet, db_dir, kiosk=False, tray=False)
    service.updated.connect(rows_shown)
    view.show()
    service.start()
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    service.stop()
print(json.dumps(seen))
"""


def test_the_fleet_is_drawn_before_requests_is_loaded(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/health").respond_with_json({"status": "UP"})
    lines = ['[fleet]\nname = "Platform team"\n']
    for team in ("alpha", "beta"):
        board = tmp_path / team / "board.toml"
        board.parent.mkdir()
        board.write_text(
            f'[board]\nname = "{team.title()}"\n\n[[environments]]\nname = "staging"\n'
            f'url = "{httpserver.url_for("/health")}"\n',
            encoding="utf-8",
        )
        lines.append(f'[[boards]]\npath = "{team}/board.toml"\n')
    fleet = tmp_path / "fleet.toml"
    fleet.write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(fleet), str(tmp_path / "db")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first"] == {"teams": 2, "http": []}  # drawn from the stores alone
    assert seen["polled"] == {"teams": 2, "http": ["requests", "urllib3"]}  # then read
