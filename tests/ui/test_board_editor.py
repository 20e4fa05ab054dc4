"""The board editor: round-trips through the real writer and loader, the generated forms,
validation beside the field, tokens kept out of the file, "Test" against loopback servers.

Every test drives the editor as a person would (typing, clicking, choosing from menus) and
checks what reached the disk, the keyring or the screen, waiting on signals and conditions,
never sleeping. Saving, storing tokens and testing all run through `run_task`; each test
waits for those tasks to finish before the editor is closed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPushButton, QWidget
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from app.config import settings
from app.config.board import (
    BoardConfig,
    FreezeConfig,
    JenkinsOptions,
    MaintenanceConfig,
    PipelineConfig,
)
from app.config.loader import load_board
from app.config.secrets import KEYRING_SERVICE
from app.services.tasks import pending_tasks
from app.ui.editor.editor import BoardEditor
from app.ui.editor.entries import EntryListModel
from app.ui.editor.files import toml_has_comments

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "boards" / "example.toml"
SECRET = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"  # shaped like a real GitHub token


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, for tests (no desktop service, nothing on disk)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring has no annotations
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def example() -> BoardConfig:
    return load_board(EXAMPLE)


@pytest.fixture
def save_to(tmp_path: Path) -> Path:
    return tmp_path / "saved" / "board.toml"


@pytest.fixture
def make_editor(qtbot: QtBot, save_to: Path) -> Iterator[type[BoardEditor]]:
    made: list[BoardEditor] = []

    def make(*args: object, **kwargs: object) -> BoardEditor:
        kwargs.setdefault("ask_path", lambda _parent, _current: save_to)
        editor = BoardEditor(*args, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(editor)
        made.append(editor)
        qtbot.waitUntil(lambda: editor.keyring.available is not None)
        return editor

    yield make  # type: ignore[misc]
    qtbot.waitUntil(lambda: pending_tasks() == 0)


def line_edit(editor: BoardEditor, key: str) -> QLineEdit:
    assert editor.form is not None
    widget = editor.form.widget_for(key)
    assert isinstance(widget, QLineEdit), key
    return widget


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def save(qtbot: QtBot, editor: BoardEditor) -> Path:
    with qtbot.waitSignal(editor.saved, timeout=5000) as blocker:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    path = blocker.args[0]
    assert isinstance(path, Path)
    return path


def select_pipeline(editor: BoardEditor, name: str) -> None:
    entry = next(e for e in editor.doc.pipelines if e.name == name)
    editor.select(entry)
    assert editor.current_entry() is entry


# -- round trips -------------------------------------------------------------------------------


def test_unedited_load_save_load_gives_the_same_board(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, save_to: Path
) -> None:
    editor = make_editor(example)
    assert not editor.is_modified()

    path = save(qtbot, editor)

    assert path == save_to
    assert load_board(save_to) == example
    assert "#" not in save_to.read_text()  # written by the writer, not copied


def test_edit_round_trip_change_a_field_add_a_pipeline_reorder(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, save_to: Path
) -> None:
    editor = make_editor(example)
    # change a field: the api pipeline reads another branch
    select_pipeline(editor, "api")
    retype(qtbot, line_edit(editor, "branch"), "release")
    # add a pipeline by kind, from the "Add pipeline" menu
    menu = editor.entries_panel.add_pipeline_button.menu()
    next(a for a in menu.actions() if a.objectName() == "add_jenkins").trigger()
    assert editor.current_entry() is editor.doc.pipelines[-1]
    retype(qtbot, line_edit(editor, "name"), "deploy")
    retype(qtbot, line_edit(editor, "url"), "https://jenkins.example.com/job/deploy/")
    # reorder: mobile before web
    select_pipeline(editor, "mobile")
    qtbot.mouseClick(editor.entries_panel.up_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.validated):
        pass
    assert editor.is_modified()
    assert editor.modified_label.isVisibleTo(editor)

    save(qtbot, editor)

    api, web, mobile = example.pipelines
    jenkins = PipelineConfig(
        name="deploy",
        options=JenkinsOptions(url="https://jenkins.example.com/job/deploy/"),
        refresh_seconds=example.refresh_seconds,
        stale_after_seconds=example.stale_after_seconds,
    )
    expected = replace(
        example,
        pipelines=(
            replace(api, options=replace(api.options, branch="release")),  # type: ignore[arg-type]
            mobile,
            web,
            jenkins,
        ),
    )
    assert load_board(save_to) == expected
    assert not editor.is_modified()
    assert not editor.modified_label.isVisibleTo(editor)


def test_saved_file_is_readable_toml_in_declaration_order(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, save_to: Path
) -> None:
    save(qtbot, make_editor(example))

    text = save_to.read_text()
    assert text.startswith('[board]\nname = "Payments team"\n')
    assert text.count("[[pipelines]]") == 3 and text.count("[[environments]]") == 1
    api_block = text.split("[[pipelines]]")[1]
    keys = [line.split(" = ")[0] for line in api_block.strip().splitlines()]
    assert keys == ["name", "source", "repo", "workflow", "token_env"]  # defaults left out


def test_a_new_board_is_created_from_nothing(
    qtbot: QtBot, make_editor: type[BoardEditor], save_to: Path
) -> None:
    editor = make_editor(None)
    assert editor.current_entry() is editor.doc.board
    assert "is required" in editor.form.issue_text("name")  # type: ignore[union-attr]
    retype(qtbot, line_edit(editor, "name"), "Platform team")
    qtbot.mouseClick(editor.entries_panel.add_environment_button, Qt.MouseButton.LeftButton)
    retype(qtbot, line_edit(editor, "name"), "production")
    retype(qtbot, line_edit(editor, "url"), "https://example.com/livez")

    save(qtbot, editor)

    board = load_board(save_to)
    assert board.name == "Platform team"
    assert [(e.name, e.url) for e in board.environments] == [
        ("production", "https://example.com/livez")
    ]


def test_remove_and_move_keep_the_board_order(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "api")
    assert not editor.entries_panel.up_button.isEnabled()
    editor.move_current(1)
    assert [p.name for p in editor.doc.pipelines] == ["web", "api", "mobile"]
    assert editor.current_entry() is editor.doc.pipelines[1]
    qtbot.mouseClick(editor.entries_panel.remove_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in editor.doc.pipelines] == ["web", "mobile"]
    assert editor.current_entry() is editor.doc.pipelines[1]  # the next one is selected
    editor.select(editor.doc.tracker)
    assert not editor.entries_panel.remove_button.isEnabled()


# -- generated forms -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", settings.SOURCE_KINDS)
def test_the_form_of_each_source_kind_shows_exactly_its_declared_keys(
    make_editor: type[BoardEditor], kind: str
) -> None:
    editor = make_editor(None)
    editor.add_pipeline(kind)

    assert editor.form is not None
    declared = tuple(s.key for s in settings.pipeline_settings(kind))
    assert editor.form.field_keys() == declared
    for key in declared:
        assert editor.form.widget_for(key) is not None, key


@pytest.mark.parametrize("kind", settings.TRACKER_KIND_NAMES)
def test_the_tracker_form_follows_its_kind(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, kind: str
) -> None:
    editor = make_editor(example)
    editor.select(editor.doc.tracker)
    assert editor.form is not None
    combo = editor.form.fields["kind"].combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(kind))

    assert editor.form.field_keys() == tuple(s.key for s in settings.tracker_settings(kind))
    kept = {"kind", "api_url", "repo", "token_env", "labels", "priority_labels", "assignees"}
    declared = {s.key for s in settings.tracker_settings(kind)}
    assert set(editor.doc.tracker.values) <= kept & declared  # other kinds' keys are dropped


def test_changing_the_source_keeps_shared_keys_and_drops_the_old_kinds_own(
    make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "mobile")  # gitlab, with a self-managed api_url
    assert editor.form is not None
    combo = editor.form.fields["source"].combo  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData("github-actions"))

    assert editor.doc.pipelines[2].values == {
        "name": "mobile",
        "source": "github-actions",
        "token_env": "GITLAB_TOKEN",
    }
    assert editor.form.field_keys() == tuple(
        s.key for s in settings.pipeline_settings("github-actions")
    )
    assert line_edit(editor, "api_url").text() == ""  # GitHub's default, not GitLab's address
    assert "is required" in editor.form.issue_text("repo")


def test_board_and_environment_forms_show_their_declared_keys(
    make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    editor.select(editor.doc.board)
    assert editor.form is not None
    assert editor.form.field_keys() == settings.BOARD.keys
    editor.select(editor.doc.environments[0])
    assert editor.form.field_keys() == settings.ENVIRONMENT.keys


def test_descriptions_are_help_text_and_defaults_are_placeholders(
    make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "api")
    assert editor.form is not None
    branch = settings.PIPELINE_SOURCES["github-actions"].get("branch")
    assert branch is not None
    edit = line_edit(editor, "branch")
    assert edit.toolTip() == branch.description
    assert edit.placeholderText() == "default: main"
    help_label = editor.form.findChild(QWidget, "help_branch")
    assert help_label is not None and branch.description in help_label.text()  # type: ignore[attr-defined]
    delivery = editor.form.widget_for("delivery_path")
    assert isinstance(delivery, QCheckBox) and delivery.isChecked()


# -- validation ------------------------------------------------------------------------------


def test_a_validation_error_appears_beside_its_field(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "api")
    assert editor.form is not None

    with qtbot.waitSignal(editor.validated, timeout=2000):
        retype(qtbot, line_edit(editor, "repo"), "payments-api")

    assert "owner/name" in editor.form.issue_text("repo")
    assert editor.form.issue_text("workflow") == ""
    assert editor.form.issue_text("name") == ""
    row = editor.model.row_of(editor.doc.pipelines[0].uid)
    assert "1 problem" in editor.model.index(row).data()
    assert "1 problem" in editor.problems_label.text()

    with qtbot.waitSignal(editor.validated, timeout=2000):
        retype(qtbot, line_edit(editor, "repo"), "acme/payments-api")
    assert editor.form.issue_text("repo") == ""
    assert not editor.is_modified()  # back to what was loaded


def test_a_token_row_problem_is_shown_on_the_token_row(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "api")
    with qtbot.waitSignal(editor.validated, timeout=2000):
        retype(qtbot, line_edit(editor, "token_env"), "$GITHUB_TOKEN")
    assert "without '$'" in editor.form.issue_text("token_env")  # type: ignore[union-attr]


def test_save_is_refused_while_the_board_has_problems(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, save_to: Path
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "web")
    retype(qtbot, line_edit(editor, "url"), "ftp://ci.example.com/cc.xml")

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    assert not save_to.exists()
    assert "Not saved" in editor.notice.label.text()
    assert editor.current_entry() is editor.doc.pipelines[1]
    assert "http" in editor.form.issue_text("url")  # type: ignore[union-attr]


# -- tokens ----------------------------------------------------------------------------------


def test_a_token_typed_for_the_keyring_never_reaches_the_board_file(
    qtbot: QtBot,
    make_editor: type[BoardEditor],
    example: BoardConfig,
    save_to: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    editor = make_editor(example)
    assert editor.keyring.available is True
    select_pipeline(editor, "api")
    assert editor.form is not None and editor.form.token is not None
    token = editor.form.token
    assert token.secret_edit is not None and token.secret_edit.isVisibleTo(editor)
    qtbot.keyClicks(token.secret_edit, SECRET)

    with qtbot.waitSignal(editor.keyring.stored, timeout=5000):
        qtbot.mouseClick(token.store_button, Qt.MouseButton.LeftButton)

    assert memory_keyring.entries == {(KEYRING_SERVICE, "api"): SECRET}
    assert token.secret_edit.text() == ""
    assert line_edit(editor, "token_keyring").text() == "api"
    assert "Stored in the OS keyring" in token.status.text()
    save(qtbot, editor)
    text = save_to.read_text()
    assert SECRET not in text
    assert 'token_keyring = "api"' in text
    assert load_board(save_to).pipelines[0].token_keyring == "api"


def test_without_a_keyring_only_the_environment_variable_is_offered(
    make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)  # tests run with keyring's null backend
    assert editor.keyring.available is False
    select_pipeline(editor, "api")
    token = editor.form.token  # type: ignore[union-attr]
    assert token is not None
    assert not token.secret_row.isVisibleTo(editor)
    assert not token.keyring_edit.isVisibleTo(editor)  # type: ignore[union-attr]
    assert token.env_edit is not None and token.env_edit.isVisibleTo(editor)
    assert "no OS keyring" in token.keyring_note.text()


def test_a_failing_keyring_is_said_in_words(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    def refuse(_entry: str, _token: str) -> None:
        raise RuntimeError("the keyring is locked")

    editor = make_editor(example, keyring_check=lambda: True, store_secret=refuse)
    select_pipeline(editor, "api")
    token = editor.form.token  # type: ignore[union-attr]
    assert token is not None and token.secret_edit is not None
    qtbot.keyClicks(token.secret_edit, SECRET)
    with qtbot.waitSignal(editor.keyring.stored, timeout=5000):
        token.store_now()
    assert token.status.text() == "Not stored: the keyring is locked"
    assert "token_keyring" not in editor.doc.pipelines[0].values


# -- Test button -----------------------------------------------------------------------------

CCTRAY_FEED = """<?xml version="1.0"?>
<Projects>
  <Project name="web :: build" activity="Sleeping" lastBuildStatus="Success"
    lastBuildLabel="41" lastBuildTime="2025-03-04T10:00:00Z" webUrl="https://ci/web/build"/>
  <Project name="web :: deploy" activity="Sleeping" lastBuildStatus="Failure"
    lastBuildLabel="41" lastBuildTime="2025-03-04T10:05:00Z" webUrl="https://ci/web/deploy"/>
  <Project name="other :: build" activity="Sleeping" lastBuildStatus="Success"/>
