"""The board's pipelines and environments as one Qt list model (the left column of the window).

One model row per thing drawn: a section heading ("Pipelines (2 of 3)"), a status-group heading
("Failing or down"), an "empty" line ("No pipelines match …") or an item (a pipeline with its
stages, or an environment). No widget exists per item: `BoardDelegate` paints the rows, so a
1,000-item board costs a list of rows, not 1,000 widget trees.

The view options — filter text, failing first, group by status — only choose and order the
rows. What a row says at the model's `now` (words, ages, staleness, accessible name) is
computed when it is first asked for and kept until the clock or the data moves (`RowInfo`),
so painting the visible rows does not re-derive words for the whole board.

A new picture of the board changes only what changed: the rows stay (no reset) unless the
rows themselves changed, `dataChanged` names only the rows whose item is a new object (the
service replaces an item only when a read changed it) or whose shape changed, and a changed
shape is reported by `sizes_changed` for the delegate to re-measure those rows alone, rather
than by `layoutChanged`, which made the list re-measure all its rows. With a 300-item board
refreshing, re-measuring and repainting the whole list at every snapshot was the largest
piece of work the GUI thread did in one go (tests/bench/bench_board_refresh.py). The clock's
`tick` (every second in the window) still redraws every row, so ages move on everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)

from app.domain.model import (
    EnvironmentReading,
    Health,
    Observed,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
)
from app.domain.words import duration_words
from app.ui.board.describe import (
    GROUP_TITLES,
    environment_words,
    error_words,
    item_look,
    latency_words,
    matches,
    pipeline_words,
    severity,
    stage_duration,
    stage_look,
    stale_words,
)
from app.ui.board.report_context import environment_context, pipeline_context, stage_context
from app.ui.board.row import safe_url
from app.ui.widgets.theme import Look, plain_tooltip

Index = QModelIndex | QPersistentModelIndex

GROUP_BY_PIPELINE = "pipeline"
GROUP_BY_STATUS = "status"

KIND_ROLE = Qt.ItemDataRole.UserRole + 10
KEY_ROLE = Qt.ItemDataRole.UserRole + 11
STALE_ROLE = Qt.ItemDataRole.UserRole + 12
STAGE_NAMES_ROLE = Qt.ItemDataRole.UserRole + 13  # accessible names of a pipeline's stages
CULPRITS_ROLE = Qt.ItemDataRole.UserRole + 14  # a failed pipeline's `Culprit`s (who broke it)


RUNNING_WIDTH = "00 min"  # a running stage's chip is as wide as this, whatever its age
MAX_RANGES = 16  # more changed stretches than this are one dataChanged from first to last


class Kind(IntEnum):
    HEADING = 0
    GROUP = 1
    EMPTY = 2
    PIPELINE = 3
    ENVIRONMENT = 4


ITEM_KINDS = (Kind.PIPELINE, Kind.ENVIRONMENT)


@dataclass(frozen=True)
class StageInfo:
    """One stage chip: its status look, the word or duration under its name, its names."""

    stage: Stage
    look: Look
    second: str
    accessible: str


def chip_width_text(stage: Stage) -> str:
    """What a stage chip's second line is made wide enough for (a running stage's age grows)."""
    if stage.status is StageStatus.RUNNING:
        return RUNNING_WIDTH
    if stage.duration_s is not None:
        return duration_words(stage.duration_s)
    return stage_look(stage).word


@dataclass(frozen=True)
class RowShape:
    """What an item row's height depends on, besides the width: its size key and layout."""

    pipeline: bool
    chips: tuple[tuple[str, str], ...]  # (stage name, text its width is made for)
    stale: bool
    error: bool


@dataclass(frozen=True)
class RowInfo:
    """What an item row says at one moment (every string plain text)."""

    item: Observed
    look: Look
    stale: bool
    word: str
    words: str
    right: str  # "▶ run in progress" or the latency
    stale_line: str
    error_line: str
    accessible: str
    stages: tuple[StageInfo, ...] = ()

    def full_text(self) -> str:
        """Everything the row says, for the tool tip that shows what elision cut."""
        lines = [" · ".join(p for p in (f"{self.item.name}: {self.word}", self.words) if p)]
        lines += [t for t in (self.right, self.stale_line, self.error_line) if t]
        return "\n".join(lines)


