"""A GitHub-Issues-shaped tracker on a real loopback socket, for the outbox's tests.

It keeps the issues it was sent and answers the calls the GitHub adapter makes: create an issue
(`POST /repos/{owner}/{repo}/issues`), list a repository's issues (`GET .../issues`, with
`since`, `state`, `labels`, `creator`, `per_page`, `page`), read one issue, `GET /user`, the
issue search, "I'm on it" (`POST .../issues/{n}/assignees`) and closing an issue (`PATCH
.../issues/{n}`). Tests can script the next answers (503 with Retry-After, 422 …), make the
server unreachable (`stop()` then `start()` on the same port), and hold a POST after the issue was
created but before the answer goes out (`hold_posts`), which is how the crash test kills a
sender "after the POST reached the server but before the response".
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOGIN = "releasable-bot"


@dataclass
class Scripted:
    """One scripted answer to the next POST (instead of creating an issue)."""

    status: int
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class FakeGitHub:
    """Issues of one repository, served over HTTP on 127.0.0.1."""

    def __init__(self, repo: str = "acme/platform", port: int = 0) -> None:
        self.repo = repo
        self.issues: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self.post_headers: list[dict[str, str]] = []
        self.post_bodies: list[dict[str, Any]] = []
        self.post_script: list[Scripted] = []
        self.hold_posts = False
        self.drop_labels = False  # as GitHub does when the token lacks push access
        self.post_arrived = threading.Event()  # set when a held POST created its issue
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = port

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the socket: the tracker is unreachable until `start()` again."""
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the server holds ----------------------------------------------------------

    def issues_with_key(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [i for i in self.issues if key in (i.get("body") or "")]

    def close_issue(self, number: int) -> None:
        """Someone closed the issue on the tracker."""
        with self._lock:
            for issue in self.issues:
                if issue["number"] == number:
                    issue["state"] = "closed"

    def posts(self) -> int:
        with self._lock:
            return sum(1 for method, _ in self.requests if method == "POST")

    def _create(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            number = len(self.issues) + 1
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            issue = {
                "id": 1000 + number,
                "number": number,
                "title": payload.get("title", ""),
                "body": payload.get("body", ""),
                "labels": [] if self.drop_labels else [{"name": n} for n in payload["labels"]],
                "assignees": [{"login": a} for a in payload.get("assignees", [])],
                "state": "open",
                "user": {"login": LOGIN},
                "created_at": now,
                "updated_at": now,
                "html_url": f"{self.url}/{self.repo}/issues/{number}",
                "url": f"{self.url}/repos/{self.repo}/issues/{number}",
            }
            self.issues.append(issue)
            return issue


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read `requests` instead

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client was killed while we held the answer

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    def do_POST(self) -> None:
        fake = self.server_fake
        with fake._lock:
            fake.requests.append(("POST", self.path))
        payload = self._read_json()
        with fake._lock:
            fake.post_headers.append(dict(self.headers.items()))
            fake.post_bodies.append(payload)
        path = urlsplit(self.path).path
        prefix = f"/repos/{fake.repo}/issues/"
        if path.startswith(prefix) and path.endswith("/assignees"):
            self._assign(path[len(prefix) : -len("/assignees")], payload)
            return
        if path != f"/repos/{fake.repo}/issues":
            self._send(404, {"message": "Not Found"})
            return
        with fake._lock:
            scripted = fake.post_script.pop(0) if fake.post_script else None
        if scripted is not None:
            self._send(scripted.status, scripted.body, scripted.headers)
            return
        issue = fake._create(payload)
        if fake.hold_posts:
            fake.post_arrived.set()
            fake.release.wait(timeout=30)
        self._send(201, issue)

    def _assign(self, number: str, payload: dict[str, Any]) -> None:
        """`POST .../issues/{n}/assignees`: adds the logins (GitHub answers 201 with the issue)."""
        fake = self.server_fake
        with fake._lock:
            scripted = fake.post_script.pop(0) if fake.post_script else None
            found = [i for i in fake.issues if str(i["number"]) == number]
            if scripted is None and found:
                have = {a["login"] for a in found[0]["assignees"]}
                for login in payload.get("assignees", []):
                    if login not in have:
                        found[0]["assignees"].append({"login": login})
                found[0]["updated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if scripted is not None:
            self._send(scripted.status, scripted.body, scripted.headers)
        elif found:
            self._send(201, found[0])
        else:
            self._send(404, {"message": "Not Found"})

    def do_PATCH(self) -> None:
        """`PATCH .../issues/{n}`: `state` open or closed (how a claim issue is closed)."""
        fake = self.server_fake
        with fake._lock:
            fake.requests.append(("PATCH", self.path))
        payload = self._read_json()
        prefix = f"/repos/{fake.repo}/issues/"
        number = urlsplit(self.path).path[len(prefix) :]
        with fake._lock:
            found = [i for i in fake.issues if str(i["number"]) == number]
            if found and payload.get("state") in ("open", "closed"):
                found[0]["state"] = payload["state"]
        self._send(200, found[0]) if found else self._send(404, {"message": "Not Found"})

    def do_GET(self) -> None:
        fake = self.server_fake
        with fake._lock:
            fake.requests.append(("GET", self.path))
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/user":
            self._send(200, {"login": LOGIN, "id": 1})
            return
        prefix = f"/repos/{fake.repo}/issues"
        if path == prefix:
            self._send(200, self._listing(query))
            return
        if path.startswith(prefix + "/") and path[len(prefix) + 1 :].isdigit():
            number = int(path[len(prefix) + 1 :])
            with fake._lock:
                found = [i for i in fake.issues if i["number"] == number]
            if found:
                self._send(200, found[0])
            else:
                self._send(404, {"message": "Not Found"})
            return
        if path == "/search/issues":
            words = query.get("q", "")
            with fake._lock:
                items = [
                    i for i in fake.issues if any(w in (i["body"] or "") for w in words.split())
                ]
            self._send(
                200, {"total_count": len(items), "incomplete_results": False, "items": items}
            )
            return
        self._send(404, {"message": "Not Found"})

    def _listing(self, query: dict[str, str]) -> list[dict[str, Any]]:
        fake = self.server_fake
        with fake._lock:
            issues = list(reversed(fake.issues))  # newest first, as GitHub sorts by default
        state = query.get("state", "open")
        if state != "all":
            issues = [i for i in issues if i["state"] == state]
        labels = [name for name in query.get("labels", "").split(",") if name]
        if labels:  # GitHub lists the issues carrying every label asked for
            issues = [i for i in issues if set(labels) <= {x["name"] for x in i["labels"]}]
        creator = query.get("creator")
        if creator:
            issues = [i for i in issues if i["user"]["login"] == creator]
        since = query.get("since")
        if since:
            cutoff = _when(since)
            issues = [i for i in issues if _when(i["updated_at"]) >= cutoff]
        per_page = int(query.get("per_page", "30"))
        page = int(query.get("page", "1"))
        return issues[(page - 1) * per_page : page * per_page]


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
