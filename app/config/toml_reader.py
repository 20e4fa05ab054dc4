"""Reading a TOML config file into checked tables, saying every mistake with file, line and
key: what the board file (app/config/loader.py) and the fleet file (app/config/fleet.py) share.

- `read_config_text(path)`: the file's text, or a `BoardFileError` in words ("no such file",
  "is a folder, not a file", "is not UTF-8 text").
- `parse_toml(text, source_name)`: the parsed data, or a `BoardFileError` at the line TOML
  names ("not valid TOML: …"), or at the key whose value is nested too deeply.
- `TableReader`: walks parsed tables against their declared `Setting`s (app/config/schema.py),
  converting each value and collecting every issue (unknown keys with "did you mean", secrets
  written into the file, missing required keys) so one error lists them all. A mistyped key or
  table stands for the one it was taken for, which is then not also said to be missing.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.config.checks import (
    MAX_NESTING,
    TOO_DEEP,
    convert,
    looks_like_secret_key,
    looks_like_secret_value,
    secret_advice,
    type_name,
)
from app.config.errors import BoardFileError, BoardIssue
from app.config.locate import KeyLines
from app.config.locate import Path as KeyPath
from app.config.rules import Table
from app.config.schema import Setting

__all__ = ["TableReader", "parse_toml", "read_config_text"]

_TOML_LINE = re.compile(r"at line (\d+)")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def read_config_text(path: Path) -> str:
    """The text of the config file at `path` (a UTF-8 BOM is dropped); problems raise
    `BoardFileError` naming the file."""
    name = str(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BoardFileError(name, [BoardIssue(None, (), "no such file")]) from None
    except IsADirectoryError:
        raise BoardFileError(name, [BoardIssue(None, (), "is a folder, not a file")]) from None
    except UnicodeDecodeError:
        raise BoardFileError(name, [BoardIssue(None, (), "is not UTF-8 text")]) from None
    except OSError as exc:
        issue = BoardIssue(None, (), f"cannot be read ({exc.strerror or exc})")
        raise BoardFileError(name, [issue]) from None


def parse_toml(text: str, source_name: str) -> dict[str, Any]:
    """The parsed TOML; text that is not TOML raises `BoardFileError` at the line it names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE.search(message)
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        issue = BoardIssue(line, (), f"not valid TOML: {message[:1].lower()}{message[1:]}")
        raise BoardFileError(source_name, [issue]) from None
    except RecursionError:  # tomllib recurses per [ or {: thousands deep exhaust the stack
        raise BoardFileError(source_name, [_too_deep(text)]) from None


def _too_deep(text: str) -> BoardIssue:
    """Where the nesting passes MAX_NESTING: the line and key whose value goes too deep."""
    depth, key, key_line = 0, "", 1
    for number, line in enumerate(text.splitlines(), 1):
        if depth == 0:
            found = _KEY_LINE.match(line)
            if found:
                key, key_line = found.group(1).strip(), number
        quote = ""
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    path = KeyLines(text).path_at(key_line) or ((key,) if key else ())
                    return BoardIssue(key_line, path, TOO_DEEP)
            elif char in "]}":
                depth = max(0, depth - 1)
    return BoardIssue(1, (), TOO_DEEP)


