"""Render the board editor and the first-run welcome page offscreen to PNGs (no network).

    .venv/bin/python tools/screenshot_editor.py [OUT_DIR] [WxH]

Writes editor.png (resources/boards/example.toml loaded, the 'api' pipeline selected, on a
machine with an OS keyring) and welcome.png to OUT_DIR (default /tmp), at WxH (default
1366x768, the small laptop screen both must work on).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.config.loader import load_board  # noqa: E402
from app.services.tasks import pending_tasks  # noqa: E402
from app.ui.editor.editor import BoardEditor  # noqa: E402
from app.ui.window.welcome import WelcomePage  # noqa: E402

EXAMPLE = ROOT / "resources" / "boards" / "example.toml"


def _settle(widget: QWidget) -> None:
    """Let background checks report back and layouts settle before the picture."""
    QThreadPool.globalInstance().waitForDone(5000)
    for _ in range(6):
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
        if pending_tasks() == 0:
            widget.repaint()


def render(out: Path, size: tuple[int, int]) -> list[Path]:
    """Write editor.png and welcome.png into `out`; the paths written."""
    # The example as a user keeps it, so the picture shows ~/.config/releasable/board.toml
    # and not the folder this tool happens to run in.
    home = Path(tempfile.mkdtemp(prefix="releasable-shot-"))
    os.environ["HOME"] = str(home)
    board = home / ".config" / "releasable" / "board.toml"
    board.parent.mkdir(parents=True)
    shutil.copyfile(EXAMPLE, board)
    editor = BoardEditor(load_board(board), board, keyring_check=lambda: True)
    editor.select(editor.doc.pipelines[0])
    welcome = WelcomePage("No board file was found on this computer yet.")
    written = []
    for name, widget in (("editor.png", editor), ("welcome.png", welcome)):
        widget.resize(*size)
        widget.show()
        _settle(widget)
        path = out / name
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        written.append(path)
        widget.close()
    shutil.rmtree(home, ignore_errors=True)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("/tmp")
    width, height = (int(n) for n in (argv[2] if len(argv) > 2 else "1366x768").split("x"))
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    for path in render(out, (width, height)):
        print(f"wrote {path}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
