"""History exports: the figures and the timeline as one CSV table, the view as a PNG.

The CSV is one rectangular table (`section,name,value,unit,start,end`) so any spreadsheet
opens it and can filter by section: `window`, `figure`, `blockers` and one `segment` row per
stretch of the timeline. Times are UTC ISO 8601, durations in seconds, shares as fractions.
Text that a spreadsheet would run as a formula (a category starting with "=", "+", "-", "@")
is prefixed with an apostrophe.

The writers do file I/O only (no widgets), so the view runs them off the GUI thread; the PNG
is grabbed on the GUI thread and handed over as a `QImage`, which is safe to save elsewhere.
"""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtGui import QImage

from app.domain.history import HistoryFigures
from app.domain.model import VerdictState

HEADER = ("section", "name", "value", "unit", "start", "end")
STATE_WORDS = {
    VerdictState.RELEASABLE: "releasable",
    VerdictState.NOT_RELEASABLE: "not releasable",
    VerdictState.UNKNOWN: "unknown",
    None: "no record",
}


def _text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" if digits else str(round(value))


def csv_rows(figures: HistoryFigures) -> list[tuple[str, ...]]:
    """The figures and segments as rows of `HEADER` (header first)."""
    rows: list[tuple[str, ...]] = [HEADER]
    window = figures.window.words if figures.window is not None else "custom"
    start, end = figures.start.isoformat(), figures.end.isoformat()
    rows.append(("window", _text(figures.board_name or "board"), window, "", start, end))

    def figure(name: str, value: str, unit: str) -> None:
        rows.append(("figure", name, value, unit, "", ""))

    for state in VerdictState:
        share = figures.share(state)
        figure(f"share {STATE_WORDS[state]}", _num(share, 4), "fraction")
    figure("share planned", _num(figures.planned_share(), 4), "fraction")
    figure("recorded time", _num(figures.recorded_s), "seconds")
    figure("no record", _num(figures.no_record_s), "seconds")
    figure("restores", str(len(figures.restores)), "count")
    figure("median time to restore", _num(figures.median_restore_s), "seconds")
    figure("longest time to restore", _num(figures.longest_restore_s), "seconds")
    spell = figures.open_spell
    figure("not releasable at the end for", _num(spell.seconds if spell else None), "seconds")
    for c in figures.categories:
        name = _text(c.category)
        rows.append(("blockers", f"{name} filed", str(c.filed), "count", "", ""))
        rows.append(("blockers", f"{name} still open", str(c.still_open), "count", "", ""))
        rows.append(
            ("blockers", f"{name} median time to close", _num(c.median_close_s), "seconds", "", "")
        )
    for seg in figures.segments:
        rows.append(
            (
                "segment",
                "planned" if seg.planned else STATE_WORDS[seg.state],
                _num(seg.seconds),
                "seconds",
                seg.start.isoformat(),
                seg.end.isoformat(),
            )
        )
    return rows


def write_csv(figures: HistoryFigures, path: str | Path) -> Path:
    """Write `csv_rows(figures)` to `path` (UTF-8 with BOM, so spreadsheets guess right)."""
    out = Path(path)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(csv_rows(figures))
    return out


def write_png(image: QImage, path: str | Path) -> Path:
    out = Path(path)
    # PySide6 stub gap: the stub types `format` as bytes, but the binding only accepts str
    if not image.save(str(out), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"could not write the picture to {out}")
    return out
