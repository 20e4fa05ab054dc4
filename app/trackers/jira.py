"""Jira (Cloud, REST v3; Data Center and Server, REST v2): file a report, find it by its key,
read whether it is done.

Cloud: `POST /rest/api/3/issue` with the description in Atlassian Document Format and basic
auth (account email + API token). Data Center: `POST /rest/api/2/issue` with the description in
wiki markup and `Authorization: Bearer <personal access token>` (or basic auth when a user name
is given). The report's key travels as the label `releasable-<key>`, which is what `find` looks
up with JQL; JQL is served from an index that may lag a few seconds behind a create, so the
outbox retries a look-up briefly. A project whose create screen lacks the Priority field
rejects it: the issue is then filed without a priority and a warning says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from app.domain.model import BlockerState
from app.domain.report import Report
from app.sources.http import HttpClient, Response
from app.trackers.base import Filed, TrackerError
from app.trackers.jira_format import to_adf, to_wiki
from app.trackers.transport import (
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

    def create(self, http: HttpClient, report: Report) -> Filed:
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

    def find(self, http: HttpClient, report: Report, since: datetime) -> Filed | None:
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

    def state(self, http: HttpClient, filed: Filed) -> BlockerState | None:
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

    # ----- details --------------------------------------------------------------------------

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

    def _key_of(self, http: HttpClient, issue_id: str) -> str | None:
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
        http: HttpClient,
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


__all__ = ["DEFAULT_PRIORITY_NAMES", "JiraTracker", "error_details", "key_label"]
