"""Drive the real app in its own process, on a real X server, the way a person would.

`python tests/drive_app.py SCENARIO [ARGS…] -- [releasable arguments]` starts `releasable`
(`app.cli.main.main`) with a small robot on a timer inside the same process, which clicks the
widgets a person clicks, types what they type, answers the real file dialog, prints what they
would see as one JSON line per observation, and quits as they would (Ctrl+Q's action).
Scenarios:

- `look`: wait for the board window or the welcome page; print what it shows; quit.
- `blockers`: wait for the board window to list open blockers; print them and the verdict.
- `create NAME URL`: on the welcome page, "Create a board", type the board's name and one
  environment, Save; print the save dialog's folder, accept it; print the board window; quit.
- `open FILE`: on the welcome page, "Open a board file…", type FILE in the real dialog; print
  the board window; quit.
- `watch SECONDS`: print the verdict banner (headline and reasons, as shown), the open
  blockers (as the list shows them, with their tracker links) and the fields of an open
  "Report a blocker" dialog each time any of them changes, with the longest the event loop
  went without turning since the last line (`stall_ms`), for SECONDS or until the app is
  ended (SIGTERM). It only looks: whatever the test does to the window, it does from outside
  (key presses on the X server).

Test code only (tests/xserver.py runs it); the app has no test hooks.
"""

from __future__ import annotations

import faulthandler
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QWidget

TIMEOUT_S = 60.0


def say(**what: object) -> None:
    print(json.dumps(what), flush=True)


def steps_for(scenario: str, args: list[str]) -> Iterator[Callable[[], bool]]:
    """Each step returns True when done; a step that returns False is tried again later."""
    from app.ui.editor.editor import BoardEditor
    from app.ui.report.dialog import ReportDialog
    from app.ui.widgets.models import URL_ROLE
    from app.ui.window.main_window import MainWindow
    from app.ui.window.welcome import WelcomePage

    def window() -> MainWindow | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ),
            None,
        )

    def page() -> QWidget | None:
        shown = window()
        return shown.pages.currentWidget() if shown is not None else None

    def dialog() -> QFileDialog | None:
        modal = QApplication.activeModalWidget()
        return modal if isinstance(modal, QFileDialog) and modal.isVisible() else None

    def look() -> bool:
        shown = window()
        if shown is None:
            return False
        current = page()
        name = "welcome" if isinstance(current, WelcomePage) else "board"
        if name == "board" and shown.board.snapshot is None:
            return False  # the board window, once it shows its board
        say(
            page=name,
            title=shown.windowTitle().split(" — ")[0],  # the board's name (the verdict moves)
            toolbar=shown.toolbar.isVisible(),
            menubar=shown.menuBar().isVisible(),
        )
        return True

    def quit_app() -> bool:
        shown = window()
        assert shown is not None
        shown.action_quit.trigger()  # what Ctrl+Q does
        return True

    def click_welcome(button: str) -> Callable[[], bool]:
        def step() -> bool:
            current = page()
            if not isinstance(current, WelcomePage):
                return False
            click = current.buttons[button]
            later(lambda: QTest.mouseClick(click, Qt.MouseButton.LeftButton))
            return True

        return step

    def answer_dialog(file_name: str | None) -> Callable[[], bool]:
        def step() -> bool:
            found = dialog()
            if found is None:
                return False
            say(dialog_folder=found.directory().absolutePath())
            edit = found.findChild(QLineEdit, "fileNameEdit")
            if file_name is not None and edit is not None:
                edit.setText(file_name)
            found.accept()
            return True

        return step

    def blockers() -> bool:
        shown = window()
        if shown is None or shown.latest_snapshot is None:
            return False
        model = shown.board.blockers.blockers_model
        if model.rowCount() == 0:
            return False
        say(
            verdict=shown.latest_snapshot.verdict.state.value,
            blockers=[str(model.index(r, 1).data()) for r in range(model.rowCount())],
        )
        return True

    def report_dialog() -> dict[str, object] | None:
        """The fields of the visible "Report a blocker" dialog, and which one has the focus."""
        found = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, ReportDialog) and w.isVisible()
            ),
            None,
        )
        if found is None:
            return None
        fields = found.form.fields()
        focus = found.focusWidget()
        return {
            "category": fields["category"],
            "title": fields["title"],
            "prevents_delivery": fields["prevents_delivery"],
            "focus": focus.accessibleName() if focus is not None else None,
        }

    if scenario == "watch":
        shown_last: list[object] = [None]
        turned = [time.monotonic(), 0.0]  # last turn of the event loop, longest gap since

        def watch() -> bool:
            now = time.monotonic()
            turned[1] = max(turned[1], now - turned[0])
            turned[0] = now
            shown = window()
            if shown is None or shown.latest_snapshot is None:
                return False
            banner = shown.board.banner
            model = shown.board.blockers.blockers_model
            listed = [
                {"text": str(model.index(r, 1).data()), "url": model.index(r, 1).data(URL_ROLE)}
                for r in range(model.rowCount())
            ]
            seen = (banner.title.text(), banner.shown_reasons(), listed, report_dialog())
            if seen != shown_last[0]:
                shown_last[0] = seen
                say(
                    verdict=seen[0],
                    reasons=seen[1],
                    blockers=seen[2],
                    dialog=seen[3],
                    stall_ms=round(turned[1] * 1000),
                )
                turned[1] = 0.0
            return False  # never done: watched until the time is up or the app is ended

        yield watch
        return
    if scenario == "look":
        yield look
        yield quit_app
        return
    if scenario == "blockers":
        yield blockers
        yield quit_app
        return
    if scenario == "create":
        name, url = args

        def fill() -> bool:
            editor = page()
            if not isinstance(editor, BoardEditor) or editor.form is None:
                return False
            type_into(editor, "name", name)
            QTest.mouseClick(editor.entries_panel.add_environment_button, Qt.MouseButton.LeftButton)
            type_into(editor, "name", "staging")
            type_into(editor, "url", url)
            save = editor.save_button
            later(lambda: QTest.mouseClick(save, Qt.MouseButton.LeftButton))
            return True

        yield click_welcome("create")
        yield fill
        yield answer_dialog(None)  # the name it offers, in the folder it offers
        yield look
        yield quit_app
        return
    if scenario == "open":
        (path,) = args
        yield click_welcome("open")
        yield answer_dialog(path)
        yield look
        yield quit_app
        return
    raise SystemExit(f"unknown scenario {scenario!r}")


