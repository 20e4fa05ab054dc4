"""What the board editor edits: the board's tables as plain data, and the list that shows them.

An `Entry` is one table of the board file — `[board]`, one `[[pipelines]]`, one
`[[environments]]`, `[tracker]`, one `[[freeze]]` or `[[maintenance]]` — held as the plain
TOML values the user has entered (dates and times as text).
`EditorDocument` keeps them in the board's order and turns them into the data `build_board()`
checks, and puts each `BoardIssue` back on its entry and key. `EntryListModel` is the editor's
left-hand list: the board, a heading and the pipelines, a heading and the environments, the
tracker, each row saying how many problems its table has.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.config import settings
from app.config.errors import BoardIssue
from app.config.schema import Setting
from app.ui.widgets.theme import plain_tooltip

SOURCE_NAMES: dict[str, str] = {
    "cctray": "cctray feed",
    "github-actions": "GitHub Actions",
    "gitlab": "GitLab CI",
    "jenkins": "Jenkins",
}
TRACKER_NAMES: dict[str, str] = {
    "github": "GitHub Issues",
    "gitlab": "GitLab Issues",
    "jira": "Jira",
    "webhook": "JSON webhook",
    "none": "none",
}
BOARD, PIPELINES, ENVIRONMENTS, TRACKER = "board", "pipelines", "environments", "tracker"
FREEZE, MAINTENANCE = "freeze", "maintenance"
GROUPS = (PIPELINES, ENVIRONMENTS, FREEZE, MAINTENANCE)  # the arrays of tables
PLANNED_SECTIONS = {FREEZE: settings.FREEZE, MAINTENANCE: settings.MAINTENANCE}
_uids = itertools.count(1)


@dataclass(eq=False)
class Entry:
    """One table of the board file, as entered; `uid` stays the same when it moves."""

    table: str
    values: dict[str, Any]
    uid: int = field(default_factory=lambda: next(_uids))
    issues: dict[str, list[str]] = field(default_factory=dict)  # key ('' = the table) -> messages
    test_text: str = ""
    test_generation: int = 0
    testing: bool = False

    @property
    def kind(self) -> str:
        """The pipeline's source or the tracker's kind ('' for the board and environments)."""
        if self.table == PIPELINES:
            return str(self.values.get("source", ""))
        if self.table == TRACKER:
            return str(self.values.get("kind", "none"))
        return ""

    @property
    def name(self) -> str:
        value = self.values.get("name")
        return value if isinstance(value, str) else ""

    def declared(self) -> tuple[Setting, ...]:
        """The keys this table takes, in file order."""
        if self.table == BOARD:
            return settings.BOARD.settings
        if self.table == PIPELINES:
            return settings.pipeline_settings(self.kind)
        if self.table == ENVIRONMENTS:
            return settings.ENVIRONMENT.settings
        if self.table in PLANNED_SECTIONS:
            return PLANNED_SECTIONS[self.table].settings
        return settings.tracker_settings(self.kind)

    def description(self) -> str:
        if self.table == BOARD:
            return settings.BOARD.description
        if self.table == PIPELINES:
            section = settings.PIPELINE_SOURCES.get(self.kind)
            return section.description if section else settings.PIPELINE_HEAD.description
        if self.table == ENVIRONMENTS:
            return settings.ENVIRONMENT.description
        if self.table in PLANNED_SECTIONS:
            return PLANNED_SECTIONS[self.table].description
        kind = settings.TRACKER_KINDS.get(self.kind)
        return kind.description if kind else settings.TRACKER_HEAD.description

    def title(self) -> str:
        """How the list and the form head this table."""
        if self.table == BOARD:
            return f"Board — {self.name}" if self.name else "Board"
        if self.table == TRACKER:
            return f"Tracker — {TRACKER_NAMES.get(self.kind, self.kind)}"
        if self.table in PLANNED_SECTIONS:
            return self._planned_title()
        name = self.name or "(no name)"
        if self.table == PIPELINES:
            return f"{name} — {SOURCE_NAMES.get(self.kind, self.kind or 'no source')}"
        return name

    def _planned_title(self) -> str:
        """'Freeze — year-end', 'Maintenance — staging, sat sun 22:00–04:00'."""
        values = self.values
        if self.table == FREEZE:
            what = values.get("reason") or values.get("start") or "(no dates yet)"
            return f"Freeze — {what}"
        where = values.get("environment") or "every environment"
        if values.get("start_time") or values.get("end_time"):
            days = " ".join(values.get("weekdays") or ()) or "daily"
            start, end = str(values.get("start_time", ""))[:5], str(values.get("end_time", ""))[:5]
            return f"Maintenance — {where}, {days} {start}–{end}"
        return f"Maintenance — {where}"

    def problem_count(self) -> int:
        return sum(len(messages) for messages in self.issues.values())

    def change_kind(self, kind: str) -> None:
        """Another source or tracker kind: keep the keys every kind takes and the token's
        variable; drop the old kind's own keys (a GitLab api_url means nothing to GitHub)."""
        key = "source" if self.table == PIPELINES else "kind"
        kinds = settings.PIPELINE_SOURCES if self.table == PIPELINES else settings.TRACKER_KINDS
        old = kinds.get(self.kind)
        own = set(old.keys) - {"token_env"} if old is not None else set()
        self.values[key] = kind
        declared = {s.key for s in self.declared()}
        self.values = {k: v for k, v in self.values.items() if k in declared and k not in own}

    def can_test(self) -> bool:
        """Pipelines and environments are read once; a tracker is checked (nothing filed)."""
        if self.table == TRACKER:
            return self.kind != "none"
        return self.table in (PIPELINES, ENVIRONMENTS)


