"""The README's board-file reference is the one printed from the declaration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.config import settings
from app.config.docs import END_MARKER, START_MARKER, main, render_reference, replace_reference

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def test_readme_holds_the_current_reference() -> None:
    text = README.read_text(encoding="utf-8")
    assert START_MARKER in text and END_MARKER in text, "README.md lost its reference markers"
    between = text.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0]
    assert between.strip() == render_reference().strip(), (
        "README.md is out of date: run `python -m app.config.docs --update README.md`"
    )


def test_reference_has_a_row_for_every_declared_key() -> None:
    reference = render_reference()
    for section in settings.all_sections():
        block = reference.split(f"### `{section.title}`", 1)[1].split("### ", 1)[0]
        for setting in section.settings:
            assert f"| `{setting.key}` |" in block, (section.title, setting.key)
            assert setting.description in block


def test_reference_shows_defaults_requirements_and_choices() -> None:
    reference = render_reference()
    assert "| `name` | text | **required** |" in reference
    assert "| `refresh_seconds` | seconds | `60` |" in reference
    assert "| `stale_after_seconds` | seconds | 3 × refresh_seconds |" in reference
    assert "one of `cctray`, `github-actions`, `gitlab`, `jenkins`" in reference


def test_update_rewrites_only_the_marked_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Intro\n\n{START_MARKER}\nOLD-REFERENCE\n{END_MARKER}\n\n## After\n")

    assert main(["--update", str(readme)]) == 0

    text = readme.read_text()
    assert text.startswith(f"# Intro\n\n{START_MARKER}\n")
    assert text.endswith(f"{END_MARKER}\n\n## After\n")
    assert "OLD-REFERENCE" not in text
    assert replace_reference(text, render_reference()) == text  # already current


def test_update_refuses_a_readme_without_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Intro\n")
    assert main(["--update", str(readme)]) == 1
    assert readme.read_text() == "# Intro\n"


def test_module_prints_the_reference() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.config.docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert done.stdout == render_reference()