</Projects>
"""


def run_test(qtbot: QtBot, editor: BoardEditor) -> str:
    button = editor.panel.test_button
    with qtbot.waitSignal(editor.test_finished, timeout=10000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert button.text() == "Cancel test"
        assert editor.panel.result.toPlainText().startswith("Testing")
    assert button.text() == "Test"
    return editor.panel.result.toPlainText()


def test_testing_an_environment_shows_its_health(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/actuator/health").respond_with_json({"status": "UP"})
    editor = make_editor(example)
    editor.select(editor.doc.environments[0])
    retype(qtbot, line_edit(editor, "url"), httpserver.url_for("/actuator/health"))

    text = run_test(qtbot, editor)

    assert "health" in text and "UP" in text
    assert "status 200" in text
    assert editor.panel.result_box.isVisibleTo(editor)


def test_a_test_uses_the_named_token_and_never_shows_it(
    qtbot: QtBot,
    make_editor: type[BoardEditor],
    example: BoardConfig,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STAGING_TOKEN", SECRET)
    httpserver.expect_request(
        "/actuator/health", headers={"Authorization": f"Bearer {SECRET}"}
    ).respond_with_json({"status": "UP"})
    editor = make_editor(example)
    editor.select(editor.doc.environments[0])
    retype(qtbot, line_edit(editor, "url"), httpserver.url_for("/actuator/health"))
    retype(qtbot, line_edit(editor, "token_env"), "STAGING_TOKEN")

    text = run_test(qtbot, editor)

    assert "UP" in text
    assert "  token      from the environment variable STAGING_TOKEN" in text
    assert SECRET not in text


def test_testing_a_cctray_pipeline_shows_its_stages(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/cc.xml").respond_with_data(
        CCTRAY_FEED, content_type="application/xml"
    )
    editor = make_editor(example)
    select_pipeline(editor, "web")
    retype(qtbot, line_edit(editor, "url"), httpserver.url_for("/cc.xml"))

    text = run_test(qtbot, editor)

    assert "FAILED at stage deploy" in text
    stage_lines = [
        line.split() for line in text.splitlines() if line.strip().startswith(("build", "deploy"))
    ]
    assert [(words[0], words[1]) for words in stage_lines] == [
        ("build", "passed"),
        ("deploy", "failed"),
    ]
    assert "other" not in text


def test_a_test_that_cannot_connect_says_why(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/actuator/health").respond_with_data("nope", status=404)
    editor = make_editor(example)
    editor.select(editor.doc.environments[0])
    retype(qtbot, line_edit(editor, "url"), httpserver.url_for("/actuator/health"))

    text = run_test(qtbot, editor)

    assert "Could not read it:" in text and "404" in text


def test_a_table_with_problems_is_not_tested(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "web")
    line_edit(editor, "url").clear()
    qtbot.mouseClick(editor.panel.test_button, Qt.MouseButton.LeftButton)
    assert "Fix the problems" in editor.panel.result.toPlainText()
    assert "url: is required" in editor.panel.result.toPlainText()
    assert pending_tasks() == 0


def test_a_cancelled_test_drops_its_late_result(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/actuator/health").respond_with_json({"status": "UP"})
    editor = make_editor(example)
    editor.select(editor.doc.environments[0])
    retype(qtbot, line_edit(editor, "url"), httpserver.url_for("/actuator/health"))
    finished: list[str] = []
    editor.test_finished.connect(finished.append)

    editor.test_current()
    editor.test_current()  # "Cancel test"
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10000)

    assert editor.panel.result.toPlainText() == "Test cancelled."
    assert editor.panel.test_button.text() == "Test"
    assert finished == []


def test_a_result_stays_with_its_entry_when_another_is_selected(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/actuator/health").respond_with_json({"status": "UP"})
    editor = make_editor(example)
    staging = editor.doc.environments[0]
    editor.select(staging)
    retype(qtbot, line_edit(editor, "url"), httpserver.url_for("/actuator/health"))
    with qtbot.waitSignal(editor.test_finished, timeout=10000):
        editor.test_current()
        select_pipeline(editor, "api")  # move on while the test runs
    assert not editor.panel.result_box.isVisibleTo(editor)
    editor.select(staging)
    assert "UP" in editor.panel.result.toPlainText()


# -- saving over a file, closing -------------------------------------------------------------


def test_saving_over_a_commented_file_warns_first(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, tmp_path: Path
) -> None:
    team_file = tmp_path / "team" / "board.toml"
    team_file.parent.mkdir()
    shutil.copy(EXAMPLE, team_file)
    before = team_file.read_text()
    editor = make_editor(example, team_file)

    editor.save()
    qtbot.waitUntil(lambda: editor.notice.isVisibleTo(editor) and not editor.flow.busy)

    assert "comments will be lost" in editor.notice.label.text()
    assert team_file.read_text() == before
    anyway = editor.notice.button("Save anyway")
    assert isinstance(anyway, QPushButton)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(anyway, Qt.MouseButton.LeftButton)
    assert not toml_has_comments(team_file.read_text())
    assert load_board(team_file) == example


def test_closing_with_unsaved_changes_asks_in_the_notice_bar(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "api")
    with qtbot.waitSignal(editor.modified_changed, timeout=2000) as modified:
        retype(qtbot, line_edit(editor, "branch"), "release")
    assert modified.args == [True]
    closed: list[bool] = []
    editor.close_requested.connect(lambda: closed.append(True))

    editor.request_close()
    assert closed == []
    assert "unsaved changes" in editor.notice.label.text()
    discard = editor.notice.button("Discard changes")
    assert discard is not None
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert closed == [True]


def test_closing_without_changes_just_closes(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    with qtbot.waitSignal(editor.close_requested):
        qtbot.mouseClick(editor.top.close_button, Qt.MouseButton.LeftButton)


# -- the list model and the comment scan ------------------------------------------------------


def test_the_entry_list_model_passes_the_model_tester(
    qtmodeltester: object, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    model = editor.model
    assert isinstance(model, EntryListModel)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    texts = [model.index(r).data() for r in range(model.rowCount())]
    assert texts[0] == "Board — Payments team"
    assert texts[1] == "Pipelines (3)"
    assert texts[-1] == "Tracker — GitHub Issues"
    assert not model.flags(model.index(1)) & Qt.ItemFlag.ItemIsSelectable


@pytest.mark.parametrize(
    ("text", "has"),
    [
        ('a = "x" # note\n', True),
        ("# heading\n[board]\n", True),
        ('name = "web # 1"\n', False),
        ("name = 'a#b'\n", False),
        ('text = """\n# not a comment\n"""\n', False),
        ('text = """x"""  # but this is\n', True),
        ('x = "escaped \\" # still inside"\n', False),
    ],
)
def test_comment_scan_ignores_hashes_inside_strings(text: str, has: bool) -> None:
    assert toml_has_comments(text) is has


