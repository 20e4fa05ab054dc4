"""`releasable` as one conventional command line: one parser, the same exit codes everywhere.

Usage lists the commands, a mistyped command names the ones that exist, every option says what
it does and its default, a report that is queued always exits 4, a bad board file exits 3
(which no verdict uses), and the README's command reference is the parser's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import EXIT_QUEUED, EXIT_USAGE
from app.cli.docs import END_MARKER, START_MARKER, render_reference
from app.cli.main import COMMANDS, build_parser, parse
from tests.fake_tracker import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "RELEASABLE_CLI_TEST_TOKEN"
COMMAND_NAMES = ("status", "probe", "report", "outbox", "tracker")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process (`python -m app` is `releasable`)."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def bad_board(tmp_path: Path) -> Path:
    path = tmp_path / "board.toml"
    path.write_text('[board]\nname = "Payments"\n\n[[pipelines]]\nname = "api"\nsource = "x"\n')
    return path


def all_parsers(parser: argparse.ArgumentParser | None = None) -> list[argparse.ArgumentParser]:
    """The parser and every command's (and every command's actions') parser."""
    parser = parser or build_parser()
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += all_parsers(sub)
    return found


# --- usage ----------------------------------------------------------------------------------


def test_the_usage_line_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    usage = capsys.readouterr().out.split("\n\n", 1)[0]
    assert "{" + ",".join(COMMAND_NAMES) in usage


def test_a_mistyped_command_says_which_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stauts"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "invalid choice: 'stauts'" in err
    for name in COMMAND_NAMES:
        assert f"'{name}'" in err


def test_every_option_has_help_and_says_its_default() -> None:
    for parser in all_parsers():
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            where = f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{where} has no help text"
            takes_value = action.nargs != 0
            if action.option_strings and takes_value and not action.required:
                shown = str(parser._get_formatter()._get_help_string(action)) % {
                    **vars(action),
                    "default": action.default,
                    "choices": ", ".join(map(str, action.choices or ())),
                    "prog": parser.prog,
                }
                assert "default" in shown, f"{where} does not say its default: {shown!r}"


def test_window_options_given_with_a_command_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--kiosk", "status"]) == EXIT_USAGE
    assert "--kiosk applies to the window, not to `status`" in capsys.readouterr().err


def _command_path(parser: argparse.ArgumentParser) -> list[str]:
    """`releasable tracker check` -> ["tracker", "check"]."""
    return parser.prog.split()[1:]


SAMPLE_VALUES = {"board": "b.toml", "db": "x.db", "fleet": "fleet.toml", "demo": None}
REQUIRED = {"report": ["--category", "other", "--title", "T"]}


