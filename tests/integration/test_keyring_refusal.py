"""A token kept in the OS keyring that cannot be read, then a 401 (issue 12, point 11: the
item said only "token rejected (401)", the keyring's problem went to stderr alone). The item's
message names the keyring entry and why it could not be read, in words, never a secret: in
the source (window and kiosk show its message), through the window's board service (its
worker process), and in `releasable status` run as a user would.

keyring's backend is set programmatically (a backend that raises "locked", one with no such
entry) or through PYTHON_KEYRING_BACKEND (keyring's `fail` backend: no keyring on this
machine), against a real loopback server answering 401.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.config.loader import parse_board
from app.domain.model import BoardSnapshot, Observed
from app.services.board_service import make_board_service
from app.services.sources import make_environment_source, make_pipeline_source
from app.sources.errors import SourceError
from app.sources.http import HttpClient
from app.store.store import Store
from tests.unit.test_config_secrets import MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]
RUNS = "/repos/acme/api/actions/workflows/deploy.yml/runs"
NO_KEYRING = "keyring.backends.fail.Keyring"


def board_text(server: HTTPServer) -> str:
    server.expect_request(RUNS).respond_with_json({"message": "Bad credentials"}, status=401)
    server.expect_request("/health").respond_with_data("sign in", status=401)
    return (
        '[board]\nname = "Payments"\n\n'
        '[[pipelines]]\nname = "api"\nsource = "github-actions"\n'
        f'api_url = "{server.url_for("/")[:-1]}"\nrepo = "acme/api"\nworkflow = "deploy.yml"\n'
        'token_keyring = "ci-github"\n\n'
        f'[[environments]]\nname = "staging"\nurl = "{server.url_for("/health")}"\n'
        'token_keyring = "health"\n'
    )


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def refusals(server: HTTPServer) -> tuple[str, str]:
    """The pipeline's and the environment's messages after one read each."""
    board = parse_board(board_text(server), "board.toml")
    http = HttpClient()
    try:
        with pytest.raises(SourceError) as pipeline:
            make_pipeline_source(board.pipelines[0]).fetch(http)
        with pytest.raises(SourceError) as environment:
            make_environment_source(board.environments[0]).fetch(http)
    finally:
        http.close()
    return str(pipeline.value), str(environment.value)


def test_a_locked_keyring_is_named_as_the_likely_cause_of_a_401(
    httpserver: HTTPServer, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.entries[("releasable", "ci-github")] = "ghp_never_read"
    memory_keyring.fail_with = keyring.errors.KeyringLocked("locked")
    pipeline, environment = refusals(httpserver)
    assert pipeline == (
        "token rejected (401) — the keyring entry 'releasable/ci-github' could not be read: "
        "the keyring is locked"
    )
    assert environment == (
        "the health endpoint asks for sign-in (401) — the keyring entry 'releasable/health' "
        "could not be read: the keyring is locked"
    )
    assert "ghp_never_read" not in pipeline + environment


def test_a_missing_keyring_entry_is_named_as_the_likely_cause_of_a_401(
    httpserver: HTTPServer, memory_keyring: MemoryKeyring
) -> None:
    pipeline, _environment = refusals(httpserver)
    assert pipeline == (
        "token rejected (401) — the keyring entry 'releasable/ci-github' could not be read: "
        "there is no such entry"
    )


def items(snapshot: BoardSnapshot) -> list[Observed]:
    return [*snapshot.board.pipelines, *snapshot.board.environments]


def test_the_windows_board_service_names_the_keyring(
    qtbot: QtBot, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)  # the worker process reads it
    board = parse_board(board_text(httpserver), "board.toml")
    store = Store.open(tmp_path / "board.db")
    service = make_board_service(board, store, worker_process=True)
    seen: list[BoardSnapshot] = []
    service.updated.connect(seen.append)
    service.start()
    try:
        qtbot.waitUntil(
            lambda: bool(seen) and all(i.error for i in items(seen[-1])),
            timeout=20_000,
        )
        errors = {i.name: i.error for i in items(seen[-1])}
    finally:
        service.stop()
        store.close()
    assert errors == {
        "api": "token rejected (401) — the keyring entry 'releasable/ci-github' could not be "
        "read: this machine has no OS keyring",
        "staging": "the health endpoint asks for sign-in (401) — the keyring entry "
        "'releasable/health' could not be read: this machine has no OS keyring",
    }


def test_status_names_the_keyring(httpserver: HTTPServer, tmp_path: Path) -> None:
    path = tmp_path / "board.toml"
    path.write_text(board_text(httpserver), encoding="utf-8")
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": NO_KEYRING}
    env.pop("RELEASABLE_BOARD", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "status",
            "--board",
            str(path),
            "--db",
            str(tmp_path / "r.db"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        "token rejected (401) — the keyring entry 'releasable/ci-github' could not be read: "
        "this machine has no OS keyring" in done.stdout
    ), done.stdout + done.stderr