# -- planned time: [[freeze]] and [[maintenance]] ---------------------------------------------


def add_planned(editor: BoardEditor, table: str) -> None:
    menu = editor.entries_panel.add_planned_button.menu()
    next(a for a in menu.actions() if a.objectName() == f"add_{table}").trigger()


def test_a_freeze_and_a_maintenance_window_are_added_checked_and_saved(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, save_to: Path
) -> None:
    editor = make_editor(example)
    add_planned(editor, "freeze")
    entry = editor.current_entry()
    assert entry is not None and entry is editor.doc.freezes[-1]
    assert "is required" in editor.form.issue_text("start")  # type: ignore[union-attr]
    retype(qtbot, line_edit(editor, "start"), "2026-12-19T18:00:00+01:00")
    retype(qtbot, line_edit(editor, "end"), "2026-12-19T10:00:00")
    with qtbot.waitSignal(editor.validated):
        pass
    assert "needs its offset" in editor.form.issue_text("end")  # type: ignore[union-attr]
    retype(qtbot, line_edit(editor, "end"), "2027-01-04T08:00:00+01:00")
    retype(qtbot, line_edit(editor, "reason"), "year-end")
    add_planned(editor, "maintenance")
    retype(qtbot, line_edit(editor, "environment"), "staging")
    retype(qtbot, line_edit(editor, "start_time"), "22:00")
    retype(qtbot, line_edit(editor, "end_time"), "04:00")
    retype(qtbot, line_edit(editor, "timezone"), "Europe/Berlin")
    with qtbot.waitSignal(editor.validated):
        pass
    titles = [editor.model.data(editor.model.index(r)) for r in range(editor.model.rowCount())]
    assert "Planned time (2)" in titles
    assert any("Freeze — year-end" in str(t) for t in titles)

    save(qtbot, editor)

    saved = load_board(save_to)
    assert saved.freezes == (
        FreezeConfig(
            datetime.fromisoformat("2026-12-19T18:00:00+01:00"),
            datetime.fromisoformat("2027-01-04T08:00:00+01:00"),
            "year-end",
        ),
    )
    assert saved.maintenance == (
        MaintenanceConfig(
            environment="staging",
            start_time=time(22, 0),
            end_time=time(4, 0),
            timezone="Europe/Berlin",
        ),
    )
    assert "start = 2026-12-19T18:00:00+01:00" in save_to.read_text()


