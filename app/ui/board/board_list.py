"""The list of pipelines and environments in the window: one Qt view over `BoardItemsModel`.

Keyboard: Up/Down move between items (headings are skipped), Left/Right between a pipeline
and its stage chips, Enter (or Space) opens the link of what has the focus, the context-menu
key (or Shift+F10) opens its menu. Mouse: a click on a stage chip opens the stage; the right
button opens the menu of what is under it. The menu offers "Report a blocker…" (emitting
`report_requested(dict)` with the pre-fill) when something is wrong, "Open in browser" and
"Copy link". Only http/https links are ever opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QFrame, QListView, QMenu, QWidget

from app.ui.board.delegate import BoardDelegate
from app.ui.board.items_model import ITEM_KINDS, BoardItemsModel, Kind
from app.ui.board.row import Opener, report_menu

Index = QModelIndex | QPersistentModelIndex


class BoardList(QListView):
    """Pipelines and environments, painted; `current_chip` is the focused stage (-1: the row)."""

    report_requested = Signal(object)
    claim_requested = Signal(str)  # item key of a failing pipeline: "I'm on it"

    def __init__(
        self, model: BoardItemsModel, opener: Opener, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._opener = opener
        self.current_chip = -1
        self._pressed: tuple[int, int] | None = None
        self._restore_key: tuple[str, int] | None = None
        self.setModel(model)
        self.board_delegate = BoardDelegate(self)
        self.setItemDelegate(self.board_delegate)
        self.setAccessibleName("Pipelines and environments")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        model.modelAboutToBeReset.connect(self._remember_current)
        model.modelReset.connect(self.board_delegate.forget_row_heights)
        model.modelReset.connect(self._restore_current)
        model.sizes_changed.connect(self._on_sizes_changed)

    def board_model(self) -> BoardItemsModel:
        model = self.model()
        assert isinstance(model, BoardItemsModel)
        return model

    # -- the current item and stage -----------------------------------------------------------

    def _remember_current(self) -> None:
        index = self.currentIndex()
        row = self.board_model().row(index.row()) if index.isValid() else None
        self._restore_key = (row.key, self.current_chip) if row and row.kind in ITEM_KINDS else None

    def _restore_current(self) -> None:
        if self._restore_key is None:
            return
        key, chip = self._restore_key
        self._restore_key = None
        number = self.board_model().row_of(key)
        if number >= 0:
            self.set_current(number, chip)

    def set_current(self, number: int, chip: int = -1) -> None:
        """Focus item row `number` and its stage `chip` (-1: the row itself)."""
        model = self.board_model()
        info = model.info_at(number)
        if info is None:
            return
        self.current_chip = max(-1, min(chip, len(info.stages) - 1))
        index = model.index(number)
        if self.currentIndex() != index:
            self.setCurrentIndex(index)
        self.scrollTo(index)
        self.viewport().update(self.visualRect(index))
        # What has the keyboard focus, for screen readers: the stage, or the item itself.
        focused = info.stages[self.current_chip].accessible if self.current_chip >= 0 else ""
        self.setAccessibleDescription(focused or info.accessible)

    def dataChanged(
        self,
        topLeft: Index,
        bottomRight: Index,
        roles: Sequence[int] = (),
    ) -> None:
        """Redraw the changed rows, without QListView's own step of laying out every row again.

        QListView re-measures all rows on any data change (on a 300-item board that was the
        largest piece of a snapshot's GUI work); here a row's height changes only with its
        shape, which the delegate watches (`BoardDelegate.remeasure`).
        """
        QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.board_delegate.forget_row_heights()  # every row measured again in the new font
        super().changeEvent(event)

    def _on_sizes_changed(self, rows: list[int]) -> None:
        """Rows changed shape: lay out again now if one's height changed. Now, in the pass
        that changed the data, rather than in the next one with the paint: two short pieces
        of work instead of one long one."""
        if self.board_delegate.remeasure(rows):
            self.doItemsLayout()

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def currentChanged(self, current: Index, previous: Index) -> None:
        super().currentChanged(current, previous)
        self.viewport().update()

    def _item_rows(self) -> list[int]:
        model = self.board_model()
        return [n for n in range(model.rowCount()) if (r := model.row(n)) and r.kind in ITEM_KINDS]

    def _step(self, delta: int) -> None:
        rows = self._item_rows()
        if not rows:
            return
        current = self.current_row()
        if current not in rows:
            self.set_current(rows[0] if delta > 0 else rows[-1])
            return
        at = rows.index(current) + delta
        self.set_current(rows[max(0, min(at, len(rows) - 1))])

    # -- what the focus offers ----------------------------------------------------------------

    def report_context(self) -> dict[str, Any] | None:
        """Pre-fill from the focused stage or item (for Ctrl+B), or None."""
        number = self.current_row()
        return self.board_model().report_context(number, self.current_chip) if number >= 0 else None

    def open_link(self, number: int, chip: int = -1) -> bool:
        url = self.board_model().url(number, chip)
        if url is None:
            return False
        self._opener(url)
        return True

    def context_menu(self, number: int, chip: int = -1) -> QMenu:
        """The menu of row `number` or its stage `chip`: report (when wrong), open, copy link."""
        model = self.board_model()
        context = model.report_context(number, chip)
        report = None if context is None else (lambda: self.report_requested.emit(context))
        menu = report_menu(self, model.url(number, chip), self._opener, report)
        key = model.claimable(number) if chip < 0 else None
        if key is not None:
            claim = QAction("I'm &on it", menu)
            claim.setToolTip("Tell the team you are fixing it; it ends when the pipeline passes")
            claim.triggered.connect(lambda: self.claim_requested.emit(key))
            actions = menu.actions()
            if actions:
                menu.insertAction(actions[0], claim)
            else:
                menu.addAction(claim)
        return menu

    def chip_at(self, pos: QPoint) -> tuple[int, int]:
        """(row, stage chip) under viewport position `pos`; (-1, -1) on no item."""
        index = self.indexAt(pos)
        if not index.isValid() or self.board_model().info_at(index.row()) is None:
            return (-1, -1)
        rect = self.visualRect(index)
        return (index.row(), self.board_delegate.chip_at(index.row(), rect, pos))

    def chip_rect(self, number: int, chip: int) -> Any:
        """Where stage `chip` of row `number` is drawn, in viewport coordinates."""
        geo = self.board_delegate.row_geometry(
            number, self.visualRect(self.board_model().index(number))
        )
        if geo is None:
            return None
        return geo.chips[chip] if 0 <= chip < len(geo.chips) else geo.header

    # -- events -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        number = self.current_row()
        info = self.board_model().info_at(number) if number >= 0 else None
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self._step(1 if key == Qt.Key.Key_Down else -1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and info is not None:
            step = 1 if key == Qt.Key.Key_Right else -1
            self.set_current(number, self.current_chip + step)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            rows = self._item_rows()
            if rows:
                self.set_current(rows[0] if key == Qt.Key.Key_Home else rows[-1])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and info is not None:
            self.open_link(number, self.current_chip)
        elif key == Qt.Key.Key_Menu or (
            key == Qt.Key.Key_F10 and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self._popup_current()
        else:
            super().keyPressEvent(event)
            if self.board_model().info_at(self.current_row()) is None and key in (
                Qt.Key.Key_PageDown,
                Qt.Key.Key_PageUp,
            ):
                self._step(1 if key == Qt.Key.Key_PageDown else -1)
            return
        event.accept()

    def focusInEvent(self, event: Any) -> None:
        super().focusInEvent(event)
        if self.current_row() < 0 or self.board_model().info_at(self.current_row()) is None:
            self._step(1)

    def _popup_current(self) -> None:
        number = self.current_row()
        if number < 0:
            return
        rect = self.chip_rect(number, self.current_chip)
        at = rect.bottomLeft() if rect is not None else QPoint(0, 0)
        self._exec_menu(
            self.context_menu(number, self.current_chip), self.viewport().mapToGlobal(at)
        )

    def _exec_menu(self, menu: QMenu, at: QPoint) -> None:
        if not menu.isEmpty():  # a passed stage with no link has nothing to offer
            menu.exec(at)
        menu.deleteLater()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self._popup_current()
            return
        number, chip = self.chip_at(self.viewport().mapFromGlobal(event.globalPos()))
        if number < 0:
            return
        self.set_current(number, chip)
        self._exec_menu(self.context_menu(number, chip), event.globalPos())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        number, chip = self.chip_at(event.position().toPoint())
        self._pressed = (number, chip) if event.button() == Qt.MouseButton.LeftButton else None
        if number >= 0:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.set_current(number, chip)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed = self._pressed, None
        if event.button() == Qt.MouseButton.LeftButton and pressed is not None:
            number, chip = self.chip_at(event.position().toPoint())
            if (number, chip) == pressed and chip >= 0:
                self.open_link(number, chip)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        number, chip = self.chip_at(event.position().toPoint())
        if number >= 0 and chip < 0:
            self.open_link(number)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        number, chip = self.chip_at(event.position().toPoint())
        linked = number >= 0 and chip >= 0 and self.board_model().url(number, chip) is not None
        shape = Qt.CursorShape.PointingHandCursor if linked else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)
        event.accept()

    def is_item_row(self, number: int) -> bool:
        row = self.board_model().row(number)
        return row is not None and row.kind in (Kind.PIPELINE, Kind.ENVIRONMENT)