def test_an_option_taken_before_and_after_the_command_means_the_same_in_both_places() -> None:
    """The class of bug where a command's default overwrote the value given before the command
    (`releasable --fleet F status` polled one board, not the fleet)."""
    top = build_parser()
    top_options = {s: a.dest for a in top._actions for s in a.option_strings}
    checked = []
    for parser in all_parsers()[1:]:
        command = _command_path(parser)
        for action in parser._actions:
            shared = [s for s in action.option_strings if s.startswith("--") and s in top_options]
            if not shared or isinstance(action, argparse._HelpAction):
                continue
            value = SAMPLE_VALUES[action.dest]
            given = [shared[0]] if value is None else [shared[0], value]
            required = REQUIRED.get(command[0], [])
            before = parse([*given, *command, *required])
            after = parse([*command, *given, *required])
            expected = True if value is None else value
            assert getattr(before, action.dest) == expected, f"{given} before {command}"
            assert getattr(after, action.dest) == expected, f"{given} after {command}"
            checked.append((command[0], action.dest))
    assert ("status", "fleet") in checked and ("report", "board") in checked


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["--db", "x.db", "probe", "health", "http://127.0.0.1:9/"],
            "--db does not apply to `probe`",
        ),
        (["--demo", "report", "--category", "other", "--title", "T"], "--demo does not apply to"),
        (["--db", "x.db", "tracker", "check"], "--db does not apply to `tracker check`"),
        (["--board", "b.toml", "probe", "health", "http://127.0.0.1:9/"], "--board does not"),
        (["--fleet", "f.toml", "outbox"], "--fleet does not apply to `outbox`"),
    ],
)
def test_an_option_given_before_a_command_that_does_not_take_it_is_refused(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_USAGE
    assert words in capsys.readouterr().err


def test_board_before_the_command_is_the_commands_board(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = bad_board(tmp_path)
    assert main(["--board", str(board), "status"]) == EXIT_USAGE
    assert "unknown source 'x'" in capsys.readouterr().err


def test_version_and_probe_load_no_qt() -> None:
    script = (
        "import sys, json, contextlib, io\n"
        "from app.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main(['--version']), main(['--help']), main(['probe', '--help'])]\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'app.ui')))\n"
        "print(json.dumps({'codes': codes, 'qt': qt}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == {"codes": [0, 0, 0], "qt": []}


# --- exit codes -----------------------------------------------------------------------------


def test_status_with_demo_and_board_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.toml")
    assert main(["status", "--demo", "--board", missing]) == EXIT_USAGE
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["--demo", "status", "--board", missing]) == EXIT_USAGE
    assert "--board and --demo cannot be used together" in capsys.readouterr().err


def test_a_bad_board_file_exits_3_which_no_verdict_uses(tmp_path: Path) -> None:
    board = str(bad_board(tmp_path))
    db = str(tmp_path / "r.db")
    status = run("status", "--board", board, "--db", db)
    assert status.returncode == 3, status.stderr
    assert "unknown source 'x'" in status.stderr
    shot = run("--board", board, "--db", db, "--screenshot", str(tmp_path / "x.png"))
    assert shot.returncode == 3, shot.stderr
    report = run("report", "--category", "ci-instability", "--title", "CI", "--board", board)
    assert report.returncode == 3, report.stderr
    missing = run("status", "--board", str(tmp_path / "none.toml"), "--db", db)
    assert missing.returncode == 3 and "no such file" in missing.stderr


def test_a_report_queued_exits_4_whatever_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "r.db")
    fake = FakeGitHub().start()
    fake.stop()  # the network is gone
    monkeypatch.setenv(TOKEN_ENV, "t0ken")
    base = ["report", "--category", "ci-instability", "--title", "CI down", "--db", db]
    github = ["--tracker-kind", "github", "--repo", fake.repo, "--tracker-url", fake.url]
    assert main([*base, *github, "--token-env", TOKEN_ENV]) == EXIT_QUEUED
    assert "queued: connection refused" in capsys.readouterr().out
    monkeypatch.delenv(TOKEN_ENV)  # no token
    assert main([*base, *github, "--token-env", TOKEN_ENV]) == EXIT_QUEUED
    assert "queued: no token for the github tracker" in capsys.readouterr().out


def test_prevents_delivery_no_needs_the_statement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "r.db"
    base = ["report", "--category", "ci-instability", "--title", "CI slow", "--db", str(db)]
    assert main([*base, "--prevents-delivery", "no"]) == EXIT_USAGE
    assert "--prevents-delivery no needs --statement" in capsys.readouterr().err
    assert not db.exists()  # nothing was queued
    statement = ["--statement", "deploys run, only slower"]
    assert main([*base, "--prevents-delivery", "no", *statement]) == 0
    assert capsys.readouterr().out.startswith("P2  CI slow")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--repo", "acme/platform"], "--repo needs --tracker-kind"),
        (["--tracker-url", "http://x"], "--tracker-url needs --tracker-kind"),
        (["--tracker-kind", "gitlab", "--repo", "a/b"], "--repo does not apply to"),
        (["--tracker-kind", "none", "--token-env", "X"], "--token-env does not apply to"),
    ],
)
def test_tracker_options_without_their_kind_are_an_error_not_a_local_save(
    options: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "r.db"
    base = ["--category", "ci-instability", "--title", "CI down", "--db", str(db)]
    assert main(["report", *base, *options]) == EXIT_USAGE
    assert words in capsys.readouterr().err
    assert not db.exists()
    assert main(["outbox", "send", "--db", str(db), *options]) == EXIT_USAGE


# --- the README -----------------------------------------------------------------------------


def test_readme_command_reference_is_the_parsers() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START_MARKER in text and END_MARKER in text, "README.md lost its command reference"
    between = text.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0]
    assert between.strip() == render_reference().strip(), (
        "README.md is out of date: run `python -m app.cli.docs --update README.md`"
    )


def test_the_reference_shows_every_command_and_option() -> None:
    reference = render_reference()
    for command in COMMANDS:
        assert f"releasable {command.__name__.rsplit('.', 1)[1]} " in reference
    for parser in all_parsers():
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--impact"):
                    assert flag in reference, flag
