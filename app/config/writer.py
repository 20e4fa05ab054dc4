"""Writes a `BoardConfig` back as a board file a team can keep in its repository and diff.

Keys come in the order of the declaration in `app.config.settings`, one per line; keys equal
to their default are left out (so a default that changes in a later version reaches old
files), pipelines and environments are arrays of tables. `parse_board(dump_board(c)) == c`.
Comments of a hand-written file are not kept, so the editor should say so before saving over one.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Any

from app.config import settings
from app.config.board import (
    BoardConfig,
    EnvironmentConfig,
    PipelineConfig,
    TrackerConfig,
    board_timing,
    item_timing,
)
from app.config.loader import parse_board
from app.config.schema import Setting

__all__ = ["board_document", "dump_board", "save_board"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TIMING = ("refresh_seconds", "stale_after_seconds")


def board_document(config: BoardConfig) -> dict[str, Any]:
    """The board as plain TOML data (dicts, lists, text, numbers), defaults left out.

    The board editor can edit this and hand it back to `build_board()` to check it.
    """
    refresh, stale = config.refresh_seconds, config.stale_after_seconds
    board = _fields(settings.BOARD.settings, (config,))
    if refresh != board_timing(None, None)[0]:
        board["refresh_seconds"] = refresh
    if stale != board_timing(refresh, None)[1]:
        board["stale_after_seconds"] = stale
    document: dict[str, Any] = {"board": _in_order(board, settings.BOARD.settings)}
    if config.pipelines:
        document["pipelines"] = [_pipeline(p, refresh, stale) for p in config.pipelines]
    if config.environments:
        document["environments"] = [_environment(e, refresh, stale) for e in config.environments]
    tracker = _tracker(config.tracker)
    if tracker:
        document["tracker"] = tracker
    for key, section, tables in (
        ("freeze", settings.FREEZE, config.freezes),
        ("maintenance", settings.MAINTENANCE, config.maintenance),
    ):
        if tables:
            document[key] = [
                _in_order(_fields(section.settings, (t,)), section.settings) for t in tables
            ]
    return document


def dump_board(config: BoardConfig) -> str:
    """The board file text for `config`."""
    document = board_document(config)
    blocks = [_block("[board]", document["board"])]
    blocks += [_block("[[pipelines]]", table) for table in document.get("pipelines", [])]
    blocks += [_block("[[environments]]", table) for table in document.get("environments", [])]
    if "tracker" in document:
        blocks.append(_block("[tracker]", document["tracker"]))
    blocks += [_block("[[freeze]]", table) for table in document.get("freeze", [])]
    blocks += [_block("[[maintenance]]", table) for table in document.get("maintenance", [])]
    return "\n".join(blocks)


def save_board(config: BoardConfig, path: Path) -> None:
    """Write `config` to `path` atomically: readers see the old file or the new one, whole.

    The text is checked with the loader first, so a config that could not be loaded back is
    refused (`BoardFileError`) and the file on disk is left as it was.
    """
    text = dump_board(config)
    parse_board(text, str(path))
    target = path.resolve() if path.is_symlink() else path  # keep a link into a team repo
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


# -- building the document -------------------------------------------------------------------


def _fields(declared: tuple[Setting, ...], sources: tuple[object, ...]) -> dict[str, Any]:
    """Declared keys whose value (looked up on the first source that has it) is not default."""
    out: dict[str, Any] = {}
    for setting in declared:
        holder = next((s for s in sources if hasattr(s, setting.key)), None)
        if holder is None or setting.key in _TIMING:
            continue
        value = getattr(holder, setting.key)
        if value is None or (not setting.required and value == setting.default):
            continue
        out[setting.key] = _plain(value)
    return out


def _timing(
    refresh: float, stale: float, board_refresh: float, board_stale: float
) -> dict[str, Any]:
    """An item's timing keys, written only where they differ from what would be derived."""
    out: dict[str, Any] = {}
    written_refresh = None if refresh == board_refresh else refresh
    if written_refresh is not None:
        out["refresh_seconds"] = refresh
    if stale != item_timing(written_refresh, None, board_refresh, board_stale)[1]:
        out["stale_after_seconds"] = stale
    return out


def _in_order(values: dict[str, Any], declared: tuple[Setting, ...]) -> dict[str, Any]:
    return {s.key: values[s.key] for s in declared if s.key in values}


def _pipeline(pipeline: PipelineConfig, board_refresh: float, board_stale: float) -> dict[str, Any]:
    declared = settings.pipeline_settings(pipeline.source)
    values = _fields(declared, (pipeline.options, pipeline))
    values.update(
        _timing(pipeline.refresh_seconds, pipeline.stale_after_seconds, board_refresh, board_stale)
    )
    return _in_order(values, declared)


def _environment(
    env: EnvironmentConfig, board_refresh: float, board_stale: float
) -> dict[str, Any]:
    declared = settings.ENVIRONMENT.settings
    values = _fields(declared, (env,))
    values.update(_timing(env.refresh_seconds, env.stale_after_seconds, board_refresh, board_stale))
    return _in_order(values, declared)


def _tracker(tracker: TrackerConfig) -> dict[str, Any]:
    """The [tracker] table; empty when there is nothing to say (kind none, no extras)."""
    declared = settings.tracker_settings(tracker.kind)
    values = _fields(declared, (tracker.options, tracker))
    if tracker.refresh_seconds != TrackerConfig().refresh_seconds:
        values["refresh_seconds"] = tracker.refresh_seconds  # a timing key: _fields skips it
    if values.keys() == {"kind"} and tracker.kind == "none":
        return {}
    return _in_order(values, declared)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


# -- TOML text -------------------------------------------------------------------------------


def _block(header: str, table: Mapping[str, Any]) -> str:
    lines = [header] + [f"{_key(key)} = {_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("board values are finite numbers")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | time):
        return value.isoformat()  # TOML offset date-time / local time literals
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write a {type(value).__name__} to a board file")


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    """A TOML basic string, escaped so that every value stays visibly on its one line.

    Quotes, backslashes, control characters and anything else not printable (U+2028 and
    other line separators, zero-width characters) are written as escapes.
    """
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable() or char == " ":
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'
