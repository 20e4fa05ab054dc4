"""Saving the board file off the GUI thread, without losing comments unannounced.

`BoardSaver.save(path, config)` first asks, off the GUI thread, whether the file at `path`
has comments the writer would drop; if so it stops and emits `comments_found(path)` so the
editor can ask the user (`save(..., comments_ok=True)` goes on). Then `save_board()` writes the
file atomically, off the GUI thread, and `saved(path, config)` or `failed(path, words)` follows.
One save at a time; `busy` says whether one is under way.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from app.config.board import BoardConfig
from app.config.errors import BoardFileError
from app.config.writer import save_board
from app.services.tasks import run_task
from app.ui.editor_files import file_has_comments


class BoardSaver(QObject):
    """Writes board files one at a time, through `run_task`."""

    saved = Signal(object, object)  # Path, BoardConfig
    failed = Signal(object, str)  # Path, what went wrong in words
    comments_found = Signal(object)  # Path: saving would drop its comments
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.busy = False

    def save(self, path: Path, config: BoardConfig, *, comments_ok: bool = False) -> bool:
        """Start saving `config` to `path`; False when a save is already under way."""
        if self.busy:
            return False
        self._set_busy(True)
        if comments_ok:
            self._write(path, config)
        else:
            run_task(
                lambda: file_has_comments(path),
                lambda has: self._checked(path, config, has),
                lambda err: self._failed(path, err),
            )
        return True

    def _checked(self, path: Path, config: BoardConfig, has_comments: bool) -> None:
        if not isValid(self):
            return
        if has_comments:
            self._set_busy(False)
            self.comments_found.emit(path)
            return
        self._write(path, config)

    def _write(self, path: Path, config: BoardConfig) -> None:
        run_task(
            lambda: save_board(config, path),
            lambda _result: self._saved(path, config),
            lambda err: self._failed(path, err),
        )

    def _saved(self, path: Path, config: BoardConfig) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self.saved.emit(path, config)

    def _failed(self, path: Path, error: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self.failed.emit(path, failure_words(error))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)


def failure_words(error: BaseException) -> str:
    """Why a save failed, in words (never a token: board files hold none)."""
    if isinstance(error, BoardFileError):
        return "; ".join(issue.message for issue in error.issues)
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__


__all__ = ["BoardSaver", "failure_words"]
