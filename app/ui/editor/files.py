"""Board files on disk, as the editor and the welcome page meet them: file dialogs, comments.

The writer drops comments (`app.config.writer`), so before saving over a hand-written file
the editor asks `file_has_comments()`, a small TOML-aware scan that ignores `#` inside strings.
The dialog functions are the defaults the editor and welcome page use; tests inject their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

BOARD_FILTER = "Board files (*.toml);;All files (*)"

AskSavePath = Callable[[QWidget, Path | None], Path | None]
AskOpenPath = Callable[[QWidget], Path | None]


def toml_has_comments(text: str) -> bool:
    """Whether TOML `text` has a comment (a `#` outside every kind of string)."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            return True
        if text.startswith('"""', i) or text.startswith("'''", i):
            i = _after_multiline(text, i)
            continue
        if char in "\"'":
            i = _after_string(text, i)
            continue
        i += 1
    return False


def _after_multiline(text: str, start: int) -> int:
    quote = text[start : start + 3]
    i = start + 3
    while True:
        end = text.find(quote, i)
        if end < 0:
            return len(text)
        if quote == '"""' and _escaped(text, end):
            i = end + 1
            continue
        end += 3
        while text.startswith(quote[0], end):  # up to two quotes may end the content
            end += 1
        return end


def _after_string(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text) and text[i] != "\n":
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return i


def _escaped(text: str, index: int) -> bool:
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def file_has_comments(path: Path) -> bool:
    """Whether the file at `path` exists and has comments that saving over it would drop."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return toml_has_comments(text)


def default_board_path() -> Path:
    """Where the app looks for a board when none is named: the first "Save" goes there."""
    from app.config.loader import BOARD_FILE_NAME, config_dir

    return config_dir() / BOARD_FILE_NAME


def ask_save_path(parent: QWidget, current: Path | None) -> Path | None:
    """The desktop "Save as" dialog (it asks itself before replacing a file).

    A new board is offered the user's config folder, created when missing (a dialog asked to
    start in a folder that does not exist opens in the current one, and the board is lost).
    """
    if current is None:
        with contextlib.suppress(OSError):  # then the dialog starts where it can
            default_board_path().parent.mkdir(parents=True, exist_ok=True)
    start = str(current if current is not None else default_board_path())
    name, _ = QFileDialog.getSaveFileName(parent, "Save the board file", start, BOARD_FILTER)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".toml")


def ask_open_path(parent: QWidget) -> Path | None:
    """The desktop "Open" dialog for a board file."""
    name, _ = QFileDialog.getOpenFileName(parent, "Open a board file", "", BOARD_FILTER)
    return Path(name) if name else None


__all__ = [
    "AskOpenPath",
    "AskSavePath",
    "ask_open_path",
    "ask_save_path",
    "default_board_path",
    "file_has_comments",
    "toml_has_comments",
]
