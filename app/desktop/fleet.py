"""`releasable --fleet FILE` and `--demo-fleet`: the platform view, wired.

Loads the fleet file (or starts the demo fleet's loopback server and seeds its teams' past),
starts a `FleetService` and shows the fleet window or, with `--kiosk`, the fleet wall. Each
team's snapshots feed a `Notifier` of its own (the same rules as a team's window: a team
stopping or starting to be releasable, a P1 filed or closed), shown by the tray icon; in the
kiosk nothing pops up. `--screenshot` renders after `--after` seconds and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from app.config.errors import BoardFileError
from app.config.fleet import FleetConfig, load_fleet
from app.domain.fleet import TeamRow
from app.domain.model import BoardSnapshot
from app.services.fleet_boards import default_fleet_dir
from app.services.fleet_service import FleetService
from app.services.notifier import APPLICATION, ORGANIZATION, Notifier

EXIT_CANNOT_OPEN = 3


@contextlib.contextmanager
def open_fleet(args: argparse.Namespace) -> Iterator[tuple[FleetConfig, Path]]:
    """The fleet file (the demo fleet's, started here) and the folder of its stores."""
    if args.demo_fleet:
        from app.demo.fleet import seed_demo_fleet, start_demo_fleet
        from app.store.store import default_path

        with start_demo_fleet() as demo:
            db_dir = Path(args.db) if args.db else default_path().parent / "demo-fleet"
            import shutil

            shutil.rmtree(db_dir, ignore_errors=True)  # the demo's past is seeded afresh
            seed_demo_fleet(demo.fleet_path, db_dir)
            yield load_fleet(demo.fleet_path), db_dir
        return
    path = Path(args.fleet)
    yield load_fleet(path), Path(args.db) if args.db else default_fleet_dir(path)


class FleetNotifications(QObject):
    """One `Notifier` per team, their news shown by the tray icon (not in the kiosk)."""

    def __init__(self, tray: QSystemTrayIcon | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tray = tray
        self.settings = QSettings(ORGANIZATION, APPLICATION)
        self.notifiers: dict[str, Notifier] = {}

    def feed(self, key: str, snapshot: BoardSnapshot) -> None:
        notifier = self.notifiers.get(key)
        if notifier is None:
            notifier = Notifier(self.settings, parent=self)
            notifier.notify.connect(self.show)
            self.notifiers[key] = notifier
        notifier.feed(snapshot)

    def show(self, title: str, body: str, severity: str) -> None:
        if self.tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if severity == "critical"
                else QSystemTrayIcon.MessageIcon.Information
            )
            self.tray.showMessage(title, body, icon, 10_000)


def run_fleet(app: QApplication, args: argparse.Namespace, size: tuple[int, int]) -> int:
    try:
        with open_fleet(args) as (fleet, db_dir):
            return _run(app, fleet, db_dir, args, size)
    except BoardFileError as err:
        print(f"releasable: the fleet file has errors:\n{err}", file=sys.stderr)
        return EXIT_CANNOT_OPEN


def _run(
    app: QApplication,
    fleet: FleetConfig,
    db_dir: Path,
    args: argparse.Namespace,
    size: tuple[int, int],
) -> int:
    service, view = fleet_view(app, fleet, db_dir, kiosk=args.kiosk, tray=not args.screenshot)
    service.start()
    if args.screenshot:
        return _screenshot(app, service, view, args, size)
    if args.kiosk:
        view.showFullScreen()
    else:
        view.resize(1280, 860)
        view.show()
    code = app.exec()
    service.stop()
    return code


def fleet_view(
    app: QApplication, fleet: FleetConfig, db_dir: Path, *, kiosk: bool, tray: bool = True
) -> tuple[FleetService, QWidget]:
    """The fleet's service (not started yet) wired to its window, or with `kiosk` its wall,
    with notifications by the tray icon when there is one (never in the kiosk)."""
    from app.ui.fleet.kiosk import FleetKiosk
    from app.ui.fleet.window import FleetWindow
    from app.ui.widgets.icons import app_icon

    service = FleetService(fleet, db_dir)
    view: QWidget
    if kiosk:
        wall = FleetKiosk(fleet.name)
        service.updated.connect(wall.show_rows)
        view = wall
    else:
        window = FleetWindow(fleet.name)
        service.updated.connect(window.show_rows)
        service.team_updated.connect(window.show_team_snapshot)
        window.history_requested.connect(
            lambda chosen: service.load_history(chosen, window.show_history)
        )
        view = window
    view.setWindowIcon(app_icon())
    icon = None
    if tray and not kiosk and QSystemTrayIcon.isSystemTrayAvailable():
        icon = QSystemTrayIcon(QIcon(app_icon()), app)
        icon.setToolTip(fleet.name)
        icon.show()
    notifications = FleetNotifications(icon, app)
    service.team_updated.connect(notifications.feed)
    return service, view


def _screenshot(
    app: QApplication,
    service: FleetService,
    view: QWidget,
    args: argparse.Namespace,
    size: tuple[int, int],
) -> int:
    latest: list[list[TeamRow]] = []
    service.updated.connect(latest.append)
    view.resize(*size)
    view.show()
    result = {"code": 1}

    def finish() -> None:
        if not latest:
            print("releasable: the fleet could not be drawn (no data)", file=sys.stderr)
            app.exit(1)
            return
        out = Path(args.screenshot)
        out.parent.mkdir(parents=True, exist_ok=True)
        view.grab().save(str(out))
        print(f"wrote {out} ({size[0]}x{size[1]}): {len(latest[-1])} teams")
        result["code"] = 0
        app.exit(0)

    QTimer.singleShot(int(max(0.0, args.after) * 1000), finish)
    app.exec()
    service.stop()
    return result["code"]


__all__ = ["FleetNotifications", "fleet_view", "open_fleet", "run_fleet"]
