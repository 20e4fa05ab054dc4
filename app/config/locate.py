"""Where each key of a TOML text is written: its line number, for error messages.

`tomllib` gives values but no positions, so this scans the text once with a small TOML-aware
reader: it follows table headers (`[board]`, the n-th `[[pipelines]]`, `[tracker.headers]`),
`key =` lines (dotted keys too) and the keys of one-line inline tables, and skips what is
inside strings, multi-line strings and multi-line arrays. It never fails: anything it cannot
place is reported at the nearest enclosing table, or at line 1.

Paths are tuples of table keys and 0-based array indexes: `("pipelines", 1, "source")`.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_KEY = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")
_KEY_PART = re.compile(_KEY)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = []
    for match in _KEY_PART.finditer(dotted):
        part = match.group(0)
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


class KeyLines:
    """Line numbers (1-based) of the tables and keys of one TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._scan(text)

    def line_of(self, path: Path) -> int:
        """The line of `path`, else of its nearest enclosing table or key, else 1."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def path_at(self, line: int) -> Path:
        """The key written on `line` (its shortest path; () when none is)."""
        paths = [path for path, at in self._lines.items() if at == line]
        return min(paths, key=len, default=())

    def _record(self, path: Path, line: int) -> None:
        self._lines.setdefault(path, line)

    def _scan(self, text: str) -> None:
        array_counts: dict[tuple[str, ...], int] = {}
        table: Path = ()
        open_string: str | None = None  # the delimiter of a multi-line string being read
        depth = 0  # open brackets of a multi-line array
        for number, line in enumerate(text.split("\n"), start=1):  # TOML's own line ends
            if open_string is None and depth == 0:
                if match := _ARRAY_HEADER.match(line):
                    name = _split_key(match.group(1))
                    index = array_counts.get(name, -1) + 1
                    array_counts[name] = index
                    table = (*self._resolve(name[:-1], array_counts), name[-1], index)
                    self._record(table, number)
                    self._record(table[:-1], number)
                    continue
                if match := _TABLE_HEADER.match(line):
                    table = self._resolve(_split_key(match.group(1)), array_counts)
                    self._record(table, number)
                    continue
                if match := _KEY_LINE.match(line):
                    key_path = (*table, *_split_key(match.group(1)))
                    self._record(key_path, number)
                    value = line[match.end() :]
                    if "{" in value:
                        for inline in _INLINE_KEY.finditer(value):
                            self._record((*key_path, *_split_key(inline.group(1))), number)
                    open_string, depth = _follow(value, None, 0)
                    continue
            open_string, depth = _follow(line, open_string, depth)

    @staticmethod
    def _resolve(name: tuple[str, ...], array_counts: dict[tuple[str, ...], int]) -> Path:
        """`[pipelines.headers]` after `[[pipelines]]` belongs to the last pipeline."""
        path: list[str | int] = []
        for end in range(1, len(name) + 1):
            path.append(name[end - 1])
            if name[:end] in array_counts:
                path.append(array_counts[name[:end]])
        return tuple(path)


def _follow(text: str, open_string: str | None, depth: int) -> tuple[str | None, int]:
    """Read `text` and say whether a multi-line string or array is still open after it."""
    i = 0
    n = len(text)
    while i < n:
        if open_string is not None:
            end = text.find(open_string, i)
            if open_string == '"""':
                while end > 0 and _escaped(text, end):
                    end = text.find(open_string, end + 1)
            if end < 0:
                return open_string, depth
            i = end + 3
            open_string = None
            continue
        char = text[i]
        if char == "#":
            break
        if text.startswith('"""', i) or text.startswith("'''", i):
            open_string = text[i : i + 3]
            i += 3
            continue
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return open_string, depth


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _skip_string(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)
