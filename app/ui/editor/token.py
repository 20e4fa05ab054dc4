"""The board editor's "Token" row: where a source's secret comes from, never the secret itself.

A pipeline, environment or tracker names its token in two ways, both optional and tried in
this order: an environment variable (`token_env`, or `password_env` for a cctray feed) and an
OS keyring entry (`token_keyring`). The row edits those two names. To put a token in the
keyring, the user pastes it into a password box and presses "Store in keyring": the editor hands
it to `store_token()` off the GUI thread, the box is cleared, and only the entry's name is kept
for the board file. Without a usable keyring backend the row says so and offers only the
environment variable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget
from shiboken6 import isValid

from app.config.schema import Setting
from app.config.secrets import keyring_name
from app.services.tasks import run_task
from app.ui.editor.entries import Entry
from app.ui.editor.fields import MISSING
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.text import mute, wrapped_label

KEYRING_KEY = "token_keyring"


class TokenField(QWidget):
    """Edits `token_env`/`password_env` and `token_keyring`; stores a typed token in the keyring.

    `changed(key)` fires when either name changes; `store_requested(entry, token)` when the user
    asks to store a token (the editor stores it and answers with `store_finished`).
    `keyring_state`: True (a keyring exists), False (none) or None (not known yet).
    """

    changed = Signal(str)
    store_requested = Signal(str, str)  # entry name, token (for the editor to store off-thread)

    def __init__(
        self,
        env_setting: Setting | None,
        keyring_setting: Setting | None,
        *,
        suggestion: str,
        keyring_state: bool | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("field_token")
        self.env_key = env_setting.key if env_setting else None
        self.suggestion = suggestion
        self._quiet = False
        self._storing = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self.env_edit: QLineEdit | None = None
        row = 0
        self.secret = "password" if env_setting and env_setting.key == "password_env" else "token"
        if env_setting is not None:
            grid.addWidget(PlainLabel("Environment variable", self), row, 0)
            self.env_edit = QLineEdit(self)
            self.env_edit.setObjectName(f"edit_{env_setting.key}")
            self.env_edit.setPlaceholderText(f"name of the variable holding the {self.secret}")
            self.env_edit.setAccessibleName(env_setting.key)
            self.env_edit.setToolTip(env_setting.description)
            self.env_edit.textChanged.connect(lambda: self._emit(env_setting.key))
            grid.addWidget(self.env_edit, row, 1, 1, 2)
            row += 1
        self.keyring_edit: QLineEdit | None = None
        self.secret_edit: QLineEdit | None = None
        self.store_button: QPushButton | None = None
        self.keyring_note = wrapped_label("", self)
        mute(self.keyring_note)
        if keyring_setting is not None:
            self.keyring_label = PlainLabel("OS keyring entry", self)
            grid.addWidget(self.keyring_label, row, 0)
            self.keyring_edit = QLineEdit(self)
            self.keyring_edit.setObjectName("edit_token_keyring")
            self.keyring_edit.setPlaceholderText(f"entry name, e.g. {suggestion}")
            self.keyring_edit.setAccessibleName(KEYRING_KEY)
            self.keyring_edit.setToolTip(keyring_setting.description)
            self.keyring_edit.textChanged.connect(lambda: self._emit(KEYRING_KEY))
            grid.addWidget(self.keyring_edit, row, 1, 1, 2)
            row += 1
            self.secret_row = QWidget(self)
            secret_layout = QHBoxLayout(self.secret_row)
            secret_layout.setContentsMargins(0, 0, 0, 0)
            self.secret_edit = QLineEdit(self.secret_row)
            self.secret_edit.setObjectName("edit_secret")
            self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret_edit.setPlaceholderText(f"paste the {self.secret} to store")
            self.secret_edit.setAccessibleName("Token to store in the OS keyring")
            self.secret_edit.returnPressed.connect(self.store_now)
            self.store_button = QPushButton("Store in keyring", self.secret_row)
            self.store_button.setObjectName("store_token")
            self.store_button.clicked.connect(self.store_now)
            secret_layout.addWidget(self.secret_edit, 1)
            secret_layout.addWidget(self.store_button)
            grid.addWidget(self.secret_row, row, 1, 1, 2)
            row += 1
        self.status = wrapped_label("", self)
        self.status.setObjectName("token_status")
        grid.addWidget(self.keyring_note, row, 0, 1, 3)
        grid.addWidget(self.status, row + 1, 0, 1, 3)
        self.status.hide()
        self.set_keyring_available(keyring_state)

    # -- values ---------------------------------------------------------------------------------

    def field_keys(self) -> tuple[str, ...]:
        """The board-file keys this row edits."""
        keys = (self.env_key,) if self.env_key else ()
        return keys + ((KEYRING_KEY,) if self.keyring_edit is not None else ())

    def value(self, key: str) -> Any:
        edit = self.env_edit if key == self.env_key else self.keyring_edit
        text = edit.text().strip() if edit is not None else ""
        return text or MISSING

    def set_values(self, values: Mapping[str, Any]) -> None:
        self._quiet = True
        try:
            for key, edit in ((self.env_key, self.env_edit), (KEYRING_KEY, self.keyring_edit)):
                if key and edit is not None:
                    value = values.get(key)
                    edit.setText("" if value is None else str(value))
        finally:
            self._quiet = False
        self._update_keyring_rows()

    def focus_widget(self, key: str | None = None) -> QWidget:
        if key == KEYRING_KEY and self.keyring_edit is not None:
            return self.keyring_edit
        return self.env_edit or self.keyring_edit or self

    def _emit(self, key: str) -> None:
        if not self._quiet:
            self.changed.emit(key)

    # -- the keyring ----------------------------------------------------------------------------

    def set_keyring_available(self, state: bool | None) -> None:
        """Show the keyring rows for a machine that has one, has none, or is still checked."""
        self.keyring_state = state
        self._update_keyring_rows()

    def _update_keyring_rows(self) -> None:
        if self.keyring_edit is None:
            self.keyring_note.set_text("")
            return
        state = self.keyring_state
        has_entry = bool(self.keyring_edit.text().strip())
        show_entry = state is True or has_entry
        self.keyring_label.setVisible(show_entry)
        self.keyring_edit.setVisible(show_entry)
        self.secret_row.setVisible(state is True)
        if state is None:
            note = "Checking whether this computer has an OS keyring…"
        elif state:
            note = (
                "Tried in this order: the environment variable, then the keyring entry. "
                "The board file holds only their names, never the token."
            )
        elif self.env_key is not None:
            note = (
                "This computer has no OS keyring, so the token must come from an "
                "environment variable: set it where Releasable runs and name it above."
            )
        else:
            note = "This computer has no OS keyring to hold a token."
        self.keyring_note.set_text(note)

    def store_now(self) -> None:
        """Ask for the typed token to be stored under the entry name (suggested when empty)."""
        if self.secret_edit is None or self.keyring_edit is None or self._storing:
            return
        token = self.secret_edit.text().strip()
        if not token:
            self._say("Paste the token into the box first.")
            return
        entry = self.keyring_edit.text().strip() or self.suggestion
        self.set_storing(entry)
        self.store_requested.emit(entry, token)

    def set_storing(self, entry: str) -> None:
        """Show that the token is on its way to the keyring as `entry`."""
        self._storing = True
        self._set_busy(True)
        self._say(f"Storing the token as '{keyring_name(entry)}'…")

    def store_finished(self, entry: str, error: str | None) -> None:
        """The keyring answered: stored as `entry` (the box is cleared), or `error` in words."""
        self._storing = False
        self._set_busy(False)
        if error is not None:
            self._say(f"Not stored: {error}")
            return
        if self.secret_edit is not None:
            self.secret_edit.clear()
        if self.keyring_edit is not None and self.keyring_edit.text().strip() != entry:
            self._quiet = True
            try:
                self.keyring_edit.setText(entry)
            finally:
                self._quiet = False
            self._update_keyring_rows()
        self._say(
            f"Stored in the OS keyring as '{keyring_name(entry)}'. "
            "The board file names the entry; the token stays on this computer."
        )

    def _set_busy(self, busy: bool) -> None:
        if self.store_button is not None:
            self.store_button.setEnabled(not busy)
            self.store_button.setText("Storing…" if busy else "Store in keyring")

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))


class KeyringAccess(QObject):
    """The OS keyring as the editor uses it, always off the GUI thread.

    On creation it asks whether a keyring exists (`available`: None until known, then
    `known(bool)`). `store(entry, name, token)` stores a token; once stored, the entry's
    `token_keyring` is set to `name` — the name only — and `stored(uid, name, error)` follows
    (`error` None on success, else in words; never containing the token).
    """

    known = Signal(bool)
    stored = Signal(int, str, object)

    def __init__(
        self,
        check: Callable[[], bool],
        store: Callable[[str, str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.available: bool | None = None
        self._store = store
        run_task(check, self._known, lambda _err: self._known(False))

    def _known(self, available: object) -> None:
        if isValid(self):
            self.available = bool(available)
            self.known.emit(self.available)

    def store(self, entry: Entry, name: str, token: str) -> None:
        store = self._store
        run_task(
            lambda: store(name, token),
            lambda _result: self._stored(entry, name, None),
            lambda err: self._stored(entry, name, str(err) or type(err).__name__),
        )

    def _stored(self, entry: Entry, name: str, error: str | None) -> None:
        if not isValid(self):
            return
        if error is None:
            entry.values[KEYRING_KEY] = name
        self.stored.emit(entry.uid, name, error)


__all__ = ["KEYRING_KEY", "KeyringAccess", "TokenField"]
