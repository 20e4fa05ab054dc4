"""Reading one pipeline or environment once and saying what the board would see.

`releasable probe` and the board editor's "Test" both build the item's source with
`app.services.sources`, fetch once, and describe the answer with `probe_doc()` /
`render_text()`: the outcome and a table of stages, or the health with status code and latency,
or what went wrong, in words, and where the token came from (never the token). Remote text is
passed through `plain()`, so it cannot drive a terminal. No Qt; `probe_once()` blocks, so the
editor runs it off the GUI thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.config.secrets import TokenResult
from app.services.sources import Item, item_token, make_source


def probe_once(item: Item, http: Any, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fetch `item` once; the document says what came back (`errors` lists what went wrong).

    `doc` is what the caller already knows (kind, URL, settings); a failed read is described,
    not raised.
    """
    from app.sources.errors import SourceError

    doc = dict(doc or {})
    token = item_token(item)
    if token is not None:
        doc["token"] = token_doc(token)
    try:
        reading = make_source(item).fetch(http)
    except SourceError as err:
        blank: dict[str, Any] = (
            {"outcome": "unknown", "stages": []}
            if doc.get("kind", "health") != "health"
            else {"health": "unknown"}
        )
        network = {"network": True} if err.network else {}  # no answer: not a token problem
        return {**doc, **blank, **network, "errors": [err.message]}
    return {**doc, **reading_doc(reading), "errors": []}


def probe(
    item: Item,
    doc: dict[str, Any] | None = None,
    *,
    connect_timeout_s: float = 5.0,
    read_timeout_s: float = 10.0,
) -> dict[str, Any]:
    """`probe_once()` with its own HTTP client (no cache: a probe reads what is there now)."""
    from app.sources.http import HttpClient

    http = HttpClient(connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s)
    try:
        return probe_once(item, http, doc)
    finally:
        http.close()


def token_doc(token: TokenResult) -> dict[str, Any]:
    """Where a token came from, or where it must come from; never the token."""
    return {"set": token.found, "from": token.origin or None, "hint": token.hint or None}


def reading_doc(reading: Any) -> dict[str, Any]:
    """A reading as JSON-ready data (enums as their values, times in ISO 8601 UTC)."""
    from app.domain.model import EnvironmentReading, PipelineReading

    if isinstance(reading, PipelineReading):
        return {
            "outcome": reading.outcome.value,
            "running": reading.running,
            "label": reading.label,
            "run_url": reading.url,
            "completed_at": _iso(reading.completed_at),
            "failed_stage": reading.failed_stage,
            "detail": reading.detail,
            "stages": [
                {
                    "name": stage.name,
                    "status": stage.status.value,
                    "started_at": _iso(stage.started_at),
                    "duration_s": stage.duration_s,
                    "url": stage.url,
                    "label": stage.label,
                    "note": stage.note,
                }
                for stage in reading.stages
            ],
        }
    if isinstance(reading, EnvironmentReading):
        return {
            "health": reading.health.value,
            "http_status": reading.http_status,
            "latency_ms": reading.latency_ms,
            "tls_days_left": reading.tls_days_left,
            "final_url": reading.url,
            "detail": reading.detail,
        }
    raise TypeError(f"a source returned {type(reading).__name__}, not a reading")


def render_text(doc: dict[str, Any]) -> str:
    """The document as a short report and a table of stages (or what went wrong), for a
    terminal or the editor's result box."""
    lines = [f"{doc['kind']}  {plain(doc['url'])}"]
    settings = ", ".join(f"{k} = {plain(str(v))}" for k, v in doc.get("settings", {}).items())
    if settings:
        lines.append(f"  {'reads':<11}{settings}")
    token = doc.get("token")
    if token:
        said = f"from the {token['from']}" if token["set"] else f"none — {token['hint']}"
        lines.append(f"  {'token':<11}{said}")
    if doc.get("errors"):
        lines.extend(f"  Could not read it: {plain(message)}" for message in doc["errors"])
        return "\n".join(lines)
    rows: list[tuple[str, str]] = []
    if "health" in doc:
        rows.append(("health", doc["health"].upper()))
        http = []
        if doc.get("http_status") is not None:
            http.append(f"status {doc['http_status']}")
        if doc.get("latency_ms") is not None:
            http.append(f"{doc['latency_ms']:.0f} ms")
        if http:
            rows.append(("answer", ", ".join(http)))
        if doc.get("tls_days_left") is not None:
            rows.append(("tls", f"certificate expires in {doc['tls_days_left']} days"))
    else:
        outcome = doc["outcome"].upper()
        if doc.get("failed_stage"):
            outcome += f" at stage {plain(doc['failed_stage'])}"
        rows.append(("outcome", outcome))
        if doc.get("completed_at"):
            rows.append(("completed", _when(doc["completed_at"])))
        latest = " ".join(
            part
            for part in (
                plain(doc.get("label") or ""),
                "(in progress)" if doc.get("running") else "",
                plain(doc.get("run_url") or ""),
            )
            if part
        )
        if latest:
            rows.append(("latest", latest))
    if doc.get("detail"):
        rows.append(("detail", plain(doc["detail"])))
    lines.extend(f"  {key:<11}{value}" for key, value in rows)
    if "stages" in doc:
        lines.append("")
        lines.extend(_stage_table(doc["stages"]))
    return "\n".join(lines)


def _stage_table(stages: list[dict[str, Any]]) -> list[str]:
    if not stages:
        return ["  (no stages)"]
    header = ("STAGE", "STATUS", "STARTED", "DURATION", "NOTE")
    rows = [
        (
            plain(stage["name"]),
            stage["status"],
            _when(stage["started_at"]) if stage["started_at"] else "-",
            _duration(stage["duration_s"]),
            plain(stage["note"]),
        )
        for stage in stages
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    return [
        (
            "  "
            + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
            + "  "
            + row[4]
        ).rstrip()
        for row in [header, *rows]
    ]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is not None and when.utcoffset():
        when = when.astimezone(UTC)
    text = when.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _when(iso: str) -> str:
    return iso.replace("T", " ").replace("Z", " UTC")


def shown_url(url: str) -> str:
    """The URL as given, with a password in it (user:password@host) masked."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    if parts.password is None:
        return url.strip()
    netloc = f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[1]}"
    return urlunsplit(parts._replace(netloc=netloc))


def plain(text: str) -> str:
    """Remote text for a terminal: control characters (escape sequences) are not passed on."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


__all__ = ["plain", "probe", "probe_once", "reading_doc", "render_text", "shown_url", "token_doc"]