def stage_accessible_name(stage: Stage, now: datetime, greyed: bool) -> str:
    took = stage_duration(stage, now)
    extra = (f", {took}" if took else "") + (", stale" if greyed else "")
    return f"stage {stage.name}: {stage_look(stage).word}{extra}"


def describe_row(item: Observed, now: datetime) -> RowInfo:
    look = item_look(item)
    stale = item.is_stale(now)
    stale_line = stale_words(item, now) or ""
    error = error_words(item, now)
    error_line = f"error: {error}" if error else ""
    suffix = ", stale" if stale else ""
    reading = item.reading
    if item.key.startswith("environment:") or isinstance(reading, EnvironmentReading):
        latency = latency_words(reading) if isinstance(reading, EnvironmentReading) else ""
        return RowInfo(
            item=item,
            look=look,
            stale=stale,
            word=look.word,
            words=environment_words(item, now),
            right=latency,
            stale_line=stale_line,
            error_line=error_line,
            accessible=f"environment {item.name}: {look.word}"
            + (f", {latency}" if latency else "")
            + suffix,
        )
    stages = reading.stages if isinstance(reading, PipelineReading) else ()
    running = isinstance(reading, PipelineReading) and reading.running
    return RowInfo(
        item=item,
        look=look,
        stale=stale,
        word=look.word,
        words=pipeline_words(item, now),
        right="▶ run in progress" if running else "",
        stale_line=stale_line,
        error_line=error_line,
        accessible=f"pipeline {item.name}: {look.word}{suffix}",
        stages=tuple(
            StageInfo(
                s,
                stage_look(s),
                stage_duration(s, now) or stage_look(s).word,
                stage_accessible_name(s, now, stale),
            )
            for s in stages
        ),
    )


@dataclass(frozen=True)
class Row:
    kind: Kind
    section: int  # 0 pipelines, 1 environments
    key: str = ""  # the item's key for item rows, the text for the others
    text: str = ""


@dataclass
class Section:
    """One kind of item on the board, in board-file order, and what the view shows of it."""

    title: str
    items: dict[str, Observed] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # keys of the shown items, in display order
    groups: list[str] = field(default_factory=list)  # group titles shown, top to bottom
    heading: str = ""
    empty: str = ""

    def visible_keys(self) -> list[str]:
        """Keys of the shown items, in display order."""
        return list(self.shown)

    def shown_groups(self) -> list[str]:
        """Titles of the status groups shown, top to bottom."""
        return list(self.groups)

    def names(self, key: str) -> tuple[str, ...]:
        """What the filter matches: the item's name, and a pipeline's stage names."""
        item = self.items[key]
        stages = item.reading.stages if isinstance(item.reading, PipelineReading) else ()
        return (item.name, *(s.name for s in stages))


