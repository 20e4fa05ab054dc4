"""The vocabulary of the board-file declaration: value types, `Setting` and `Section`.

`app.config.settings` uses it to declare every key; this module only says what a declaration
is made of, so the editor and docs can read a `Setting` without knowing any particular key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any


class ValueType(StrEnum):
    """What a key's value must be. `words` is how the docs and error messages say it."""

    TEXT = "text"
    TEXT_OR_NUMBER = "text-or-number"  # ids that may be written either way; kept as text
    BOOLEAN = "boolean"
    INTEGER = "integer"  # a whole number, 0 or more
    SECONDS = "seconds"  # a number above 0, whole or decimal
    MILLISECONDS = "milliseconds"  # a number above 0, whole or decimal
    URL = "url"  # http:// or https://
    ENV_NAME = "env-name"  # the NAME of an environment variable, never its value
    KEYRING_ENTRY = "keyring-entry"  # an entry name in the OS keyring (service "releasable")
    PATH = "path"
    TEXT_LIST = "text-list"
    STATUS_LIST = "status-list"  # HTTP status codes: one integer or a list
    TEXT_MAP = "text-map"  # a table of text values
    PRIORITY_MAP = "priority-map"  # a table with keys P1, P2, P3 and text values
    DATETIME = "datetime"  # a TOML date-time WITH its UTC offset (or the same as ISO text)
    TIME_OF_DAY = "time-of-day"  # "HH:MM" (or a TOML local time)
    WEEKDAY_LIST = "weekday-list"  # ["mon", "tue", ...]
    TIME_ZONE = "time-zone"  # an IANA time zone name, e.g. Europe/Berlin

    @property
    def words(self) -> str:
        return _TYPE_WORDS[self]


_TYPE_WORDS: dict[ValueType, str] = {
    ValueType.TEXT: "text",
    ValueType.TEXT_OR_NUMBER: "text or number",
    ValueType.BOOLEAN: "true or false",
    ValueType.INTEGER: "whole number (0 or more)",
    ValueType.SECONDS: "seconds",
    ValueType.MILLISECONDS: "milliseconds",
    ValueType.URL: "URL",
    ValueType.ENV_NAME: "environment variable name",
    ValueType.KEYRING_ENTRY: "keyring entry name",
    ValueType.PATH: "file path",
    ValueType.TEXT_LIST: "list of text",
    ValueType.STATUS_LIST: "list of HTTP status codes",
    ValueType.TEXT_MAP: "table of text",
    ValueType.PRIORITY_MAP: "table P1/P2/P3 = text",
    ValueType.DATETIME: "date-time with offset",
    ValueType.TIME_OF_DAY: "time of day (HH:MM)",
    ValueType.WEEKDAY_LIST: "list of weekdays",
    ValueType.TIME_ZONE: "time zone name",
}

PRIORITY_KEYS: tuple[str, ...] = ("P1", "P2", "P3")

DAY_S = 86_400
# Sane ranges: anything outside is a typo (or an attack), refused when the board is read.
# 30 days is the longest interval that means anything on a board; above it timers overflow.
_TYPE_LIMITS: dict[ValueType, tuple[float, float]] = {
    ValueType.SECONDS: (1, 30 * DAY_S),
    ValueType.MILLISECONDS: (1, DAY_S * 1000),
    ValueType.INTEGER: (0, 3650),
}


@dataclass(frozen=True)
class Setting:
    """One key of the board file.

    `default` is the value used when the key is absent (None: no value). `default_text` says a
    default that depends on other keys ("3 × refresh_seconds"); such defaults are applied by
    `app.config.board` and the writer, not here. `pattern` (a regular expression,
    said as `pattern_words`) constrains text.
    """

    key: str
    type: ValueType
    description: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    default_text: str | None = None
    pattern: str | None = None
    pattern_words: str | None = None
    bounds: tuple[float, float] | None = None  # numbers: the sane range, else the type's
    must_exist: bool = False  # paths: the file must exist when the board is read

    @property
    def limits(self) -> tuple[float, float]:
        """The lowest and highest value a number may have (`bounds`, else the type's)."""
        return self.bounds or _TYPE_LIMITS.get(self.type, (0, math.inf))

    @property
    def default_words(self) -> str:
        """The default as the docs and editor show it; '' when there is none."""
        if self.default_text is not None:
            return self.default_text
        if self.default is None:
            return ""
        return format_value(self.default)


@dataclass(frozen=True)
class Section:
    """An ordered group of settings: a table, or the keys one kind adds to a table."""

    table: str  # "board", "pipelines", "environments", "tracker", "freeze", "maintenance"
    title: str  # how the docs head it
    description: str
    settings: tuple[Setting, ...]
    kind: str | None = None  # the source / tracker kind these keys belong to

    def get(self, key: str) -> Setting | None:
        return next((s for s in self.settings if s.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.settings)


def format_value(value: Any) -> str:
    """A value written the TOML way, for docs and messages (short values only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {format_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, datetime | time):
        return value.isoformat()
    return str(value)
