"""One open board on the desktop: its services, its window and the reports filed from it.

`DesktopBoard` owns the pieces that live as long as the window: the board service (polling),
the outbox service (drafts, queue, delivery, the outbox list, blockers resolved here) and the
report dialogs. It only wires them: every read and write of the store is a service's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app.desktop.launch import OpenedBoard
from app.domain.outbox import Draft
from app.services.board_service import make_board_service
from app.services.maintenance import Maintenance
from app.services.notifier import Notifier
from app.services.outbox_rows import OutboxRow
from app.services.outbox_service import OutboxService
from app.services.tasks import run_task
from app.sources.http import HttpClient
from app.store.store import open_or_read_only
from app.ui.widgets.labels import PlainLabel
from app.ui.window.main_window import MainWindow
from app.ui.window.tray import VerdictTray

if TYPE_CHECKING:
    from app.domain.history import HistoryFigures, Window
    from app.trackers.ports import Tracker
    from app.ui.editor.editor import BoardEditor
    from app.ui.history.view import HistoryView
    from app.ui.report.dialog import ReportDialog

log = logging.getLogger(__name__)


class DesktopBoard(QObject):
    reload_requested = Signal(object)  # Path: the board file was saved in the editor

    def __init__(self, opened: OpenedBoard, window: MainWindow | None = None) -> None:
        super().__init__()
        self.opened = opened
        self.store = open_or_read_only(opened.db_path)
        self.window = window or MainWindow()
        self.window.set_board_name(opened.config.name)
        self.service = make_board_service(opened.config, self.store, worker_process=True)
        self.service.updated.connect(self.window.show_snapshot_soon)
        self.window.refresh_requested.connect(self.service.refresh_now)

        # The tracker (and its token, perhaps from the OS keyring) is set up on a worker in
        # start(); until then reports queue up and wait, as they do for an unreachable tracker.
        self._outbox_http = HttpClient(cache=self.store.http_cache)
        self.outbox = OutboxService(
            self.store,
            None,
            self._outbox_http,
            tracker_kind=opened.config.tracker.kind,  # what the board file asks for
            blocker_poll_ms=int(opened.config.tracker.refresh_seconds * 1000),
            board_name=opened.config.name,
            parent=self,
        )
        self.window.claim_requested.connect(self.outbox.claim_pipeline)
        self.service.claims_passed.connect(self.outbox.release_claims)
        self.outbox.changed.connect(self.service.reload_blockers)
        self.outbox.rows_changed.connect(self._show_rows)
        self.outbox.warned.connect(lambda _key, text: self.window.show_banner(text))
        self.outbox.failed.connect(
            lambda _key, reason: self.window.show_banner(f"A report was not sent: {reason}")
        )
        self.outbox.delivered.connect(
            lambda _key, url: self.window.statusBar().showMessage(f"Blocker filed: {url}", 10_000)
        )
        self.maintenance = Maintenance(self.store, opened.config.history_days, parent=self)
        self._stopped = False
        self.rows: list[OutboxRow] = []
        self.dialogs: dict[str, ReportDialog] = {}
        self.window.action_report_blocker.triggered.connect(
            lambda: self.open_report(self.window.current_report_context() or None)
        )
        self.window.report_requested.connect(self.open_report)
        panel = self.window.board.blockers
        panel.reopen_requested.connect(lambda row: self.open_report(draft=row.draft))
        panel.resolve_requested.connect(self.outbox.resolve_blocker)
        panel.claim_requested.connect(self.outbox.claim_blocker)
        self.outbox.claim_result.connect(
            lambda _key, _state, words: self.window.statusBar().showMessage(words, 10_000)
        )
        panel.copy_requested.connect(self.copy_report)
        panel.send_now_requested.connect(self.outbox.send_now)
        panel.send_report_requested.connect(self.outbox.send_report)
        panel.set_has_tracker(opened.config.tracker.kind != "none")
        self.outbox.send_progress.connect(panel.show_send_progress)
        self.outbox.send_result.connect(panel.show_send_result)
        self._wire_history()
        self._wire_notifications()
        self.editor: BoardEditor | None = None
        self.window.action_edit_board.triggered.connect(self.edit_board)

    def edit_board(self) -> None:
        if self.editor is None:
            from app.ui.editor.editor import BoardEditor  # loaded when first used

            # The demo's board file is temporary: editing it starts a new board to save.
            path = None if self.opened.demo is not None else self.opened.path
            self.editor = BoardEditor(self.opened.config, path, parent=self.window)
            self.editor.close_requested.connect(self._editor_closed)
            self.editor.saved.connect(self.reload_requested.emit)
        self.window.show_page(self.editor)

    def _editor_closed(self) -> None:
        self.window.show_board()
        if self.editor is not None:
            self.editor.deleteLater()
            self.editor = None

    def _wire_history(self) -> None:
        self.history: HistoryView | None = None  # built when first opened (QtCharts is heavy)
        self.window.action_history.triggered.connect(self.show_history)

    def show_history(self) -> None:
        if self.history is None:
            from app.domain.history import load_figures
            from app.ui.history.view import HistoryView as View

            store, name = self.store, self.opened.config.name
            all_blockers = self.outbox.all_blockers

            def load(window: Window) -> HistoryFigures:  # on a worker thread
                blockers = all_blockers()
                return load_figures(window, datetime.now(UTC), store, blockers, board_name=name)

            self.history = View(load, board_name=name)
            self.history.back_requested.connect(self.window.show_board)
        self.window.show_page(self.history)
        self.history.refresh()

    def _wire_notifications(self) -> None:
        window = self.window
        self.notifier = Notifier(window.settings, parent=window)
        self.tray = VerdictTray(self.notifier, parent=window)
        self.tray.parent_widget = window  # parent of the Mute… dialog
        self.service.updated.connect(self.notifier.feed)
        self.service.updated.connect(self.tray.show_snapshot)
        window.tick_timer.timeout.connect(self.tray.tick)
        self.tray.open_board_requested.connect(self._raise_board)
        self.tray.report_requested.connect(window.action_report_blocker.trigger)
        self.tray.quit_requested.connect(QApplication.quit)
        self.tray.banner_requested.connect(window.show_banner)  # used when there is no tray
        if not self.tray.available:
            window.statusBar().addWidget(PlainLabel(self.tray.explanation, window))
        menu = window.menuBar().addMenu("&Notifications")  # pause and mute work without a tray
        for action in self.tray.notification_actions():
            menu.addAction(action)

    def _raise_board(self) -> None:
        self.window.show_board()
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self.store.read_only:
            self.window.show_read_only(
                f"Read-only: the local database {self.store.path} cannot be written "
                f"({self.store.read_only}). Showing what it holds; nothing new is kept "
                "after you quit."
            )
        else:
            self.maintenance.start()  # old history deleted now and then, off the GUI thread
        self.outbox.start()  # the outbox list, drafts and local blockers work without a tracker
        # The tracker is set up once the first picture of the board is drawn: its modules and
        # token lookup are not needed for that picture, and would only delay it.
        self.service.updated.connect(self._set_up_tracker, Qt.ConnectionType.SingleShotConnection)
        self.service.start()

    def _set_up_tracker(self) -> None:
        config = self.opened.config.tracker

        def set_up() -> Tracker | None:
            from app.trackers.configured import tracker_from_config

            return tracker_from_config(config)

        QTimer.singleShot(0, lambda: run_task(set_up, self._tracker_ready, self._tracker_failed))

    def _tracker_ready(self, tracker: Tracker | None) -> None:
        if not self._stopped:
            self.outbox.set_tracker(tracker)  # and deliver what is queued

    def _tracker_failed(self, error: BaseException) -> None:
        from app.trackers.configured import TrackerSetupError

        if not isinstance(error, TrackerSetupError):
            log.error("the tracker could not be set up", exc_info=error)
        self.window.show_banner(f"Reports wait in the outbox: {error}")
        # The team's open blockers cannot be read either: the verdict says so, in these words.
        self.outbox.tracker_unreadable(str(error))

    def stop(self) -> None:
        self._stopped = True
        self.tray.close()
        for dialog in list(self.dialogs.values()):
            dialog.save_now()
        self.maintenance.stop()
        self.outbox.stop()
        # A round under way ends within moments (a report being sent stays uncertain and is
        # looked up before it is sent again); what it did is committed as it goes.
        self._outbox_http.stop()
        self.service.stop()
        self.outbox.wait()
        QThreadPool.globalInstance().waitForDone(10_000)
        self.store.close()

    # -- outbox and reports ------------------------------------------------------------------

    def _show_rows(self, rows: list[OutboxRow]) -> None:
        self.rows = rows
        self.window.set_outbox_rows(rows)

    def open_report(
        self, prefill: Mapping[str, Any] | None = None, draft: Draft | None = None
    ) -> ReportDialog:
        if draft is not None and draft.key in self.dialogs:
            existing = self.dialogs[draft.key]
            existing.raise_()
            existing.activateWindow()
            return existing
        from app.ui.report.dialog import ReportDialog  # loaded when first used

        dialog = ReportDialog(
            self.outbox,
            snapshot=self.window.latest_snapshot,
            board_name=self.opened.config.name,
            settings=self.window.settings,
            prefill=prefill,
            draft=draft,
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs[dialog.key] = dialog
        dialog.finished.connect(lambda _r, key=dialog.key: self.dialogs.pop(key, None))
        dialog.sent.connect(
            lambda _key: self.window.statusBar().showMessage(
                "Blocker queued: it goes to the tracker as soon as it can be reached.", 8000
            )
        )
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def copy_report(self, key: str) -> None:
        """Put a report on the clipboard as Markdown (for a board with no tracker, or to
        paste into a chat)."""

        def copied(text: str) -> None:
            QApplication.clipboard().setText(text)
            self.window.statusBar().showMessage("Report copied as Markdown.", 6000)

        self.outbox.markdown(key, copied)
