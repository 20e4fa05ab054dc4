"""Regenerate the README's screenshots (`make screenshots`) from the real demo, offscreen.

    .venv/bin/python tools/screenshots.py [OUT_DIR]     (default: resources/screenshots)

The demo's loopback servers are started with a frozen scenario clock, every source is polled
once through the same code as the app (`poll_once` into a store), and the board is drawn with
the window or the kiosk at several sizes. The history page uses its fixed sample month; the
report dialog comes from tools/screenshot_report_dialog.py; the editor and welcome pages from
their own renderers when present.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.desktop.launch import open_board  # noqa: E402
from app.domain.model import BoardSnapshot  # noqa: E402
from app.services.board_store import poll_board_once  # noqa: E402
from app.store.store import Store  # noqa: E402
from app.ui.window.crash_handler import route_qt_messages  # noqa: E402
from app.ui.window.screenshot import render_snapshot_png  # noqa: E402

# Scenario moments (seconds into the demo's compressed day) worth a picture.
GREEN_AT = 20.0
RED_AT = 100.0  # the scanner's false positive has failed 'api', staging is down
BLOCKER_AT = 240.0  # Dana's laptop won't boot: a P1 on the platform team's tracker


class Frozen:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def demo_snapshot(at: float, db: Path) -> BoardSnapshot:
    """The demo board as the app would show it at scenario time `at`."""
    with open_board(None, True, str(db), demo_clock=Frozen(at)) as opened:
        store = Store.open(opened.db_path)
        try:
            return poll_board_once(opened.config, store)
        finally:
            store.close()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "resources" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    route_qt_messages()
    with tempfile.TemporaryDirectory() as tmp:
        green = demo_snapshot(GREEN_AT, Path(tmp) / "green.db")
        red = demo_snapshot(RED_AT, Path(tmp) / "red.db")
        blocked = demo_snapshot(BLOCKER_AT, Path(tmp) / "blocked.db")
    shots = [
        ("window.png", red, (1600, 1000), False),
        ("window-laptop.png", red, (1366, 768), False),
        ("window-800x600.png", red, (800, 600), False),
        ("window-1920x1080.png", red, (1920, 1080), False),
        ("window-green.png", green, (1366, 768), False),
        ("kiosk.png", red, (1920, 1080), True),
        ("kiosk-green.png", green, (1920, 1080), True),
        ("kiosk-blocker.png", blocked, (1920, 1080), True),
        ("window-blocker.png", blocked, (1366, 768), False),
        ("kiosk-4k.png", red, (3840, 2160), True),
        ("kiosk-laptop.png", red, (1366, 768), True),
    ]
    for name, snapshot, size, kiosk in shots:
        render_snapshot_png(snapshot, out / name, size, kiosk=kiosk)
        print(f"wrote {out / name}")
    from app.demo.history_sample import render_history_png
    from app.domain.history import Window

    render_history_png(out / "history.png", (1366, 768), Window.MONTH)
    print(f"wrote {out / 'history.png'}")
    for extra in ("screenshot_report_dialog.py", "screenshot_editor.py", "screenshot_fleet.py"):
        script = ROOT / "tools" / extra
        if script.exists():
            subprocess.run([sys.executable, str(script), str(out)], check=True)
    for leftover in out.glob("*.ini"):  # settings files the renderers used
        leftover.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
