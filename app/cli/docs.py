"""The README's command-line reference, printed from the parser itself (`app.cli.main`).

`python -m app.cli.docs` prints it; `python -m app.cli.docs --update README.md` replaces the
text between the README's markers with it. A test checks the README is current, so the
reference cannot drift from what `releasable` accepts.
"""

from __future__ import annotations

import argparse
import re
import sys

from app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_QUEUED,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    HelpFormatter,
)
from app.cli.main import build_parser
from app.config.docs import reference_main

START_MARKER = "<!-- command-reference:start -->"
END_MARKER = "<!-- command-reference:end -->"

EXIT_WORDS = (
    (EXIT_OK, "done; `status`: releasable"),
    (
        EXIT_FAILED,
        "`status`: not releasable; `probe`: the read failed; `report`/`outbox`: the tracker "
        "refused a report",
    ),
    (EXIT_UNKNOWN, "`status`: unknown"),
    (
        EXIT_USAGE,
        "the command cannot run as asked: a usage error, a bad or missing board file, a "
        "database that cannot be opened (no verdict uses it)",
    ),
    (
        EXIT_QUEUED,
        "`report`, `outbox send`: a report is queued, not delivered yet, whatever the reason "
        "(no network, no token, a server error)",
    ),
)


WIDTH = 96
_PART = re.compile(r"\[[^\]]*\]|--\S+ [A-Z_]+\b|\S+")  # [an option], --required VALUE


def _usage(parser: argparse.ArgumentParser) -> str:
    """The usage line without [-h], wrapped between options at WIDTH, continued indented."""
    formatter = HelpFormatter(parser.prog, width=10_000)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, "")
    parts = [p for p in _PART.findall(formatter.format_help()) if p != "[-h]"]
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 1 + len(part) > WIDTH:
            lines.append("        " + part)
        else:
            lines[-1] += " " + part
    return "\n".join(lines)


def _commands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """(what it does, parser) of every command, and of every action of a command that has
    actions (`tracker check`), in the parser's order."""
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                inner = _commands(sub)
                found += inner or [(helps[name], sub)]
    return found


def render_reference() -> str:
    """Every command's usage as the parser prints it, what it does, and the exit codes."""
    parser = build_parser()
    window = "open the board window (no command); with --screenshot, render it to a PNG and exit"
    blocks = [f"{_usage(parser)}\n    {window}"]
    blocks += [f"{_usage(sub)}\n    {words}" for words, sub in _commands(parser)]
    codes = "\n".join(f"- `{code}` {words}" for code, words in EXIT_WORDS)
    return (
        "```\n" + "\n".join(blocks) + "\n```\n\n"
        "`releasable COMMAND --help` explains every option and its default.\n\n"
        f"Exit codes, the same for every command:\n\n{codes}\n"
    )


def main(argv: list[str] | None = None) -> int:
    return reference_main(
        argv,
        prog="python -m app.cli.docs",
        description="Print the command-line reference.",
        render=render_reference,
        markers=(START_MARKER, END_MARKER),
    )


__all__ = ["END_MARKER", "START_MARKER", "main", "render_reference"]

if __name__ == "__main__":
    sys.exit(main())
