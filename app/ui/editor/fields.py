"""One input widget per declared value type, for the board editor's generated forms.

`make_field(setting)` turns a `Setting` from `app.config.settings` into a `Field`: text boxes
for text, URLs and names, spin boxes for seconds and whole numbers, a check box for true/false,
a combo for choices, a one-per-line box for lists, three boxes for a P1/P2/P3 map. A field
reads and writes plain TOML values (what `board_document()` gives and `build_board()` takes);
`MISSING` means "leave the key out", so the declared default applies. Fields never judge a
value: whatever is typed goes to `build_board()`, whose message is shown beside the field.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any

from PySide6.QtCore import QLocale, QSize, Qt, Signal
from PySide6.QtGui import QPaintEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from app.config.schema import PRIORITY_KEYS, Setting, ValueType
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.text import TextBox


class _Missing(Enum):
    MISSING = "missing"


MISSING = _Missing.MISSING  # the key is left out of the file: its default applies

_MAX_SECONDS = 10_000_000.0
_TEXT_HINTS: dict[ValueType, str] = {
    ValueType.URL: "https://…",
    ValueType.ENV_NAME: "NAME_OF_A_VARIABLE",
    ValueType.KEYRING_ENTRY: "entry name",
    ValueType.PATH: "/path/to/file.pem",
    ValueType.TEXT_OR_NUMBER: "name or number",
    ValueType.DATETIME: "2026-12-19T18:00:00+01:00",
    ValueType.TIME_OF_DAY: "HH:MM",
    ValueType.TIME_ZONE: "Europe/Berlin",
}


def default_hint(setting: Setting) -> str:
    """The placeholder: the default when there is one, else what kind of value goes here."""
    if setting.default_text is not None:
        return f"default: {setting.default_text}"
    if isinstance(setting.default, str):
        return f"default: {setting.default}"
    if setting.default is not None and not isinstance(setting.default, Mapping | tuple):
        return f"default: {setting.default_words}"
    return _TEXT_HINTS.get(setting.type, "")


class Field(QWidget):
    """One key's input. `changed` fires on every edit (typed or set); `committed` when a
    typed text is done (Enter, or the focus left)."""

    changed = Signal()
    committed = Signal()

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = setting
        self._quiet = False
        self.setObjectName(f"field_{setting.key}")
        self.setAccessibleName(setting.key)
        self.setToolTip(setting.description)

    def value(self) -> Any:
        """The TOML value, or MISSING."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show `value` (MISSING or None: empty, the default applies)."""
        with self.quiet():
            self._show(None if value is MISSING else value)

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return self

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _emit(self, *_args: object) -> None:
        if not self._quiet:
            self.changed.emit()

    def _single(self, widget: QWidget) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget)
        widget.setToolTip(self.setting.description)
        widget.setAccessibleName(self.setting.key)
        widget.setAccessibleDescription(self.setting.description)
        self.setFocusProxy(widget)


