"""Save, Save as and Close, as the board editor's user meets them: off the GUI thread, and
asking in the notice bar (never a blocking dialog) before anything is lost.

`SaveFlow.save()` checks the board (`check()` gives the config, or None and the problems in
words), then asks off the GUI thread whether the file has comments the writer would drop and,
if so, asks the user; then `save_board()` writes the file atomically, off the GUI thread, and
`saved(path, config)` follows (or the failure, in words, in the notice bar). One save at a
time. `request_close(modified)` asks about unsaved changes (Save / Discard / Keep editing) and
emits `close_confirmed()` once the user is done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from app.config.board import BoardConfig
from app.config.errors import BoardFileError
from app.config.writer import save_board
from app.domain.words import path_words
from app.services.tasks import run_task
from app.ui.editor.files import AskSavePath, file_has_comments
from app.ui.editor.panel import NoticeBar

CheckFn = Callable[[], tuple[BoardConfig | None, str]]


class SaveFlow(QObject):
    """Saving and closing for one editor (`path` is the file the board is saved to)."""

    saved = Signal(object, object)  # Path, BoardConfig
    close_confirmed = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self, notice: NoticeBar, ask_path: AskSavePath, check: CheckFn, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.notice = notice
        self.path: Path | None = None
        self.busy = False
        self._ask_path = ask_path
        self._check = check
        self._dialog_parent = parent
        self._close_after_save = False

    # -- saving -----------------------------------------------------------------------------------

    def save(self) -> None:
        """Save to `path` (asks where for a new board)."""
        if self.path is None:
            self.save_as()
        else:
            self._start(self.path)

    def save_as(self) -> None:
        path = self._ask_path(self._dialog_parent, self.path)
        if path is None:
            self._close_after_save = False
            return
        self._start(path)

    def _start(self, path: Path, *, comments_ok: bool = False) -> None:
        if self.busy:
            return
        config, problems = self._check()
        if config is None:
            self._close_after_save = False
            self.notice.show_notice(
                f"Not saved: {problems} to fix first — each is marked beside its field and "
                "counted in the list."
            )
            return
        self._set_busy(True)
        if comments_ok:
            self._write(path, config)
            return
        run_task(
            lambda: file_has_comments(path),
            lambda has: self._checked(path, config, has),
            lambda err: self._failed(path, err),
        )

    def _checked(self, path: Path, config: BoardConfig, has_comments: bool) -> None:
        if not isValid(self):
            return
        if not has_comments:
            self._write(path, config)
            return
        self._set_busy(False)
        self.notice.show_notice(
            f"{path.name} has comments. Saving writes the file afresh: keys, values and order "
            "stay, but the comments will be lost.",
            (
                ("Save anyway", lambda: self._start(path, comments_ok=True)),
                ("Cancel", self._stay),
            ),
        )

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
        self.path = path
        self.notice.clear()
        self.saved.emit(path, config)
        if self._close_after_save:
            self._close()

    def _failed(self, path: Path, error: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self._close_after_save = False
        self.notice.show_notice(f"Not saved to {path_words(path)}: {failure_words(error)}")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    # -- closing ----------------------------------------------------------------------------------

    def request_close(self, modified: bool) -> None:
        """Close now, or first ask (in the notice bar) what to do with unsaved changes."""
        if not modified:
            self._close()
            return
        self.notice.show_notice(
            "The board has unsaved changes.",
            (
                ("Save", self._save_and_close),
                ("Discard changes", self._close),
                ("Keep editing", self._stay),
            ),
        )

    def _save_and_close(self) -> None:
        self._close_after_save = True
        self.save()

    def _stay(self) -> None:
        self._close_after_save = False

    def _close(self) -> None:
        self._close_after_save = False
        self.close_confirmed.emit()


def failure_words(error: BaseException) -> str:
    """Why a save failed, in words (never a token: board files hold none)."""
    if isinstance(error, BoardFileError):
        return "; ".join(issue.message for issue in error.issues)
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__


__all__ = ["SaveFlow", "failure_words"]
