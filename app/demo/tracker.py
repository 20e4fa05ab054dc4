"""The demo's platform tracker: GitHub Issues for `acme/platform`, kept in memory.

It answers the endpoints the GitHub tracker adapter uses, shaped as GitHub documents them
(REST API 2022-11-28): `POST /repos/{o}/{r}/issues` (201 with the issue), `GET
/repos/{o}/{r}/issues` (filters `state`, `creator`, `labels`, `since`, `sort`, `direction`,
paginated with a `Link` header), `GET` and `PATCH /repos/{o}/{r}/issues/{n}`, `POST
/repos/{o}/{r}/issues/{n}/assignees` ("I'm on it") and `GET /user`.
Any Bearer token is accepted; writing without one is a 401, as on GitHub.

Besides what the app files, teammates file issues on the scenario's timeline (Dana's broken
laptop), and the "platform team" closes every issue filed from the app `close_after_s`
scenario seconds later, so a newcomer sees a blocker arrive, turn the board red, and get fixed.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from app.demo.plans import issues_at
from app.demo.scenario import ISSUES_HISTORY, ISSUES_LOOP
from app.demo.wire import Reply, Request, Timebase, json_reply

TRACKER_REPO = "acme/platform"
DEMO_LOGIN = "releasable-demo"  # whoever holds a demo token
ONCALL_LOGIN = "platform-oncall"
FIRST_NUMBER = 428
CLOSE_AFTER_S = 90.0
MAX_ISSUES = 200
DOCS_URL = "https://docs.github.com/rest/issues/issues"

_LABEL_COLOURS = {
    "delivery-blocker": "b60205",
    "P1": "d93f0b",
    "P2": "fbca04",
    "P3": "0e8a16",
}


@dataclass
class _Issue:
    number: int
    id: int
    title: str
    body: str | None
    labels: list[str]
    login: str
    created_t: float
    updated_t: float
    assignees: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed_t: float | None = None
    closed_by: str | None = None
    auto_close_t: float | None = None


def _stable_int(text: str, low: int, span: int) -> int:
    return low + int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:10], 16) % span


def _user(login: str, web: str, api: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": _stable_int(login, 1_000_000, 90_000_000),
        "node_id": "U_kgDO" + hashlib.sha1(login.encode()).hexdigest()[:8],
        "avatar_url": f"{web}/avatars/{login}.png",
        "url": f"{api}/users/{login}",
        "html_url": f"{web}/{login}",
        "type": "User",
        "site_admin": False,
    }


def _error(status: int, message: str, **extra: Any) -> Reply:
    return json_reply(
        {"message": message, "documentation_url": DOCS_URL, "status": str(status), **extra}, status
    )


def authorized(req: Request) -> bool:
    """Any token will do, but there must be one (GitHub: `Bearer` or the older `token`)."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return scheme.lower() in ("bearer", "token") and bool(token.strip())