class EditorDocument:
    """The board's tables in the board's order, and the data `build_board()` takes from them."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        board = data.get(BOARD)
        self.board = Entry(BOARD, dict(board) if isinstance(board, Mapping) else {})
        self.pipelines = [Entry(PIPELINES, dict(t)) for t in _tables(data.get(PIPELINES))]
        self.environments = [Entry(ENVIRONMENTS, dict(t)) for t in _tables(data.get(ENVIRONMENTS))]
        self.freezes = [Entry(FREEZE, _as_text(t)) for t in _tables(data.get(FREEZE))]
        self.maintenance = [Entry(MAINTENANCE, _as_text(t)) for t in _tables(data.get(MAINTENANCE))]
        tracker = data.get(TRACKER)
        tracker_values = dict(tracker) if isinstance(tracker, Mapping) else {"kind": "none"}
        self.tracker = Entry(TRACKER, tracker_values)
        self.general: list[str] = []  # problems of no one table

    def entries(self) -> list[Entry]:
        return [
            self.board,
            *self.pipelines,
            *self.environments,
            self.tracker,
            *self.freezes,
            *self.maintenance,
        ]

    def find(self, uid: int) -> Entry | None:
        return next((e for e in self.entries() if e.uid == uid), None)

    def group(self, entry: Entry) -> list[Entry] | None:
        """The list a pipeline, environment, freeze or maintenance window sits in (None for
        the board and tracker)."""
        return self._groups().get(entry.table)

    def _groups(self) -> dict[str, list[Entry]]:
        return {
            PIPELINES: self.pipelines,
            ENVIRONMENTS: self.environments,
            FREEZE: self.freezes,
            MAINTENANCE: self.maintenance,
        }

    def add(self, table: str, values: dict[str, Any]) -> Entry:
        """A new table at the end of its list; pipelines and environments get a name no other
        has (freezes and maintenance windows have none)."""
        group = self._groups()[table]
        if table in (PIPELINES, ENVIRONMENTS):
            base = "new pipeline" if table == PIPELINES else "new environment"
            taken = {e.name for e in group}
            name = next(
                n
                for i in itertools.count(1)
                if (n := base if i == 1 else f"{base} {i}") not in taken
            )
            values = {"name": name, **values}
        entry = Entry(table, values)
        group.append(entry)
        return entry

    def remove(self, entry: Entry) -> Entry:
        """Take a pipeline or environment out; the entry to select instead."""
        group = self.group(entry)
        if group is None:
            return entry
        index = group.index(entry)
        group.remove(entry)
        return group[min(index, len(group) - 1)] if group else self.board

    def move(self, entry: Entry, delta: int) -> bool:
        """Move a pipeline or environment `delta` places in the board's order (False: cannot)."""
        group = self.group(entry)
        if group is None:
            return False
        index = group.index(entry)
        target = index + delta
        if not 0 <= target < len(group):
            return False
        group[index], group[target] = group[target], group[index]
        return True

    def position(self, entry: Entry) -> tuple[int, int]:
        """(index, length) of the entry's list; (-1, 0) for the board and tracker."""
        group = self.group(entry)
        return (group.index(entry), len(group)) if group is not None else (-1, 0)

    def problem_count(self) -> int:
        return sum(e.problem_count() for e in self.entries()) + len(self.general)

    def data(self) -> dict[str, Any]:
        """The board as plain TOML data, for `build_board()` and the writer."""
        out: dict[str, Any] = {BOARD: dict(self.board.values)}
        if self.pipelines:
            out[PIPELINES] = [dict(e.values) for e in self.pipelines]
        if self.environments:
            out[ENVIRONMENTS] = [dict(e.values) for e in self.environments]
        tracker = dict(self.tracker.values)
        if tracker.get("kind", "none") != "none" or set(tracker) - {"kind"}:
            out[TRACKER] = tracker
        for table, group in ((FREEZE, self.freezes), (MAINTENANCE, self.maintenance)):
            if group:
                out[table] = [dict(e.values) for e in group]
        return out

    def set_issues(self, issues: list[BoardIssue]) -> None:
        """Put every problem on its table and key."""
        for existing in self.entries():
            existing.issues = {}
        self.general = []
        for issue in issues:
            entry, key, inside = self._locate(issue.path)
            message = f"{inside}: {issue.message}" if inside else issue.message
            if entry is None:
                self.general.append(message)
                continue
            entry.issues.setdefault(key, []).append(message)

    def _locate(self, path: tuple[str | int, ...]) -> tuple[Entry | None, str, str]:
        """(the table, its key or '', where inside the value) of an issue's path."""
        if not path:
            return None, "", ""
        head, rest = path[0], path[1:]
        entry: Entry | None = None
        if head == BOARD:
            entry = self.board
        elif head == TRACKER:
            entry = self.tracker
        elif head in GROUPS and rest and isinstance(rest[0], int):
            group = self._groups()[str(head)]
            entry = group[rest[0]] if rest[0] < len(group) else None
            rest = rest[1:]
        if entry is None or not rest or not isinstance(rest[0], str):
            return entry, "", ""
        inner = ", ".join(f"item {p + 1}" if isinstance(p, int) else f"'{p}'" for p in rest[1:])
        return entry, rest[0], inner


