"""GitLab Issues (gitlab.com and self-managed): file a report, find it by its key, read whether
it is still open.

Create is `POST /projects/:id/issues` (the project by numeric id or URL-encoded path), with
labels as one comma-separated string and `issue_type` ("incident" when the board asks for it).
Finding an issue already filed lists the project's issues the token's user created since the
report was made (`scope=created_by_me`, `created_after`) and reads the hidden key marker in each
description: an exact look-up, not a search. The team's open blockers are the project's open
issues with every board label (`GET /projects/:id/issues?state=opened&labels=…`), read by the
rules of `app.trackers.open_issues`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from app.domain.model import BlockerState
from app.domain.report import Report
from app.domain.report_body import find_marker, utc_iso
from app.sources.http import Response
from app.store.claims import TeamClaim
from app.trackers.base import Filed, RemoteBlocker, TrackerError
from app.trackers.check import Check, run_steps
from app.trackers.claim_issues import CLAIM_LABEL, claim_body, claim_of, claim_title
from app.trackers.open_issues import marked_issue_blocker
from app.trackers.ports import Http
from app.trackers.transport import (
    Clock,
    clip,
    error_for,
    is_success,
    json_of,
    maybe_json,
    merge_labels,
    next_link,
    paged_items,
    send,
    utc_now,
)

DEFAULT_PRIORITY_LABELS: Mapping[str, str] = {"P1": "P1", "P2": "P2", "P3": "P3"}
TITLE_LIMIT = 255
REPORTER_ACCESS = 20  # GitLab roles: 10 guest, 20 reporter; labels need a reporter
CLOCK_SLACK = timedelta(hours=1)


class GitLabTracker:
    kind = "gitlab"

    def __init__(
        self,
        *,
        project: str | int,
        token: str,
        api_url: str = "https://gitlab.com/api/v4",
        token_hint: str = "",
        labels: Iterable[str] = (),
        priority_labels: Mapping[str, str] | None = None,
        issue_type: str = "issue",
        ca_bundle: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.project = str(project).strip("/")
        self.token = token
        self.token_hint = token_hint
        self.labels = tuple(labels)
        self.priority_labels = dict(
            DEFAULT_PRIORITY_LABELS if priority_labels is None else priority_labels
        )
        self.issue_type = issue_type
        self.ca_bundle = ca_bundle
        self.clock = clock

    def __repr__(self) -> str:  # never show the token
        return f"GitLabTracker(api_url={self.api_url!r}, project={self.project!r})"

    @property
    def issues_url(self) -> str:
        return f"{self.api_url}/projects/{quote(self.project, safe='')}/issues"

    # ----- the Tracker interface ------------------------------------------------------------

    def create(self, http: Http, report: Report) -> Filed:
        labels = self.labels_for(report)
        payload = {
            "title": clip(report.title, TITLE_LIMIT),
            "description": report.body,
            "labels": ",".join(labels),
            "issue_type": self.issue_type,
        }
        resp = self._send(http, "POST", self.issues_url, json_body=payload)
        if not is_success(resp):
            raise self._error(resp, "create")
        issue = json_of(resp, uncertain=True)
        filed = _filed(issue)
        if filed is None:
            raise TrackerError(
                f"GitLab answered {resp.status} without the new issue's number", uncertain=True
            )
        got = {str(label).lower() for label in issue.get("labels") or []}
        warnings: tuple[str, ...] = ()
        if any(label.lower() not in got for label in labels):
            warnings = (
                f"labels were not applied — the token may not label issues in {self.project}",
            )
        return Filed(filed.url, filed.ref, warnings)

    def check(self, http: Http) -> list[Check]:
        """Token, project, issues turned on, a role that may set labels: reads only."""
        project: dict[str, Any] = {}

        def token() -> list[Check]:
            resp = self._send(http, "GET", f"{self.api_url}/user")
            if not is_success(resp):
                raise self._error(resp, "read")
            user = json_of(resp)
            name = _text(user.get("username")) if isinstance(user, dict) else ""
            return [Check("token", True, f"valid, for user {name}" if name else "valid")]

        def reachable() -> list[Check]:
            url = f"{self.api_url}/projects/{quote(self.project, safe='')}"
            resp = self._send(http, "GET", url)
            if not is_success(resp):
                raise self._error(resp, "read")
            data = json_of(resp)
            project.update(data if isinstance(data, dict) else {})
            found = [Check("project", True, f"{self.project} is reachable")]
            if project.get("issues_enabled") is False:
                found.append(Check("issues", False, f"issues are turned off in {self.project}"))
            return found

        def labels() -> list[Check]:
            rights = project.get("permissions")
            levels: list[int] = []
            for key in ("project_access", "group_access"):
                access = rights.get(key) if isinstance(rights, dict) else None
                level = access.get("access_level") if isinstance(access, dict) else None
                if isinstance(level, int):
                    levels.append(level)
            if not levels:
                return [Check("labels", None, "GitLab did not say the token's role here")]
            if max(levels) >= REPORTER_ACCESS:
                return [Check("labels", True, "the token's role may set labels")]
            return [
                Check(
                    "labels",
                    False,
                    f"the token's role in {self.project} is below Reporter: GitLab would file "
                    "the issue without its labels",
                )
            ]

        return run_steps([("token", token), ("project", reachable), ("labels", labels)])

    def find(self, http: Http, report: Report, since: datetime) -> Filed | None:
        """The issue carrying `report.key`, among the user's issues created since `since`."""
        params: Mapping[str, str] = {
            "scope": "created_by_me",
            "created_after": utc_iso(since - CLOCK_SLACK),
            "order_by": "created_at",
            "sort": "desc",
            "per_page": "100",
        }
        for issue in self._issues(http, params):
            if isinstance(issue, dict) and find_marker(_text(issue.get("description"))) == (
                report.key
            ):
                return _filed(issue)
        return None

    def state(self, http: Http, filed: Filed) -> BlockerState | None:
        if not filed.ref.isdigit():
            raise TrackerError(f"not a GitLab issue number: {filed.ref}", permanent=True)
        resp = self._send(http, "GET", f"{self.issues_url}/{filed.ref}")
        if resp.status == 404:
            raise TrackerError(
                f"issue #{filed.ref} not found in {self.project}, or not visible to the token "
                "(404)",
                permanent=True,
            )
        if not is_success(resp):
            raise self._error(resp, "read")
        issue = json_of(resp)
        state = issue.get("state") if isinstance(issue, dict) else None
        if state == "closed":
            return BlockerState.CLOSED
        if state in ("opened", "reopened", "locked"):
            return BlockerState.OPEN
        return None

    def open_blockers(self, http: Http) -> list[RemoteBlocker]:
        """The project's open issues carrying every board label (GitLab matches all of them).

        With no board labels, only the open issues that carry Releasable's key. At most
        `MAX_PAGES` pages of 100 are read.
        """
        params: Mapping[str, str] = {"state": "opened", "per_page": "100"}
        labels = merge_labels(label.replace(",", " ") for label in self.labels)
        if labels:
            params = {**params, "labels": ",".join(labels)}
        found: list[RemoteBlocker] = []
        now = self.clock()
        for issue in self._issues(http, params):
            blocker = self._remote_blocker(issue, now, bool(labels))
            if blocker is not None:
                found.append(blocker)
        return found

    def assign(self, http: Http, ref: str) -> str:
        """I'm on it: issue `ref` (its iid) assigned to the token's user; their name.

        `GET /user` says who the token belongs to; `PUT .../issues/:iid` with `assignee_ids`
        sets the assignee (GitLab Free has one). Doing it twice changes nothing.
        """
        resp = self._send(http, "GET", f"{self.api_url}/user")
        if not is_success(resp):
            raise self._error(resp, "assign")
        me = maybe_json(resp)
        user_id = me.get("id") if isinstance(me, dict) else None
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise TrackerError(
                "GitLab does not say whose token this is (GET /user)", permanent=True
            )
        resp = self._send(
            http, "PUT", f"{self.issues_url}/{ref}", json_body={"assignee_ids": [user_id]}
        )
        if not is_success(resp):
            raise self._error(resp, "assign")
        return _person(me) or str(user_id)

    # ----- claims of failing pipelines (app/trackers/claim_issues.py) -----------------------

    def claim_pipeline(self, http: Http, board: str, item_key: str) -> TeamClaim:
        """File the claim issue and assign it to the token's user; if one is open already (an
        earlier attempt whose answer was lost, or a teammate's), take it over instead."""
        for claim in self.open_claims(http, board):
            if claim.item_key == item_key:
                who = self.assign(http, claim.ref)
                return TeamClaim(item_key, who, claim.ref, claim.url)
        payload = {
            "title": claim_title(board, item_key),
            "description": claim_body(board, item_key),
            "labels": CLAIM_LABEL,
        }
        resp = self._send(http, "POST", self.issues_url, json_body=payload)
        if not is_success(resp):
            raise self._error(resp, "create")
        filed = _filed(json_of(resp, uncertain=True))
        if filed is None:
            raise TrackerError("GitLab answered without the claim issue's iid", uncertain=True)
        who = self.assign(http, filed.ref)
        return TeamClaim(item_key, who, filed.ref, filed.url)

    def open_claims(self, http: Http, board: str) -> list[TeamClaim]:
        """The open claim issues of `board`'s pipelines: who is on which."""
        params = {"state": "opened", "labels": CLAIM_LABEL, "per_page": "100"}
        found: list[TeamClaim] = []
        for issue in self._issues(http, params):
            filed = _filed(issue)
            if filed is None:
                continue
            item = claim_of(_text(issue.get("description")), board)
            if item is None:
                continue
            people = [_person(a) for a in _people(issue.get("assignees")) if _person(a)]
            author = issue.get("author")
            who = ", ".join(people) or (_person(author) if isinstance(author, dict) else "")
            found.append(TeamClaim(item, who or "someone", filed.ref, filed.url))
        return found

    def release_claim(self, http: Http, ref: str) -> None:
        """The pipeline passes again: close its claim issue (already closed or gone is fine)."""
        resp = self._send(
            http, "PUT", f"{self.issues_url}/{ref}", json_body={"state_event": "close"}
        )
        if not is_success(resp) and resp.status not in (404, 410):
            raise self._error(resp, "close")

    # ----- details --------------------------------------------------------------------------

    def labels_for(self, report: Report) -> tuple[str, ...]:
        """The labels sent; a comma would split one label in two, so it becomes a space."""
        priority = self.priority_labels.get(report.priority.value, "")
        merged = merge_labels(self.labels, report.labels, [priority])
        return merge_labels(label.replace(",", " ") for label in merged)

    def _remote_blocker(self, issue: Any, now: datetime, labelled: bool) -> RemoteBlocker | None:
        """One listed issue as a blocker; None for a closed or odd item."""
        filed = _filed(issue)
        if filed is None or issue.get("state", "opened") == "closed":
            return None
        raw_labels = issue.get("labels")
        author = issue.get("author")
        author = author if isinstance(author, dict) else {}
        name = author.get("name") or author.get("username")
        return marked_issue_blocker(
            ref=filed.ref,
            url=filed.url,
            title=_text(issue.get("title")),
            body=_text(issue.get("description")),
            labels=[x for x in raw_labels if isinstance(x, str)]
            if isinstance(raw_labels, list)
            else [],
            author=name if isinstance(name, str) else "",
            created_at=issue.get("created_at"),
            priority_labels=self.priority_labels,
            labelled=labelled,
            key_prefix=f"gl-{self.project}",
            now=now,
            assignee=", ".join(_person(a) for a in _people(issue.get("assignees")) if _person(a)),
        )

    def _issues(self, http: Http, params: Mapping[str, str]) -> Iterator[Any]:
        """The project's issues listed with `params`, page by page."""
        return paged_items(
            lambda url, page_params: self._send(http, "GET", url, params=page_params),
            self.issues_url,
            params,
            next_page=self._next_page,
            error=lambda resp: self._error(resp, "read"),
        )

    def _next_page(
        self, resp: Response, params: Mapping[str, str]
    ) -> tuple[str | None, Mapping[str, str]]:
        """The next page: the Link header (on GitLab's own origin), else X-Next-Page.

        A GitLab behind a proxy may write Link URLs with its own external name; X-Next-Page
        then still leads on from the URL we used.
        """
        url = next_link(resp, self.api_url)
        if url is not None:
            return url, {}
        page = resp.headers.get("X-Next-Page", "").strip()
        if page.isdigit() and params:
            return self.issues_url, {**params, "page": page}
        return None, {}

    def _send(
        self,
        http: Http,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        return send(
            http,
            method,
            url,
            headers={"PRIVATE-TOKEN": self.token, "Accept": "application/json"},
            params=params or None,
            json_body=json_body,
            ca_bundle=self.ca_bundle,
        )

    def _error(self, resp: Response, action: str) -> TrackerError:
        return error_for(
            resp,
            vendor="GitLab",
            token_hint=self.token_hint,
            forbidden=f"the token may not {action} issues in {self.project}",
            not_found=f"project {self.project} not found or not visible to the token",
            refused="GitLab refused the issue",
            details=error_details(maybe_json(resp)),
            now=self.clock(),
        )


def error_details(data: Any) -> str:
    """GitLab's error answer in words.

    Validation errors come as `{"message": {"title": ["can't be blank"]}}`, parameter errors
    as `{"error": "title is missing"}`, others as `{"message": "403 Forbidden"}`.
    """
    if not isinstance(data, dict):
        return ""
    message = data.get("message")
    if isinstance(message, dict):
        parts = []
        for field, problems in message.items():
            items = problems if isinstance(problems, list) else [problems]
            parts += [f"{field} {problem}" for problem in items]
        return "; ".join(parts)
    if isinstance(message, list):
        return "; ".join(str(m) for m in message)
    for key in ("message", "error", "error_description"):
        if data.get(key):
            return str(data[key])
    return ""


def _filed(issue: Any) -> Filed | None:
    if not isinstance(issue, dict):
        return None
    url, iid = issue.get("web_url"), issue.get("iid")
    if not isinstance(url, str) or not isinstance(iid, int):
        return None
    return Filed(url, str(iid))


def _people(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _person(user: dict[str, Any]) -> str:
    """A GitLab user as the board names them: their name, else their username."""
    name = user.get("name") or user.get("username")
    return name if isinstance(name, str) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


__all__ = ["DEFAULT_PRIORITY_LABELS", "GitLabTracker", "error_details"]
