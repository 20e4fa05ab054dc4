"""Render the platform view (`--demo-fleet`) for the README: window and kiosk, offscreen.

    .venv/bin/python tools/screenshot_fleet.py [OUT_DIR]   (run by tools/screenshots.py)

The demo fleet's loopback server is started, its 30 teams' past is seeded and every team is
polled once through the same code as `releasable status --fleet`; the rows are then drawn by
the fleet window (1920×1080, 3840×2160, and the laptop sizes 1366×768 and 800×600) and the
fleet kiosk (1920×1080, 3840×2160).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.config.fleet import (  # noqa: E402
    FleetConfig,
    load_fleet,
)
from app.demo.fleet import seed_demo_fleet, start_demo_fleet  # noqa: E402
from app.domain.fleet import fleet_order  # noqa: E402
from app.domain.fleet_history import FleetHistory  # noqa: E402
from app.domain.history import Window  # noqa: E402
from app.services.fleet_boards import poll_fleet_once, team_db_path  # noqa: E402
from app.services.fleet_service import load_fleet_history  # noqa: E402
from app.store.store import Store  # noqa: E402
from app.ui.fleet.kiosk import FleetKiosk  # noqa: E402
from app.ui.fleet.window import FleetWindow  # noqa: E402

WINDOW_SIZES = {
    "fleet-window.png": (1920, 1080),
    "fleet-window-4k.png": (3840, 2160),
    "fleet-window-laptop.png": (1366, 768),
    "fleet-window-small.png": (800, 600),
}
KIOSK_SIZES = {"fleet-kiosk.png": (1920, 1080), "fleet-kiosk-4k.png": (3840, 2160)}


def fleet_history_of(fleet: FleetConfig, db: Path) -> FleetHistory:
    """The demo fleet's last 7 days, from the teams' stores (as the History page reads it)."""
    stores = []
    for entry in fleet.boards:
        path = team_db_path(db, entry)
        if path.exists():
            stores.append((entry.name or entry.label, Store.open(path)))
    try:
        return load_fleet_history(Window.WEEK, datetime.now(UTC), stores)
    finally:
        for _, store in stores:
            store.close()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "resources" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp, start_demo_fleet(directory=Path(tmp)) as demo:
        seed_demo_fleet(demo.fleet_path, Path(tmp) / "db")
        fleet = load_fleet(demo.fleet_path)
        rows = fleet_order(poll_fleet_once(fleet, Path(tmp) / "db"))
        history = fleet_history_of(fleet, Path(tmp) / "db")
    now = datetime.now(UTC)
    for name, size in WINDOW_SIZES.items():
        window = FleetWindow(fleet.name, now_fn=lambda: now)
        window.resize(*size)
        window.show()
        window.show_rows(rows)
        app.processEvents()
        window.grab().save(str(out / name))
        window.close()
        print(f"wrote {out / name}")
    window = FleetWindow(fleet.name, now_fn=lambda: now)
    window.resize(1366, 768)
    window.show()
    window.show_rows(rows)
    window.open_history()
    window.show_history(history)
    app.processEvents()
    window.grab().save(str(out / "fleet-history.png"))
    window.close()
    print(f"wrote {out / 'fleet-history.png'}")
    for name, size in KIOSK_SIZES.items():
        kiosk = FleetKiosk(fleet.name, now_fn=lambda: now)
        kiosk.resize(*size)
        kiosk.show()
        kiosk.show_rows(rows)
        app.processEvents()
        kiosk.grab().save(str(out / name))
        kiosk.close()
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
