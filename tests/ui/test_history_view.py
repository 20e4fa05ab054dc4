"""The History page: loads off the GUI thread, shows the figures in words, exports CSV and PNG."""

from __future__ import annotations

import csv
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.demo.history_sample import render_history_png, sample_figures
from app.domain.history import HistoryFigures, Window, compute_figures
from app.domain.model import Blocker, BlockerState, Priority, VerdictState
from app.services.tasks import pending_tasks
from app.ui.history.chart import HAVE_CHARTS, STATE_WORDS, TimelineStrip, time_ticks
from app.ui.history.export import HEADER, csv_rows
from app.ui.history.figures import CategoryModel
from app.ui.history.view import HistoryView

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
R, N, U = VerdictState.RELEASABLE, VerdictState.NOT_RELEASABLE, VerdictState.UNKNOWN


def hours_ago(h: float) -> datetime:
    return NOW - timedelta(hours=h)


def figures_for(window: Window = Window.DAY) -> HistoryFigures:
    changes = [
        ("releasable", hours_ago(30)),
        ("not-releasable", hours_ago(20)),  # 2 h
        ("releasable", hours_ago(18)),
        ("unknown", hours_ago(6)),  # 4 h
        ("releasable", hours_ago(2)),
    ]
    blockers = [
        Blocker("b1", "laptop", "workstation-broken", Priority.P1, hours_ago(10)),
        Blocker(
            "b2",
            "=HYPERLINK()",
            "=cmd",
            Priority.P2,
            hours_ago(9),
            state=BlockerState.CLOSED,
            closed_at=hours_ago(8),
        ),
    ]
    return compute_figures(
        changes, None, NOW - window.duration, NOW, blockers, window=window, board_name="Payments"
    )


