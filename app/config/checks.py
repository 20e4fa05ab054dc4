"""Checks one value against its declared `Setting`, and spots secrets written into the file.

`convert()` turns a TOML value into the value the config keeps (lists become tuples, tables
become `FrozenMap`s, ids become text) or says in plain words what is wrong with it. Messages
never repeat a value that could be a secret.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.config.board import FrozenMap
from app.config.locate import Path
from app.config.schema import PRIORITY_KEYS, Setting, ValueType
from app.domain.planned import WEEKDAYS
from app.domain.redact import is_secret_query_name

_SECRET_KEY = re.compile(
    r"token|passw|secret|api[_-]?key|private[_-]?key|credential|client[_-]?key", re.IGNORECASE
)
_SECRET_HEADER = re.compile(r"authorization|cookie|auth|token|secret|api[_-]?key", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub tokens
    r"|github_pat_\w{20,}"
    r"|glpat-[\w-]{16,}"  # GitLab personal access token
    r"|xox[abprs]-[\w-]{10,}"  # Slack
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|ATATT[\w=-]{20,}"  # Atlassian API token
    r"|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\."  # a JWT
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\b(?:bearer|basic)\s+[\w.~+/=-]{8,}",
    re.IGNORECASE,
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # CR, LF, NUL...; a tab is allowed
MAX_NESTING = 32  # levels of lists and tables inside one value; a board needs 2
TOO_DEEP = f"is nested too deeply (more than {MAX_NESTING} levels of [ ] or {{ }})"


def secret_advice(
    env_key: str = "token_env", why: str = "secrets do not belong in the board file"
) -> str:
    """`why`, then where the secret goes instead (`env_key` names the variable's key)."""
    what = "password" if env_key == "password_env" else "token"
    return (
        f"{why}: put the {what} in an environment variable or the OS keyring; "
        f"name it with {env_key}"
    )


def looks_like_secret_key(key: str) -> bool:
    """A key whose name says it holds a secret (token, password, ...)."""
    return bool(_SECRET_KEY.search(key))


def looks_like_secret_value(value: Any) -> bool:
    """A value that is shaped like a known token, anywhere inside it."""
    return _secret_at(value) is not None


def _secret_at(value: Any) -> Path | None:
    """Where inside `value` a token-shaped text is (() for the value itself), or None."""
    if isinstance(value, str):
        return () if _SECRET_VALUE.search(value) else None
    if isinstance(value, Mapping):
        pairs: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list | tuple):
        pairs = list(enumerate(value))
    else:
        return None
    for key, item in pairs:
        inner = _secret_at(item)
        if inner is not None:
            return (key, *inner)
    return None


def type_name(value: Any) -> str:
    """How a TOML value's type is said to a person."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, datetime | date | time):
        return "a date/time"
    return type(value).__name__


@dataclass(frozen=True)
class Problem:
    """What is wrong with a value; `subpath` points inside it (a list index, a table key)."""

    message: str
    subpath: Path = ()


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _expected(setting: Setting, value: Any) -> Problem:
    return Problem(f"expected {setting.type.words}, not {type_name(value)}")


def _text(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(value, str):
        return None, [_expected(setting, value)]
    if not value.strip():
        return None, [Problem("is empty: give it a value or remove the line")]
    if setting.choices and value not in setting.choices:
        what = setting.key.replace("_", " ")
        choices = ", ".join(setting.choices)
        return None, [Problem(f"unknown {what} '{_short(value)}' (expected one of {choices})")]
    if setting.pattern and not re.fullmatch(setting.pattern, value):
        return None, [Problem(f"expected {setting.pattern_words or setting.type.words}")]
    return value, []


def _url(setting: Setting, value: Any, env_key: str) -> tuple[Any, list[Problem]]:
    if not isinstance(value, str):
        return None, [_expected(setting, value)]
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as exc:  # "http://[::1/up", "http://host:99999", "http://host:x"
        why = "port out of range 1-65535" if "port" in str(exc).lower() else str(exc).lower()
        return None, [Problem(f"is not a valid web address ({why})")]
    if parts.scheme not in ("http", "https"):
        if not parts.scheme or "://" not in value:
            return None, [Problem("is not a web address: it must start with http:// or https://")]
        return None, [
            Problem(f"only http:// and https:// addresses work here, not {parts.scheme}://")
        ]
    if parts.password or any(is_secret_query_name(key) for key, _ in parse_qsl(parts.query)):
        return None, [Problem(secret_advice(env_key, "this address holds a password or token"))]
    if not parts.hostname or any(c.isspace() for c in value.strip()):
        return None, [Problem("is not a valid web address (no host name, or spaces in it)")]
    if port == 0:
        return None, [Problem("is not a valid web address (port out of range 1-65535)")]
    return value.strip(), []


def _file(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    """A file that must exist when the board is read (used as written, like the app uses it)."""
    path, problems = _text(setting, value)
    if problems or not setting.must_exist:
        return path, problems
    try:
        is_file = os.path.isfile(path)
    except ValueError:  # a NUL in the path
        is_file = False
    if not is_file:
        where = os.path.abspath(path) if "\0" not in path else "that path"
        return None, [Problem(f"no such file: {where}")]
    return path, []


def nesting(value: Any) -> int:
    """How many lists and tables deep `value` goes (0 for a plain value), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            break
        todo.extend((child, depth + 1) for child in children)
    return deepest


