"""A board file written by hand, as a new user writes it from README's reference, one slip each.

Each case is the whole command line (`releasable status --board FILE` as a child process, empty
home) on a board that reads fine but for one typing mistake: the answer is exit code 3 and
exactly one `file:line: key: …` line on stderr — not that line plus the errors it causes
(a mistyped `url` is not also "url is required", a mistyped `[board]` is not also "[board] is
missing", a refused `refresh_seconds` is not compared with `stale_after_seconds` as if it were
the default).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from app.cli.common import EXIT_USAGE

ROOT = Path(__file__).resolve().parents[2]

BOARD = """\
[board]
name = "Payments"
refresh_seconds = 30
stale_after_seconds = 45

[[pipelines]]
name = "api"
source = "cctray"
url = "http://127.0.0.1:9/cc.xml"
project_prefix = "api :: "
username = "ci"
password_env = "CI_PASSWORD"

[[environments]]
name = "staging"
url = "http://127.0.0.1:9/health"
refresh_seconds = 10
stale_after_seconds = 30

[tracker]
kind = "github"
api_url = "http://127.0.0.1:9"
repo = "acme/platform"
token_env = "GITHUB_TOKEN"
"""


def releasable(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`releasable ARGS` for a user whose home (and XDG folders) is `home`."""
    env = {k: v for k, v in os.environ.items() if k != "RELEASABLE_BOARD"}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        QT_QPA_PLATFORM="offscreen",
    )
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("wrong", "right", "line"),
    [
        (  # a required key mistyped
            'url = "http://127.0.0.1:9/health"',
            'ur = "http://127.0.0.1:9/health"',
            "board.toml:16: environments[1].ur: unknown key 'ur' (did you mean 'url'?)",
        ),
        (  # the one required table mistyped
            "[board]",
            "[bord]",
            "board.toml:1: bord: unknown table 'bord' (did you mean 'board'?)",
        ),
        (  # a key other keys depend on, mistyped
            'password_env = "CI_PASSWORD"',
            'pasword_env = "CI_PASSWORD"',
            "board.toml:12: pipelines[1].pasword_env: unknown key 'pasword_env' "
            "(did you mean 'password_env'?)",
        ),
        (  # the key that decides which other keys a pipeline takes
            'source = "cctray"',
            'sorce = "cctray"',
            "board.toml:8: pipelines[1].sorce: unknown key 'sorce' (did you mean 'source'?)",
        ),
        (  # a value of the wrong type that other values are compared with
            "refresh_seconds = 30",
            'refresh_seconds = "30"',
            "board.toml:3: board.refresh_seconds: expected seconds, not text",
        ),
        (
            "refresh_seconds = 30",
            "refresh_seconds = 30s",
            "board.toml:3: not valid TOML: ",  # then the parser's words, which vary by version
        ),
    ],
)
def test_one_slip_in_a_hand_written_board_is_one_line(
    tmp_path: Path, wrong: str, right: str, line: str
) -> None:
    assert BOARD.count(wrong) == 1
    board = tmp_path / "board.toml"
    board.write_text(BOARD.replace(wrong, right), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()

    done = releasable(home, "status", "--board", str(board))

    assert done.returncode == EXIT_USAGE, done.stdout + done.stderr
    assert done.stdout == ""
    (said,) = done.stderr.splitlines()
    assert said.startswith(f"releasable: {tmp_path / line}")
    assert said == f"releasable: {tmp_path / line}" or line.endswith(": ")


def test_status_before_any_board_says_where_it_looked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = releasable(home, "status")

    assert done.returncode == EXIT_USAGE
    (said,) = done.stderr.splitlines()
    default = home / ".config" / "releasable" / "board.toml"
    assert said == (
        f"releasable: no board file (there is none at {default}): pass --board FILE, "
        "set RELEASABLE_BOARD, write that file, or try --demo"
    )


def test_a_health_check_naming_its_json_field_is_down_when_it_answers_500(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """README's reference: json_field = "status" is the actuator default written out. A 500 in
    plain text is the server saying it fails (down), as it is without json_field, not unknown."""
    httpserver.expect_request("/health").respond_with_data(
        "internal error", status=500, content_type="text/plain"
    )
    board = tmp_path / "board.toml"
    board.write_text(
        '[board]\nname = "Payments"\n\n[[environments]]\nname = "staging"\n'
        f'url = "{httpserver.url_for("/health")}"\njson_field = "status"\n',
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir()

    done = releasable(home, "status", "--board", str(board))

    assert done.returncode == 1, done.stdout + done.stderr  # NOT RELEASABLE, not unknown
    assert "environment 'staging' down" in done.stdout
    assert "(server error 500)" in done.stdout


FLEET = """\
[fleet]
name = "Platform team"
refresh_seconds = 300

[[boards]]
path = "board.toml"
name = "Payments"
"""


@pytest.mark.parametrize(
    ("wrong", "right", "line"),
    [
        (  # the one required table mistyped
            "[fleet]",
            "[flet]",
            "fleet.toml:1: flet: unknown table 'flet' (did you mean 'fleet'?)",
        ),
        (  # the list of boards mistyped
            "[[boards]]",
            "[[bords]]",
            "fleet.toml:5: bords: unknown table 'bords' (did you mean 'boards'?)",
        ),
        (  # a required key mistyped
            'name = "Platform team"',
            'nme = "Platform team"',
            "fleet.toml:2: fleet.nme: unknown key 'nme' (did you mean 'name'?)",
        ),
        (  # the key that says where a board is, mistyped
            'path = "board.toml"',
            'pth = "board.toml"',
            "fleet.toml:6: boards[1].pth: unknown key 'pth' (did you mean 'path'?)",
        ),
    ],
)
def test_one_slip_in_a_hand_written_fleet_file_is_one_line(
    tmp_path: Path, wrong: str, right: str, line: str
) -> None:
    """The fleet file is read by the board file's reader, and says a slip the same way."""
    assert FLEET.count(wrong) == 1
    (tmp_path / "board.toml").write_text(BOARD, encoding="utf-8")
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET.replace(wrong, right), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()

    done = releasable(home, "status", "--fleet", str(fleet), "--db", str(tmp_path / "stores"))

    assert done.returncode == EXIT_USAGE, done.stdout + done.stderr
    assert done.stdout == ""
    (said,) = done.stderr.splitlines()
    assert said == f"releasable: {tmp_path / line}"
