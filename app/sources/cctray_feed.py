"""Parsing cctray feeds (the CCTray/CCMenu "Multiple Project Summary Reporting Standard").

One `<Projects>` root with one `<Project>` per build: `name`, `activity` (Sleeping, Building,
CheckingModifications), `lastBuildStatus` (Success, Failure, Exception, Unknown),
`lastBuildLabel`, `lastBuildTime`, `webUrl`, and optionally `nextBuildTime`, `description`,
`category` and `serverName`; GoCD adds `<messages><message kind="Breakers" text="..."/>`.
Values outside the standard are kept raw and read as unknown.

Parsed safely: `defusedxml` refuses entity declarations and external references, so a
billion-laughs feed is refused rather than expanded. And fast: no tree is built.

Times: ISO 8601 with or without offset and fractional seconds. A time with no offset is read
as UTC: Jenkins and GoCD always write UTC ("...Z"), and the servers that omit the offset (old
CruiseControl) give no way to know their zone; it only moves the "when" shown, never a status.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple
from xml.sax import SAXParseException

import defusedxml
from defusedxml.expatreader import DefusedExpatParser

from app.sources.errors import SourceError
from app.sources.http import looks_like_html


class Activity(StrEnum):
    SLEEPING = "Sleeping"
    BUILDING = "Building"
    CHECKING_MODIFICATIONS = "CheckingModifications"
    UNKNOWN = "unknown"  # absent or not in the standard


class BuildStatus(StrEnum):
    SUCCESS = "Success"
    FAILURE = "Failure"
    EXCEPTION = "Exception"
    UNKNOWN = "Unknown"  # the standard's own "Unknown" and any value it does not define


_ACTIVITIES = {a.value: a for a in Activity if a is not Activity.UNKNOWN}
_STATUSES = {s.value: s for s in BuildStatus}


class CctrayProject(NamedTuple):
    """One `<Project>` of a feed, as written there (`raw_*` keep unrecognised values).

    A NamedTuple rather than a frozen dataclass: a big feed makes thousands of these, and
    tuple construction is several times cheaper.
    """

    name: str
    activity: Activity
    last_build_status: BuildStatus
    last_build_label: str | None = None
    last_build_time: datetime | None = None
    web_url: str | None = None
    next_build_time: datetime | None = None
    description: str | None = None
    category: str | None = None
    server_name: str | None = None
    breakers: tuple[str, ...] = ()
    raw_activity: str = ""
    raw_status: str = ""


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 as cctray servers write it; no offset means UTC; unreadable means None."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def parse_feed(body: bytes) -> list[CctrayProject]:
    """The projects of a cctray feed, in feed order; SourceError in words if it is not one.

    defusedxml's expat reader refuses entity declarations and external references; no tree
    is built, so a 5,000-project (1.1 MB) feed parses in a few tens of ms.
    """
    if not body.strip():
        raise SourceError("feed is empty")
    if looks_like_html(body):
        raise SourceError(f"feed is not cctray XML (root is <html>){_sign_in_hint(body)}")
    reader = _FeedReader()
    try:
        reader.feed(body)
        reader.close()
    except _WrongRoot as err:
        raise SourceError(f"feed is not cctray XML (root is <{err.tag}>)") from None
    except defusedxml.EntitiesForbidden:
        raise SourceError("feed refused: XML entities are not allowed") from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise SourceError("feed refused: XML external references are not allowed") from None
    except SAXParseException as err:
        raise SourceError(_parse_error_words(body, err)) from None
    return reader.projects


class _WrongRoot(Exception):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


class _FeedReader(DefusedExpatParser):  # type: ignore[misc]  # defusedxml has no stubs
    """defusedxml's expat reader (entities and external references refused), with the SAX
    layer cut out: expat calls these handlers directly with plain attribute dicts, and text
    between elements is not even delivered. Collects `<Project>` attributes and GoCD's
    Breakers messages, nothing else."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.projects: list[CctrayProject] = []
        self._depth = 0
        self._current: dict[str, str] | None = None
        self._breakers: list[str] = []

    def reset(self) -> None:
        super().reset()  # makes the expat parser and sets the defused handlers
        expat = self._parser
        expat.StartElementHandler = self._start
        expat.EndElementHandler = self._end
        expat.CharacterDataHandler = None
        expat.ProcessingInstructionHandler = None

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self._depth += 1
        tag = name.rsplit(":", 1)[-1]
        if self._depth == 1:
            if tag != "Projects":
                raise _WrongRoot(tag)
        elif self._depth == 2 and tag == "Project":
            self._current = attrs
            self._breakers = []
        elif tag == "message" and self._current is not None and attrs.get("kind") == "Breakers":
            text = attrs.get("text", "")
            self._breakers.extend(n.strip() for n in text.split(",") if n.strip())

    def _end(self, _name: str) -> None:
        if self._depth == 2 and self._current is not None:
            project = _project(self._current, tuple(self._breakers))
            if project is not None:
                self.projects.append(project)
            self._current = None
        self._depth -= 1


def _project(attrs: dict[str, str], breakers: tuple[str, ...]) -> CctrayProject | None:
    get = attrs.get
    name = get("name")
    if not name:
        return None
    raw_activity = get("activity", "")
    raw_status = get("lastBuildStatus", "")
    return CctrayProject(
        name,
        _ACTIVITIES.get(raw_activity, Activity.UNKNOWN),
        _STATUSES.get(raw_status, BuildStatus.UNKNOWN),
        get("lastBuildLabel") or None,
        parse_time(get("lastBuildTime")),
        get("webUrl") or None,
        parse_time(get("nextBuildTime")),
        get("description") or None,
        get("category") or None,
        get("serverName") or None,
        breakers,
        raw_activity,
        raw_status,
    )


def _sign_in_hint(body: bytes) -> str:
    low = body[:4096].lower()
    if b"password" in low or b"login" in low or b"sign in" in low:
        return " — a sign-in page? Check the feed URL and its credentials"
    return ""


def _parse_error_words(body: bytes, err: SAXParseException) -> str:
    head = body[:200].lower()
    declares_other = b"encoding=" in head and b"utf-8" not in head and b"utf8" not in head
    if not declares_other:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"feed is not valid UTF-8 (byte {bad.start})"
    line, column = err.getLineNumber(), err.getColumnNumber()
    return f"feed is not well-formed XML (line {line}, column {column})"


__all__ = ["Activity", "BuildStatus", "CctrayProject", "parse_feed", "parse_time"]
