"""No token the app holds is ever echoed (issue 9, point 7): a canary token across output, logs
and every database row.

A GitHub-shaped tracker and a health endpoint that echo the credentials they are sent, in
every way a hostile server or a proxy does: in a validation error's details, in a 5xx page,
in a plain-text health answer. `report`, `outbox list --json` and `status` run as child
processes; nothing they print, log or store may hold the canary, raw or as its Basic-auth
form.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WzResponse

ROOT = Path(__file__).resolve().parents[2]
CANARY = "ghp_CanaryCanaryCanary0123456789abcdef"
FORMS = (CANARY, base64.b64encode(CANARY.encode()).decode())


def _echo(request: Request) -> WzResponse:
    said = request.headers.get("Authorization", "")
    if request.path.endswith("/health"):
        return WzResponse(f"ok, you sent {said}", content_type="text/plain")
    if request.method == "POST":  # a validation error that quotes what it was sent
        body = {
            "message": f"Validation Failed for {said}",
            "errors": [{"resource": "Issue", "message": f"token {said.split()[-1]} may not"}],
        }
        return WzResponse(json.dumps(body), status=422, content_type="application/json")
    # a proxy's error page that shows the request it could not forward
    return WzResponse(f"<p>502 upstream failed: Authorization: {said}</p>", status=502)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CANARY_TOKEN": CANARY, "PYTHONPATH": str(ROOT)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("RELEASABLE_BOARD", None)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(tmp_path / name.lower())
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_canary_token_appears_in_no_output_log_or_database_row(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(re.compile(".*")).respond_with_handler(_echo)
    board = tmp_path / "board.toml"
    board.write_text(
        '[board]\nname = "Payments"\n\n'
        f'[[environments]]\nname = "staging"\nurl = "{httpserver.url_for("/health")}"\n'
        'token_env = "CANARY_TOKEN"\n\n'
        f'[tracker]\nkind = "github"\napi_url = "{httpserver.url_for("/api")}"\n'
        'repo = "acme/platform"\ntoken_env = "CANARY_TOKEN"\n',
        encoding="utf-8",
    )
    common = ("--board", str(board), "--db", str(tmp_path / "r.db"))
    runs = [
        _run(
            tmp_path, "report", "--category", "workstation-broken", "--title", "Laptop",
            "--prevents-delivery", "yes", *common,
        ),
        _run(tmp_path, "outbox", "list", "--json", *common),
        _run(tmp_path, "outbox", "send", *common),
        _run(tmp_path, "status", *common),
        _run(tmp_path, "status", "--json", *common),
    ]  # fmt: skip

    assert any(CANARY in str(headers) for _req, headers in _sent(httpserver)), "never sent"
    said = "\n".join(run.stdout + run.stderr for run in runs)
    assert "token [secret] may not" in said  # the tracker's words are shown, token masked
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("r.db*"))
    assert b"you sent [secret]" in stored  # the health answer, as the board keeps it
    for form in FORMS:
        assert form not in said
        for path in tmp_path.rglob("*"):  # the database, its WAL, logs, crash reports
            if path.is_file():
                assert form.encode() not in path.read_bytes(), path


def _sent(server: HTTPServer) -> list[tuple[object, object]]:
    return [(request, dict(request.headers)) for request, _response in server.log]