def test_an_unedited_board_with_planned_time_keeps_it(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig, save_to: Path
) -> None:
    planned = replace(
        example,
        freezes=(
            FreezeConfig(
                datetime.fromisoformat("2026-12-19T18:00:00+01:00"),
                datetime.fromisoformat("2027-01-04T08:00:00+01:00"),
            ),
        ),
        maintenance=(MaintenanceConfig(weekdays=("sat",), start_time=time(1), end_time=time(2)),),
    )
    editor = make_editor(planned)
    assert not editor.is_modified()
    save(qtbot, editor)
    assert load_board(save_to) == planned
    editor.select(editor.doc.maintenance[0])
    qtbot.mouseClick(editor.entries_panel.remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, editor)
    assert load_board(save_to).maintenance == ()


# -- browser URLs in source and tracker fields ------------------------------------------------


def paste_url(qtbot: QtBot, editor: BoardEditor, key: str, url: str) -> None:
    """Type the page's address into `key` and finish (Enter), as a paste then Tab would."""
    edit = line_edit(editor, key)
    retype(qtbot, edit, url)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_a_github_workflow_page_fills_repo_workflow_branch_and_api_url(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "api")
    assert "paste the page's address" in line_edit(editor, "repo").placeholderText()

    paste_url(
        qtbot,
        editor,
        "repo",
        "https://ghe.example.com/acme/shop/actions/workflows/release.yml?query=branch%3Arc",
    )

    values = editor.doc.pipelines[0].values
    assert (values["repo"], values["workflow"], values["branch"]) == (
        "acme/shop",
        "release.yml",
        "rc",
    )
    assert values["api_url"] == "https://ghe.example.com/api/v3"
    assert line_edit(editor, "repo").text() == "acme/shop"
    assert line_edit(editor, "workflow").text() == "release.yml"
    editor.validate_now()
    assert editor.doc.pipelines[0].problem_count() == 0


