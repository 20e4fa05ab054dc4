"""Reads a board file into a `BoardConfig`, or says everything that is wrong with it.

`parse_board()` parses the TOML and checks every table against the declaration in
`app.config.settings` (with app/config/toml_reader.py, which the fleet file uses too), applies
the defaults and builds the frozen config. It collects every problem before raising one
`BoardFileError` whose lines name the file, the line and the key. `build_board()` does the
same from already-parsed data (the board editor's dicts), without line numbers.
`find_board_path()` says which board file the app should open (`remember_board()` keeps the
last one the app opened or saved).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs

from app.config import settings
from app.config.board import (
    PIPELINE_OPTIONS,
    TRACKER_OPTIONS,
    BoardConfig,
    EnvironmentConfig,
    FreezeConfig,
    MaintenanceConfig,
    PipelineConfig,
    TrackerConfig,
    board_timing,
    item_timing,
)
from app.config.errors import BoardFileError
from app.config.locate import KeyLines
from app.config.locate import Path as KeyPath
from app.config.rules import Table, check_planned, check_rules
from app.config.schema import Section
from app.config.toml_reader import TableReader, parse_toml, read_config_text

__all__ = [
    "BoardFileError",
    "build_board",
    "config_dir",
    "find_board_path",
    "load_board",
    "parse_board",
    "remember_board",
    "remembered_board",
]

APP_NAME = "releasable"
BOARD_FILE_NAME = "board.toml"
LAST_BOARD_FILE = "last-board"  # in the config folder: the path of the last board opened
ENV_VAR = "RELEASABLE_BOARD"


def config_dir() -> Path:
    """The user's config folder for Releasable (`~/.config/releasable` on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def find_board_path(explicit: Path | None) -> Path | None:
    """The board file to open: `explicit`, else $RELEASABLE_BOARD, else the last board opened
    or saved in the app (`remember_board`), else `board.toml` in the user's config folder.

    The first two are returned even when missing, so opening them says "no such file"; the
    others only when they exist (None means: offer the demo or a new board).
    """
    if explicit is not None:
        return explicit
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    last = remembered_board()
    if last is not None and last.is_file():
        return last
    default = config_dir() / BOARD_FILE_NAME
    return default if default.is_file() else None


