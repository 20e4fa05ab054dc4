"""The demo's board file: an ordinary board TOML whose URLs point at the loopback servers.

The demo goes through exactly the code paths of real use, so it does not hand the app a
board object: it writes a board file, and the app loads that file like any other. The text is
`BOARD_TEMPLATE` with the servers' addresses filled in; `resources/boards/demo.toml` is a copy
of the template for people to read (a test keeps the two identical). Only keys of the board
file schema are used: the loader is strict about unknown keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from string import Template

BOARD_FILE_NAME = "demo-board.toml"
TOKEN_ENV = "RELEASABLE_DEMO_TOKEN"
PLACEHOLDERS = (
    "github",
    "gitlab",
    "cctray",
    "test_health",
    "staging_health",
    "production_health",
    "auth_health",
)
_SAFE_URL = re.compile(r"^http://127\.0\.0\.1:\d{1,5}(/[A-Za-z0-9._~%/-]*)?$")

BOARD_TEMPLATE = """\
# The board that `releasable --demo` runs: the Payments team of a made-up company, replaying a
# compressed day of delivery from servers on this machine (see app/demo/scenario.py).
#
# It is an ordinary board file. The demo writes it with its servers' addresses in place of the
# placeholders below (the words that start with a dollar sign), and the app loads it like any
# other board. To start your own board, copy it, point the URLs at your servers and name the
# environment variables that hold your tokens.

[board]
name = "Payments team"
refresh_seconds = 2             # the demo's day is compressed: look often
stale_after_seconds = 20

# GitHub Actions: the latest run of a workflow on a branch; its jobs are the stages.
[[pipelines]]
name = "api"
source = "github-actions"
api_url = "$github"
repo = "acme/payments-api"
workflow = "deploy.yml"
branch = "main"
token_env = "RELEASABLE_DEMO_TOKEN"

# A cctray feed: the projects named "web :: <stage>", in feed order, are the stages.
[[pipelines]]
name = "web"
source = "cctray"
url = "$cctray"
project_prefix = "web :: "

# GitLab CI: the latest pipeline for a ref; its jobs, grouped by stage, are the stages.
[[pipelines]]
name = "mobile"
source = "gitlab"
api_url = "$gitlab"
project = "acme/mobile"
ref = "main"
token_env = "RELEASABLE_DEMO_TOKEN"

# Shown on the board but off the delivery path: its failures never block a release.
[[pipelines]]
name = "docs"
source = "cctray"
url = "$cctray"
project_prefix = "docs :: "
delivery_path = false

# Kubernetes-style /livez: plain text, judged by its status code.
[[environments]]
name = "test"
url = "$test_health"

# Spring Boot actuator: {"status": "UP"} or "DOWN".
[[environments]]
name = "staging"
url = "$staging_health"
delivery_path = true

# application/health+json: "pass", "warn" (degraded) or "fail".
[[environments]]
name = "production"
url = "$production_health"

# A shared service the team depends on (actuator, with components).
[[environments]]
name = "auth-service"
url = "$auth_health"

# Blockers go to the platform team's GitHub Issues. The demo sets RELEASABLE_DEMO_TOKEN to a
# dummy value in its own process; its tracker accepts any token. The open issues labelled
# delivery-blocker are the team's blockers, whoever filed them, from whichever machine.
[tracker]
kind = "github"
api_url = "$github"
repo = "acme/platform"
token_env = "RELEASABLE_DEMO_TOKEN"
labels = ["delivery-blocker"]
priority_labels = { P1 = "P1", P2 = "P2", P3 = "P3" }
refresh_seconds = 2             # teammates' blockers (Dana's laptop) show up within seconds
"""


def board_text(addresses: Mapping[str, str]) -> str:
    """The board TOML with each placeholder replaced by its loopback URL."""
    missing = [name for name in PLACEHOLDERS if name not in addresses]
    if missing:
        raise KeyError(f"no address for {', '.join(missing)}")
    for name in PLACEHOLDERS:
        if not _SAFE_URL.match(addresses[name]):
            raise ValueError(f"not a loopback URL for {name}: {addresses[name]!r}")
    return Template(BOARD_TEMPLATE).substitute({k: addresses[k] for k in PLACEHOLDERS})


def write_board(addresses: Mapping[str, str], directory: Path) -> Path:
    """Write the demo board into `directory` and return the file's path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / BOARD_FILE_NAME
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(board_text(addresses), encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = [
    "BOARD_FILE_NAME",
    "BOARD_TEMPLATE",
    "PLACEHOLDERS",
    "TOKEN_ENV",
    "board_text",
    "write_board",
]
