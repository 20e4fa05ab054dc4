"""The board editor's "Test": read one pipeline or environment once, as the board would, or
check the tracker without filing anything.

`probe_item()` checks the table alone and builds its source with the board's own builder
(`app.services.sources`), fetches once with a short timeout and describes what came back the
way `releasable probe` prints it (`app.services.probe`): the outcome and the stages with their
statuses, or the health with status code and latency, or what went wrong, in words, and where
the token came from. For the tracker, `check_words()` runs the check `releasable tracker
check` runs (`app.services.tracker_check`): token, project, labels. Both block, so the editor
runs them through `run_task`. Nothing in the text is ever a token.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from app.config.board import (
    CctrayOptions,
    GithubActionsOptions,
    GitlabOptions,
    PipelineConfig,
    TrackerConfig,
)
from app.config.errors import BoardFileError, format_path
from app.services.sources import Item, item_config
from app.services.tasks import run_task
from app.services.tracker_check import tracker_config
from app.ui.editor.entries import TRACKER, Entry

TEST_CONNECT_TIMEOUT_S = 5.0
TEST_READ_TIMEOUT_S = 10.0


def probe_item(item: Item) -> str:
    """Fetch `item` once and say what the board would see (blocking: run it off the GUI thread).

    A read that fails is described, not raised; only a bug raises.
    """
    from app.services.probe import probe, render_text

    if isinstance(item, PipelineConfig):
        kind, target = item.source, _pipeline_target(item)
    else:
        kind, target = "health", item.url
    doc = probe(
        item,
        {"kind": kind, "url": target},
        connect_timeout_s=TEST_CONNECT_TIMEOUT_S,
        read_timeout_s=TEST_READ_TIMEOUT_S,
    )
    return render_text(doc)


def _pipeline_target(p: PipelineConfig) -> str:
    opts = p.options
    if isinstance(opts, GithubActionsOptions):
        return f"{opts.repo} {opts.workflow} on {opts.branch} ({opts.api_url})"
    if isinstance(opts, GitlabOptions):
        return f"{opts.project} on {opts.ref} ({opts.api_url})"
    if isinstance(opts, CctrayOptions) and opts.project_prefix:
        return f"{opts.url} (projects starting with '{opts.project_prefix}')"
    return opts.url


def test_job(entry: Entry) -> Callable[[], str]:
    """What "Test" runs off the GUI thread for `entry`; the table is checked here first
    (raises `BoardFileError`), so nothing is sent for a table with problems."""
    if entry.table == TRACKER:
        config = tracker_config(entry.values)
        return lambda: check_words(config)
    item = item_config(entry.table, entry.values)
    return lambda: probe_item(item)


def check_words(config: TrackerConfig) -> str:
    """The tracker check that files nothing (token, project, labels), in words (blocking)."""
    from app.services.tracker_check import check_config, render_report

    return render_report(config.kind, check_config(config, timeout_s=TEST_READ_TIMEOUT_S))


def problems_words(err: BoardFileError) -> str:
    """Why a table cannot be tested yet."""
    lines = []
    for issue in err.issues:
        skip = 1 if issue.path[:1] == ("tracker",) else 2  # ("pipelines", 0, "url") -> "url"
        key = format_path(issue.path[skip:])
        lines.append(f"  • {key}: {issue.message}" if key else f"  • {issue.message}")
    return "Fix the problems marked in the form first:\n" + "\n".join(lines)


class EntryTester(QObject):
    """Runs "Test" for editor entries, one at a time per entry; a late answer is dropped.

    The result lives on the entry (`testing`, `test_text`), so it survives switching to another
    entry and back. `changed(uid)` whenever an entry's test state changed; `finished(uid)` when
    a result arrived and was kept. Testing a table while its test runs cancels that test.
    """

    changed = Signal(int)
    finished = Signal(int)

    def toggle(self, entry: Entry) -> None:
        """Start testing `entry`, or cancel its running test."""
        if not entry.can_test():
            return
        entry.test_generation += 1
        if entry.testing:
            entry.testing, entry.test_text = False, "Test cancelled."
            self.changed.emit(entry.uid)
            return
        try:
            job = test_job(entry)
        except BoardFileError as err:
            entry.test_text = problems_words(err)
            self.changed.emit(entry.uid)
            return
        entry.testing, entry.test_text = True, f"Testing {entry.name or 'the tracker'}…"
        self.changed.emit(entry.uid)
        generation = entry.test_generation
        run_task(
            job,
            lambda text: self._done(entry, generation, text),
            lambda err: self._done(entry, generation, f"The test failed: {type(err).__name__}"),
        )

    def _done(self, entry: Entry, generation: int, text: str) -> None:
        if not isValid(self) or entry.test_generation != generation:
            return  # the editor is gone, or the test was cancelled or started again
        entry.testing, entry.test_text = False, text
        self.changed.emit(entry.uid)
        self.finished.emit(entry.uid)


__all__ = ["EntryTester", "check_words", "problems_words", "probe_item", "test_job"]