def remembered_board() -> Path | None:
    """The last board file opened or saved in the app, if one was remembered."""
    try:
        text = (config_dir() / LAST_BOARD_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(text) if text else None


def remember_board(path: Path) -> None:
    """Remember `path` so that `releasable` with no arguments opens it next time (best
    effort: a read-only config folder only means the next start asks again)."""
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{LAST_BOARD_FILE}.tmp"
        temporary.write_text(f"{path.resolve()}\n", encoding="utf-8")
        temporary.replace(folder / LAST_BOARD_FILE)
    except OSError:
        pass


def load_board(path: Path) -> BoardConfig:
    """Read and check the board file at `path`; problems raise `BoardFileError`."""
    return parse_board(read_config_text(path), str(path))


def parse_board(text: str, source_name: str) -> BoardConfig:
    """Parse and check board-file text; `source_name` is how messages name the file."""
    data = parse_toml(text, source_name)
    try:
        # Lines are found only for a file with mistakes: locating every key costs a third of
        # reading a good file (a fleet reads a hundred of them at start).
        return build_board(data, source_name)
    except BoardFileError:
        return build_board(data, source_name, KeyLines(text))


def build_board(
    data: Mapping[str, Any], source_name: str = "board", lines: KeyLines | None = None
) -> BoardConfig:
    """Check already-parsed board data and build the config (no line numbers without `lines`)."""
    reader = _BoardReader(lines)
    config = reader.board(data)
    if config is None:
        raise BoardFileError(source_name, reader.issues)
    return config


class _BoardReader(TableReader):
    """The board file's tables: [board], [[pipelines]] by source, [tracker] by kind, …"""

    def board(self, data: Mapping[str, Any]) -> BoardConfig | None:
        """The config, or None when any issue was found (all of them are recorded)."""
        meant = self.top_level(data, settings.TOP_LEVEL)
        board: Table | None = None
        message = 'the [board] table is missing; it needs at least name = "..."'
        if not self.missing(data, "board", meant, message):
            board = self.table(("board",), data["board"], settings.BOARD.settings)
        pipelines = [
            self.kind_table(path, raw, settings.PIPELINE_HEAD, "source", settings.PIPELINE_SOURCES)
            for path, raw in self.array(data, "pipelines")
        ]
        environments = [
            self.table(path, raw, settings.ENVIRONMENT.settings)
            for path, raw in self.array(data, "environments")
        ]
        tracker: Table | None = None
        raw_tracker = data.get("tracker")
        if isinstance(raw_tracker, list):
            self.issue(("tracker",), "use one [tracker] table, not [[tracker]]")
        elif raw_tracker is not None:
            tracker = self.kind_table(
                ("tracker",), raw_tracker, settings.TRACKER_HEAD, "kind", settings.TRACKER_KINDS
            )
        freezes = [
            self.table(path, raw, settings.FREEZE.settings)
            for path, raw in self.array(data, "freeze")
        ]
        maintenance = [
            self.table(path, raw, settings.MAINTENANCE.settings)
            for path, raw in self.array(data, "maintenance")
        ]
        pipeline_tables = [t for t in pipelines if t is not None]
        environment_tables = [t for t in environments if t is not None]
        freeze_tables = [t for t in freezes if t is not None]
        maintenance_tables = [t for t in maintenance if t is not None]
        check_rules(board, pipeline_tables, environment_tables, tracker, self.issue)
        check_planned(freeze_tables, maintenance_tables, environment_tables, self.issue)
        if self.issues or board is None:
            return None
        config = _assemble(
            board.values,
            [t.values for t in pipeline_tables],
            [t.values for t in environment_tables],
            tracker.values if tracker is not None else None,
        )
        return dataclasses.replace(
            config,
            freezes=tuple(FreezeConfig(**t.values) for t in freeze_tables),
            maintenance=tuple(MaintenanceConfig(**t.values) for t in maintenance_tables),
        )

    def kind_table(
        self,
        path: KeyPath,
        raw: Any,
        head: Section,
        kind_key: str,
        kinds: Mapping[str, Section],
    ) -> Table | None:
        """A table whose `kind_key` (source / kind) decides which other keys it takes."""
        kind = raw.get(kind_key) if isinstance(raw, Mapping) else None
        kind = kind if isinstance(kind, str) else ""
        if head is settings.PIPELINE_HEAD:
            declared = settings.pipeline_settings(kind)
        else:
            declared = settings.tracker_settings(kind)
        other_kinds = {
            setting.key: name
            for name, section in kinds.items()
            if name != kind
            for setting in section.settings
        }
        env_key = "password_env" if kind == "cctray" else "token_env"
        return self.table(path, raw, declared, env_key, (kind_key, kind in kinds, other_kinds))


def _assemble(
    board: Mapping[str, Any],
    pipelines: list[Mapping[str, Any]],
    environments: list[Mapping[str, Any]],
    tracker: Mapping[str, Any] | None,
) -> BoardConfig:
    refresh, stale = board_timing(board.get("refresh_seconds"), board.get("stale_after_seconds"))
    extra = {k: board[k] for k in ("page_seconds", "show_authors", "history_days") if k in board}
    return BoardConfig(
        name=board["name"],
        refresh_seconds=refresh,
        stale_after_seconds=stale,
        pipelines=tuple(_pipeline(raw, refresh, stale) for raw in pipelines),
        environments=tuple(_environment(raw, refresh, stale) for raw in environments),
        tracker=_tracker(tracker),
        **extra,
    )


def _split(values: dict[str, Any], section: Section) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the values of `section`'s keys, the rest)."""
    mine = {key: value for key, value in values.items() if key in section.keys}
    rest = {key: value for key, value in values.items() if key not in section.keys}
    return mine, rest


def _pipeline(
    written: Mapping[str, Any], board_refresh: float, board_stale: float
) -> PipelineConfig:
    values = dict(written)
    source = values.pop("source")
    kind_values, common = _split(values, settings.PIPELINE_SOURCES[source])
    refresh, stale = item_timing(
        common.pop("refresh_seconds", None),
        common.pop("stale_after_seconds", None),
        board_refresh,
        board_stale,
    )
    options = PIPELINE_OPTIONS[source](**kind_values)
    return PipelineConfig(
        options=options, refresh_seconds=refresh, stale_after_seconds=stale, **common
    )


def _environment(
    written: Mapping[str, Any], board_refresh: float, board_stale: float
) -> EnvironmentConfig:
    values = dict(written)
    refresh, stale = item_timing(
        values.pop("refresh_seconds", None),
        values.pop("stale_after_seconds", None),
        board_refresh,
        board_stale,
    )
    return EnvironmentConfig(refresh_seconds=refresh, stale_after_seconds=stale, **values)


def _tracker(written: Mapping[str, Any] | None) -> TrackerConfig:
    if written is None:
        return TrackerConfig()
    values = dict(written)
    kind = values.pop("kind")
    kind_values, common = _split(values, settings.TRACKER_KINDS[kind])
    return TrackerConfig(options=TRACKER_OPTIONS[kind](**kind_values), **common)
