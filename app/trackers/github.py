"""GitHub Issues (github.com and Enterprise Server): file a report, find it by its key, read
whether it is still open.

Create is `POST /repos/{owner}/{repo}/issues`. GitHub silently drops labels and assignees when
the token lacks push access, so the answer is compared with what was sent and the difference
becomes a warning. Finding an issue already filed never uses the search API (its index lags by
minutes, which is exactly when a re-send happens): it lists the repository's issues created by
the token's user since the report was made and reads the hidden key marker in each body.
The team's open blockers are the repository's open issues with every board label
(`GET /repos/{owner}/{repo}/issues?state=open&labels=…`; pull requests, which that list also
returns, are skipped), read by the rules of `app.trackers.open_issues`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

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
TITLE_LIMIT = 256
# Issues are listed from a little before the report was made: the laptop's clock may be fast.
CLOCK_SLACK = timedelta(hours=1)
_CODE_WORDS = {
    "missing": "does not exist",
    "missing_field": "is missing",
    "invalid": "is not valid",
    "already_exists": "already exists",
    "unprocessable": "could not be processed",
}


class GitHubTracker:
    kind = "github"

    def __init__(
        self,
        *,
        repo: str,
        token: str,
        api_url: str = "https://api.github.com",
        token_hint: str = "",
        labels: Iterable[str] = (),
        priority_labels: Mapping[str, str] | None = None,
        assignees: Iterable[str] = (),
        ca_bundle: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.repo = repo.strip("/")
        self.token = token
        self.token_hint = token_hint
        self.labels = tuple(labels)
        self.priority_labels = dict(
            DEFAULT_PRIORITY_LABELS if priority_labels is None else priority_labels
        )
        self.assignees = tuple(assignees)
        self.ca_bundle = ca_bundle
        self.clock = clock
        self._login: str | None = None

    def __repr__(self) -> str:  # never show the token
        return f"GitHubTracker(api_url={self.api_url!r}, repo={self.repo!r})"

    # ----- the Tracker interface ------------------------------------------------------------

    def create(self, http: Http, report: Report) -> Filed:
        labels = self.labels_for(report)
        payload = {
            "title": clip(report.title, TITLE_LIMIT),
            "body": report.body,
            "labels": list(labels),
            "assignees": list(self.assignees),
        }
        resp = self._send(http, "POST", f"/repos/{self.repo}/issues", json_body=payload)
        if not is_success(resp):
            raise self._error(resp, "create")
        issue = json_of(resp, uncertain=True)
        filed = _filed(issue)
        if filed is None:
            raise TrackerError(
                f"GitHub answered {resp.status} without the new issue's number", uncertain=True
            )
        warnings = []
        got_labels = {str(label.get("name", "")).lower() for label in _dicts(issue.get("labels"))}
        if any(label.lower() not in got_labels for label in labels):
            warnings.append(f"labels were not applied — the token needs push access to {self.repo}")
        got_people = {str(user.get("login", "")).lower() for user in _dicts(issue.get("assignees"))}
        if any(login.lower() not in got_people for login in self.assignees):
            warnings.append(
                f"assignees were not applied — the token needs push access to {self.repo}"
            )
        return Filed(filed.url, filed.ref, tuple(warnings))

    def find(self, http: Http, report: Report, since: datetime) -> Filed | None:
        """The issue carrying `report.key`, among the issues created since `since`."""
        params: dict[str, str] = {
            "state": "all",
            "since": utc_iso(since - CLOCK_SLACK),
            "per_page": "100",
        }
        login = self._user_login(http)
        if login:
            params["creator"] = login
        for issue in self._issues(http, params):
            if not isinstance(issue, dict) or "pull_request" in issue:
                continue
            if find_marker(_text(issue.get("body"))) == report.key:
                return _filed(issue)
        return None

    def check(self, http: Http) -> list[Check]:
        """Token, repository, issues turned on, push access (labels stick): reads only."""
        repo: dict[str, Any] = {}

        def token() -> list[Check]:
            resp = self._send(http, "GET", "/user")
            if not is_success(resp):
                raise self._error(resp, "read")
            login = _text(_dict(json_of(resp)).get("login"))
            return [Check("token", True, f"valid, for user {login}" if login else "valid")]

        def repository() -> list[Check]:
            resp = self._send(http, "GET", f"/repos/{self.repo}")
            if not is_success(resp):
                raise self._error(resp, "read")
            repo.update(_dict(json_of(resp)))
            found = [Check("repository", True, f"{self.repo} is reachable")]
            if repo.get("has_issues") is False:
                found.append(Check("issues", False, f"issues are turned off in {self.repo}"))
            return found

        def labels() -> list[Check]:
            rights = repo.get("permissions")
            if not isinstance(rights, dict):
                return [Check("labels", None, "GitHub did not say what the token may do")]
            if any(rights.get(right) is True for right in ("push", "maintain", "admin")):
                return [Check("labels", True, "the token has push access: labels will stick")]
            return [
                Check(
                    "labels",
                    False,
                    f"the token has no push access to {self.repo}: GitHub would drop the "
                    "labels (and assignees) without a word",
                )
            ]

        return run_steps([("token", token), ("repository", repository), ("labels", labels)])

    def state(self, http: Http, filed: Filed) -> BlockerState | None:
        """Open or closed; an issue GitHub says was deleted (410) counts as closed."""
        if not filed.ref.isdigit():
            raise TrackerError(f"not a GitHub issue number: {filed.ref}", permanent=True)
        resp = self._send(http, "GET", f"/repos/{self.repo}/issues/{filed.ref}")
        if resp.status == 410:
            return BlockerState.CLOSED
        if resp.status == 404:
            raise TrackerError(
                f"issue #{filed.ref} not found in {self.repo}, or not visible to the token (404)",
                permanent=True,
            )
        if not is_success(resp):
            raise self._error(resp, "read")
        issue = json_of(resp)
        state = issue.get("state") if isinstance(issue, dict) else None
        if state == "closed":
            return BlockerState.CLOSED
        if state == "open":
            return BlockerState.OPEN
        return None

    def open_blockers(self, http: Http) -> list[RemoteBlocker]:
        """The repository's open issues carrying every board label, newest first.

        With no board labels, only the open issues that carry Releasable's key. At most
        `MAX_PAGES` pages of 100 are read.
        """
        params: dict[str, str] = {"state": "open", "per_page": "100"}
        if self.labels:
            params["labels"] = ",".join(self.labels)
        found: list[RemoteBlocker] = []
        now = self.clock()
        for issue in self._issues(http, params):
            blocker = self._remote_blocker(issue, now)
            if blocker is not None:
                found.append(blocker)
        return found

    def assign(self, http: Http, ref: str) -> str:
        """I'm on it: add the token's user to issue `ref`'s assignees; their login.

        `POST /repos/{owner}/{repo}/issues/{n}/assignees` adds (never replaces) and assigning
        someone twice changes nothing, so a re-send after an uncertain outcome is harmless.
        """
        login = self._user_login(http)
        if login is None:
            raise TrackerError(
                "GitHub does not say whose token this is (GET /user): cannot assign",
                permanent=True,
            )
        resp = self._send(
            http,
            "POST",
            f"/repos/{self.repo}/issues/{ref}/assignees",
            json_body={"assignees": [login]},
        )
        if not is_success(resp):
            raise self._error(resp, "assign")
        issue = maybe_json(resp)
        got = {str(u.get("login", "")).lower() for u in _dicts((issue or {}).get("assignees"))}
        if isinstance(issue, dict) and login.lower() not in got:
            raise TrackerError(
                f"GitHub did not assign {login}: the token needs push access to {self.repo}",
                permanent=True,
            )
        return login

    # ----- claims of failing pipelines (app/trackers/claim_issues.py) -----------------------

    def claim_pipeline(self, http: Http, board: str, item_key: str) -> TeamClaim:
        """File the claim issue, assigned to the token's user; if one is open already (an
        earlier attempt whose answer was lost, or a teammate's), join it instead."""
        login = self._user_login(http)
        if login is None:
            raise TrackerError(
                "GitHub does not say whose token this is (GET /user)", permanent=True
            )
        for claim in self.open_claims(http, board):
            if claim.item_key == item_key:
                self.assign(http, claim.ref)
                return TeamClaim(item_key, login, claim.ref, claim.url)
        payload = {
            "title": claim_title(board, item_key),
            "body": claim_body(board, item_key),
            "labels": [CLAIM_LABEL],
            "assignees": [login],
        }
        resp = self._send(http, "POST", f"/repos/{self.repo}/issues", json_body=payload)
        if not is_success(resp):
            raise self._error(resp, "create")
        filed = _filed(json_of(resp, uncertain=True))
        if filed is None:
            raise TrackerError("GitHub answered without the claim issue's number", uncertain=True)
        return TeamClaim(item_key, login, filed.ref, filed.url)

    def open_claims(self, http: Http, board: str) -> list[TeamClaim]:
        """The open claim issues of `board`'s pipelines: who is on which."""
        params = {"state": "open", "labels": CLAIM_LABEL, "per_page": "100"}
        found: list[TeamClaim] = []
        for issue in self._issues(http, params):
            if not isinstance(issue, dict) or "pull_request" in issue:
                continue
            item, filed = claim_of(_text(issue.get("body")), board), _filed(issue)
            if item is None or filed is None:
                continue
            people = [str(u.get("login")) for u in _dicts(issue.get("assignees")) if u.get("login")]
            user = issue.get("user")
            author = user.get("login") if isinstance(user, dict) else None
            who = ", ".join(people) or (author if isinstance(author, str) else "")
            found.append(TeamClaim(item, who or "someone", filed.ref, filed.url))
        return found

    def release_claim(self, http: Http, ref: str) -> None:
        """The pipeline passes again: close its claim issue (already closed or gone is fine)."""
        resp = self._send(
            http,
            "PATCH",
            f"/repos/{self.repo}/issues/{ref}",
            json_body={"state": "closed", "state_reason": "completed"},
        )
        if not is_success(resp) and resp.status not in (404, 410):
            raise self._error(resp, "close")

    # ----- details --------------------------------------------------------------------------

    def labels_for(self, report: Report) -> tuple[str, ...]:
        priority = self.priority_labels.get(report.priority.value, "")
        return merge_labels(self.labels, report.labels, [priority])

    def _remote_blocker(self, issue: Any, now: datetime) -> RemoteBlocker | None:
        """One listed issue as a blocker; None for a pull request or a closed or odd item."""
        if not isinstance(issue, dict) or "pull_request" in issue:
            return None
        filed = _filed(issue)
        if filed is None or issue.get("state", "open") != "open":
            return None
        user = issue.get("user")
        login = user.get("login") if isinstance(user, dict) else None
        return marked_issue_blocker(
            ref=filed.ref,
            url=filed.url,
            title=_text(issue.get("title")),
            body=_text(issue.get("body")),
            labels=_label_names(issue.get("labels")),
            author=login if isinstance(login, str) else "",
            created_at=issue.get("created_at"),
            priority_labels=self.priority_labels,
            labelled=bool(self.labels),
            key_prefix=f"gh-{self.repo}",
            now=now,
            assignee=", ".join(
                str(u.get("login")) for u in _dicts(issue.get("assignees")) if u.get("login")
            ),
        )

    def _issues(self, http: Http, params: Mapping[str, str]) -> Iterator[Any]:
        """The repository's issues (and pull requests) listed with `params`, page by page."""
        return paged_items(
            lambda url, page_params: self._send(
                http, "GET", url, params=page_params, absolute=True
            ),
            f"{self.api_url}/repos/{self.repo}/issues",
            params,
            next_page=lambda resp, _params: (next_link(resp, self.api_url), {}),
            error=lambda resp: self._error(resp, "read"),
        )

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": f"Bearer {self.token}",
        }

    def _send(
        self,
        http: Http,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        absolute: bool = False,
    ) -> Response:
        url = path if absolute else f"{self.api_url}{path}"
        return send(
            http,
            method,
            url,
            headers=self._headers(),
            params=params or None,
            json_body=json_body,
            ca_bundle=self.ca_bundle,
        )

    def _user_login(self, http: Http) -> str | None:
        """The token's login, asked once; None when GET /user is not allowed (an app token)."""
        if self._login is None:
            resp = self._send(http, "GET", "/user")
            data = maybe_json(resp) if is_success(resp) else None
            login = data.get("login") if isinstance(data, dict) else None
            if not isinstance(login, str) or not login:
                return None
            self._login = login
        return self._login

    def _error(self, resp: Response, action: str) -> TrackerError:
        if resp.status == 410:
            return TrackerError(f"issues are disabled in {self.repo} (410)", permanent=True)
        return error_for(
            resp,
            vendor="GitHub",
            token_hint=self.token_hint,
            forbidden=f"the token may not {action} issues in {self.repo}",
            not_found=f"repository {self.repo} not found or not visible to the token",
            refused="GitHub refused the issue",
            details=error_details(maybe_json(resp)),
            now=self.clock(),
        )


