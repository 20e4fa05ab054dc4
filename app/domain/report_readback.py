"""Reading a filed report back: the category and reporter Releasable wrote into an issue.

A report filed from a teammate's machine reaches this board only as an issue on the tracker.
Its body was written by `app.domain.report_body.build_report`, whose "Triage" and "Reported"
sections are bullet lines: `- Category: Workstation broken (workstation-broken): …` and
`- Reporter: Dana`. This module finds those two lines again in the body as the tracker gives it
back: Markdown (GitHub, GitLab), Jira wiki markup (`* Category: …`), or the plain text of an
Atlassian document with list items written as `- ` lines. Only bullet lines count, and the
last of each wins: the reporter's own words come before the "Triage" section and are escaped
when the body is built (in Markdown a line of theirs never starts a list), so they cannot pose
as either line.

Call it only for an issue that carries Releasable's key: other issues are free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.triage import Category

_CATEGORY_LINE = re.compile(
    r"^[-*]\s+Category:\s.*?\(("
    + "|".join(re.escape(c.value) for c in Category)
    + r")\)(?::|\s*$)",
    re.MULTILINE,
)
_REPORTER_LINE = re.compile(r"^[-*]\s+Reporter:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_ESCAPED = re.compile(r"\\(.)")
_NO_REPORTER = "unknown"  # what build_report writes when the reporter gave no name


@dataclass(frozen=True)
class ReadBack:
    """What could be read back from a report body; None where the line was not found."""

    category: str | None = None
    reporter: str | None = None


def read_report(text: str | None, *, escaped: bool = True) -> ReadBack:
    """The category and reporter of a Releasable report body.

    `escaped` says the text still carries Markdown or wiki backslash escapes (`Dana \\*K\\*`);
    the plain text of an Atlassian document has none.
    """
    if not text:
        return ReadBack()
    text = text.replace("\r\n", "\n")
    categories = _CATEGORY_LINE.findall(text)
    reporters = _REPORTER_LINE.findall(text)
    reporter = reporters[-1] if reporters else ""
    if escaped:
        reporter = _ESCAPED.sub(r"\1", reporter)
    reporter = " ".join(reporter.split())
    return ReadBack(
        category=categories[-1] if categories else None,
        reporter=reporter if reporter and reporter != _NO_REPORTER else None,
    )


__all__ = ["ReadBack", "read_report"]