def _number(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, [_expected(setting, value)]
    if setting.type is ValueType.INTEGER:
        if not isinstance(value, int):
            return None, [_expected(setting, value)]
        if value < 0:
            return None, [Problem("must be 0 or more")]
        if value > setting.limits[1]:
            return None, [Problem(f"must be {_amount(setting, setting.limits[1])} or less")]
        return value, []
    if not math.isfinite(value) or value <= 0:
        return None, [Problem(f"must be a number of {setting.type.words} above 0")]
    low, high = setting.limits
    if not low <= value <= high:
        return None, [Problem(f"must be from {low:g} to {_amount(setting, high)}")]
    return value, []


def _amount(setting: Setting, value: float) -> str:
    """`value` in the setting's unit, with a larger unit when that says it better."""
    unit = "days" if setting.type is ValueType.INTEGER else setting.type.words
    text = f"{value:g} {unit}" if value < 1e6 else f"{int(value)} {unit}"
    seconds = value / 1000 if setting.type is ValueType.MILLISECONDS else value
    if setting.type is not ValueType.INTEGER and seconds >= 86400 and seconds % 86400 == 0:
        days = seconds / 86400
        text += f" ({days:g} day{'' if days == 1 else 's'})"
    return text


def _text_list(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(value, list):
        return None, [_expected(setting, value)]
    problems = [
        Problem(f"expected text, not {type_name(item)}", (i,))
        if not isinstance(item, str)
        else Problem("is empty", (i,))
        for i, item in enumerate(value)
        if not isinstance(item, str) or not item.strip()
    ]
    return tuple(value), problems


def _status_list(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    codes = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(codes, list):
        return None, [_expected(setting, value)]
    problems = []
    for i, code in enumerate(codes):
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            problems.append(Problem("expected an HTTP status code (100 to 599)", (i,)))
    return tuple(codes), problems


def _text_map(setting: Setting, value: Any, env_key: str) -> tuple[Any, list[Problem]]:
    if not isinstance(value, Mapping):
        return None, [_expected(setting, value)]
    problems = []
    for key, item in value.items():
        if not isinstance(item, str):
            problems.append(Problem(f"expected text, not {type_name(item)}", (key,)))
        elif _SECRET_HEADER.search(key):
            problems.append(Problem(secret_advice(env_key), (key,)))
        elif not _HEADER_NAME.fullmatch(key):
            problems.append(Problem("is not a valid HTTP header name", (key,)))
        elif _CONTROL.search(item):
            problems.append(
                Problem("holds a line break or control character (not allowed in a header)", (key,))
            )
    return FrozenMap(value), problems


def _priority_map(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(value, Mapping):
        return None, [_expected(setting, value)]
    problems = []
    for key, item in value.items():
        if key not in PRIORITY_KEYS:
            expected = ", ".join(PRIORITY_KEYS)
            problems.append(
                Problem(f"unknown priority '{_short(key)}' (expected {expected})", (key,))
            )
        elif not isinstance(item, str) or not item.strip():
            problems.append(Problem("expected non-empty text", (key,)))
    return FrozenMap({**setting.default, **value}), problems


def _env_name(setting: Setting, value: Any, env_key: str) -> tuple[Any, list[Problem]]:
    if not isinstance(value, str):
        return None, [_expected(setting, value)]
    if value.startswith("$") and _ENV_NAME.fullmatch(value[1:]):
        return None, [Problem(f"write the variable's name without '$': {value[1:]}")]
    if not _ENV_NAME.fullmatch(value):
        if len(value) >= 20 and " " not in value:
            return None, [
                Problem(secret_advice(env_key, "this looks like a secret, not a variable name"))
            ]
        return None, [Problem("expected the NAME of an environment variable, like GITHUB_TOKEN")]
    return value, []


def _datetime(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    """A TOML offset date-time, or the same written as text (the editor's fields are text)."""
    when = value
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return None, [Problem("expected a date-time like 2026-12-19T18:00:00+01:00")]
    if not isinstance(when, datetime):
        return None, [_expected(setting, value)]
    if when.tzinfo is None:
        return None, [Problem("needs its offset, like 2026-12-19T18:00:00+01:00 (or Z for UTC)")]
    return when, []


def _time_of_day(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if isinstance(value, time):
        return value.replace(tzinfo=None, microsecond=0), []
    if not isinstance(value, str):
        return None, [_expected(setting, value)]
    try:
        return time.fromisoformat(value.strip()).replace(microsecond=0), []
    except ValueError:
        return None, [Problem("expected a time of day like 02:00 or 18:30")]


def _weekdays(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(value, list):
        return None, [_expected(setting, value)]
    days: list[str] = []
    problems = []
    for i, item in enumerate(value):
        day = item.strip().lower()[:3] if isinstance(item, str) else ""
        if day not in WEEKDAYS:
            problems.append(Problem(f"expected one of {', '.join(WEEKDAYS)}", (i,)))
        else:
            days.append(day)
    return tuple(days), problems


def _time_zone(setting: Setting, value: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(value, str):
        return None, [_expected(setting, value)]
    if zone_of(value) is None:
        return None, [Problem(f"unknown time zone '{_short(value)}' (e.g. Europe/Berlin, UTC)")]
    return value, []


def zone_of(name: str) -> tzinfo | None:
    """The time zone called `name` (IANA, e.g. Europe/Berlin), or None when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def convert(setting: Setting, value: Any, env_key: str = "token_env") -> tuple[Any, list[Problem]]:
    """The kept value and the problems with it (a value is kept only if there are none).

    `env_key` is the key that should name this table's secret, for the advice in messages.
    """
    if nesting(value) > MAX_NESTING:
        return None, [Problem(TOO_DEEP)]
    secret_at = _secret_at(value)
    if secret_at is not None:
        return None, [Problem(secret_advice(env_key, "this looks like a secret"), secret_at)]
    kind = setting.type
    if kind is ValueType.TEXT:
        return _text(setting, value)
    if kind is ValueType.TEXT_OR_NUMBER:
        if isinstance(value, int) and not isinstance(value, bool):
            return (str(value), []) if value >= 0 else (None, [Problem("must be 0 or more")])
        return _text(setting, value)
    if kind is ValueType.PATH:
        return _file(setting, value)
    if kind is ValueType.KEYRING_ENTRY:
        return _text(setting, value)
    if kind is ValueType.BOOLEAN:
        return (value, []) if isinstance(value, bool) else (None, [_expected(setting, value)])
    if kind in (ValueType.INTEGER, ValueType.SECONDS, ValueType.MILLISECONDS):
        return _number(setting, value)
    if kind is ValueType.URL:
        return _url(setting, value, env_key)
    if kind is ValueType.ENV_NAME:
        return _env_name(setting, value, env_key)
    if kind is ValueType.TEXT_LIST:
        return _text_list(setting, value)
    if kind is ValueType.STATUS_LIST:
        return _status_list(setting, value)
    if kind is ValueType.TEXT_MAP:
        return _text_map(setting, value, env_key)
    if kind is ValueType.PRIORITY_MAP:
        return _priority_map(setting, value)
    if kind is ValueType.DATETIME:
        return _datetime(setting, value)
    if kind is ValueType.TIME_OF_DAY:
        return _time_of_day(setting, value)
    if kind is ValueType.WEEKDAY_LIST:
        return _weekdays(setting, value)
    if kind is ValueType.TIME_ZONE:
        return _time_zone(setting, value)
    raise AssertionError(f"no check for {kind}")  # a new ValueType needs a check here