def test_a_gitlab_page_and_a_jenkins_build_page_fill_their_keys(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    select_pipeline(editor, "mobile")
    paste_url(qtbot, editor, "project", "https://git.example.com/acme/apps/ios/-/pipelines")
    mobile = next(e for e in editor.doc.pipelines if e.name == "mobile").values
    assert (mobile["project"], mobile["api_url"]) == (
        "acme/apps/ios",
        "https://git.example.com/api/v4",
    )

    editor.add_pipeline("jenkins")
    paste_url(qtbot, editor, "url", "https://ci.example.com/job/pay/job/api/128/console")
    assert editor.doc.pipelines[-1].values["url"] == "https://ci.example.com/job/pay/job/api/"


def test_a_jira_issue_page_fills_the_trackers_address_and_project_key(
    qtbot: QtBot, make_editor: type[BoardEditor], example: BoardConfig
) -> None:
    editor = make_editor(example)
    editor.select(editor.doc.tracker)
    kind = editor.form.fields["kind"]  # type: ignore[union-attr]
    combo = kind.focus_widget()
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("jira"))

    paste_url(qtbot, editor, "url", "https://acme.atlassian.net/browse/PLAT-431")

    values = editor.doc.tracker.values
    assert (values["url"], values["project_key"]) == ("https://acme.atlassian.net", "PLAT")


# -- the tracker's Test -----------------------------------------------------------------------


def test_the_tracker_test_checks_token_repository_and_labels_off_the_gui_thread(
    qtbot: QtBot,
    make_editor: type[BoardEditor],
    example: BoardConfig,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    httpserver.expect_request("/user").respond_with_json({"login": "releasable-bot"})
    httpserver.expect_request("/repos/acme/platform").respond_with_json(
        {"full_name": "acme/platform", "has_issues": True, "permissions": {"push": False}}
    )
    editor = make_editor(example)
    editor.select(editor.doc.tracker)
    assert editor.panel.test_button.isVisibleTo(editor)
    retype(qtbot, line_edit(editor, "api_url"), httpserver.url_for("").rstrip("/"))

    text = run_test(qtbot, editor)  # "Cancel test" while it runs: it is not on the GUI thread

    assert text.startswith("github tracker: NOT READY (nothing was filed)")
    assert "valid, for user releasable-bot" in text
    assert "no push access to acme/platform" in text
    assert SECRET not in text
    assert all(request.method == "GET" for request, _ in httpserver.log)
    assert editor.panel.result_heading.text() == "What the tracker said"