class TextField(Field):
    """Text, URLs, variable and entry names, paths; ids written as numbers are kept as text."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(default_hint(setting))
        self.edit.textChanged.connect(self._emit)
        self.edit.editingFinished.connect(self.committed)
        self._single(self.edit)

    def accept_urls(self) -> None:
        """Say that a page's address from the browser may be pasted here."""
        hint = self.edit.placeholderText()
        words = "or paste the page's address from the browser"
        self.edit.setPlaceholderText(f"{hint} — {words}" if hint else words.capitalize())

    def value(self) -> Any:
        text = self.edit.text()  # not stripped: a prefix like "web :: " ends with a space
        return text if text else MISSING

    def _show(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def focus_widget(self) -> QWidget:
        return self.edit


class _ElidingCombo(QComboBox):
    """A combo box that may be narrower than its longest choice: the choice shown ends in
    "…" (Qt's styles clip it mid-letter), the tool tip says it in full (`ChoiceField`)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        room = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, room.width() - 4
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class ChoiceField(Field):
    """One of the declared choices; an optional key starts with "default: …" (left out)."""

    def __init__(
        self,
        setting: Setting,
        parent: QWidget | None = None,
        words: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(setting, parent)
        self.combo = _ElidingCombo(self)
        if not setting.required:
            shown = setting.default if setting.default is not None else "not set"
            self.combo.addItem(f"default: {shown}", MISSING)
        for choice in setting.choices:
            said = (words or {}).get(choice)
            self.combo.addItem(f"{said} ({choice})" if said else choice, choice)
        # Its longest choice must not widen the form past a narrow window: the box shrinks
        # (the style elides the choice shown) and its tool tip says the choice in full.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(SPIN_MIN_CHARS)
        self.combo.currentIndexChanged.connect(self._emit)
        self.combo.currentIndexChanged.connect(self._say_choice)
        self._single(self.combo)
        self._say_choice()

    def _say_choice(self, *_args: object) -> None:
        self.combo.setToolTip(f"{self.combo.currentText()}\n{self.setting.description}")

    def value(self) -> Any:
        return self.combo.currentData()

    def _show(self, value: Any) -> None:
        index = self.combo.findData(value if value is not None else MISSING)
        if index < 0 and value is not None:  # a value the declaration does not know: show it
            self.combo.addItem(str(value), value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(max(index, 0))

    def focus_widget(self) -> QWidget:
        return self.combo


class BoolField(Field):
    """A check box; the value is written only when it differs from the default."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        default = bool(setting.default)
        self.check = QCheckBox("yes" + (" (default)" if default else ""), self)
        self.check.setChecked(default)
        self.check.toggled.connect(self._on_toggled)
        self._single(self.check)

    def _on_toggled(self, on: bool) -> None:
        self.check.setText("yes" + (" (default)" if on == bool(self.setting.default) else ""))
        self._emit()

    def value(self) -> Any:
        on = self.check.isChecked()
        return MISSING if on == bool(self.setting.default) else on

    def _show(self, value: Any) -> None:
        self.check.setChecked(bool(self.setting.default) if value is None else bool(value))

    def focus_widget(self) -> QWidget:
        return self.check


SPIN_MIN_CHARS = 16  # a spin box shrinks to this many characters; its "default: …" elides


class _FormSpin:
    """What every spin box of a form does (mixed into QSpinBox and QDoubleSpinBox).

    The mouse wheel over a scrolling form must not change a value by accident. And a long
    "default: …" text ("default: 3 × refresh_seconds if set here, else the board's") must not
    widen the form past a narrow window: the box shrinks to `SPIN_MIN_CHARS` and the text is
    elided to the room there is, said in full in the tool tip.
    """

    _default_words = ""

    def set_default_text(self, text: str) -> None:
        spin = self._spin()
        # Preferred, not Qt's Minimum: a layout may then give it less than its size hint.
        spin.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._default_words = text
        spin.setToolTip(f"{spin.toolTip()}\n{text}" if spin.toolTip() else text)
        self._fit_default_text()

    def _spin(self) -> QAbstractSpinBox:
        assert isinstance(self, QAbstractSpinBox)
        return self

    def _fit_default_text(self) -> None:
        spin = self._spin()
        if not self._default_words or not isinstance(spin, QSpinBox | QDoubleSpinBox):
            return
        edit = spin.lineEdit()
        room = edit.width() - 6 if edit is not None and spin.isVisible() else 10_000
        words = spin.fontMetrics().elidedText(
            self._default_words, Qt.TextElideMode.ElideRight, room
        )
        if words != spin.specialValueText():
            spin.setSpecialValueText(words)

    def _wheel(self, event: QWheelEvent, base: type[QAbstractSpinBox]) -> None:
        spin = self._spin()
        if spin.hasFocus():
            base.wheelEvent(spin, event)
        else:
            event.ignore()

    def _min_hint(self, hint: QSize) -> QSize:
        spin = self._spin()
        least = spin.fontMetrics().averageCharWidth() * SPIN_MIN_CHARS + 40  # + arrows, frame
        return QSize(min(hint.width(), least), hint.height())


class _WheelSafeSpin(_FormSpin, QSpinBox):
    """A whole number in a form (see `_FormSpin`)."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._wheel(event, QSpinBox)

    def minimumSizeHint(self) -> QSize:
        return self._min_hint(super().minimumSizeHint())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_default_text()


class _NumberSpin(_FormSpin, QDoubleSpinBox):
    """Seconds and milliseconds, shown without trailing zeros ("60 s", "0.5 s")."""

    def textFromValue(self, value: float) -> str:
        return f"{value:.3f}".rstrip("0").rstrip(".")

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._wheel(event, QDoubleSpinBox)

    def minimumSizeHint(self) -> QSize:
        return self._min_hint(super().minimumSizeHint())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_default_text()


class IntegerField(Field):
    """A whole number (0 or more); the lowest step says "default: …" and leaves the key out."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.spin = _WheelSafeSpin(self)
        self.spin.setRange(-1, 1_000_000)
        self.spin.setValue(-1)
        self.spin.valueChanged.connect(self._emit)
        self._single(self.spin)
        self.spin.set_default_text(default_hint(setting) or "not set")

    def value(self) -> Any:
        value = self.spin.value()
        return MISSING if value < 0 else value

    def _show(self, value: Any) -> None:
        self.spin.setValue(value if isinstance(value, int) and value >= 0 else -1)

    def focus_widget(self) -> QWidget:
        return self.spin


class NumberField(Field):
    """Seconds or milliseconds above 0; 0 is shown as "default: …" and leaves the key out."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.spin = _NumberSpin(self)
        self.spin.setLocale(QLocale.c())
        self.spin.setDecimals(3)
        self.spin.setRange(0.0, _MAX_SECONDS)
        self.spin.setSingleStep(100.0 if setting.type is ValueType.MILLISECONDS else 5.0)
        self.spin.setSuffix(" ms" if setting.type is ValueType.MILLISECONDS else " s")
        self.spin.valueChanged.connect(self._emit)
        self._single(self.spin)
        self.spin.set_default_text(default_hint(setting) or "not set")

    def value(self) -> Any:
        value = self.spin.value()
        if value <= 0:
            return MISSING
        return int(value) if float(value).is_integer() else value

    def _show(self, value: Any) -> None:
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else 0
        self.spin.setValue(float(number))

    def focus_widget(self) -> QWidget:
        return self.spin


def _lines(box: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in box.toPlainText().splitlines() if line.strip()]


class TextListField(Field):
    """A list of text, one item per line."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.box = TextBox(self, setting.key, "one per line", 3)
        self.box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.box.textChanged.connect(self._emit)
        self._single(self.box)

    def value(self) -> Any:
        return _lines(self.box) or MISSING

    def _show(self, value: Any) -> None:
        items = value if isinstance(value, list | tuple) else ([] if value is None else [value])
        self.box.setPlainText("\n".join(str(item) for item in items))

    def focus_widget(self) -> QWidget:
        return self.box


class StatusListField(Field):
    """HTTP status codes, separated by commas or spaces ("200, 204")."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(default_hint(setting) + " — e.g. 200, 204")
        self.edit.textChanged.connect(self._emit)
        self._single(self.edit)

    def value(self) -> Any:
        words = [w for w in re.split(r"[,\s]+", self.edit.text()) if w]
        if not words:
            return MISSING
        return [int(w) if w.isdigit() else w for w in words]  # not a number: the check says so

    def _show(self, value: Any) -> None:
        items = value if isinstance(value, list | tuple) else ([] if value is None else [value])
        self.edit.setText(", ".join(str(item) for item in items))

    def focus_widget(self) -> QWidget:
        return self.edit


class TextMapField(Field):
    """A table of text, one "Name: value" per line (HTTP headers)."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.box = TextBox(self, setting.key, "Name: value — one per line", 2)
        self.box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.box.textChanged.connect(self._emit)
        self._single(self.box)

    def value(self) -> Any:
        table: dict[str, str] = {}
        for line in _lines(self.box):
            name, _, text = line.partition(":")
            table[name.strip()] = text.strip()
        return table or MISSING

    def _show(self, value: Any) -> None:
        table = value if isinstance(value, Mapping) else {}
        self.box.setPlainText("\n".join(f"{k}: {v}" for k, v in table.items()))

    def focus_widget(self) -> QWidget:
        return self.box


class PriorityMapField(Field):
    """One text box per priority (P1, P2, P3); an empty box keeps that priority's default."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        defaults: Mapping[str, str] = setting.default or {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        for key in PRIORITY_KEYS:
            layout.addWidget(PlainLabel(key, self))
            edit = QLineEdit(self)
            edit.setPlaceholderText(f"default: {defaults.get(key, '')}")
            edit.setAccessibleName(f"{setting.key} {key}")
            edit.setToolTip(setting.description)
            edit.textChanged.connect(self._emit)
            layout.addWidget(edit, 1)
            self.edits[key] = edit
        self.setFocusProxy(self.edits[PRIORITY_KEYS[0]])

    def value(self) -> Any:
        table = {k: e.text().strip() for k, e in self.edits.items() if e.text().strip()}
        defaults = dict(self.setting.default or {})
        return MISSING if not table or {**defaults, **table} == defaults else table

    def _show(self, value: Any) -> None:
        table = value if isinstance(value, Mapping) else {}
        defaults = self.setting.default or {}
        for key, edit in self.edits.items():
            text = table.get(key)
            edit.setText("" if text is None or text == defaults.get(key) else str(text))

    def focus_widget(self) -> QWidget:
        return self.edits[PRIORITY_KEYS[0]]


_BY_TYPE: dict[ValueType, type[Field]] = {
    ValueType.TEXT: TextField,
    ValueType.TEXT_OR_NUMBER: TextField,
    ValueType.URL: TextField,
    ValueType.ENV_NAME: TextField,
    ValueType.KEYRING_ENTRY: TextField,
    ValueType.PATH: TextField,
    ValueType.BOOLEAN: BoolField,
    ValueType.INTEGER: IntegerField,
    ValueType.SECONDS: NumberField,
    ValueType.MILLISECONDS: NumberField,
    ValueType.TEXT_LIST: TextListField,
    ValueType.STATUS_LIST: StatusListField,
    ValueType.TEXT_MAP: TextMapField,
    ValueType.PRIORITY_MAP: PriorityMapField,
    ValueType.DATETIME: TextField,
    ValueType.TIME_OF_DAY: TextField,
    ValueType.TIME_ZONE: TextField,
    ValueType.WEEKDAY_LIST: TextListField,
}


def make_field(
    setting: Setting, parent: QWidget | None = None, words: Mapping[str, str] | None = None
) -> Field:
    """The input for `setting`: its choices (said with `words`, if given) if it has any, else
    by its value type."""
    if setting.choices:
        return ChoiceField(setting, parent, words)
    return _BY_TYPE[setting.type](setting, parent)


__all__ = ["MISSING", "Field", "default_hint", "make_field"]
