"""Where the bundled resources (icons, example boards, demo files) live.

From a source checkout they are in `resources/` beside `app/`; in a PyInstaller bundle they
are unpacked under `sys._MEIPASS/resources`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
