"""The board editor: create or change the board file from the app.

Left, the board's tables in the board's order (board, pipelines, environments, tracker, then
planned time: freezes and maintenance windows) with
Add / Remove / Move; right, a form generated from the declaration in `app.config.settings` for
the selected table and its kind. Every edit is checked by `build_board()` (debounced) and each
problem is shown beside its field and counted in the list. "Test" reads one pipeline or
environment as the board would (`app.ui.editor.probe`, off the GUI thread). "Save" writes the
TOML through `save_board()` off the GUI thread, after saying (in a bar, not a dialog) that a
hand-written file's comments would be lost, and emits `saved(path)`. Tokens go to the OS keyring
(`store_token()`, off the GUI thread) or are named by an environment variable: the board file
only ever names where a token is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.config.board import BoardConfig
from app.config.errors import BoardFileError
from app.config.loader import build_board
from app.config.secrets import keyring_available, store_token
from app.config.settings import SOURCE_KINDS
from app.config.writer import board_document
from app.domain.words import path_words
from app.services.sources import URL_KEYS, values_from_url
from app.ui.editor.entries import (
    ENVIRONMENTS,
    PIPELINES,
    SOURCE_NAMES,
    TRACKER,
    TRACKER_NAMES,
    EditorDocument,
    Entry,
    EntryListModel,
)
from app.ui.editor.fields import MISSING
from app.ui.editor.files import AskSavePath, ask_save_path
from app.ui.editor.form import EntryForm
from app.ui.editor.panel import EditorTopBar, EntryListPanel, EntryPanel, NoticeBar
from app.ui.editor.probe import EntryTester
from app.ui.editor.saving import SaveFlow
from app.ui.editor.token import KeyringAccess

VALIDATE_MS = 250
LIST_WIDTH = 330  # the list of tables, from a laptop's width on (a narrow window gives less)
KIND_KEYS = {PIPELINES: "source", TRACKER: "kind"}
CHOICE_WORDS = {"source": SOURCE_NAMES, "kind": TRACKER_NAMES}


class BoardEditor(QWidget):
    """Edits one board file. Use it as a main-window page or as a window of its own.

    `saved(Path)` after a save reached the disk; `close_requested()` when the user is done
    (after saving or discarding); `modified_changed(bool)`; `validated()` after every check;
    `test_finished(name)` when a "Test" result is shown.
    """

    saved = Signal(object)
    close_requested = Signal()
    modified_changed = Signal(bool)
    validated = Signal()
    test_finished = Signal(str)

    def __init__(
        self,
        config: BoardConfig | None = None,
        path: Path | None = None,
        *,
        document: Mapping[str, Any] | None = None,
        ask_path: AskSavePath = ask_save_path,
        keyring_check: Callable[[], bool] = keyring_available,
        store_secret: Callable[[str, str], None] = store_token,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("board_editor")
        self.keyring = KeyringAccess(keyring_check, store_secret, self)
        self.keyring.known.connect(self._keyring_known)
        self.keyring.stored.connect(self._token_stored)
        self._closing = False
        self.tester = EntryTester(self)
        self.tester.changed.connect(self._test_changed)
        self.tester.finished.connect(self._test_finished)
        self._config: BoardConfig | None = None
        self._baseline: tuple[BoardConfig | None, dict[str, Any]] = (None, {})
        self._modified = False
        self.doc = EditorDocument({})
        self.model = EntryListModel(self.doc)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_MS)
        self._timer.timeout.connect(self.validate_now)
        self._build_ui()
        self.flow = SaveFlow(self.notice, ask_path, self._check_for_save, self)
        self.flow.saved.connect(self._saved)
        self.flow.close_confirmed.connect(self._close_confirmed)
        self.flow.busy_changed.connect(self.top.set_busy)
        self._make_actions()
        if document is not None:
            self.set_document(document, path)
        else:
            self.set_board(config, path)

    # -- construction ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.top = EditorTopBar(self)
        self.problems_label = self.top.problems_label
        self.modified_label = self.top.modified_label
        self.save_button = self.top.save_button
        self.top.save_button.clicked.connect(self.save)
        self.top.save_as_button.clicked.connect(self.save_as)
        self.top.close_button.clicked.connect(self.request_close)
        self.notice = NoticeBar(self)
        kinds = [(kind, SOURCE_NAMES[kind]) for kind in SOURCE_KINDS]
        self.entries_panel = EntryListPanel(self.model, kinds, self)
        self.list = self.entries_panel.list
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        self.entries_panel.add_pipeline.connect(self.add_pipeline)
        self.entries_panel.add_environment.connect(self.add_environment)
        self.entries_panel.add_planned.connect(self.add_planned)
        self.entries_panel.remove.connect(self.remove_current)
        self.entries_panel.move.connect(self.move_current)

        self.panel = EntryPanel(self)
        self.panel.test_button.clicked.connect(self.test_current)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.entries_panel)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([LIST_WIDTH, 900])
        self._list_width_chosen = False  # once the user drags the splitter, theirs stays
        self.splitter.splitterMoved.connect(self._list_width_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.top)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._list_width_chosen:
            # A quarter of a narrow window for the list (down to what its buttons need), so
            # the form keeps the room; LIST_WIDTH from a laptop's width on.
            least = self.entries_panel.minimumSizeHint().width()
            left = max(least, min(LIST_WIDTH, self.width() // 4))
            self.splitter.setSizes([left, max(1, self.splitter.width() - left)])

    def _list_width_moved(self, *_args: object) -> None:
        self._list_width_chosen = True

    def _make_actions(self) -> None:
        for keys, slot in (
            ("Ctrl+S", self.save),
            ("Ctrl+Shift+S", self.save_as),
            ("Ctrl+T", self.test_current),
            ("Alt+Up", lambda: self.move_current(-1)),
            ("Alt+Down", lambda: self.move_current(1)),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # -- the board being edited -----------------------------------------------------------------

    def set_board(self, config: BoardConfig | None, path: Path | None = None) -> None:
        """Edit `config` (saved at `path`), or a new board when `config` is None."""
        data = board_document(config) if config is not None else {"board": {}}
        self._load(data, path, config)

    def set_document(self, data: Mapping[str, Any], path: Path | None = None) -> None:
        """Edit board data as read from a TOML file, even one with problems (to fix them)."""
        try:
            config: BoardConfig | None = build_board(data)
        except BoardFileError:
            config = None
        self._load(data, path, config)

    def _load(self, data: Mapping[str, Any], path: Path | None, config: BoardConfig | None) -> None:
        self.doc = EditorDocument(data)
        self.model.reset(self.doc)
        self.flow.path = path
        self._closing = False
        self._baseline = (config, self.doc.data())
        self._update_file_label()
        self.validate_now()
        start = (
            self.doc.board if config is None or not self.doc.pipelines else self.doc.pipelines[0]
        )
        self.select(start)

    def is_modified(self) -> bool:
        return self._modified

    def current_entry(self) -> Entry | None:
        return self.model.entry_at(self.list.currentIndex().row())

    @property
    def form(self) -> EntryForm | None:
        return self.panel.form

    def select(self, entry: Entry) -> None:
        row = self.model.row_of(entry.uid)
        if row >= 0:
            flag = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.list.selectionModel().setCurrentIndex(self.model.index(row), flag)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.model.entry_at(current.row())
        if entry is not None:
            self._show_entry(entry)
        self._update_buttons()

    def _show_entry(self, entry: Entry) -> None:
        form = EntryForm(
            entry.declared(),
            entry.values,
            keyring_suggestion=entry.name or entry.table,
            keyring_state=self.keyring.available,
            choice_words=CHOICE_WORDS,
            url_keys=URL_KEYS.get((entry.table, entry.kind), ()),
        )
        form.edited.connect(lambda key, uid=entry.uid: self._on_edited(uid, key))
        form.committed.connect(lambda key, uid=entry.uid: self._on_committed(uid, key))
        form.store_requested.connect(
            lambda name, token, uid=entry.uid: self._store_token(uid, name, token)
        )
        self.panel.set_form(form)
        self._show_issues(entry)
        self._update_header(entry)

    def _update_header(self, entry: Entry) -> None:
        self.panel.title.set_text(entry.title())
        self.panel.description.setText(entry.description())
        self.panel.set_test(
            entry.can_test(), entry.testing, entry.test_text, tracker=entry.table == TRACKER
        )

    def _show_issues(self, entry: Entry) -> None:
        form = self.panel.form
        if form is not None and self.current_entry() is entry:
            by_key = {k: v for k, v in entry.issues.items() if k}
            form.show_issues(by_key, entry.issues.get("", []))

    # -- editing ---------------------------------------------------------------------------------

    def _on_committed(self, uid: int, key: str) -> None:
        """A browser URL typed or pasted into a field fills the keys it holds (repo, workflow,
        branch and api_url from a GitHub workflow page, …), read as `releasable probe` reads it."""
        entry, form = self.doc.find(uid), self.panel.form
        if entry is None or form is None or self.current_entry() is not entry:
            return
        text = entry.values.get(key)
        parts = (
            values_from_url(entry.table, entry.kind, key, text) if isinstance(text, str) else None
        )
        if not parts or all(entry.values.get(k) == v for k, v in parts.items()):
            return
        if key not in parts:
            entry.values.pop(key, None)
            form.set_values({key: MISSING})
        entry.values.update(parts)
        form.set_values(parts)
        self.model.refresh()
        self._update_header(entry)
        self._changed()

    def _on_edited(self, uid: int, key: str) -> None:
        entry, form = self.doc.find(uid), self.panel.form
        if entry is None or form is None or self.current_entry() is not entry:
            return
        value = form.value(key)
        if KIND_KEYS.get(entry.table) == key:  # another kind takes other keys: a new form
            entry.change_kind(str(value))
            self._show_entry(entry)
            self.validate_now()  # its required keys show at once
        elif value is MISSING:
            entry.values.pop(key, None)
        else:
            entry.values[key] = value
        self.model.refresh()
        self._update_header(entry)
        self._changed()

    def _changed(self) -> None:
        self._timer.start()

    def add_pipeline(self, kind: str) -> None:
        """Add a pipeline reading from `kind` (a source kind) at the end, and select it."""
        self._added(self.doc.add(PIPELINES, {"source": kind}))

    def add_environment(self) -> None:
        self._added(self.doc.add(ENVIRONMENTS, {}))

    def add_planned(self, table: str) -> None:
        """Add a change freeze ("freeze") or a maintenance window ("maintenance")."""
        self._added(self.doc.add(table, {}))

    def _added(self, entry: Entry) -> None:
        self.model.reset()
        self.select(entry)
        self.validate_now()
        first = "name" if entry.table in (PIPELINES, ENVIRONMENTS) else entry.declared()[0].key
        name = self.form.widget_for(first) if self.form is not None else None
        if isinstance(name, QLineEdit):
            name.setFocus(Qt.FocusReason.OtherFocusReason)
            name.selectAll()

    def remove_current(self) -> None:
        """Remove the selected pipeline or environment (the board and tracker stay)."""
        entry = self.current_entry()
        if entry is None or self.doc.group(entry) is None:
            return
        neighbour = self.doc.remove(entry)
        self.model.reset()
        self.select(neighbour)
        self._changed()

    def move_current(self, delta: int) -> None:
        """Move the selected pipeline or environment up (-1) or down (+1) in the board's order."""
        entry = self.current_entry()
        if entry is not None and self.doc.move(entry, delta):
            self.model.reset()
            self.select(entry)
            self._changed()

    def _update_buttons(self) -> None:
        entry = self.current_entry()
        index, length = self.doc.position(entry) if entry is not None else (-1, 0)
        self.entries_panel.set_enabled(index >= 0, index > 0, 0 <= index < length - 1)

    # -- checking ---------------------------------------------------------------------------------

    def validate_now(self) -> BoardConfig | None:
        """Check the board now; the config, or None when it has problems (shown in place)."""
        self._timer.stop()
        try:
            self._config = build_board(self.doc.data(), str(self.path or "board"))
            self.doc.set_issues([])
        except BoardFileError as err:
            self._config = None
            self.doc.set_issues(err.issues)
        count = self.doc.problem_count()
        self.problems_label.set_text(
            f"⚠ {count} problem{'s' if count != 1 else ''}" if count else ""
        )
        self.model.refresh()
        entry = self.current_entry()
        if entry is not None:
            self._show_issues(entry)
            self._update_buttons()
        self._update_modified()
        self.validated.emit()
        return self._config

    def _update_modified(self) -> None:
        base_config, base_data = self._baseline
        if self._config is not None and base_config is not None:
            modified = self._config != base_config
        else:
            modified = self.doc.data() != base_data
        self.modified_label.setVisible(modified)
        self.setWindowModified(modified)
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def _update_file_label(self) -> None:
        where = "a new board file (not saved yet)"
        if self.path is not None:
            where = path_words(self.path)
        self.top.file_label.set_text(f"Editing {where}")
        self.setWindowTitle(f"Edit board — {self.path.name if self.path else 'new'}[*]")

    # -- the keyring ------------------------------------------------------------------------------

    def _keyring_known(self, available: bool) -> None:
        form = self.panel.form
        if form is not None and form.token is not None:
            form.token.set_keyring_available(available)

    def _store_token(self, uid: int, name: str, token: str) -> None:
        entry = self.doc.find(uid)
        if entry is not None:
            self.keyring.store(entry, name, token)

    def _token_stored(self, uid: int, name: str, error: str | None) -> None:
        entry = self.doc.find(uid)
        if entry is None:
            return
        if error is None:
            self._changed()
        form = self.panel.form
        if form is not None and form.token is not None and self.current_entry() is entry:
            form.token.store_finished(name, error)

    # -- testing ----------------------------------------------------------------------------------

    def test_current(self) -> None:
        """Test the selected pipeline or environment; while its test runs, cancel it."""
        entry = self.current_entry()
        if entry is not None:
            self.tester.toggle(entry)

    def _test_changed(self, uid: int) -> None:
        entry = self.current_entry()
        if entry is not None and entry.uid == uid:
            self._update_header(entry)

    def _test_finished(self, uid: int) -> None:
        entry = self.doc.find(uid)
        if entry is not None:
            self.test_finished.emit(entry.name)

    # -- saving and closing -----------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The file the board is saved to (None: a new board, not saved yet)."""
        return self.flow.path

    def save(self) -> None:
        """Save to the board's file (asks where for a new board)."""
        self.flow.save()

    def save_as(self) -> None:
        self.flow.save_as()

    def request_close(self) -> None:
        """Done editing: asks (in the notice bar) about unsaved changes, then `close_requested`."""
        self.flow.request_close(self._modified)

    def _check_for_save(self) -> tuple[BoardConfig | None, str]:
        config = self.validate_now()
        if config is None:
            first = next((e for e in self.doc.entries() if e.problem_count()), None)
            if first is not None:
                self.select(first)
        return config, self.problems_label.text().lstrip("⚠ ")

    def _saved(self, path: Path, config: BoardConfig) -> None:
        self._baseline = (config, board_document(config))
        self._update_file_label()
        self._update_modified()
        self.saved.emit(path)

    def _close_confirmed(self) -> None:
        self._closing = True
        self.close_requested.emit()
        if self.isWindow():
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._modified and not self._closing:
            event.ignore()
            self.request_close()
            return
        super().closeEvent(event)


__all__ = ["BoardEditor"]
