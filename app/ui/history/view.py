"""The History page: when the team was and was not releasable, and how fast it recovered.

`HistoryView` renders `HistoryFigures` (app.domain.history): a window selector (24 h, 7 d,
30 d), the timeline strip, the share of time in each state, the time to restore releasability
(median, longest, a spell still going) and blockers per category with their time to close, as a
table and a chart. It fetches nothing itself: the `load(window)` callable given to it does the
store query and the computing, and runs off the GUI thread through `run_task` ("Loading…" shows
meanwhile; an answer for a window no longer selected is dropped).

"Export CSV…" and "Export PNG…" ask for a path through an injectable callable (a file dialog by
default) and write the file off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.history import HistoryFigures, Window
from app.domain.model import VerdictState
from app.domain.words import duration_words
from app.services.tasks import run_task
from app.ui.history.chart import STATE_WORDS, BlockersChart, TimelineStrip, swatch
from app.ui.history.export import write_csv, write_png
from app.ui.history.figures import (
    CategoryModel,
    blockers_words,
    open_spell_words,
    percent,
    restore_words,
    when_words,
)
from app.ui.widgets.labels import PlainLabel

Loader = Callable[[Window], HistoryFigures]
AskPath = Callable[[str, str, str], str | None]  # (caption, suggested name, filter) -> path
LEGEND_STATES: tuple[VerdictState | None, ...] = (*VerdictState, None)


def default_ask_path(parent: QWidget) -> AskPath:
    def ask(caption: str, suggested: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, file_filter)
        return path or None

    return ask


class HistoryView(QWidget):
    """The History page. Call `refresh()` when it is shown; `back_requested` leaves it."""

    loaded = Signal(object)  # HistoryFigures now on screen
    load_failed = Signal(str)
    exported = Signal(str)  # the path written
    export_failed = Signal(str)
    back_requested = Signal()

    def __init__(
        self,
        load: Loader,
        *,
        board_name: str = "",
        ask_path: AskPath | None = None,
        window: Window = Window.WEEK,
        pool: QThreadPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._ask_path = ask_path or default_ask_path(self)
        self._pool = pool
        self._request = 0
        self.board_name = board_name
        self.time_window = window
        self.figures: HistoryFigures | None = None
        self.setObjectName("historyView")
        self.setAccessibleName("History")

        self.status = PlainLabel("", self, selectable=True)
        self.content = QWidget(self)
        self.content.setObjectName("historyContent")
        self.content.setAutoFillBackground(True)
        self._build_top_bar()
        self._build_content()
        scroll = QScrollArea(self)
        scroll.setWidget(self.content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.top_bar)
        layout.addWidget(scroll, 1)
        QShortcut(QKeySequence("Esc"), self, self.back_requested.emit).setContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

    # -- construction -------------------------------------------------------------------------

    def _build_top_bar(self) -> None:
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(10, 6, 10, 6)
        self.back_button = QPushButton("Back to board", bar)
        self.back_button.setToolTip("Back to the board (Esc)")
        self.back_button.clicked.connect(self.back_requested.emit)
        row.addWidget(self.back_button)
        row.addSpacing(12)
        self.window_buttons: dict[Window, QPushButton] = {}
        group = QButtonGroup(bar)
        group.setExclusive(True)
        for number, w in enumerate(Window, start=1):
            button = QPushButton(w.short, bar)
            button.setCheckable(True)
            button.setShortcut(QKeySequence(f"Alt+{number}"))
            button.setToolTip(f"Show the {w.words} (Alt+{number})")
            button.setAccessibleName(f"Show the {w.words}")
            button.clicked.connect(lambda _c=False, win=w: self.set_window(win))
            group.addButton(button)
            row.addWidget(button)
            self.window_buttons[w] = button
        self.window_buttons[self.time_window].setChecked(True)
        row.addSpacing(12)
        row.addWidget(self.status, 1)
        self.csv_button = QPushButton("Export &CSV…", bar)
        self.csv_button.setToolTip("Save the figures and the timeline as a CSV table")
        self.csv_button.clicked.connect(self.export_csv)
        self.png_button = QPushButton("Export &PNG…", bar)
        self.png_button.setToolTip("Save this page as a picture (for a retro slide or a chat)")
        self.png_button.clicked.connect(self.export_png)
        row.addWidget(self.csv_button)
        row.addWidget(self.png_button)
        self.top_bar = bar

    def _build_content(self) -> None:
        c = self.content
        self.heading = PlainLabel("History", c, bold=True, scale=1.4)
        self.strip = TimelineStrip(c)
        legend = QHBoxLayout()
        legend.setSpacing(6)
        self.legend_labels: dict[VerdictState | None, PlainLabel] = {}
        size = self.fontMetrics().height()
        for state in LEGEND_STATES:
            icon = QLabel(c)
            icon.setPixmap(swatch(state, size, self.palette()))
            label = PlainLabel(STATE_WORDS[state].capitalize(), c)
            legend.addWidget(icon)
            legend.addWidget(label)
            legend.addSpacing(14)
            self.legend_labels[state] = label
        # Planned time (a change freeze, maintenance) is shown only when the window has some.
        self.planned_icon = QLabel(c)
        self.planned_icon.setPixmap(
            swatch(VerdictState.NOT_RELEASABLE, size, self.palette(), planned=True)
        )
        self.planned_legend = PlainLabel("Planned", c)
        legend.addWidget(self.planned_icon)
        legend.addWidget(self.planned_legend)
        self.planned_icon.hide()
        self.planned_legend.hide()
        legend.addStretch(1)

        self.share_label = PlainLabel("", c, bold=True, scale=1.6)
        self.other_shares = PlainLabel("", c, wrap=True)
        self.no_record = PlainLabel("", c, wrap=True)
        restore_title = PlainLabel("Time to restore releasability", c, bold=True, scale=1.15)
        self.restore_label = PlainLabel("", c, wrap=True)
        self.open_spell = PlainLabel("", c, wrap=True)
        blockers_title = PlainLabel("Blockers filed, by category", c, bold=True, scale=1.15)
        self.blockers_label = PlainLabel("", c, wrap=True)
        self.model = CategoryModel(self)
        self.table = QTableView(c)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Blockers per category")
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.chart = BlockersChart(c)

        left = QVBoxLayout()
        left.setSpacing(4)
        widget: QWidget
        for widget in (self.share_label, self.other_shares, self.no_record):
            left.addWidget(widget)
        left.addSpacing(10)
        for widget in (restore_title, self.restore_label, self.open_spell):
            left.addWidget(widget)
        left.addSpacing(10)
        for widget in (blockers_title, self.blockers_label, self.table):
            left.addWidget(widget)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(left, 1)
        columns.addWidget(self.chart, 1)

        layout = QVBoxLayout(c)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.strip)
        layout.addLayout(legend)
        layout.addSpacing(6)
        layout.addLayout(columns, 1)

    # -- loading ------------------------------------------------------------------------------

    def set_window(self, window: Window) -> None:
        """Show `window` (loads its figures)."""
        self.time_window = window
        button = self.window_buttons[window]
        if not button.isChecked():
            button.setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        """Load the figures of the selected window again, off the GUI thread."""
        self._request += 1
        token, window, load = self._request, self.time_window, self._load
        self.status.set_text("Loading…")
        if self.figures is None:
            self.strip.set_placeholder("Loading…")
        run_task(
            lambda: load(window),
            lambda figures: self._on_loaded(token, figures),
            lambda error: self._on_failed(token, error),
            pool=self._pool,
        )

    def _on_loaded(self, token: int, figures: HistoryFigures) -> None:
        if not shiboken6.isValid(self) or token != self._request:
            return  # the page is gone, or another window was chosen meanwhile
        self.status.set_text("")
        self.show_figures(figures)
        self.loaded.emit(figures)

    def _on_failed(self, token: int, error: BaseException) -> None:
        if not shiboken6.isValid(self) or token != self._request:
            return
        message = f"Could not read the history: {error}"
        self.status.set_text(message)
        if self.figures is None:
            self.strip.set_placeholder("No history to show")
        self.load_failed.emit(message)

    def show_figures(self, figures: HistoryFigures) -> None:
        """Draw `figures` (normally called with what `load` returned)."""
        self.figures = figures
        name = figures.board_name or self.board_name
        window = figures.window.words if figures.window else "history"
        span = f"{when_words(figures.start)} → {when_words(figures.end)}"
        self.heading.set_text(f"{name + ' — ' if name else ''}{window.capitalize()} ({span})")
        self.strip.set_segments(figures.segments, figures.start, figures.end)
        for state, label in self.legend_labels.items():
            word = STATE_WORDS[state].capitalize()
            share = None if state is None else figures.share(state)
            label.set_text(word if state is None else f"{word} {percent(share)}")
        planned = figures.planned_s > 0
        self.planned_legend.set_text(f"Planned {percent(figures.planned_share())}")
        self.planned_legend.setVisible(planned)
        self.planned_icon.setVisible(planned)
        releasable = figures.share(VerdictState.RELEASABLE)
        self.share_label.set_text(
            "No verdict recorded in this window"
            if releasable is None
            else f"Releasable {percent(releasable)} of the time"
        )
        self.other_shares.set_text(
            ""
            if releasable is None
            else f"Not releasable {percent(figures.share(VerdictState.NOT_RELEASABLE))} · "
            f"unknown {percent(figures.share(VerdictState.UNKNOWN))}"
            + (
                f" · planned (freeze, maintenance) {percent(figures.planned_share())}"
                if figures.planned_s > 0
                else ""
            )
        )
        self.no_record.set_text(
            f"No record for {duration_words(figures.no_record_s)} of this window "
            "(the app was not recording yet); the shares count recorded time only."
            if figures.no_record_s >= 1 and releasable is not None
            else ""
        )
        self.restore_label.set_text(restore_words(figures))
        self.open_spell.set_text(open_spell_words(figures))
        self.blockers_label.set_text(blockers_words(figures))
        self.model.set_categories(figures.categories)
        self.chart.set_categories(figures.categories)
        any_filed = figures.blockers_filed > 0
        self.table.setVisible(any_filed)
        self.chart.setVisible(any_filed)

    # -- export -------------------------------------------------------------------------------

    def _suggested(self, ext: str) -> str:
        end = self.figures.end.astimezone() if self.figures else datetime.now().astimezone()
        return f"releasable-history-{self.time_window.value}-{end:%Y-%m-%d}.{ext}"

    def export_csv(self) -> None:
        """Ask where, then write the figures and segments as CSV off the GUI thread."""
        figures = self.figures
        if figures is None:
            self.status.set_text("Nothing to export yet.")
            return
        path = self._ask_path("Export history as CSV", self._suggested("csv"), "CSV (*.csv)")
        if path:
            self._write(lambda: write_csv(figures, path), "CSV")

    def export_png(self) -> None:
        """Ask where, then save a picture of the page (grabbed here, written off-thread)."""
        path = self._ask_path("Export history as PNG", self._suggested("png"), "PNG (*.png)")
        if not path:
            return
        image = self.content.grab().toImage()
        self._write(lambda: write_png(image, path), "picture")

    def _write(self, work: Callable[[], Any], what: str) -> None:
        self.status.set_text(f"Saving the {what}…")

        def done(path: Any) -> None:
            if shiboken6.isValid(self):
                self.status.set_text(f"Saved the {what} to {path}")
                self.exported.emit(str(path))

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(self):
                message = f"Could not save the {what}: {error}"
                self.status.set_text(message)
                self.export_failed.emit(message)

        run_task(work, done, failed, pool=self._pool)