def error_details(data: Any) -> str:
    """GitHub's error answer in words: the field errors, else the message."""
    if not isinstance(data, dict):
        return ""
    parts: list[str] = []
    for err in data.get("errors") or []:
        if isinstance(err, str):
            parts.append(err)
        elif isinstance(err, dict):
            if err.get("message"):
                parts.append(str(err["message"]))
            else:
                field = str(err.get("field") or err.get("resource") or "a field")
                code = str(err.get("code") or "invalid")
                value = f" ({err['value']})" if err.get("value") not in (None, "") else ""
                parts.append(f"{field} {_CODE_WORDS.get(code, code.replace('_', ' '))}{value}")
    if parts:
        return "; ".join(parts)
    message = data.get("message")
    return str(message) if message else ""


def _filed(issue: Any) -> Filed | None:
    if not isinstance(issue, dict):
        return None
    url, number = issue.get("html_url"), issue.get("number")
    if not isinstance(url, str) or not isinstance(number, int):
        return None
    return Filed(url, str(number))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _label_names(value: Any) -> list[str]:
    """GitHub's labels: objects with a name (or, as its schema also allows, plain names)."""
    names = []
    for label in value if isinstance(value, list) else []:
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str):
            names.append(name)
    return names


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


__all__ = ["DEFAULT_PRIORITY_LABELS", "GitHubTracker", "error_details"]