def make_view(qtbot: QtBot, load: object = None, **kwargs: object) -> HistoryView:
    view = HistoryView(load or (lambda w: figures_for(w)), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    return view


def test_loads_off_the_gui_thread_showing_loading_meanwhile(qtbot: QtBot) -> None:
    release = threading.Event()
    threads: list[threading.Thread] = []

    def load(window: Window) -> HistoryFigures:
        threads.append(threading.current_thread())
        release.wait(5)
        return figures_for(window)

    view = make_view(qtbot, load, window=Window.DAY)
    with qtbot.waitSignal(view.loaded) as loaded:
        view.refresh()
        assert view.status.text() == "Loading…"
        assert view.strip.placeholder == "Loading…"
        release.set()
    assert threads and threads[0] is not threading.main_thread()
    assert loaded.args[0].window is Window.DAY
    assert view.status.text() == ""


def test_shows_the_figures_in_words(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_figures(figures_for())
    assert view.heading.text().startswith("Payments — Last 24 hours (")
    assert view.share_label.text() == "Releasable 75 % of the time"
    assert view.other_shares.text() == "Not releasable 8 % · unknown 17 %"
    assert view.restore_label.text().startswith("Median 3 h · longest 4 h (back ")
    assert view.restore_label.text().endswith(" · 2 times")
    assert view.open_spell.text() == ""
    assert view.blockers_label.text() == "2 filed, 1 still open."
    assert view.legend_labels[R].text() == "Releasable 75 %"
    assert view.legend_labels[None].text() == "No record"
    assert not view.table.isHidden() and not view.chart.isHidden()


def test_empty_history_says_so(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.show_figures(compute_figures([], None, NOW - timedelta(days=1), NOW, window=Window.DAY))
    assert view.share_label.text() == "No verdict recorded in this window"
    assert view.restore_label.text() == "No return to releasable in this window."
    assert view.blockers_label.text() == "No blockers filed in this window."
    assert view.table.isHidden() and view.chart.isHidden()


def test_open_spell_and_no_record_are_explained(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    start = NOW - timedelta(days=1)
    view.show_figures(compute_figures([("not-releasable", hours_ago(3))], None, start, NOW))
    assert view.open_spell.text() == "Not releasable at the end of the window, for 3 h so far."
    assert view.no_record.text().startswith("No record for 21 h of this window")


def test_choosing_a_window_loads_it_and_late_answers_are_dropped(qtbot: QtBot) -> None:
    gates = {w: threading.Event() for w in Window}

    def load(window: Window) -> HistoryFigures:
        gates[window].wait(5)
        return figures_for(window)

    view = make_view(qtbot, load, window=Window.DAY)
    view.refresh()
    with qtbot.waitSignal(view.loaded) as loaded:
        view.window_buttons[Window.MONTH].click()
        gates[Window.MONTH].set()
    assert loaded.args[0].window is Window.MONTH
    gates[Window.DAY].set()  # the first answer arrives late: it must not replace the month
    qtbot.waitUntil(lambda: pending_tasks() == 0)
    assert view.figures is not None and view.figures.window is Window.MONTH
    assert view.window_buttons[Window.MONTH].isChecked()


def test_a_failing_load_is_shown_in_words(qtbot: QtBot) -> None:
    def load(window: Window) -> HistoryFigures:
        raise OSError("disk I/O error")

    view = make_view(qtbot, load)
    with qtbot.waitSignal(view.load_failed):
        view.refresh()
    assert view.status.text() == "Could not read the history: disk I/O error"
    assert view.strip.placeholder == "No history to show"


def test_category_model(qtmodeltester: ModelTester) -> None:
    model = CategoryModel()
    model.set_categories(figures_for().categories)
    qtmodeltester.check(model)
    rows = {
        model.index(r, 0).data(): [model.index(r, c).data() for c in range(1, 5)]
        for r in range(model.rowCount())
    }
    assert rows["Workstation broken"] == ["1", "1", "–", "–"]
    assert rows["=cmd"] == ["1", "0", "1 h", "1 h"]
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Median time to close"


def test_timeline_strip_labels_states_and_shows_words_on_hover(qtbot: QtBot) -> None:
    strip = TimelineStrip()
    qtbot.addWidget(strip)
    strip.resize(960, 120)
    figures = figures_for()
    strip.set_segments(figures.segments, figures.start, figures.end)
    assert [s.state for s in figures.segments] == [R, N, R, U, R]
    assert "RELEASABLE for" in strip.accessibleDescription()
    middle = strip.x_of(hours_ago(4))  # inside the UNKNOWN stretch
    segment = strip.segment_at(middle)
    assert segment is not None and segment.state is U
    assert STATE_WORDS[U] == "UNKNOWN"
    image = strip.grab().toImage()
    assert image.pixelColor(QPoint(int(middle), 5)) != image.pixelColor(QPoint(5, 5))


def test_time_axis_ticks_fit_the_width() -> None:
    start = NOW - timedelta(days=30)
    ticks = time_ticks(start, NOW, 1200, 100)
    assert 5 <= len(ticks) <= 12
    assert all(start <= t < NOW for t in ticks)
    assert time_ticks(NOW - timedelta(hours=24), NOW, 1200, 60)[0].minute == 0
    assert time_ticks(NOW, NOW, 1200, 60) == []


def test_csv_rows_hold_figures_segments_and_defuse_formulas() -> None:
    rows = csv_rows(figures_for())
    assert rows[0] == HEADER
    assert all(len(r) == len(HEADER) for r in rows)
    by_name = {r[1]: r for r in rows if r[0] == "figure"}
    assert by_name["share releasable"][2] == "0.7500"
    assert by_name["median time to restore"][2:4] == ("10800", "seconds")
    assert [r[1] for r in rows if r[0] == "segment"] == [
        "releasable",
        "not releasable",
        "releasable",
        "unknown",
        "releasable",
    ]
    assert ("blockers", "'=cmd filed", "1", "count", "", "") in rows


def test_export_csv_writes_the_chosen_file_off_thread(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    asked: list[tuple[str, str, str]] = []

    def ask(caption: str, suggested: str, file_filter: str) -> str:
        asked.append((caption, suggested, file_filter))
        return str(target)

    view = make_view(qtbot, ask_path=ask, window=Window.DAY)
    view.show_figures(figures_for())
    with qtbot.waitSignal(view.exported) as done:
        view.csv_button.click()
    assert done.args == [str(target)]
    assert asked[0][1] == "releasable-history-24h-2026-11-26.csv"
    with target.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(HEADER)
    assert view.status.text() == f"Saved the CSV to {target}"


def test_cancelled_export_writes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    view = make_view(qtbot, ask_path=lambda *args: None)
    view.show_figures(figures_for())
    with qtbot.assertNotEmitted(view.exported):
        view.export_csv()
        view.export_png()
    assert pending_tasks() == 0
    assert list(tmp_path.iterdir()) == []


def test_export_without_figures_says_nothing_to_export(qtbot: QtBot) -> None:
    view = make_view(qtbot, ask_path=lambda *args: pytest.fail("must not ask"))
    view.export_csv()
    assert view.status.text() == "Nothing to export yet."


def test_export_png_saves_a_picture_of_the_page(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "history.png"
    view = make_view(qtbot, ask_path=lambda *args: str(target))
    view.resize(1200, 800)
    view.show_figures(figures_for())
    with qtbot.waitSignal(view.exported):
        view.png_button.click()
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 600


def test_export_failure_is_shown(qtbot: QtBot, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "history.csv"
    view = make_view(qtbot, ask_path=lambda *args: str(missing))
    view.show_figures(figures_for())
    with qtbot.waitSignal(view.export_failed):
        view.export_csv()
    assert view.status.text().startswith("Could not save the CSV: ")


def test_escape_and_back_button_ask_to_leave(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    with qtbot.waitSignal(view.back_requested):
        view.back_button.click()
    view.show()
    view.activateWindow()
    view.csv_button.setFocus()
    qtbot.waitUntil(view.csv_button.hasFocus)
    with qtbot.waitSignal(view.back_requested):
        qtbot.keyClick(view.csv_button, Qt.Key.Key_Escape)


def test_chart_has_closed_and_open_bars_per_category(qtbot: QtBot) -> None:
    # The test extra installs the charts extra's Qt module (make venv: .[test,charts,package]).
    assert HAVE_CHARTS, "QtCharts (PySide6-Addons) is not installed: pip install -e '.[charts]'"
    view = make_view(qtbot)
    view.show_figures(figures_for())
    assert ("Workstation broken", 0, 1) in view.chart.values
    assert ("=cmd", 1, 0) in view.chart.values
    assert view.chart.view is not None
    series = view.chart.view.chart().series()[0]
    from PySide6.QtCharts import QAbstractBarSeries

    assert isinstance(series, QAbstractBarSeries)
    assert [s.label() for s in series.barSets()] == ["closed", "still open (hatched)"]


def test_sample_history_renders(qapp: object, tmp_path: Path) -> None:
    out = render_history_png(tmp_path / "h.png", (1366, 768))
    assert QImage(str(out)).size().width() == 1366
    figures = sample_figures(Window.WEEK)
    assert figures.share(R) is not None and figures.blockers_filed > 0


def test_planned_time_is_shown_apart_on_the_strip_and_in_words(qtbot: QtBot) -> None:
    changes = [
        ("releasable", hours_ago(30)),
        ("planned", hours_ago(12)),  # a 6 h maintenance window
        ("releasable", hours_ago(6)),
    ]
    figures = compute_figures(
        changes, None, NOW - Window.DAY.duration, NOW, window=Window.DAY, board_name="Payments"
    )
    view = make_view(qtbot)
    view.resize(1366, 768)
    view.show_figures(figures)
    assert view.share_label.text() == "Releasable 75 % of the time"
    assert view.other_shares.text() == (
        "Not releasable 0 % · unknown 0 % · planned (freeze, maintenance) 25 %"
    )
    assert "PLANNED for 6 h" in view.strip.accessibleDescription()
    assert view.planned_legend.text() == "Planned 25 %" and view.planned_legend.isVisibleTo(view)
    assert figures.restores == ()
    assert csv_rows(figures)[-2][:4] == ("segment", "planned", "21600", "seconds")
