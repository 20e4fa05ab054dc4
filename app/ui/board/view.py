"""The composed board of the workstation window: verdict, pipelines, environments, blockers.

`BoardView` draws a `BoardSnapshot` it is handed and never fetches anything. Its `tick` moves
the ages on and re-greys stale items from an injectable clock; if the data has gone stale since
the snapshot was taken, the banner turns UNKNOWN rather than keep a green verdict up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.model import BoardSnapshot, Verdict
from app.services.outbox_rows import OutboxRow
from app.ui.board.blockers_panel import BlockersPanel
from app.ui.board.board_list import BoardList
from app.ui.board.describe import effective_verdict
from app.ui.board.items_model import GROUP_BY_PIPELINE, BoardItemsModel
from app.ui.board.row import NowFn, Opener, open_in_browser
from app.ui.board.verdict_banner import VerdictBanner
from app.ui.widgets.labels import PlainLabel

# Below this width the side panel (blockers, outbox) moves below the board.
NARROW_WIDTH = 1000


def utc_now() -> datetime:
    return datetime.now(UTC)


def _scroll(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class BoardView(QWidget):
    """Everything the board shows, for the window. Emits `report_requested(dict)`."""

    report_requested = Signal(object)
    claim_requested = Signal(str)  # a failing pipeline's item key: "I'm on it"

    def __init__(
        self,
        now_fn: NowFn | None = None,
        opener: Opener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.now_fn: Callable[[], datetime] = now_fn or utc_now
        self.opener: Opener = opener or open_in_browser
        self.snapshot: BoardSnapshot | None = None
        self._shown_verdict: Verdict | None = None

        self.banner = VerdictBanner(self)
        self.source_errors = PlainLabel("", self, wrap=True, selectable=True)
        self.source_errors.setAccessibleName("Source errors")

        self.model = BoardItemsModel(self)
        self.pipelines = self.model.pipelines
        self.environments = self.model.environments
        self.list = BoardList(self.model, self.opener)

        right = QWidget()
        self.blockers = BlockersPanel(self.opener, right)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 8, 8, 8)
        right_layout.addWidget(self.blockers)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.right_area = _scroll(right, self.splitter)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.right_area)
        self.splitter.setStretchFactor(0, 7)
        self.splitter.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.source_errors)
        layout.addWidget(self.splitter, 1)
        self.source_errors.setContentsMargins(10, 6, 10, 6)

        self.list.report_requested.connect(self.report_requested)
        self.list.claim_requested.connect(self.claim_requested)
        self.source_errors.set_text("")
        self.banner.show_verdict(self.banner.verdict, None, self.now_fn())

    # -- data ---------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: BoardSnapshot) -> None:
        """Draw a new picture of the board."""
        now = self.now_fn()
        self.snapshot = snapshot
        board = snapshot.board
        self.model.set_board(board.name, board.pipelines, board.environments, now)
        self.blockers.set_blockers(board.blockers, now)
        errors = "\n".join(f"error: {e}" for e in snapshot.source_errors)
        self.source_errors.set_text(errors)
        self._shown_verdict = None
        self._tick_banner(now)

    def tick(self, now: datetime | None = None) -> None:
        """Move ages on and re-grey stale items; no data is fetched."""
        now = now or self.now_fn()
        if self.snapshot is None:
            return
        self._tick_banner(now)
        self.model.tick(now)
        self.blockers.tick(now)

    def _tick_banner(self, now: datetime) -> None:
        assert self.snapshot is not None
        verdict = effective_verdict(self.snapshot, now)
        if verdict is not self._shown_verdict:
            self._shown_verdict = verdict
            self.banner.show_verdict(verdict, self.snapshot.taken_at, now)
        else:
            self.banner.tick(now)

    # -- view options -------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        self.model.set_filter(text)

    def set_failing_first(self, on: bool) -> None:
        self.model.set_failing_first(on)

    def set_group_by(self, mode: str = GROUP_BY_PIPELINE) -> None:
        self.model.set_group_by(mode)

    def set_outbox_rows(self, rows: Sequence[OutboxRow], now: datetime) -> None:
        self.blockers.set_outbox_rows(rows, now)

    def focus_chain(self) -> list[QWidget]:
        """Focusable widgets in reading order: the board's items, blockers, outbox."""
        return [self.list, *self.blockers.focus_chain()]

    # -- narrow windows -----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_side_panel()

    def _place_side_panel(self) -> None:
        """Side by side when there is room; the side panel below the board when narrow."""
        narrow = self.width() < NARROW_WIDTH
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() == wanted:
            return
        self.splitter.setOrientation(wanted)
        self.blockers.set_side_by_side(narrow)
        if narrow:
            total = max(1, self.splitter.height())
            panel = min(self.blockers.sizeHint().height() + 16, total // 3)
            self.splitter.setSizes([total - panel, panel])
        else:
            total = max(1, self.splitter.width())
            self.splitter.setSizes([total * 7 // 10, total - total * 7 // 10])

    def side_panel_below(self) -> bool:
        return self.splitter.orientation() == Qt.Orientation.Vertical
