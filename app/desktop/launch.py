"""Opening a board: the board file found and loaded, or the demo started, and where its store is.

Shared by the window and by the terminal commands (`status`); no Qt here, so a terminal check
on a machine whose desktop is broken still opens its board.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.config.board import BoardConfig

if TYPE_CHECKING:
    from app.demo import DemoHandle
    from app.demo.wire import Clock


@dataclass
class OpenedBoard:
    config: BoardConfig
    path: Path
    db_path: Path
    demo: DemoHandle | None = None  # the running demo, when --demo


class BoardNotFound(Exception):
    pass


def _seed_demo_history(db_path: Path) -> None:
    """A month of history in the demo's store, so its History page has something to show."""
    from datetime import UTC, datetime

    from app.demo.history_sample import seed_history
    from app.store.store import Store

    with Store.open(db_path) as store:
        seed_history(store, datetime.now(UTC))


@contextlib.contextmanager
def open_board(
    board: str | None, demo: bool, db: str | None, *, demo_clock: Clock | None = None
) -> Iterator[OpenedBoard]:
    """Load the board (starting the demo's loopback servers for --demo); stop them after."""
    from app.config.loader import BOARD_FILE_NAME, config_dir, find_board_path, load_board
    from app.store.store import default_path

    if demo:
        from app.demo import start_demo

        handle = start_demo(clock=demo_clock) if demo_clock else start_demo()
        with handle:
            db_path = Path(db) if db else default_path().with_name("demo.db")
            _seed_demo_history(db_path)
            yield OpenedBoard(load_board(handle.board_path), handle.board_path, db_path, handle)
        return
    path = find_board_path(Path(board) if board else None)
    if path is None:
        default = config_dir() / BOARD_FILE_NAME
        raise BoardNotFound(
            f"no board file (there is none at {default}): pass --board FILE, set "
            "RELEASABLE_BOARD, write that file, or try --demo"
        )
    yield OpenedBoard(load_board(path), path, Path(db) if db else default_path())
