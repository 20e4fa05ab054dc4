"""The "Report a blocker" dialog over a real store: autosave, triage on screen, send, prefill.

Every test drives the dialog as a person would (typing, clicking, keys) and checks what reached
the real SQLite store through the real `OutboxService` (which writes off the GUI thread via
`run_task`, in call order), waiting on signals or conditions, never sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.demo.sample import HOSTILE_NAME, sample_snapshot
from app.domain.model import Priority
from app.domain.triage import CATEGORIES, Category
from app.services.outbox_rows import outbox_rows
from app.services.outbox_service import OutboxService
from app.services.tasks import pending_tasks
from app.sources.http import HttpClient
from app.store.outbox import DRAFT_FIELDS, Outbox, OutboxState
from app.store.store import Store
from app.ui.board.report_context import environment_context, stage_context
from app.ui.report.dialog import REPORTER_SETTING, ReportDialog

MakeDialog = Callable[..., ReportDialog]

NOW = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
SNAPSHOT = sample_snapshot(NOW)
BOARD = SNAPSHOT.board.name


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "releasable.db") as s:
        yield s


@pytest.fixture
def outbox(store: Store) -> Outbox:
    return Outbox(store)


@pytest.fixture
def queued_keys() -> list[str]:
    return []


@pytest.fixture
def gateway(store: Store, qtbot: QtBot, queued_keys: list[str]) -> Iterator[OutboxService]:
    gw = OutboxService(store, None, HttpClient(), tracker_kind="github", watch_ms=0)
    gw.queued.connect(queued_keys.append)
    yield gw
    gw.stop()
    assert gw.wait()
    qtbot.waitUntil(lambda: pending_tasks() == 0 and not gw.busy)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_dialog(qtbot: QtBot, gateway: OutboxService, settings: QSettings) -> MakeDialog:
    def make(**kw: object) -> ReportDialog:
        kw.setdefault("snapshot", SNAPSHOT)
        kw.setdefault("board_name", BOARD)
        kw.setdefault("autosave_ms", 20)
        dialog = ReportDialog(gateway, settings=settings, now_fn=lambda: NOW, **kw)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        return dialog

    return make


def _draft_titles(outbox: Outbox) -> dict[str, str]:
    return {d.key: d.fields.get("title", "") for d in outbox.load_drafts()}


def _failing_stage_prefill() -> dict[str, object]:
    api = next(p for p in SNAPSHOT.board.pipelines if p.name == "api")
    stage = next(s for s in api.reading.stages if s.name == "security-scan")  # type: ignore[union-attr]
    return stage_context(BOARD, api, stage, NOW)


# -- autosave -------------------------------------------------------------------------------


def test_typing_autosaves_the_draft_once_after_the_debounce(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox
) -> None:
    dialog = make_dialog()
    saves: list[str] = []
    dialog.draft_saved.connect(saves.append)
    with qtbot.waitSignal(dialog.draft_saved, timeout=3000):
        qtbot.keyClicks(dialog.form.title, "Laptop won't boot")
        assert dialog.status.text() == "Saving…"
    assert _draft_titles(outbox) == {dialog.key: "Laptop won't boot"}
    assert saves == [dialog.key]  # seventeen keystrokes, one write
    assert dialog.status.text() == "Draft saved"


def test_every_field_reaches_the_draft(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox
) -> None:
    dialog = make_dialog()
    form = dialog.form
    form.category.set_category(Category.OTHER)
    qtbot.keyClicks(form.title, "VPN drops every 5 min")
    qtbot.keyClicks(form.trying_to, "Deploy the api")
    qtbot.keyClicks(form.impact, "Deploys time out")
    qtbot.mouseClick(form.no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.statement, "the office network works")
    form.workaround.click()
    form.reporter.clear()
    qtbot.keyClicks(form.reporter, "Dana")
    qtbot.waitUntil(
        lambda: (
            bool(outbox.load_drafts()) and outbox.load_drafts()[0].fields.get("reporter") == "Dana"
        ),
        timeout=3000,
    )
    assert outbox.load_drafts()[0].fields == {
        "category": "other",
        "title": "VPN drops every 5 min",
        "trying_to": "Deploy the api",
        "impact": "Deploys time out",
        "prevents_delivery": False,
        "statement": "the office network works",
        "has_workaround": True,
        "reporter": "Dana",
    }


def test_reopening_a_draft_restores_its_fields_and_key(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox
) -> None:
    first = make_dialog()
    first.form.category.set_category(Category.WORKSTATION_BROKEN)
    qtbot.keyClicks(first.form.title, "Laptop won't boot")
    qtbot.keyClicks(first.form.impact, "I cannot deploy the hotfix")
    qtbot.mouseClick(first.form.no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(first.form.statement, "Sam can deploy it")
    first.close()
    qtbot.waitUntil(lambda: _draft_titles(outbox) == {first.key: "Laptop won't boot"})

    (draft,) = outbox.load_drafts()
    again = make_dialog(draft=draft)
    assert again.key == first.key
    assert again.form.fields() == first.form.fields()
    assert again.form.category.category() is Category.WORKSTATION_BROKEN
    assert again.form.no.isChecked() and again.form.statement.isVisible()
    assert again.form.badge.priority is Priority.P2
    assert again.status.text() == "Draft reopened"


def test_closing_saves_at_once_without_waiting_for_the_debounce(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox
) -> None:
    dialog = make_dialog(autosave_ms=60_000)
    qtbot.keyClicks(dialog.form.title, "Staging down")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: _draft_titles(outbox) == {dialog.key: "Staging down"})


def test_closing_the_window_saves_too(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox
) -> None:
    dialog = make_dialog(autosave_ms=60_000)
    qtbot.keyClicks(dialog.form.title, "Scanner false alarm")
    dialog.close()
    qtbot.waitUntil(lambda: _draft_titles(outbox) == {dialog.key: "Scanner false alarm"})


def test_opening_and_closing_without_typing_leaves_no_draft(
    qtbot: QtBot, make_dialog: MakeDialog, gateway: OutboxService, outbox: Outbox
) -> None:
    dialog = make_dialog(prefill=_failing_stage_prefill())
    dialog.reject()
    assert gateway.wait()
    assert outbox.load_drafts() == []


# -- priority on screen ---------------------------------------------------------------------


def test_a_blank_report_names_no_cause_and_asks_the_question(make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    assert dialog.form.category.category() is Category.OTHER
    assert dialog.form.answer() is None
    assert dialog.form.badge.priority is Priority.P1
    assert dialog.form.title.hasFocus()


def test_every_named_category_shows_p1(make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    for category in CATEGORIES[:-1]:
        dialog.form.category.set_category(category)
        assert dialog.form.badge.text() == "P1 — prevents production delivery"
        assert dialog.form.yes.isChecked() and not dialog.form.statement.isVisible()
        assert "presumed to prevent production delivery" in dialog.form.reason.text()
        assert dialog.send_button.text() == "&Send as P1"


def test_no_with_a_statement_shows_p2_and_the_statement(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    dialog.form.category.set_category(Category.ENVIRONMENT_INSTABILITY)
    qtbot.mouseClick(dialog.form.no, Qt.MouseButton.LeftButton)
    assert dialog.form.statement.isVisible()
    assert dialog.form.statement.hasFocus()
    qtbot.keyClicks(dialog.form.statement, "prod deploys skip staging today")
    assert dialog.form.badge.text() == "P2 — production delivery still possible"
    assert "“prod deploys skip staging today”" in dialog.form.reason.text()
    assert dialog.send_button.text() == "&Send as P2"
    qtbot.mouseClick(dialog.form.yes, Qt.MouseButton.LeftButton)
    assert dialog.form.badge.priority is Priority.P1
    assert not dialog.form.statement.isVisible()


def test_other_asks_the_question_and_can_be_p3(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    form = dialog.form
    form.category.set_category(Category.OTHER)
    assert not form.yes.isChecked() and not form.no.isChecked()
    assert form.badge.text().startswith("P1 — until you say whether")
    qtbot.mouseClick(form.no, Qt.MouseButton.LeftButton)
    assert form.workaround.isVisible()
    qtbot.keyClicks(form.statement, "manual deploy works")
    assert form.badge.priority is Priority.P2
    form.workaround.click()
    assert form.badge.priority is Priority.P3  # type: ignore[comparison-overlap]  # it changed
    form.category.set_category(Category.CI_INSTABILITY)
    assert not form.workaround.isVisible()
    assert form.badge.priority is Priority.P2


def test_the_downgrade_statement_is_in_the_preview_and_the_body(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    dialog.form.category.set_category(Category.SECURITY_FALSE_POSITIVE)
    qtbot.keyClicks(dialog.form.title, "Scanner blocks deploys")
    qtbot.mouseClick(dialog.preview_toggle, Qt.MouseButton.LeftButton)
    assert dialog.preview.isVisible()
    assert "cannot deploy to production" in dialog.preview_text()
    qtbot.mouseClick(dialog.form.no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.form.statement, "we deploy with the override")
    text = dialog.preview_text()
    assert text.startswith("# [P2] Scanner blocks deploys")
    assert "Production delivery is still possible: we deploy with the override" in text
    assert dialog.build().statement == "we deploy with the override"
    assert "we deploy with the override" in dialog.build().body


# -- sending --------------------------------------------------------------------------------


def test_send_queues_one_report_and_deletes_the_draft(
    qtbot: QtBot,
    make_dialog: MakeDialog,
    outbox: Outbox,
    gateway: OutboxService,
    queued_keys: list[str],
) -> None:
    dialog = make_dialog()
    dialog.form.category.set_category(Category.WORKSTATION_BROKEN)
    with qtbot.waitSignal(dialog.draft_saved):
        qtbot.keyClicks(dialog.form.title, "Laptop won't boot")
    assert _draft_titles(outbox) == {dialog.key: "Laptop won't boot"}
    with qtbot.waitSignal(dialog.sent, timeout=3000) as sent:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert sent.args == [dialog.key]
    assert not dialog.isVisible()
    assert gateway.wait()
    (item,) = outbox.items()
    assert item.key == dialog.key and item.state is OutboxState.QUEUED
    assert item.priority is Priority.P1
    assert item.report.category == "workstation-broken"
    assert item.report.title == "Laptop won't boot"
    assert outbox.load_drafts() == []
    assert queued_keys == [dialog.key]


def test_a_save_in_flight_at_send_never_brings_the_draft_back(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox, gateway: OutboxService
) -> None:
    dialog = make_dialog(autosave_ms=60_000)
    dialog.form.category.set_category(Category.CI_INSTABILITY)
    qtbot.keyClicks(dialog.form.title, "CI runners gone")
    dialog.save_now()  # queued on the writer thread, not yet written
    with qtbot.waitSignal(dialog.sent):
        dialog.send()
    assert gateway.wait()
    assert outbox.load_drafts() == []
    assert [i.key for i in outbox.items()] == [dialog.key]


def test_ctrl_return_sends_from_a_text_box(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox
) -> None:
    dialog = make_dialog()
    dialog.form.category.set_category(Category.PRODUCTION_OUTAGE)
    qtbot.keyClicks(dialog.form.title, "Prod is down")
    dialog.form.impact.setFocus()
    with qtbot.waitSignal(dialog.sent):
        qtbot.keyClick(dialog.form.impact, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.form.impact.toPlainText() == ""


def test_validation_messages_sit_beside_the_fields(
    qtbot: QtBot, make_dialog: MakeDialog, gateway: OutboxService, outbox: Outbox
) -> None:
    dialog = make_dialog()
    form = dialog.form
    form.category.set_category(Category.OTHER)
    with qtbot.assertNotEmitted(dialog.sent):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert form.errors() == [
        "Give the blocker a title.",
        "Say whether this prevents production delivery: it decides the priority.",
    ]
    assert form.title_error.isVisible() and form.title.hasFocus()
    assert form.title.accessibleDescription() == "Give the blocker a title."
    qtbot.keyClicks(form.title, "Wiki is slow")
    assert not form.title_error.isVisible()
    qtbot.mouseClick(form.no, Qt.MouseButton.LeftButton)
    dialog.send()
    assert form.errors() == [
        "Say how production delivery is still possible: it goes into the report."
    ]
    assert form.statement_error.isVisible()
    assert dialog.isVisible()
    assert gateway.wait()
    assert outbox.items() == []


def test_the_reporter_is_remembered(
    qtbot: QtBot, make_dialog: MakeDialog, settings: QSettings
) -> None:
    settings.setValue(REPORTER_SETTING, "Dana")
    dialog = make_dialog()
    assert dialog.form.reporter.text() == "Dana"
    dialog.form.reporter.clear()
    qtbot.keyClicks(dialog.form.reporter, "Sam Okafor")
    dialog.form.category.set_category(Category.ENVIRONMENT_INSTABILITY)
    qtbot.keyClicks(dialog.form.title, "Staging down")
    with qtbot.waitSignal(dialog.sent):
        dialog.send()
    assert settings.value(REPORTER_SETTING) == "Sam Okafor"
    assert make_dialog().form.reporter.text() == "Sam Okafor"


# -- pre-fill -------------------------------------------------------------------------------


def test_a_failing_stage_prefills_what_it_shows_and_the_reporter_picks_the_cause(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox, gateway: OutboxService
) -> None:
    dialog = make_dialog(prefill=_failing_stage_prefill())
    form = dialog.form
    # A failing security-scan stage may be a real vulnerability: nothing asserts a false alarm.
    assert form.category.category() is Category.OTHER
    assert form.title.text() == "api: stage security-scan failed"
    assert "pipeline 'api' stage 'security-scan' failed" in form.impact.toPlainText()
    form.category.set_category(Category.SECURITY_FALSE_POSITIVE)  # the reporter's pick
    assert form.badge.priority is Priority.P1
    with qtbot.waitSignal(dialog.sent):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert gateway.wait()
    (item,) = outbox.items()
    assert item.priority is Priority.P1
    assert item.report.category == "security-false-positive"
    assert item.report.board == BOARD
    body = item.report.body
    assert "cannot deploy to production" in body
    assert "Pipeline *api*, stage *security-scan*: failed" in body
    assert body.rstrip().endswith(f"<!-- releasable-key: {dialog.key} -->")


def test_an_unhealthy_environment_prefills_without_a_tier_field(make_dialog: MakeDialog) -> None:
    staging = next(e for e in SNAPSHOT.board.environments if e.name == "staging")
    dialog = make_dialog(prefill=environment_context(BOARD, staging, NOW))
    assert dialog.form.category.category() is Category.OTHER  # no cause asserted
    assert dialog.form.badge.priority is Priority.P1  # unanswered: the safe side
    assert set(dialog.form.fields()) == set(DRAFT_FIELDS)  # nothing about "only staging"


def test_remote_text_is_shown_as_plain_text(make_dialog: MakeDialog) -> None:
    hostile = sample_snapshot(NOW, "hostile")
    prefill = {"title": HOSTILE_NAME, "evidence": HOSTILE_NAME}
    dialog = make_dialog(snapshot=hostile, prefill=prefill)
    assert dialog.form.title.text() == HOSTILE_NAME
    assert HOSTILE_NAME in dialog.form.impact.toPlainText()
    for label in (dialog.evidence_label, dialog.form.reason, dialog.intro):
        assert label.textFormat() is Qt.TextFormat.PlainText
    assert "<b>" in dialog.evidence_label.text()


def test_a_prefill_that_names_a_category_is_not_taken_at_its_word(make_dialog: MakeDialog) -> None:
    dialog = make_dialog(prefill={"category": "security-false-positive", "title": "scan failed"})
    assert dialog.form.category.category() is Category.OTHER
    assert dialog.form.title.text() == "scan failed"


# -- keyboard -------------------------------------------------------------------------------


def test_tab_goes_through_every_field_in_order(make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    form = dialog.form
    expected: list[QWidget] = [
        form.category,
        form.title,
        form.trying_to,
        form.impact,
        form.yes,
        form.reporter,
        dialog.preview_toggle,
        dialog.close_button,
        dialog.send_button,
    ]
    form.category.setFocus()
    seen = [QApplication.focusWidget()]
    for _ in expected[1:]:
        dialog.focusNextChild()
        seen.append(QApplication.focusWidget())
    assert seen == expected
    for widget in expected[:6]:
        assert widget.accessibleName() or widget.text()  # type: ignore[attr-defined]


def test_mnemonics_reach_the_fields(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert dialog.form.impact.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.form.no.isChecked)  # a mnemonic "animates" the click
    assert dialog.form.statement.isVisible()


def test_the_preview_opens_beside_the_form_and_closes_again(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    narrow = dialog.width()
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.preview.isVisible)
    assert dialog.width() > narrow + dialog.preview.minimumWidth() // 2
    assert dialog.preview.isReadOnly()
    assert dialog.preview_text().startswith("# [P1] (no title yet)")
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.preview.isVisible())
    assert dialog.width() == pytest.approx(narrow, abs=20)


# -- the window's outbox rows ---------------------------------------------------------------


def test_outbox_rows_list_drafts_with_their_keys_then_queued_reports(
    qtbot: QtBot, make_dialog: MakeDialog, outbox: Outbox, gateway: OutboxService
) -> None:
    draft = make_dialog(autosave_ms=60_000)
    draft.form.category.set_category(Category.OTHER)
    qtbot.mouseClick(draft.form.no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(draft.form.statement, "nightly build still ships")
    qtbot.keyClicks(draft.form.title, "Wiki slow")
    draft.close()
    sent = make_dialog()
    sent.form.category.set_category(Category.CI_INSTABILITY)
    qtbot.keyClicks(sent.form.title, "Runners gone")
    with qtbot.waitSignal(sent.sent):
        sent.send()
    assert gateway.wait()

    rows = outbox_rows(outbox.load_drafts(), outbox.pending())
    assert [(r.key, r.priority, r.title, r.state) for r in rows] == [
        (draft.key, "P2", "Wiki slow", "draft, not sent yet: double-click to finish it"),
        (sent.key, "P1", "Runners gone", "waiting to be sent"),
    ]
    assert rows[0].draft is not None and rows[1].draft is None
    reopened = make_dialog(draft=rows[0].draft)
    assert reopened.form.statement.text() == "nightly build still ships"
