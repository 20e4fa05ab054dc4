"""The report: key and marker, evidence frozen from the board, and the Markdown body."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.model import (
    BoardState,
    EnvironmentReading,
    Health,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Priority,
    Reason,
    Stage,
    StageStatus,
    Verdict,
    VerdictState,
)
from app.domain.report import Report
from app.domain.report_body import (
    Evidence,
    build_report,
    evidence_from,
    find_marker,
    marker_for,
    md_block,
    md_text,
    new_report_key,
    safe_url,
    utc_iso,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KEY = "rls-0123456789abcdef0123456789abcdef"


def pipeline(
    name: str,
    reading: PipelineReading | None,
    *,
    read_at: datetime | None = NOW,
    status_since: datetime | None = None,
    error: str | None = None,
) -> Observed:
    return Observed(
        f"pipeline:{name}",
        ItemKind.PIPELINE,
        name,
        reading,
        read_at=read_at,
        status_since=status_since,
        error=error,
    )


def environment(
    name: str,
    reading: EnvironmentReading | None,
    *,
    read_at: datetime | None = NOW,
    status_since: datetime | None = None,
) -> Observed:
    return Observed(
        f"environment:{name}",
        ItemKind.ENVIRONMENT,
        name,
        reading,
        read_at=read_at,
        status_since=status_since,
    )


def failing_board() -> tuple[BoardState, Verdict]:
    api = PipelineReading(
        stages=(
            Stage("build", StageStatus.PASSED, url="https://ci.example.com/api/1/build"),
            Stage("security-scan", StageStatus.FAILED, url="https://ci.example.com/api/1/scan"),
        ),
        outcome=Outcome.FAILED,
        failed_stage="security-scan",
        url="https://ci.example.com/api/1",
        completed_at=NOW - timedelta(minutes=20),
    )
    board = BoardState(
        "Payments",
        pipelines=(
            pipeline("api", api, status_since=NOW - timedelta(minutes=12)),
            pipeline("web", PipelineReading(stages=(), outcome=Outcome.PASSED)),
            pipeline("mobile", None, read_at=None, error="token rejected (401) — check GITLAB"),
            pipeline(
                "docs",
                PipelineReading(stages=(), outcome=Outcome.PASSED),
                read_at=NOW - timedelta(hours=1),
            ),
        ),
        environments=(
            environment(
                "staging",
                EnvironmentReading(
                    Health.DOWN,
                    detail="actuator status DOWN",
                    url="https://staging.example.com/actuator/health",
                ),
                status_since=NOW - timedelta(minutes=3),
            ),
            environment(
                "production", EnvironmentReading(Health.UP), status_since=NOW - timedelta(days=2)
            ),
            environment("test", EnvironmentReading(Health.UP), read_at=NOW - timedelta(hours=2)),
        ),
    )
    verdict = Verdict(
        VerdictState.NOT_RELEASABLE,
        (
            Reason(
                "pipeline api failed at stage security-scan 12 min ago", VerdictState.NOT_RELEASABLE
            ),
        ),
        since=NOW - timedelta(minutes=12),
    )
    return board, verdict


def report(**overrides: object) -> Report:
    board, verdict = failing_board()
    args: dict[str, object] = {
        "key": KEY,
        "title": "Laptop broken,\n cannot deploy",
        "category": "workstation-broken",
        "prevents_delivery": None,
        "statement": "",
        "trying_to": "Ship the refund fix",
        "impact": "Refunds stay broken for customers until the fix ships.",
        "reporter": "Dana",
        "board_name": "Payments",
        "evidence": evidence_from(board, verdict, NOW),
        "created_at": NOW,
        "app_version": "0.1.0",
    }
    args.update(overrides)
    return build_report(**args)  # type: ignore[arg-type]  # overrides are per test


# ----- key and marker -----------------------------------------------------------------------


def test_new_report_key_is_rls_and_uuid4_hex() -> None:
    keys = {new_report_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(re.fullmatch(r"rls-[0-9a-f]{32}", key) for key in keys)


def test_marker_round_trips() -> None:
    assert marker_for(KEY) == f"<!-- releasable-key: {KEY} -->"
    assert find_marker(f"some text\n\n{marker_for(KEY)}\n") == KEY
    assert find_marker(f"text\r\n{marker_for(KEY)}\r\n") == KEY


def test_find_marker_without_one_is_none() -> None:
    assert find_marker(None) is None
    assert find_marker("") is None
    assert find_marker("<!-- releasable-key: -->") is None


def test_marker_rejects_keys_that_could_break_out_of_the_comment() -> None:
    with pytest.raises(ValueError):
        marker_for("rls-x --> <img src=x>")
    with pytest.raises(ValueError):
        marker_for("abc")


def test_a_marker_typed_by_the_user_is_escaped_and_not_found() -> None:
    forged = "rls-ffffffffffffffffffffffffffffffff"
    built = report(trying_to=f"<!-- releasable-key: {forged} -->", impact=marker_for(forged))
    assert find_marker(built.body) == KEY
    assert built.body.rstrip().endswith(marker_for(KEY))


# ----- evidence -----------------------------------------------------------------------------


def test_evidence_keeps_failing_stages_with_links_and_since() -> None:
    board, verdict = failing_board()
    ev = evidence_from(board, verdict, NOW)
    assert ev.taken_at == NOW and ev.verdict is verdict
    api = ev.failing[0]
    assert (api.pipeline, api.stage, api.status) == ("api", "security-scan", StageStatus.FAILED)
    assert api.url == "https://ci.example.com/api/1/scan"  # the failed stage's own link
    assert api.since == NOW - timedelta(minutes=12)


def test_evidence_leaves_out_fresh_passing_pipelines_and_marks_unknown_ones() -> None:
    board, verdict = failing_board()
    ev = evidence_from(board, verdict, NOW)
    by_name = {f.pipeline: f for f in ev.failing}
    assert set(by_name) == {"api", "mobile", "docs"}  # web passed and is fresh
    assert by_name["mobile"].status is StageStatus.UNKNOWN
    assert by_name["mobile"].detail == "token rejected (401) — check GITLAB"
    assert by_name["docs"].status is StageStatus.UNKNOWN  # passed, but an hour stale
    assert by_name["docs"].detail == "data is stale (last read 2024-05-01T11:00:00Z)"


def test_evidence_records_every_environment_with_since() -> None:
    board, verdict = failing_board()
    envs = {e.name: e for e in evidence_from(board, verdict, NOW).environments}
    assert envs["staging"].health is Health.DOWN
    assert envs["staging"].since == NOW - timedelta(minutes=3)
    assert envs["staging"].detail == "actuator status DOWN"
    assert envs["production"].health is Health.UP
    assert envs["test"].health is Health.UNKNOWN  # two hours without a read


# ----- body ---------------------------------------------------------------------------------


def test_body_leads_with_the_impact_statement() -> None:
    body = report().body
    assert body.startswith("Team **Payments** cannot deploy to production.\n\n")
    assert "Refunds stay broken for customers until the fix ships." in body


def test_board_named_team_is_not_doubled() -> None:
    assert report(board_name="Payments team").body.startswith(
        "**Payments team** cannot deploy to production."
    )


def test_downgraded_body_carries_the_reporters_statement() -> None:
    built = report(prevents_delivery=False, statement="we deploy from the CI runner")
    assert built.priority is Priority.P2
    assert built.prevents_delivery is False
    assert built.statement == "we deploy from the CI runner"
    assert "Production delivery is still possible: we deploy from the CI runner" in built.body
    assert built.body.startswith(
        "Team **Payments** can still deploy to production, but reports a delivery blocker.\n\n"
        "Production delivery is still possible: we deploy from the CI runner\n\n"
    )


def test_downgrade_without_words_still_says_so() -> None:
    built = report(prevents_delivery=False)
    assert built.priority is Priority.P2
    assert "Production delivery is still possible, the reporter states (no details given)." in (
        built.body
    )


def test_unanswered_other_is_filed_as_p1_and_says_why() -> None:
    built = report(category="other", prevents_delivery=None)
    assert built.priority is Priority.P1
    assert built.prevents_delivery is True
    assert "has not yet said whether this prevents production delivery" in built.body


def test_other_with_workaround_is_p3() -> None:
    built = report(
        category="other", prevents_delivery=False, has_workaround=True, statement="rerun works"
    )
    assert built.priority is Priority.P3
    assert "- Priority: **P3**:" in built.body


def test_body_sections_in_order() -> None:
    body = report().body
    order = [
        "cannot deploy to production",
        "### What they were trying to do\n\nShip the refund fix",
        "### Triage",
        "- Category: Workstation broken (workstation-broken): I cannot deploy",
        "- Priority: **P1**: Workstation broken is presumed to prevent production delivery",
        "### Evidence (board at 2024-05-01T12:00:00Z)",
        "### Reported",
        "- Reporter: Dana",
        "- Board: Payments",
        "- Time: 2024-05-01T12:00:00Z",
        "- Sent by Releasable 0.1.0",
        f"<!-- releasable-key: {KEY} -->",
    ]
    positions = [body.index(part) for part in order]
    assert positions == sorted(positions)


def test_evidence_is_bulleted_with_links() -> None:
    body = report().body
    assert "- Verdict: **NOT RELEASABLE** since 2024-05-01T11:48:00Z" in body
    assert "  - pipeline api failed at stage security\\-scan" not in body  # no over-escaping
    assert "  - pipeline api failed at stage security-scan 12 min ago" in body
    assert (
        "- Pipeline *api*, stage *security-scan*: failed since 2024-05-01T11:48:00Z: "
        "[open](https://ci.example.com/api/1/scan)"
    ) in body
    assert "- Pipeline *mobile*: unknown (token rejected (401) — check GITLAB)" in body
    assert (
        "- Environment *staging*: down since 2024-05-01T11:57:00Z (actuator status DOWN): "
        "[open](https://staging.example.com/actuator/health)"
    ) in body
    assert "- Environment *production*: up since 2024-04-29T12:00:00Z" in body


def test_report_fields() -> None:
    built = report(labels=["team-payments"])
    assert built.key == KEY
    assert built.title == "Laptop broken, cannot deploy"
    assert built.category == "workstation-broken"
    assert built.priority is Priority.P1
    assert built.reporter == "Dana" and built.board == "Payments"
    assert built.created_at == NOW
    assert built.labels == ("team-payments",)
    assert built.statement == ""


def test_user_html_is_never_raw() -> None:
    built = report(
        trying_to='<img src=x onerror="alert(1)"> and <script>alert(2)</script>',
        impact="<b>bold</b>",
        reporter="<a href='x'>Dana</a>",
    )
    assert re.search(r"(?<!\\)<(img|script|b|a)\b", built.body) is None
    assert '\\<img src=x onerror="alert(1)"\\>' in built.body


def test_user_markdown_is_text() -> None:
    built = report(trying_to="[click me](javascript:alert(1)) **now**\n# heading\n- item\n1. one")
    body = built.body
    assert "\\[click me\\](javascript:alert(1)) \\*\\*now\\*\\*" in body
    assert "\n\\# heading\n\\- item\n1\\. one\n" in body


def test_remote_text_is_escaped_and_unsafe_links_dropped() -> None:
    board = BoardState(
        "Payments",
        pipelines=(
            pipeline(
                "api*evil*",
                PipelineReading(
                    stages=(Stage("[scan](x)", StageStatus.FAILED, url="javascript:alert(1)"),),
                    outcome=Outcome.FAILED,
                    failed_stage="[scan](x)",
                    detail="<iframe>",
                ),
            ),
        ),
    )
    verdict = Verdict(VerdictState.NOT_RELEASABLE)
    body = report(evidence=evidence_from(board, verdict, NOW)).body
    assert "- Pipeline *api\\*evil\\**, stage *\\[scan\\](x)*: failed (\\<iframe\\>)\n" in body
    assert "javascript:" not in body


def test_safe_url_only_http_and_encodes_what_would_end_a_link() -> None:
    assert safe_url("https://ci.example.com/a b/(1)") == "https://ci.example.com/a%20b/%281%29"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("file:///etc/passwd") is None
    assert safe_url("") is None
    assert safe_url(None) is None


def test_md_text_and_block() -> None:
    assert (
        md_text("a_b *c* `d` <e> | ~f~ [g]") == "a\\_b \\*c\\* \\`d\\` \\<e\\> \\| \\~f\\~ \\[g\\]"
    )
    assert md_text("one\ntwo") == "one two"
    assert md_block("line one\nline two\n\n\n- para") == "line one\nline two\n\n\\- para"


def test_utc_iso_converts_and_assumes_naive_is_utc() -> None:
    cest = timezone(timedelta(hours=2))
    assert utc_iso(datetime(2024, 5, 1, 14, 0, 5, 999, tzinfo=cest)) == "2024-05-01T12:00:05Z"
    assert utc_iso(datetime(2024, 5, 1, 12, 0)) == "2024-05-01T12:00:00Z"


def test_evidence_may_be_empty() -> None:
    ev = Evidence(verdict=Verdict(VerdictState.UNKNOWN), taken_at=NOW)
    body = report(evidence=ev).body
    assert "- Verdict: **UNKNOWN**\n\n### Reported" in body
