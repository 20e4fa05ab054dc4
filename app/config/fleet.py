"""Reads a fleet file: the platform team's list of team boards, or everything wrong with it.

A fleet file is TOML kept in the platform team's repository:

    [fleet]
    name = "Platform team"
    [[boards]]
    url = "https://raw.githubusercontent.com/acme/payments/main/board.toml"
    token_env = "GITHUB_TOKEN"
    [[boards]]
    path = "../checkout/board.toml"      # relative to the fleet file

Each board is named by a local `path` or by the HTTPS `url` of the raw board file (read by
`app.services.fleet_boards`, conditionally and cached). The keys are declared once below as
`Setting`s and checked by the reader board files use too (app/config/toml_reader.py), so a
mistake is said the same way as in a board file: `fleet.toml:7: boards[2].url: is not a web
address ...`. Plain `http://` is refused except on this machine (loopback), where tests and
the demo serve their boards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.config.errors import BoardFileError
from app.config.locate import KeyLines
from app.config.schema import Section, Setting, ValueType
from app.config.toml_reader import TableReader, parse_toml, read_config_text

__all__ = ["FLEET", "FLEET_BOARD", "FleetBoard", "FleetConfig", "load_fleet", "parse_fleet"]

FLEET = Section(
    "fleet",
    "[fleet]",
    "The platform team's view of many team boards.",
    (
        Setting("name", ValueType.TEXT, "The name shown on the platform view.", required=True),
        Setting(
            "refresh_seconds",
            ValueType.SECONDS,
            "How often the board files are read again: by url conditionally (an unchanged "
            "file costs a 304), by path when the file changed.",
            default=300.0,
        ),
    ),
)

FLEET_BOARD = Section(
    "boards",
    "[[boards]]",
    "One team board: a local path or the https address of the raw board file.",
    (
        Setting("path", ValueType.PATH, "Board file on disk, relative to the fleet file."),
        Setting("url", ValueType.URL, "https address of the raw board file."),
        Setting(
            "name",
            ValueType.TEXT,
            "How the team is called while its board file cannot be read "
            "(default: the board's own name).",
        ),
        Setting("token_env", ValueType.ENV_NAME, "Environment variable holding the token."),
        Setting(
            "token_keyring",
            ValueType.KEYRING_ENTRY,
            "OS keyring entry (service 'releasable') holding the token.",
        ),
    ),
)

_LOOPBACK = ("localhost", "127.0.0.1", "::1")
# Path segments of raw-file addresses that name no team (branches, GitLab's "/-/raw/").
_NOT_A_NAME = frozenset({"-", "raw", "blob", "main", "master", "HEAD", "refs", "heads", "."})


@dataclass(frozen=True)
class FleetBoard:
    """One team board of the fleet: where its board file is, and the token that reads it."""

    path: Path | None = None
    url: str | None = None
    name: str | None = None
    token_env: str | None = None
    token_keyring: str | None = None

    @property
    def where(self) -> str:
        """The board file as people read it: its path or its address."""
        return self.url if self.url is not None else str(self.path)

    @property
    def label(self) -> str:
        """What to call the team before (or without) its board file: `name`, else a guess from
        where the file is: ".../acme/payments/main/board.toml" and "../payments/board.toml"
        are "payments"."""
        if self.name:
            return self.name
        if self.url is not None:
            parts = [p for p in urlsplit(self.url).path.split("/") if p]
        else:
            parts = [p for p in str(self.path).replace("\\", "/").split("/") if p]
        folders = [p for p in parts[:-1] if p not in _NOT_A_NAME]
        return folders[-1] if folders else (parts[-1] if parts else self.where)


@dataclass(frozen=True)
class FleetConfig:
    name: str
    boards: tuple[FleetBoard, ...]
    refresh_seconds: float = 300.0
    source_name: str = "fleet.toml"


def load_fleet(path: Path) -> FleetConfig:
    """Read and check the fleet file at `path`; problems raise `BoardFileError`."""
    return parse_fleet(read_config_text(path), str(path), path.parent)


def parse_fleet(text: str, source_name: str, base_dir: Path) -> FleetConfig:
    """Parse and check fleet-file text; relative board paths are resolved against `base_dir`."""
    data = parse_toml(text, source_name)
    reader = TableReader(KeyLines(text))
    config = _read(reader, data, source_name, base_dir)
    if config is None or reader.issues:
        raise BoardFileError(source_name, reader.issues)
    return config


def _read(
    reader: TableReader, data: Mapping[str, Any], source_name: str, base_dir: Path
) -> FleetConfig | None:
    meant = reader.top_level(data, ("fleet", "boards"))
    fleet = None
    message = 'the [fleet] table is missing; it needs at least name = "..."'
    if not reader.missing(data, "fleet", meant, message):
        fleet = reader.table(("fleet",), data["fleet"], FLEET.settings)
    boards: list[FleetBoard] = []
    seen: dict[str, int] = {}
    message = "no [[boards]] listed: add one per team board (path or url)"
    entries = [] if reader.missing(data, "boards", meant, message) else reader.array(data, "boards")
    for path, raw in entries:
        table = reader.table(path, raw, FLEET_BOARD.settings)
        if table is None:
            continue
        values = table.values
        if table.has("path") == table.has("url"):
            reader.issue(path, "give either path or url (one of them, not both)")
            continue
        url = values.get("url")
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme != "https" and parts.hostname not in _LOOPBACK:
                reader.issue((*path, "url"), "board files are read over https:// only")
                continue
        file_path = None
        if values.get("path") is not None:
            file_path = (base_dir / Path(values["path"]).expanduser()).resolve()
        if "url" not in values and file_path is None:
            continue  # its value was refused (already said)
        board = FleetBoard(
            path=file_path,
            url=url,
            name=values.get("name"),
            token_env=values.get("token_env"),
            token_keyring=values.get("token_keyring"),
        )
        if board.where in seen:
            reader.issue(path, f"the same board as boards[{seen[board.where] + 1}]")
            continue
        seen[board.where] = int(path[1])
        boards.append(board)
    if fleet is None or reader.issues:
        return None
    return FleetConfig(
        name=fleet.values["name"],
        boards=tuple(boards),
        refresh_seconds=float(fleet.values.get("refresh_seconds", 300.0)),
        source_name=source_name,
    )