def later(action: Callable[[], None]) -> None:
    """Click after this step returns: a click that opens a modal dialog runs its own event
    loop, and the robot's timer does not fire again while its own step is still running."""
    QTimer.singleShot(0, action)


def type_into(editor: QWidget, key: str, text: str) -> None:
    form = getattr(editor, "form", None)
    edit = form.widget_for(key) if form is not None else None
    assert isinstance(edit, QLineEdit), key
    edit.clear()
    QTest.keyClicks(edit, text)


def main() -> int:
    split = sys.argv.index("--") if "--" in sys.argv else len(sys.argv)
    scenario, scenario_args = sys.argv[1], sys.argv[2:split]
    app_args = sys.argv[split + 1 :]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from app.cli.main import main as releasable

    limit_s = float(scenario_args[0]) if scenario == "watch" else TIMEOUT_S
    faulthandler.dump_traceback_later(limit_s + 15, exit=True)  # a hang says where it hangs
    app = QApplication(sys.argv[:1])
    steps = steps_for(scenario, scenario_args)
    current: list[Callable[[], bool]] = [next(steps)]
    started = time.monotonic()
    timer = QTimer(app)
    timer.setInterval(50)

    def tick() -> None:
        if not current:
            return
        if time.monotonic() - started > limit_s:
            say(timeout=current[0].__name__)
            timer.stop()
            app.exit(3)
            return
        if current[0]():
            following = next(steps, None)
            current[:] = [following] if following is not None else []

    timer.timeout.connect(tick)
    timer.start()
    return releasable(app_args)


if __name__ == "__main__":
    sys.exit(main())
