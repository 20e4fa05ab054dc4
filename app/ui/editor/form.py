"""The form for one board-file table, generated from its declared settings.

`EntryForm` lays out one row per `Setting` (in declaration order, the order the writer uses):
the key, its input (`app.ui.editor.fields`), the problem with its value when there is one
(beside the input, or below it in a narrow window), and the key's description. The token keys
(`token_env` / `password_env` and `token_keyring`) share one "Token" row
(`app.ui.editor.token`). The form only shows and reads values: the editor keeps
the table's data and runs the checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.config.schema import Setting
from app.ui.editor.fields import MISSING, Field, TextField, make_field
from app.ui.editor.token import KEYRING_KEY, TokenField
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.text import error_label, mute, wrapped_label

ENV_KEYS = ("token_env", "password_env")
TOKEN_ROW = "token"  # the one row (and problem label) of the token keys
FIELD_CHARS = 90  # inputs wider than this are hard to read; the problems take the room left
NARROW_CHARS = 100  # a form narrower than this shows each problem below its input, not beside


def token_settings(declared: Sequence[Setting]) -> tuple[Setting | None, Setting | None]:
    """(the environment-variable setting, the keyring setting) of a table, where declared."""
    env = next((s for s in declared if s.key in ENV_KEYS), None)
    keyring = next((s for s in declared if s.key == KEYRING_KEY), None)
    return env, keyring


class EntryForm(QWidget):
    """Inputs for `declared` keys showing `values`; `edited(key)` on every change.

    `choice_words` says choices in words, by key (`{"source": {"gitlab": "GitLab CI"}}`).
    """

    edited = Signal(str)
    committed = Signal(str)  # a text field's typing is done (Enter, focus left)
    store_requested = Signal(str, str)  # entry name, token: relayed from the token row

    def __init__(
        self,
        declared: Sequence[Setting],
        values: Mapping[str, Any],
        *,
        keyring_suggestion: str,
        keyring_state: bool | None,
        choice_words: Mapping[str, Mapping[str, str]] | None = None,
        url_keys: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.declared = tuple(declared)
        self.fields: dict[str, Field] = {}
        self.issue_labels: dict[str, PlainLabel] = {}
        self.token: TokenField | None = None
        env, keyring = token_settings(self.declared)
        token_keys = {s.key for s in (env, keyring) if s is not None}

        self._field_width = self.fontMetrics().averageCharWidth() * FIELD_CHARS
        self._narrow_width = self.fontMetrics().averageCharWidth() * NARROW_CHARS
        self._issue_rows: list[tuple[PlainLabel, int]] = []  # each problem line and its row
        self._narrow: bool | None = None
        grid = QGridLayout(self)
        self._grid = grid
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.general = error_label(self)
        self.general.setObjectName("issue_general")
        grid.addWidget(self.general, 0, 0, 1, 3)
        row = 1
        for setting in self.declared:
            if setting.key in token_keys:
                if self.token is not None:
                    continue
                self.token = TokenField(
                    env,
                    keyring,
                    suggestion=keyring_suggestion,
                    keyring_state=keyring_state,
                    parent=self,
                )
                self.token.set_values(values)
                self.token.changed.connect(self.edited)
                self.token.store_requested.connect(self.store_requested)
                what = "Password" if env is not None and env.key == "password_env" else "Token"
                row = self._add_row(grid, row, what, self.token, None)
                continue
            field = make_field(setting, self, (choice_words or {}).get(setting.key))
            field.set_value(values.get(setting.key, MISSING))
            field.changed.connect(lambda key=setting.key: self.edited.emit(key))
            field.committed.connect(lambda key=setting.key: self.committed.emit(key))
            if setting.key in url_keys and isinstance(field, TextField):
                field.accept_urls()
            self.fields[setting.key] = field
            row = self._add_row(grid, row, setting.key, field, setting)
        grid.setRowStretch(row, 1)

    def _add_row(
        self, grid: QGridLayout, row: int, name: str, widget: QWidget, setting: Setting | None
    ) -> int:
        """Key | input (its description below) | its problem, beside it."""
        label = QLabel(name + (" *" if setting is not None and setting.required else ""), self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setBuddy(widget.focusProxy() or widget)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        top = Qt.AlignmentFlag.AlignTop
        key = setting.key if setting is not None else TOKEN_ROW
        self.issue_labels[key] = issue = error_label(self)
        issue.setObjectName(f"issue_{key}")
        widget.setMaximumWidth(self._field_width)
        grid.addWidget(label, row, 0, top | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(widget, row, 1, top)
        grid.addWidget(issue, row, 2, 2, 1, top)
        self._issue_rows.append((issue, row))
        if setting is not None:
            words = ("Required. " if setting.required else "") + setting.description
            help_label = wrapped_label(words, self)
            help_label.setObjectName(f"help_{setting.key}")
            help_label.setMaximumWidth(self._field_width)
            mute(help_label)
            grid.addWidget(help_label, row + 1, 1, top)
        grid.setRowMinimumHeight(row + 2, 10)
        return row + 3

    # -- narrow windows -------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_issues(self.width() < self._narrow_width)

    def _place_issues(self, narrow: bool) -> None:
        """Wide: each problem beside its input. Narrow (an 800-pixel window): below its help,
        in the input's column, so that the inputs keep the width there is."""
        if narrow == self._narrow:
            return
        self._narrow = narrow
        top = Qt.AlignmentFlag.AlignTop
        for issue, row in self._issue_rows:
            self._grid.removeWidget(issue)
            if narrow:
                self._grid.addWidget(issue, row + 2, 1, top)
            else:
                self._grid.addWidget(issue, row, 2, 2, 1, top)
        self._grid.setColumnStretch(2, 0 if narrow else 2)

    def issues_below(self) -> bool:
        """Whether problems show below their inputs (a narrow form) rather than beside them."""
        return bool(self._narrow)

    # -- reading --------------------------------------------------------------------------------

    def field_keys(self) -> tuple[str, ...]:
        """Every key this form edits, in declaration order (token keys included)."""
        token_keys = self.token.field_keys() if self.token is not None else ()
        return tuple(s.key for s in self.declared if s.key in self.fields or s.key in token_keys)

    def value(self, key: str) -> Any:
        """The value of `key` as a TOML value, or MISSING."""
        if key in self.fields:
            return self.fields[key].value()
        if self.token is not None and key in self.token.field_keys():
            return self.token.value(key)
        raise KeyError(key)

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show these values in their fields (quietly: no `edited`)."""
        for key, value in values.items():
            if key in self.fields:
                self.fields[key].set_value(value)

    def widget_for(self, key: str) -> QWidget | None:
        """The input a person types `key` into (for focus and tests)."""
        if key in self.fields:
            return self.fields[key].focus_widget()
        if self.token is not None and key in self.token.field_keys():
            return self.token.focus_widget(key)
        return None

    # -- problems -------------------------------------------------------------------------------

    def show_issues(self, by_key: Mapping[str, Sequence[str]], general: Sequence[str]) -> None:
        """Put each problem beside its key's input; problems of no shown key go on top."""
        token_keys = self.token.field_keys() if self.token is not None else ()
        shown: dict[str, list[str]] = {key: [] for key in self.issue_labels}
        others = list(general)
        for key, messages in by_key.items():
            if key in token_keys:
                shown[TOKEN_ROW] += [f"{key}: {m}" for m in messages]
            elif key in shown:
                shown[key] += messages
            else:
                others += [f"{key}: {m}" for m in messages]
        for key, label in self.issue_labels.items():
            text = "\n".join(f"⚠ {m}" for m in shown[key])
            label.setText(text)
            label.setVisible(bool(text))
        self.general.setText("\n".join(f"⚠ {m}" for m in others))
        self.general.setVisible(bool(others))

    def issue_text(self, key: str) -> str:
        """The problem shown beside `key` ('' when none)."""
        if self.token is not None and key in self.token.field_keys():
            key = TOKEN_ROW
        label = self.issue_labels.get(key)
        return label.text() if label is not None and not label.isHidden() else ""


__all__ = ["ENV_KEYS", "EntryForm", "token_settings"]