class TableReader:
    """Walks parsed data once, converting values and collecting every issue.

    `lines` places each issue on its line; without it (data that never was text, like the
    board editor's) issues have no line.
    """

    def __init__(self, lines: KeyLines | None) -> None:
        self.lines = lines
        self.issues: list[BoardIssue] = []

    def issue(self, path: KeyPath, message: str) -> BoardIssue:
        line = self.lines.line_of(path) if self.lines is not None else None
        found = BoardIssue(line, path, message)
        self.issues.append(found)
        return found

    def top_level(self, data: Mapping[str, Any], known: tuple[str, ...]) -> set[str]:
        """Every top-level key not in `known` is an issue; returns the known tables that
        mistyped ones were taken for (so a missing table is not said a second time)."""
        meant: set[str] = set()
        for key in data:
            if key not in known:
                close = self.unknown((key,), key, known, "table", data[key])
                if close is not None:
                    meant.add(close)
        return meant

    def missing(self, data: Mapping[str, Any], key: str, meant: set[str], message: str) -> bool:
        """Whether the required top-level `key` is absent; if so `message` is recorded, unless
        a mistyped table was taken for it (`meant`, from `top_level`): one slip, one line."""
        if key in data:
            return False
        if key not in meant:
            self.issue((key,), message)
        return True

    def array(self, data: Mapping[str, Any], key: str) -> list[tuple[KeyPath, Any]]:
        """The entries of the `[[key]]` tables, with their paths."""
        raw = data.get(key, [])
        if isinstance(raw, Mapping):
            self.issue((key,), f"use [[{key}]] (double brackets) for each entry")
            return []
        if not isinstance(raw, list):
            self.issue((key,), f"expected [[{key}]] tables, not a single value")
            return []
        return [((key, index), item) for index, item in enumerate(raw)]

    def table(
        self,
        path: KeyPath,
        raw: Any,
        declared: tuple[Setting, ...],
        env_key: str = "token_env",
        kinds: tuple[str, bool, Mapping[str, str]] = ("", True, {}),
    ) -> Table | None:
        """The checked values of one table (None when it is not a table); problems are recorded.

        `kinds` is (the key choosing the kind, whether its value is known, the keys of the
        other kinds with their kind): with a wrong kind, keys of other kinds are not reported
        again; with a right one, "unknown key" says which kind a key belongs to.
        """
        if not isinstance(raw, Mapping):
            self.issue(path, f"expected a table, not {type_name(raw)}")
            return None
        kind_key, kind_known, other_kinds = kinds
        by_key = {setting.key: setting for setting in declared}
        values: dict[str, Any] = {}
        # A mistyped key stands for the key it was taken for: that key is not also "missing",
        # and rules that ask whether it is written see it (one mistake, one error).
        written: dict[str, Any] = dict(raw)
        for key, value in raw.items():
            setting = by_key.get(key)
            if setting is None:
                if kind_known:
                    hint = f"{kind_key} '{other_kinds[key]}'" if key in other_kinds else None
                    close = self.unknown(
                        (*path, key), key, tuple(by_key), "key", value, env_key, hint
                    )
                    if close is not None:
                        written.setdefault(close, value)
                elif kind_key not in raw and difflib.get_close_matches(key, (kind_key,), n=1):
                    # No kind at all, and this key looks like the kind's key mistyped.
                    self.unknown((*path, key), key, (kind_key,), "key", value, env_key)
                    written.setdefault(kind_key, value)
                elif key not in other_kinds and (
                    looks_like_secret_key(key) or looks_like_secret_value(value)
                ):
                    # With an unknown kind its keys are unknown too (one mistake, one error);
                    # only a secret written into the file is a second mistake.
                    self.unknown((*path, key), key, tuple(by_key), "key", value, env_key)
                continue
            converted, problems = convert(setting, value, env_key)
            for problem in problems:
                self.issue((*path, key, *problem.subpath), problem.message)
            if not problems:
                values[key] = converted
        for setting in declared:
            if setting.required and setting.key not in written:
                self.issue((*path, setting.key), "is required but missing")
        return Table(path, written, values)

    def unknown(
        self,
        path: KeyPath,
        key: str,
        known: tuple[str, ...],
        what: str,
        value: Any,
        env_key: str = "token_env",
        belongs_to: str | None = None,
    ) -> str | None:
        """`key` is not one of `known`: say so (with a close match or where it belongs), or
        that a secret does not go into the file. Returns the close match, if any."""
        if looks_like_secret_key(key) and not isinstance(value, Mapping | list):
            self.issue(path, secret_advice(env_key))
            return None
        message = f"unknown {what} '{key}'"
        close = difflib.get_close_matches(key, known, n=1)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        elif belongs_to is not None:
            message += f" (it belongs to {belongs_to})"
        self.issue(path, message)
        return close[0] if close else None
