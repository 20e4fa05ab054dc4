"""The board-file reference in Markdown, printed from the declaration in `app.config.settings`.

`python -m app.config.docs` prints it; `python -m app.config.docs --update README.md` replaces
the text between the README's markers with it. A test checks the README is current.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from app.config import settings
from app.config.schema import Section, Setting

__all__ = [
    "END_MARKER",
    "START_MARKER",
    "reference_main",
    "render_reference",
    "replace_between",
    "replace_reference",
]

START_MARKER = "<!-- board-reference:start -->"
END_MARKER = "<!-- board-reference:end -->"


def render_reference() -> str:
    """The whole reference: one table per section, in declaration order."""
    parts = [
        "Keys not listed here are refused. A `token_env` names an environment variable and a "
        "`token_keyring` an OS keyring entry (service `releasable`); neither holds the secret.",
    ]
    for section in settings.all_sections():
        if section.settings:
            parts.append(_section(section))
        else:
            parts.append(f"### `{section.title}`\n\n{section.description} No other keys.")
    return "\n\n".join(parts) + "\n"


def _section(section: Section) -> str:
    rows = [
        "| key | type | default | description |",
        "|-----|------|---------|-------------|",
    ]
    rows += [_row(setting) for setting in section.settings]
    return f"### `{section.title}`\n\n{section.description}\n\n" + "\n".join(rows)


def _row(setting: Setting) -> str:
    kind = setting.type.words
    if setting.choices:
        kind = "one of " + ", ".join(f"`{choice}`" for choice in setting.choices)
    elif setting.pattern_words:
        kind += f" ({setting.pattern_words})"
    if setting.required:
        default = "**required**"
    elif setting.default_text is not None:
        default = setting.default_text
    elif setting.default_words:
        default = f"`{setting.default_words}`"
    else:
        default = "—"
    cells = (f"`{setting.key}`", kind, default, setting.description)
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def replace_reference(readme: str, reference: str) -> str:
    """`readme` with the text between the board reference's markers replaced by `reference`."""
    return replace_between(readme, START_MARKER, END_MARKER, reference)


def replace_between(readme: str, start_marker: str, end_marker: str, reference: str) -> str:
    """`readme` with the text between two markers replaced by `reference`."""
    start = readme.index(start_marker) + len(start_marker)
    end = readme.index(end_marker, start)
    return readme[:start] + "\n" + reference + readme[end:]


def reference_main(
    argv: list[str] | None,
    *,
    prog: str,
    description: str,
    render: Callable[[], str],
    markers: tuple[str, str],
) -> int:
    """Print a generated reference, or with `--update README` rewrite it between `markers`:
    the one command behind both README references (board file, command line)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--update", type=Path, metavar="README", help="rewrite it in this file")
    args = parser.parse_args(argv)
    reference = render()
    if args.update is None:
        sys.stdout.write(reference)
        return 0
    start_marker, end_marker = markers
    text = args.update.read_text(encoding="utf-8")
    if start_marker not in text or end_marker not in text:
        print(f"{args.update}: no {start_marker} ... {end_marker} markers", file=sys.stderr)
        return 1
    args.update.write_text(
        replace_between(text, start_marker, end_marker, reference), encoding="utf-8"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return reference_main(
        argv,
        prog="python -m app.config.docs",
        description="Print the board-file reference.",
        render=render_reference,
        markers=(START_MARKER, END_MARKER),
    )


if __name__ == "__main__":
    sys.exit(main())
