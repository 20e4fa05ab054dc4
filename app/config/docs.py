"""The board-file reference in Markdown, printed from the declaration in `app.config.settings`.

`python -m app.config.docs` prints it; `python -m app.config.docs --update README.md` replaces
the text between the README's markers with it. A test checks the README is current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.config import settings
from app.config.schema import Section, Setting

__all__ = ["END_MARKER", "START_MARKER", "render_reference", "replace_reference"]

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
    """`readme` with the text between the markers replaced by `reference`."""
    start = readme.index(START_MARKER) + len(START_MARKER)
    end = readme.index(END_MARKER, start)
    return readme[:start] + "\n" + reference + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.config.docs", description="Print the board-file reference."
    )
    parser.add_argument("--update", type=Path, metavar="README", help="rewrite it in this file")
    args = parser.parse_args(argv)
    reference = render_reference()
    if args.update is None:
        sys.stdout.write(reference)
        return 0
    text = args.update.read_text(encoding="utf-8")
    if START_MARKER not in text or END_MARKER not in text:
        print(f"{args.update}: no {START_MARKER} ... {END_MARKER} markers", file=sys.stderr)
        return 1
    args.update.write_text(replace_reference(text, reference), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
