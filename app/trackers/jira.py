"""Jira (Cloud, REST v3; Data Center and Server, REST v2): file a report, find it by its key,
read whether it is done.

Cloud: `POST /rest/api/3/issue` with the description in Atlassian Document Format and basic
auth (account email + API token). Data Center: `POST /rest/api/2/issue` with the description in
wiki markup and `Authorization: Bearer <personal access token>` (or basic auth when a user name
is given). The report's key travels as the label `releasable-<key>`, which is what `find` looks
up with JQL; JQL is served from an index that may lag a few seconds behind a create, so the
outbox retries a look-up briefly. A project whose create screen lacks the Priority field
rejects it: the issue is then filed without a priority and a warning says so.

The team's open blockers come from the same search endpoint as `find` (Cloud's enhanced
`/search/jql`, paged by `nextPageToken`; Data Center's `/search`, paged by `startAt`), with
`project = KEY AND labels = "<each board label>" AND statusCategory != Done`, read by the
rules of `app.trackers.open_issues` (priority: the board's `priority_names` read backwards).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from app.domain.model import BlockerState
from app.domain.report import Report
from app.domain.report_body import find_marker, marker_for
from app.domain.report_readback import read_report
from app.sources.http import Response
from app.store.claims import TeamClaim
from app.trackers.base import Filed, RemoteBlocker, TrackerError
from app.trackers.check import Check, run_steps
from app.trackers.claim_issues import (
    CLAIM_LABEL,
    board_label,
    claim_body,
    claim_title,
    item_label,
    item_of_labels,
)
from app.trackers.jira_format import adf_text, to_adf, to_wiki
from app.trackers.open_issues import category_of, parse_time, priority_of, reporter_of
from app.trackers.ports import Http
from app.trackers.transport import (
    MAX_PAGES,
    Clock,
    clip,
    error_for,
    is_success,
    json_of,
    maybe_json,
    merge_labels,
    send,
    utc_now,
)

DEFAULT_PRIORITY_NAMES: Mapping[str, str] = {"P1": "Highest", "P2": "High", "P3": "Medium"}
SUMMARY_LIMIT = 255
KEY_LABEL_PREFIX = "releasable-"
PAGE_SIZE = 100
BLOCKER_FIELDS = "summary,priority,labels,created,reporter,status,description,assignee"


def key_label(report_key: str) -> str:
    """The Jira label that carries a report's key."""
    return f"{KEY_LABEL_PREFIX}{report_key}"