def _label_names(raw: Any) -> list[str] | None:
    """Labels as GitHub accepts them: names, or objects with a name."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        return None
    names = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            return None
        if name not in names:
            names.append(name)
    return names


class IssueTracker:
    """GitHub Issues for one repository; thread-safe (the server answers on many threads)."""

    def __init__(
        self,
        timebase: Timebase,
        *,
        api_base: str,
        web_base: str,
        repo: str = TRACKER_REPO,
        close_after_s: float = CLOSE_AFTER_S,
    ) -> None:
        self.timebase = timebase
        self.api = api_base.rstrip("/")
        self.web = web_base.rstrip("/")
        self.repo = repo
        self.close_after_s = close_after_s
        self._lock = threading.Lock()
        self._issues: dict[int, _Issue] = {}
        self._scenario_keys: set[str] = set()
        self._next_number = FIRST_NUMBER

    # -- the store -------------------------------------------------------------------------

    def _add(self, title: str, body: str | None, labels: list[str], login: str, t: float) -> _Issue:
        number = self._next_number
        self._next_number += 1
        issue = _Issue(number, 2_301_000_000 + number * 97, title, body, labels, login, t, t)
        self._issues[number] = issue
        return issue

    def _close(self, issue: _Issue, t: float, by: str) -> None:
        issue.state, issue.state_reason = "closed", "completed"
        issue.closed_t, issue.closed_by, issue.updated_t = t, by, max(issue.updated_t, t)

    def sync(self, t: float) -> None:
        """Bring the store up to scenario time `t`: teammates' issues, the on-call's closing."""
        with self._lock:
            for view in issues_at(ISSUES_HISTORY, ISSUES_LOOP, t):
                if view.key in self._scenario_keys:
                    continue
                self._scenario_keys.add(view.key)
                plan = view.plan
                issue = self._add(
                    plan.title, plan.body, list(plan.labels), plan.reporter, view.opened_at
                )
                if plan.close_at is not None:
                    issue.auto_close_t = view.opened_at + (plan.close_at - plan.at)
            for issue in self._issues.values():
                due = issue.auto_close_t
                if issue.state == "open" and due is not None and due <= t:
                    self._close(issue, due, ONCALL_LOGIN)
            # A kiosk runs the demo for weeks: forget the oldest closed issues.
            closed = sorted(n for n, i in self._issues.items() if i.state == "closed")
            for number in closed[: max(0, len(self._issues) - MAX_ISSUES)]:
                del self._issues[number]

    def create(
        self,
        title: str,
        body: str | None,
        labels: list[str],
        assignees: list[str],
        t: float,
        login: str = DEMO_LOGIN,
    ) -> dict[str, Any]:
        with self._lock:
            issue = self._add(title, body, labels, login, t)
            issue.assignees = assignees
            issue.auto_close_t = t + self.close_after_s if self.close_after_s > 0 else None
            return self._json(issue)

    def issues(self) -> list[dict[str, Any]]:
        """Every issue, newest first (for tests and the demo's own checks)."""
        with self._lock:
            return [self._json(i) for i in sorted(self._issues.values(), key=lambda i: -i.number)]

    # -- GitHub's shapes -------------------------------------------------------------------

    def _label(self, name: str) -> dict[str, Any]:
        return {
            "id": _stable_int(name, 5_000_000_000, 900_000_000),
            "node_id": "LA_kwDO" + hashlib.sha1(name.encode()).hexdigest()[:10],
            "url": f"{self.api}/repos/{self.repo}/labels/{quote(name, safe='')}",
            "name": name,
            "color": _LABEL_COLOURS.get(name, "ededed"),
            "default": False,
            "description": None,
        }

    def _json(self, issue: _Issue) -> dict[str, Any]:
        api = f"{self.api}/repos/{self.repo}/issues/{issue.number}"
        iso = self.timebase.iso
        return {
            "url": api,
            "repository_url": f"{self.api}/repos/{self.repo}",
            "labels_url": api + "/labels{/name}",
            "comments_url": api + "/comments",
            "events_url": api + "/events",
            "html_url": f"{self.web}/{self.repo}/issues/{issue.number}",
            "id": issue.id,
            "node_id": f"I_kwDOKx{issue.id:x}",
            "number": issue.number,
            "title": issue.title,
            "user": _user(issue.login, self.web, self.api),
            "labels": [self._label(name) for name in issue.labels],
            "state": issue.state,
            "locked": False,
            "assignee": _user(issue.assignees[0], self.web, self.api) if issue.assignees else None,
            "assignees": [_user(login, self.web, self.api) for login in issue.assignees],
            "milestone": None,
            "comments": 0,
            "created_at": iso(issue.created_t),
            "updated_at": iso(issue.updated_t),
            "closed_at": iso(issue.closed_t),
            "author_association": "MEMBER",
            "active_lock_reason": None,
            "body": issue.body,
            "closed_by": _user(issue.closed_by, self.web, self.api) if issue.closed_by else None,
            "timeline_url": api + "/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }

    # -- the endpoints ---------------------------------------------------------------------

    def handle(self, req: Request, rest: list[str]) -> Reply:
        """`rest` is the path after /repos/{owner}/{repo}/issues, split on '/'."""
        self.sync(req.t)
        if not rest:
            if req.method == "GET":
                return self._list(req)
            if req.method == "POST":
                return self._create(req)
            return _error(405, "Method Not Allowed")
        if len(rest) == 1 and rest[0].isdigit():
            number = int(rest[0])
            if req.method == "GET":
                with self._lock:
                    issue = self._issues.get(number)
                    return json_reply(self._json(issue)) if issue else _error(404, "Not Found")
            if req.method == "PATCH":
                return self._update(req, number)
            return _error(405, "Method Not Allowed")
        if len(rest) == 2 and rest[0].isdigit() and rest[1] == "assignees":
            if req.method == "POST":
                return self._assign(req, int(rest[0]))
            return _error(405, "Method Not Allowed")
        return _error(404, "Not Found")

    def _assign(self, req: Request, number: int) -> Reply:
        """`POST .../issues/{n}/assignees` ("I'm on it"): adds the logins, 201 with the issue."""
        if not authorized(req):
            return _error(401, "Requires authentication")
        data = req.json()
        logins = data.get("assignees") if isinstance(data, dict) else None
        if not isinstance(logins, list) or not all(isinstance(a, str) for a in logins):
            return _error(422, "Validation Failed")
        with self._lock:
            issue = self._issues.get(number)
            if issue is None:
                return _error(404, "Not Found")
            issue.assignees += [a for a in logins if a not in issue.assignees]
            issue.updated_t = req.t
            return json_reply(self._json(issue), 201)

    def user(self, req: Request) -> Reply:
        if not authorized(req):
            return _error(401, "Requires authentication")
        payload = _user(DEMO_LOGIN, self.web, self.api) | {"name": "Releasable demo user"}
        return json_reply(payload)

    def _create(self, req: Request) -> Reply:
        if not authorized(req):
            return _error(401, "Requires authentication")
        data = req.json()
        if not isinstance(data, dict):
            return _error(400, "Problems parsing JSON")
        title = data.get("title")
        if isinstance(title, int | float) and not isinstance(title, bool):
            title = str(title)
        if not isinstance(title, str) or not title.strip():
            return _error(
                422,
                "Validation Failed",
                errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}],
            )
        body = data.get("body")
        labels = _label_names(data.get("labels"))
        assignees = data.get("assignees") or ([data["assignee"]] if data.get("assignee") else [])
        if (
            body is not None
            and not isinstance(body, str)
            or labels is None
            or not (isinstance(assignees, list) and all(isinstance(a, str) for a in assignees))
        ):
            return _error(
                422,
                "Validation Failed",
                errors=[
                    {"resource": "Issue", "code": "invalid", "field": "body, labels or assignees"}
                ],
            )
        issue = self.create(title, body, labels, assignees, req.t)
        location = f"{self.api}/repos/{self.repo}/issues/{issue['number']}"
        return json_reply(issue, 201, headers={"Location": location})

    def _update(self, req: Request, number: int) -> Reply:
        if not authorized(req):
            return _error(401, "Requires authentication")
        data = req.json()
        if not isinstance(data, dict):
            return _error(400, "Problems parsing JSON")
        with self._lock:
            issue = self._issues.get(number)
            if issue is None:
                return _error(404, "Not Found")
            state = data.get("state")
            if state not in (None, "open", "closed"):
                return _error(
                    422,
                    "Validation Failed",
                    errors=[{"resource": "Issue", "code": "invalid", "field": "state"}],
                )
            if isinstance(data.get("title"), str) and data["title"].strip():
                issue.title = data["title"]
            if "body" in data and (data["body"] is None or isinstance(data["body"], str)):
                issue.body = data["body"]
            labels = _label_names(data.get("labels")) if "labels" in data else None
            if labels is not None:
                issue.labels = labels
            issue.updated_t = req.t
            if state == "closed" and issue.state == "open":
                self._close(issue, req.t, DEMO_LOGIN)
                if data.get("state_reason") in ("completed", "not_planned"):
                    issue.state_reason = data["state_reason"]
            elif state == "open" and issue.state == "closed":
                issue.state, issue.state_reason = "open", "reopened"
                issue.closed_t = issue.closed_by = issue.auto_close_t = None
            return json_reply(self._json(issue))

    def _list(self, req: Request) -> Reply:
        state = req.arg("state", "open")
        if state not in ("open", "closed", "all"):
            return _error(422, "Validation Failed")
        since: datetime | None = None
        if req.arg("since"):
            try:
                since = datetime.fromisoformat(str(req.arg("since")).replace("Z", "+00:00"))
            except ValueError:
                return _error(
                    422,
                    "Validation Failed",
                    errors=[{"resource": "Issue", "code": "invalid", "field": "since"}],
                )
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
        creator = req.arg("creator")
        wanted = [n.strip() for n in (req.arg("labels") or "").split(",") if n.strip()]
        sort = req.arg("sort", "created")
        newest_first = req.arg("direction", "desc") != "asc"
        per_page, page = req.int_arg("per_page", 30), req.int_arg("page", 1, high=10_000)
        with self._lock:
            chosen = [
                i
                for i in self._issues.values()
                if (state == "all" or i.state == state)
                and (creator is None or i.login.lower() == creator.lower())
                and all(name in i.labels for name in wanted)
                and (since is None or self.timebase.wall(i.updated_t) >= since)
            ]
            by_updated = sort == "updated"
            chosen.sort(
                key=lambda i: (i.updated_t if by_updated else i.created_t, i.number),
                reverse=newest_first,
            )
            total = len(chosen)
            page_items = [self._json(i) for i in chosen[(page - 1) * per_page : page * per_page]]
        headers = {}
        links = []
        last = max(1, -(-total // per_page))
        base = f"{self.api}/repos/{self.repo}/issues"
        params = {k: v[-1] for k, v in req.query.items() if k != "page"}
        if page < last:
            links.append(f'<{base}?{urlencode(params | {"page": page + 1})}>; rel="next"')
            links.append(f'<{base}?{urlencode(params | {"page": last})}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?{urlencode(params | {"page": page - 1})}>; rel="prev"')
            links.append(f'<{base}?{urlencode(params | {"page": 1})}>; rel="first"')
        if links:
            headers["Link"] = ", ".join(links)
        return json_reply(page_items, headers=headers)


__all__ = ["CLOSE_AFTER_S", "DEMO_LOGIN", "TRACKER_REPO", "IssueTracker", "authorized"]