def _tables(raw: Any) -> list[Mapping[str, Any]]:
    return [t for t in raw if isinstance(t, Mapping)] if isinstance(raw, list) else []


def _as_text(table: Mapping[str, Any]) -> dict[str, Any]:
    """Dates and times as the text the form's fields edit (the checks read it back)."""
    return {
        k: v.isoformat(timespec="minutes")
        if isinstance(v, time)
        else v.isoformat()
        if isinstance(v, datetime)
        else v
        for k, v in table.items()
    }


# -- the list ------------------------------------------------------------------------------------

HEADING_ROLE = Qt.ItemDataRole.UserRole + 1
UID_ROLE = Qt.ItemDataRole.UserRole + 2


class EntryListModel(QAbstractListModel):
    """Rows: the board, "Pipelines" and each pipeline, "Environments" and each, the tracker."""

    def __init__(self, document: EditorDocument) -> None:
        super().__init__()
        self.document = document
        self._rows: list[Entry | str] = []
        self._build()

    def _build(self) -> None:
        doc = self.document
        self._rows = [
            doc.board,
            _heading("Pipelines", len(doc.pipelines)),
            *doc.pipelines,
            _heading("Environments", len(doc.environments)),
            *doc.environments,
            doc.tracker,
        ]
        if doc.freezes or doc.maintenance:
            count = len(doc.freezes) + len(doc.maintenance)
            self._rows += [_heading("Planned time", count), *doc.freezes, *doc.maintenance]

    def reset(self, document: EditorDocument | None = None) -> None:
        """Rebuild after entries were added, removed or moved (or a new document)."""
        self.beginResetModel()
        if document is not None:
            self.document = document
        self._build()
        self.endResetModel()

    def refresh(self) -> None:
        """Titles or problem counts changed; the rows did not."""
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def entry_at(self, row: int) -> Entry | None:
        item = self._rows[row] if 0 <= row < len(self._rows) else None
        return item if isinstance(item, Entry) else None

    def row_of(self, uid: int) -> int:
        for row, item in enumerate(self._rows):
            if isinstance(item, Entry) and item.uid == uid:
                return row
        return -1

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.entry_at(index.row()) is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if isinstance(item, str):
            return self._heading_data(item, role)
        count = item.problem_count()
        indent = "    " if item.table in GROUPS else ""
        if role == Qt.ItemDataRole.DisplayRole:
            problems = f"   ⚠ {count} problem{'s' if count != 1 else ''}" if count else ""
            return f"{indent}{item.title()}{problems}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [item.title(), item.description()]  # the title in full: the list elides
            for key, messages in item.issues.items():
                lines += [f"{key or item.table}: {m}" for m in messages]
            return plain_tooltip("\n".join(lines))  # messages quote what was typed
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.title()}, {count} problems" if count else item.title()
        if role == UID_ROLE:
            return item.uid
        if role == HEADING_ROLE:
            return False
        return None

    def _heading_data(self, text: str, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return text
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == HEADING_ROLE:
            return True
        return None


def _heading(name: str, count: int) -> str:
    return f"{name} ({count})" if count else f"{name} (none yet)"


__all__ = [
    "BOARD",
    "ENVIRONMENTS",
    "FREEZE",
    "MAINTENANCE",
    "PIPELINES",
    "SOURCE_NAMES",
    "TRACKER",
    "TRACKER_NAMES",
    "EditorDocument",
    "Entry",
    "EntryListModel",
]
