"""The suite never skips silently and never reads outside the checkout; Qt warnings fail tests."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent

# A skip is allowed only for a platform this suite does not run on (CI is Linux).
_SKIP = re.compile(r"pytest\.skip\(|importorskip\(|skipif\(|mark\.skip\b|mark\.xfail\b")
_PLATFORM_SKIP = re.compile(r'skipif\(sys\.platform == "win32"')
_OUTSIDE = re.compile(r"parents\[\d+\]\s*/\s*\"shared\"|parent\s*/\s*\"shared\"|\.\./shared")


def _test_files() -> list[Path]:
    return [p for p in sorted(TESTS.rglob("*.py")) if p.name != Path(__file__).name]


def test_no_test_skips_itself() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _test_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _SKIP.search(line) and not _PLATFORM_SKIP.search(line)
    ]
    assert offenders == []


def test_no_test_reads_outside_the_checkout() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _test_files()
        if _OUTSIDE.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_qt_warnings_fail_the_test_that_caused_them() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["pytest"]["ini_options"]["qt_log_level_fail"] == "WARNING"
