"""The fleet's team boards: their board files read (from disk, or over HTTPS conditionally and
cached), where each team keeps its local store, and the whole fleet polled once.

Each team keeps its own SQLite store (`team_db_path`: last known items, verdict history,
blockers), exactly as its own board would, so the platform view opens at once from the last
known state, and the history figures are the teams' own. The fleet's HTTP validator cache
(board files, feeds, APIs) lives in one more store, `fleet.db`, shared by every team.

A board file that cannot be fetched or read makes its team UNKNOWN, with the reason in words
("board file could not be fetched: connection refused by git.example.com"); the rest of the
fleet carries on. Tokens for board files come from `token_env` / `token_keyring` as everywhere
(app/config/secrets.py), read on a worker thread.
"""

from __future__ import annotations

import hashlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from app.config.board import BoardConfig
from app.config.errors import BoardFileError
from app.config.fleet import FleetBoard, FleetConfig
from app.config.loader import load_board, parse_board
from app.config.secrets import resolve_token
from app.domain.fleet import TeamRow, team_row, unreadable_row
from app.services.board_jobs import FeedReader
from app.sources.errors import SourceError
from app.sources.http import HttpClient, check_status

log = logging.getLogger(__name__)

FLEET_DB = "fleet.db"


# A board file on disk as last seen: (modification time in ns, size), None when there is none.
FileStamp = tuple[int, int] | None


def file_stamp(path: Path) -> FileStamp:
    """What tells a changed board file from the one read before, without reading it."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size)


@dataclass(frozen=True)
class TeamBoard:
    """One fleet entry after reading its board file: the config, or why there is none.

    `stamp` is the file's `file_stamp` taken before it was read (board files by path only).
    """

    entry: FleetBoard
    config: BoardConfig | None = None
    error: str | None = None
    stamp: FileStamp = None

    @property
    def key(self) -> str:
        return self.entry.where

    @property
    def name(self) -> str:
        return self.config.name if self.config is not None else self.entry.label


def team_db_path(db_dir: Path, entry: FleetBoard) -> Path:
    """The team's own store: a readable name plus a digest of where its board file is."""
    slug = re.sub(r"[^a-z0-9]+", "-", entry.label.casefold()).strip("-")[:40] or "team"
    digest = hashlib.sha256(entry.where.encode()).hexdigest()[:10]
    return db_dir / f"{slug}-{digest}.db"


def read_team_board(entry: FleetBoard, http: HttpClient) -> TeamBoard:
    """Read one board file; any failure becomes words on the team, never an exception."""
    if entry.path is not None:
        stamp = file_stamp(entry.path)  # before reading: a change meanwhile is read next time
        try:
            return TeamBoard(entry, load_board(entry.path), stamp=stamp)
        except BoardFileError as err:
            return TeamBoard(entry, error=_board_file_words(err), stamp=stamp)
    assert entry.url is not None
    token = resolve_token(entry.token_env, entry.token_keyring)
    headers = {"Authorization": f"Bearer {token.token}"} if token.token else {}
    try:
        resp = http.get(entry.url, headers=headers)
        # "… could not be fetched: acme/payments/main/board.toml not found, or the token …"
        what = urlsplit(entry.url).path.strip("/") or entry.url
        check_status(resp, what=what, token_hint=entry.token_env or "")
    except SourceError as err:
        return TeamBoard(entry, error=f"board file could not be fetched: {err.message}")
    try:
        text = resp.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return TeamBoard(entry, error="board file is not UTF-8 text")
    try:
        return TeamBoard(entry, parse_board(text, entry.url))
    except BoardFileError as err:
        return TeamBoard(entry, error=_board_file_words(err))


def _board_file_words(err: BoardFileError) -> str:
    more = len(err.errors) - 1
    first = err.errors[0] if err.errors else str(err)
    return f"board file cannot be used: {first}" + (f" (and {more} more)" if more > 0 else "")


def read_changed_boards(teams: list[TeamBoard], http: HttpClient) -> list[TeamBoard]:
    """The board files read again (blocking: on a worker): every one by URL (conditionally, so
    an unchanged one costs a 304), and those on disk whose modification time or size changed
    since `teams` were read, or that appeared or went away. Unchanged files on disk are left
    out, so watching a fleet's files costs one stat each."""
    read = []
    for team in teams:
        path = team.entry.path
        if path is not None and file_stamp(path) == team.stamp:
            continue
        read.append(read_team_board(team.entry, http))
    return read


def read_team_boards(fleet: FleetConfig, http: HttpClient, *, workers: int = 8) -> list[TeamBoard]:
    """Every board file of the fleet, read concurrently, in fleet-file order."""
    if not fleet.boards:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(fleet.boards)))) as pool:
        return list(pool.map(lambda entry: read_team_board(entry, http), fleet.boards))


def poll_fleet_once(
    fleet: FleetConfig,
    db_dir: Path,
    *,
    teams_at_once: int = 8,
) -> list[TeamRow]:
    """Read every board file and poll every team once (what `status --fleet` prints), with one
    shared client and one fetch per shared feed. Rows are in fleet-file order."""
    from app.services.board_store import poll_board_once
    from app.services.fleet_fetch import FleetHttp, SharedFeeds
    from app.store.store import Store

    fleet_store = Store.open(db_dir / FLEET_DB)
    http: HttpClient = FleetHttp(cache=fleet_store.http_cache)
    feeds: FeedReader = SharedFeeds()

    def poll(team: TeamBoard) -> TeamRow:
        if team.config is None:
            return unreadable_row(team.key, team.name, team.error or "board file not read")
        try:
            store = Store.open(team_db_path(db_dir, team.entry))
        except Exception as err:  # a damaged or locked store must not hide the other teams
            log.warning("store of %s cannot be opened: %s", team.name, err)
            return unreadable_row(team.key, team.name, f"local store cannot be opened: {err}")
        try:
            snapshot = poll_board_once(team.config, store, http=http, feeds=feeds, workers=4)
            return team_row(team.key, snapshot)
        finally:
            store.close()

    try:
        teams = read_team_boards(fleet, http)
        with ThreadPoolExecutor(max_workers=max(1, min(teams_at_once, len(teams) or 1))) as pool:
            return list(pool.map(poll, teams))
    finally:
        http.close()
        fleet_store.close()


def default_fleet_dir(fleet_file: Path) -> Path:
    """Where a fleet keeps its stores by default: per fleet file, in the user's data dir."""
    from app.store.store import default_path

    digest = hashlib.sha256(str(fleet_file.resolve()).encode()).hexdigest()[:10]
    return default_path().parent / "fleets" / f"{fleet_file.stem}-{digest}"


__all__ = [
    "FLEET_DB",
    "FileStamp",
    "TeamBoard",
    "default_fleet_dir",
    "file_stamp",
    "poll_fleet_once",
    "read_changed_boards",
    "read_team_board",
    "read_team_boards",
    "team_db_path",
]
