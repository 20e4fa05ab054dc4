"""The error a board file raises when it cannot be used, with every problem found in it.

Each problem is a `BoardIssue` (line, key path, message) so the board editor can put it next
to its field; `BoardFileError.errors` holds them as the lines a person reads:
`board.toml:14: pipelines[2].source: unknown source 'jenkinz' (expected one of ...)`.
Array indexes in paths count from 1, like a person counts `[[pipelines]]` tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config.locate import Path


def format_path(path: Path) -> str:
    """`("pipelines", 1, "source")` -> `pipelines[2].source`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class BoardIssue:
    """One problem: where it is (line None when there is no text) and what is wrong."""

    line: int | None
    path: Path
    message: str

    def format(self, source_name: str) -> str:
        where = source_name if self.line is None else f"{source_name}:{self.line}"
        key = format_path(self.path)
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


class BoardFileError(Exception):
    """The board file cannot be used; `errors` lists every problem, `issues` the same, typed."""

    def __init__(self, source_name: str, issues: list[BoardIssue]) -> None:
        ordered = sorted(issues, key=lambda issue: issue.line or 0)
        self.source_name = source_name
        self.issues: list[BoardIssue] = ordered
        self.errors: list[str] = [issue.format(source_name) for issue in ordered]
        super().__init__("\n".join(self.errors))