def _stretches(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for number in rows:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


class BoardItemsModel(QAbstractListModel):
    """Pipelines then environments, with headings, as rows the board view paints."""

    # Item rows whose shape changed with the same rows shown: their height may have changed.
    sizes_changed = Signal(list)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.board = ""
        self.now: datetime | None = None
        self.pipelines = Section("Pipelines")
        self.environments = Section("Environments")
        self.sections = (self.pipelines, self.environments)
        self._filter = ""
        self._failing_first = False
        self._group_by = GROUP_BY_PIPELINE
        self._rows: list[Row] = []
        self._info: dict[str, RowInfo] = {}
        self._shapes: dict[str, RowShape] = {}
        self._made: dict[str, tuple[Observed, tuple[tuple[str, str], ...]]] = {}  # chips made
        self._numbers: dict[str, int] = {}  # item key -> its row
        self.generation = 0  # moves whenever rows or their sizes may have changed
        self.resets = 0  # moves whenever the rows themselves changed
        self._arrange()

    # -- data ---------------------------------------------------------------------------------

    def set_board(
        self,
        board: str,
        pipelines: Sequence[Observed],
        environments: Sequence[Observed],
        now: datetime,
    ) -> None:
        """A new picture of the board's items at `now`."""
        self.board = board
        self.now = now
        changed: set[str] = set()
        for section, items in zip(self.sections, (pipelines, environments), strict=True):
            before = section.items
            section.items = {i.key: i for i in items}
            section.order = [i.key for i in items]
            changed.update(k for k, i in section.items.items() if before.get(k) is not i)
        self._info.clear()
        self._arrange(changed)

    def tick(self, now: datetime) -> None:
        """Move the clock on: ages, staleness, and the order when it depends on them."""
        self.now = now
        self._info.clear()
        self._arrange()

    def set_filter(self, text: str) -> None:
        self._filter = text
        self._arrange()

    def set_failing_first(self, on: bool) -> None:
        self._failing_first = on
        self._arrange()

    def set_group_by(self, mode: str) -> None:
        self._group_by = mode if mode in (GROUP_BY_PIPELINE, GROUP_BY_STATUS) else GROUP_BY_PIPELINE
        self._arrange()

    # -- rows ---------------------------------------------------------------------------------

    def _display_order(self, section: Section) -> list[str]:
        keys = list(section.order)
        if self.now is None or not (self._failing_first or self._group_by == GROUP_BY_STATUS):
            return keys
        now = self.now
        position = {k: i for i, k in enumerate(keys)}
        return sorted(keys, key=lambda k: (severity(section.items[k], now), position[k]))

    def _arrange(self, changed: set[str] | None = None) -> None:
        """Choose and order the rows; reset the view only when the rows themselves changed.

        `changed` names the items that changed (None: any may have, e.g. the clock moved):
        with the same rows shown, only those rows (and rows whose shape changed) are redrawn.
        """
        rows: list[Row] = []
        grouped = self._group_by == GROUP_BY_STATUS and self.now is not None
        for number, section in enumerate(self.sections):
            kind = Kind.PIPELINE if number == 0 else Kind.ENVIRONMENT
            body: list[Row] = []
            section.shown, section.groups = [], []
            used: set[int] = set()
            for key in self._display_order(section):
                if self._filter.strip() and not matches(self._filter, *section.names(key)):
                    continue
                section.shown.append(key)
                if grouped and self.now is not None:
                    rank = severity(section.items[key], self.now)
                    if rank not in used:
                        used.add(rank)
                        section.groups.append(GROUP_TITLES[rank])
                        body.append(Row(Kind.GROUP, number, GROUP_TITLES[rank], GROUP_TITLES[rank]))
                body.append(Row(kind, number, key))
            total, shown = len(section.order), len(section.shown)
            section.heading = (
                f"{section.title} ({shown} of {total})" if shown < total else section.title
            )
            if not total:
                section.empty = f"No {section.title.lower()} on this board."
            elif not shown:
                section.empty = f"No {section.title.lower()} match “{self._filter.strip()}”."
            else:
                section.empty = ""
            rows.append(Row(Kind.HEADING, number, section.heading, section.heading))
            rows.extend(body)
            if section.empty:
                rows.append(Row(Kind.EMPTY, number, section.empty, section.empty))
        made: dict[str, tuple[Observed, tuple[tuple[str, str], ...]]] = {}
        shapes = {r.key: shape for r in rows if (shape := self._shape(r, made)) is not None}
        self._made = made
        if rows != self._rows:
            self.beginResetModel()
            self._rows = rows
            self._shapes = shapes
            self._numbers = {r.key: n for n, r in enumerate(rows) if r.kind in ITEM_KINDS}
            self.generation += 1
            self.resets += 1
            self.endResetModel()
            return
        if not rows:
            return
        before, self._shapes = self._shapes, shapes
        resized = sorted(
            self._numbers[k]
            for k, shape in shapes.items()
            if shape is not (old := before.get(k)) and shape != old
        )
        if resized:  # a row may have grown or shrunk (stale line, error, stages)
            self.generation += 1
            self.sizes_changed.emit(resized)
        if changed is None:
            self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return
        touched = sorted({self._numbers[k] for k in changed if k in self._numbers}.union(resized))
        runs = _stretches(touched)
        if len(runs) > MAX_RANGES:
            runs = [(runs[0][0], runs[-1][1])]
        for first, last in runs:
            self.dataChanged.emit(self.index(first), self.index(last))

    def _shape(
        self, row: Row, made: dict[str, tuple[Observed, tuple[tuple[str, str], ...]]]
    ) -> RowShape | None:
        """What a row's height depends on (not its words, which are elided to one line).

        Cheap on purpose: it is made for every row at every update and tick, while the
        words (`info`) are only made for the rows that are painted. An item that is the same
        object as last time keeps its chips (and its shape, while staleness and errors hold).
        """
        if row.kind not in ITEM_KINDS or self.now is None:
            return None
        item = self.sections[row.section].items[row.key]
        now = self.now
        limited = item.rate_limited_until is not None and item.rate_limited_until > now
        stale, error = item.is_stale(now), bool(item.error) or limited
        kept = self._made.get(row.key)
        if kept is not None and kept[0] is item:
            made[row.key] = kept
            shape = self._shapes.get(row.key)
            if shape is not None and shape.stale == stale and shape.error == error:
                return shape
            return RowShape(row.kind is Kind.PIPELINE, kept[1], stale, error)
        reading = item.reading
        stages = reading.stages if isinstance(reading, PipelineReading) else ()
        chips = tuple((s.name, chip_width_text(s)) for s in stages)
        made[row.key] = (item, chips)
        return RowShape(row.kind is Kind.PIPELINE, chips, stale, error)

    def shape(self, number: int) -> RowShape | None:
        row = self.row(number)
        return self._shapes.get(row.key) if row is not None and row.kind in ITEM_KINDS else None

    def size_key(self, number: int) -> object:
        """What the height of row `number` depends on (besides the width)."""
        row = self.row(number)
        if row is None:
            return None
        if row.kind in ITEM_KINDS:
            return self._shapes.get(row.key)
        return row

    def row(self, number: int) -> Row | None:
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def row_of(self, key: str) -> int:
        """The model row showing item `key`, or -1 when it is not shown."""
        return self._numbers.get(key, -1)

    def info(self, row: Row | None) -> RowInfo | None:
        """What an item row says at `now` (kept until the clock or the data moves)."""
        if row is None or row.kind not in ITEM_KINDS or self.now is None:
            return None
        found = self._info.get(row.key)
        if found is None:
            found = describe_row(self.sections[row.section].items[row.key], self.now)
            self._info[row.key] = found
        return found

    def info_at(self, number: int) -> RowInfo | None:
        return self.info(self.row(number))

    # -- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        row = self.row(index.row()) if index.isValid() else None
        if row is not None and row.kind in ITEM_KINDS:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        info = self.info(row)
        if role == KIND_ROLE:
            return int(row.kind)
        if role == KEY_ROLE:
            return row.key if info is not None else None
        if info is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return row.text
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return info.item.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return info.accessible
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return info.full_text()
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(info.full_text())
        if role == STALE_ROLE:
            return info.stale
        if role == STAGE_NAMES_ROLE:
            return [s.accessible for s in info.stages]
        if role == CULPRITS_ROLE:
            reading = info.item.reading
            if isinstance(reading, PipelineReading) and reading.outcome is Outcome.FAILED:
                return list(reading.culprits)
            return []
        return None

    # -- what an item offers: links and reports -----------------------------------------------

    def url(self, number: int, stage: int = -1) -> QUrl | None:
        """The web link of a row, or of its stage number `stage` (only http/https)."""
        info = self.info_at(number)
        if info is None:
            return None
        if 0 <= stage < len(info.stages):
            return safe_url(info.stages[stage].stage.url)
        return safe_url(getattr(info.item.reading, "url", None))

    def claimable(self, number: int) -> str | None:
        """The item key of row `number` when it is a failing pipeline nobody is on yet."""
        info = self.info_at(number)
        if info is None:
            return None
        reading = info.item.reading
        failing = isinstance(reading, PipelineReading) and reading.outcome is Outcome.FAILED
        return info.item.key if failing and not info.item.claimed_by else None

    def report_context(self, number: int, stage: int = -1) -> dict[str, Any] | None:
        """The pre-fill of "Report a blocker…" for a row or a stage; None when plainly fine."""
        info = self.info_at(number)
        if info is None or self.now is None:
            return None
        item = info.item
        if 0 <= stage < len(info.stages):
            chosen = info.stages[stage].stage
            if chosen.status is not StageStatus.FAILED:
                return None
            return stage_context(self.board, item, chosen, self.now)
        reading = item.reading
        if isinstance(reading, EnvironmentReading):
            if reading.health is Health.UP and not info.stale:
                return None
            return environment_context(self.board, item, self.now)
        passed = isinstance(reading, PipelineReading) and reading.outcome is Outcome.PASSED
        if passed and not info.stale:
            return None
        if item.key.startswith("environment:"):
            return environment_context(self.board, item, self.now)
        return pipeline_context(self.board, item, self.now)