class JiraTracker:
    kind = "jira"

    def __init__(
        self,
        *,
        url: str,
        project_key: str,
        token: str,
        flavor: Literal["cloud", "datacenter"] | str = "cloud",
        issue_type: str = "Bug",
        email: str | None = None,
        token_hint: str = "",
        priority_names: Mapping[str, str] | None = None,
        labels: Iterable[str] = (),
        ca_bundle: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        flavor = flavor.strip().lower().replace("-", "").replace(" ", "")
        if flavor in ("server", "dc"):
            flavor = "datacenter"
        if flavor not in ("cloud", "datacenter"):
            raise ValueError(f"Jira flavor must be 'cloud' or 'datacenter', not {flavor!r}")
        self.url = url.rstrip("/")
        self.flavor = flavor
        self.project_key = project_key
        self.issue_type = issue_type
        self.email = email or None
        self.token = token
        self.token_hint = token_hint
        self.priority_names = dict(
            DEFAULT_PRIORITY_NAMES if priority_names is None else priority_names
        )
        self.labels = tuple(labels)
        self.ca_bundle = ca_bundle
        self.clock = clock

    def __repr__(self) -> str:  # never show the token
        return (
            f"JiraTracker(url={self.url!r}, flavor={self.flavor!r}, project={self.project_key!r})"
        )

    @property
    def api(self) -> str:
        return f"{self.url}/rest/api/{3 if self.flavor == 'cloud' else 2}"

    # ----- the Tracker interface ------------------------------------------------------------

    def create(self, http: Http, report: Report) -> Filed:
        fields = self.fields_for(report)
        resp = self._send(http, "POST", f"{self.api}/issue", json_body={"fields": fields})
        warnings: tuple[str, ...] = ()
        if resp.status == 400 and "priority" in fields:
            problem = _field_errors(maybe_json(resp)).get("priority")
            if problem:
                # Nothing was created: send again without the field the project does not have.
                fields = {k: v for k, v in fields.items() if k != "priority"}
                resp = self._send(http, "POST", f"{self.api}/issue", json_body={"fields": fields})
                warnings = (f"priority was not set — Jira says: {problem}",)
        if not is_success(resp):
            raise self._error(resp, "create")
        data = json_of(resp, uncertain=True)
        key = data.get("key") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise TrackerError(
                f"Jira answered {resp.status} without the new issue's key", uncertain=True
            )
        return Filed(self.browse_url(key), key, warnings)

    def check(self, http: Http) -> list[Check]:
        """Token (and account email), project, permission to create issues: reads only."""

        def token() -> list[Check]:
            resp = self._send(http, "GET", f"{self.api}/myself")
            if not is_success(resp):
                raise self._error(resp, "read")
            user = json_of(resp)
            name = _display_name(user) if isinstance(user, dict) else ""
            return [Check("token", True, f"valid, for {name}" if name else "valid")]

        def project() -> list[Check]:
            resp = self._send(http, "GET", f"{self.api}/project/{quote(self.project_key)}")
            if not is_success(resp):
                raise self._error(resp, "read")
            return [Check("project", True, f"project {self.project_key} is reachable")]

        def permissions() -> list[Check]:
            params = {"projectKey": self.project_key, "permissions": "CREATE_ISSUES,EDIT_ISSUES"}
            resp = self._send(http, "GET", f"{self.api}/mypermissions", params=params)
            if not is_success(resp):
                raise self._error(resp, "read")
            data = json_of(resp)
            rights = data.get("permissions") if isinstance(data, dict) else None
            rights = rights if isinstance(rights, dict) else {}

            def has(name: str) -> bool | None:
                right = rights.get(name)
                return right.get("havePermission") if isinstance(right, dict) else None

            create, edit = has("CREATE_ISSUES"), has("EDIT_ISSUES")
            if create is False:
                return [
                    Check("issues", False, f"the token may not create issues in {self.project_key}")
                ]
            found = [Check("issues", create, "the token may create issues")]
            if edit is False:
                found.append(
                    Check(
                        "labels",
                        None,
                        "the token may not edit issues: labels are set only "
                        "when the issue is created",
                    )
                )
            else:
                found.append(Check("labels", True if create else None, "labels can be set"))
            return found

        return run_steps([("token", token), ("project", project), ("issues", permissions)])

    def find(self, http: Http, report: Report, since: datetime) -> Filed | None:
        """The issue labelled with the report's key (one JQL look-up; `since` is not needed)."""
        jql = f'labels = "{key_label(report.key)}" ORDER BY created ASC'
        if self.flavor == "cloud":
            path, params = "/search/jql", {"jql": jql, "fields": "status", "maxResults": "10"}
        else:
            path, params = "/search", {"jql": jql, "fields": "status", "maxResults": "10"}
        resp = self._send(http, "GET", f"{self.api}{path}", params=params)
        if not is_success(resp):
            raise self._error(resp, "read")
        data = json_of(resp)
        issues = data.get("issues") if isinstance(data, dict) else None
        for issue in issues if isinstance(issues, list) else []:
            key = issue.get("key") if isinstance(issue, dict) else None
            if isinstance(key, str) and key:
                return Filed(self.browse_url(key), key)
            issue_id = issue.get("id") if isinstance(issue, dict) else None
            if issue_id:  # the enhanced search may answer ids only: ask for the key
                key = self._key_of(http, str(issue_id))
                if key:
                    return Filed(self.browse_url(key), key)
        return None

    def state(self, http: Http, filed: Filed) -> BlockerState | None:
        """CLOSED when the issue's status is in the "done" category, else OPEN."""
        resp = self._send(
            http,
            "GET",
            f"{self.api}/issue/{quote(filed.ref, safe='')}",
            params={"fields": "status"},
        )
        if resp.status == 404:
            raise TrackerError(
                f"issue {filed.ref} not found, or not visible to the token (404)", permanent=True
            )
        if not is_success(resp):
            raise self._error(resp, "read")
        data = json_of(resp)
        try:
            category = data["fields"]["status"]["statusCategory"]["key"]
        except (KeyError, TypeError):
            return None
        return BlockerState.CLOSED if category == "done" else BlockerState.OPEN

    def open_blockers(self, http: Http) -> list[RemoteBlocker]:
        """The project's issues that carry every board label and are not done, oldest first.

        With no board labels, only the open issues that carry a Releasable key label. At most
        `MAX_PAGES` pages of `PAGE_SIZE` are read.
        """
        labels = self.board_labels()
        clauses = [f"project = {_jql_string(self.project_key)}"]
        clauses += [f"labels = {_jql_string(label)}" for label in labels]
        clauses.append("statusCategory != Done")
        params = {
            "jql": " AND ".join(clauses) + " ORDER BY created ASC",
            "fields": BLOCKER_FIELDS,
            "maxResults": str(PAGE_SIZE),
        }
        cloud = self.flavor == "cloud"
        url = f"{self.api}/search/jql" if cloud else f"{self.api}/search"
        found: list[RemoteBlocker] = []
        now = self.clock()
        start = 0
        for _ in range(MAX_PAGES):
            page_params = dict(params) if cloud else {**params, "startAt": str(start)}
            resp = self._send(http, "GET", url, params=page_params)
            if not is_success(resp):
                raise self._error(resp, "read")
            data = json_of(resp)
            data = data if isinstance(data, dict) else {}
            raw_issues = data.get("issues")
            issues = raw_issues if isinstance(raw_issues, list) else []
            for issue in issues:
                blocker = self._remote_blocker(issue, now, bool(labels))
                if blocker is not None:
                    found.append(blocker)
            if cloud:
                token = data.get("nextPageToken")
                if data.get("isLast") is True or not isinstance(token, str) or not token:
                    break
                params["nextPageToken"] = token
            else:
                start += len(issues)
                total = data.get("total")
                if not issues or not isinstance(total, int) or start >= total:
                    break
        return found

    # ----- details --------------------------------------------------------------------------

    def board_labels(self) -> list[str]:
        """The board's labels as they are put on an issue (Jira labels have no spaces)."""
        return list(merge_labels(re.sub(r"\s+", "-", label) for label in merge_labels(self.labels)))

    def _remote_blocker(self, issue: Any, now: datetime, labelled: bool) -> RemoteBlocker | None:
        """One issue of the search as a blocker; None when it is odd (no key, no fields)."""
        if not isinstance(issue, dict):
            return None
        issue_key, fields = issue.get("key"), issue.get("fields")
        if not isinstance(issue_key, str) or not issue_key or not isinstance(fields, dict):
            return None
        raw_labels = fields.get("labels")
        labels = (
            [x for x in raw_labels if isinstance(x, str)] if isinstance(raw_labels, list) else []
        )
        report_key = _report_key(labels)
        if report_key is None and not labelled:
            return None  # no board label to go by: only what Releasable filed is a blocker
        readback = None
        if report_key is not None:
            description = fields.get("description")
            if isinstance(description, dict):  # Cloud: an Atlassian document
                readback = read_report(adf_text(description), escaped=False)
            elif isinstance(description, str):  # Data Center: wiki markup
                readback = read_report(description)
        priority = fields.get("priority")
        priority_name = priority.get("name") if isinstance(priority, dict) else None
        reporter = fields.get("reporter")
        author = reporter.get("displayName") if isinstance(reporter, dict) else None
        summary = fields.get("summary")
        return RemoteBlocker(
            ref=issue_key,
            url=self.browse_url(issue_key),
            title=" ".join(summary.split())
            if isinstance(summary, str) and summary.strip()
            else issue_key,
            priority=priority_of(
                [priority_name] if isinstance(priority_name, str) else [], self.priority_names
            ),
            category=category_of(labels, readback),
            opened_at=parse_time(fields.get("created"), now),
            reporter=reporter_of(author if isinstance(author, str) else "", readback),
            key=report_key or f"jira-{issue_key}",
            assignee=_display_name(fields.get("assignee")),
        )

    def assign(self, http: Http, ref: str) -> str:
        """I'm on it: issue `ref` (PLAT-42) assigned to the token's user; their name.

        `GET …/myself` says who that is; `PUT …/issue/{key}/assignee` takes the `accountId`
        on Cloud and the user `name` on Data Center. Doing it twice changes nothing.
        """
        resp = self._send(http, "GET", f"{self.api}/myself")
        if not is_success(resp):
            raise self._error(resp, "assign")
        me = maybe_json(resp)
        me = me if isinstance(me, dict) else {}
        field = "accountId" if self.flavor == "cloud" else "name"
        who = me.get(field)
        if not isinstance(who, str) or not who:
            raise TrackerError(
                f"Jira does not say whose token this is (no {field})", permanent=True
            )
        resp = self._send(http, "PUT", f"{self.api}/issue/{ref}/assignee", json_body={field: who})
        if not is_success(resp):
            raise self._error(resp, "assign")
        return _display_name(me) or who

    # ----- claims of failing pipelines (app/trackers/claim_issues.py) -----------------------

    def claim_pipeline(self, http: Http, board: str, item_key: str) -> TeamClaim:
        """File the claim issue (labels name board and pipeline) and assign it to the token's
        user; if one is open already (a lost answer, a teammate's), take it over instead."""
        for claim in self.open_claims(http, board):
            if claim.item_key == item_key:
                who = self.assign(http, claim.ref)
                return TeamClaim(item_key, who, claim.ref, claim.url)
        body = claim_body(board, item_key).split("<!--", 1)[0].strip()
        fields = {
            "project": {"key": self.project_key},
            "summary": clip(claim_title(board, item_key), SUMMARY_LIMIT),
            "issuetype": {"name": self.issue_type},
            "labels": [CLAIM_LABEL, board_label(board), item_label(item_key)],
            "description": to_adf(body) if self.flavor == "cloud" else to_wiki(body),
        }
        resp = self._send(http, "POST", f"{self.api}/issue", json_body={"fields": fields})
        if not is_success(resp):
            raise self._error(resp, "create")
        data = json_of(resp, uncertain=True)
        key = data.get("key") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise TrackerError("Jira answered without the claim issue's key", uncertain=True)
        who = self.assign(http, key)
        return TeamClaim(item_key, who, key, self.browse_url(key))

    def open_claims(self, http: Http, board: str) -> list[TeamClaim]:
        """The open claim issues of `board`'s pipelines (one page of 100: claims are few)."""
        jql = (
            f"project = {_jql_string(self.project_key)} AND labels = {_jql_string(CLAIM_LABEL)}"
            f" AND labels = {_jql_string(board_label(board))} AND statusCategory != Done"
        )
        params = {"jql": jql, "fields": "labels,assignee,reporter", "maxResults": "100"}
        url = f"{self.api}/search/jql" if self.flavor == "cloud" else f"{self.api}/search"
        resp = self._send(http, "GET", url, params=params)
        if not is_success(resp):
            raise self._error(resp, "read")
        data = json_of(resp)
        issues = data.get("issues") if isinstance(data, dict) else None
        found: list[TeamClaim] = []
        for issue in issues if isinstance(issues, list) else []:
            key = issue.get("key") if isinstance(issue, dict) else None
            fields = issue.get("fields") if isinstance(issue, dict) else None
            if not isinstance(key, str) or not isinstance(fields, dict):
                continue
            raw = fields.get("labels")
            labels = [x for x in raw if isinstance(x, str)] if isinstance(raw, list) else []
            item = item_of_labels(labels, board)
            if item is None:
                continue
            who = _display_name(fields.get("assignee")) or _display_name(fields.get("reporter"))
            found.append(TeamClaim(item, who or "someone", key, self.browse_url(key)))
        return found

    def release_claim(self, http: Http, ref: str) -> None:
        """The pipeline passes again: move the claim issue to a Done status (Jira closes by a
        workflow transition; already done or gone is fine)."""
        url = f"{self.api}/issue/{quote(ref, safe='')}/transitions"
        resp = self._send(http, "GET", url)
        if resp.status in (404, 410):
            return
        if not is_success(resp):
            raise self._error(resp, "close")
        data = json_of(resp)
        transitions = data.get("transitions") if isinstance(data, dict) else None
        done = next(
            (t.get("id") for t in _dicts(transitions) if _to_done(t)),
            None,
        )
        if done is None:
            raise TrackerError(
                f"Jira offers no transition to Done for {ref}: close it there", permanent=True
            )
        resp = self._send(http, "POST", url, json_body={"transition": {"id": str(done)}})
        if not is_success(resp):
            raise self._error(resp, "close")

    def browse_url(self, key: str) -> str:
        return f"{self.url}/browse/{key}"

    def labels_for(self, report: Report) -> list[str]:
        """Board labels and the key label; Jira labels cannot contain spaces."""
        merged = merge_labels(self.labels, report.labels)
        cleaned = [re.sub(r"\s+", "-", label) for label in merged]
        return list(merge_labels(cleaned, [key_label(report.key)]))

    def fields_for(self, report: Report) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "project": {"key": self.project_key},
            "summary": clip(report.title, SUMMARY_LIMIT),
            "issuetype": {"name": self.issue_type},
            "labels": self.labels_for(report),
            "description": to_adf(report.body) if self.flavor == "cloud" else to_wiki(report.body),
        }
        priority = self.priority_names.get(report.priority.value)
        if priority:
            fields["priority"] = {"name": priority}
        return fields

    def _key_of(self, http: Http, issue_id: str) -> str | None:
        resp = self._send(
            http, "GET", f"{self.api}/issue/{quote(issue_id, safe='')}", params={"fields": "status"}
        )
        if not is_success(resp):
            raise self._error(resp, "read")
        data = json_of(resp)
        key = data.get("key") if isinstance(data, dict) else None
        return key if isinstance(key, str) and key else None

    def _auth(self) -> tuple[str, str] | None:
        if self.flavor == "cloud":
            if not self.email:
                raise TrackerError(
                    "Jira Cloud needs the account email that goes with the API token "
                    "(set email in the board's [tracker])",
                    permanent=True,
                )
            return (self.email, self.token)
        return (self.email, self.token) if self.email else None

    def _send(
        self,
        http: Http,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        auth = self._auth()
        headers = {"Accept": "application/json"}
        if auth is None:
            headers["Authorization"] = f"Bearer {self.token}"
        return send(
            http,
            method,
            url,
            headers=headers,
            params=params,
            json_body=json_body,
            auth=auth,
            ca_bundle=self.ca_bundle,
        )

    def _error(self, resp: Response, action: str) -> TrackerError:
        login_reason = resp.headers.get("X-Seraph-LoginReason", "")
        if resp.status == 403 and "AUTHENTICATION_DENIED" in login_reason:
            return TrackerError(
                "Jira asks for a CAPTCHA after failed sign-ins (403): sign in once in the "
                "browser, then check the token",
                permanent=True,
            )
        return error_for(
            resp,
            vendor="Jira",
            token_hint=self.token_hint,
            forbidden=f"the token may not {action} issues in project {self.project_key}",
            not_found=f"Jira REST API not found at {self.url}, or project {self.project_key} "
            "is not visible to the token",
            refused="Jira refused the issue",
            details=error_details(maybe_json(resp)),
            now=self.clock(),
        )


def _jql_string(value: str) -> str:
    """A JQL string literal: double quotes, with quotes and backslashes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _report_key(labels: list[str]) -> str | None:
    """The Releasable key carried by a `releasable-<key>` label, if one is well formed."""
    for label in labels:
        if label.startswith(KEY_LABEL_PREFIX):
            candidate = label[len(KEY_LABEL_PREFIX) :]
            # find_marker knows the one key format: ask it rather than repeat the pattern.
            try:
                if find_marker(marker_for(candidate)) == candidate:
                    return candidate
            except ValueError:
                continue
    return None


def _field_errors(data: Any) -> dict[str, str]:
    errors = data.get("errors") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}


def error_details(data: Any) -> str:
    """Jira's `{"errorMessages": [...], "errors": {"field": "message"}}` in words."""
    if not isinstance(data, dict):
        return ""
    messages = data.get("errorMessages")
    parts = [str(m) for m in messages] if isinstance(messages, list) else []
    parts += [f"{field}: {message}" for field, message in _field_errors(data).items()]
    if not parts and data.get("message"):
        parts.append(str(data["message"]))
    return "; ".join(parts)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _to_done(transition: dict[str, Any]) -> bool:
    """Whether a workflow transition leads to a status of the Done category."""
    to = transition.get("to")
    category = to.get("statusCategory") if isinstance(to, dict) else None
    return isinstance(category, dict) and category.get("key") == "done"


def _display_name(user: Any) -> str:
    name = user.get("displayName") if isinstance(user, dict) else None
    return name if isinstance(name, str) else ""


__all__ = ["DEFAULT_PRIORITY_NAMES", "JiraTracker", "error_details", "key_label"]
