"""The declaration is the one source: the config dataclasses follow it key for key."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import pytest

from app.config import board, settings
from app.config.schema import Section, ValueType

KIND_CLASSES: list[tuple[Section, Any]] = [
    *((settings.PIPELINE_SOURCES[k], board.PIPELINE_OPTIONS[k]) for k in settings.SOURCE_KINDS),
    *((settings.TRACKER_KINDS[k], board.TRACKER_OPTIONS[k]) for k in settings.TRACKER_KIND_NAMES),
]
TABLE_CLASSES: list[tuple[tuple[settings.Setting, ...], type, set[str]]] = [
    (
        settings.BOARD.settings,
        board.BoardConfig,
        {"pipelines", "environments", "tracker", "freezes", "maintenance"},
    ),
    (
        settings.PIPELINE_TAIL.settings + settings.PIPELINE_HEAD.settings,
        board.PipelineConfig,
        {"options"},
    ),
    (settings.ENVIRONMENT.settings, board.EnvironmentConfig, set()),
    (settings.TRACKER_TAIL.settings, board.TrackerConfig, {"options"}),
    (settings.FREEZE.settings, board.FreezeConfig, set()),
    (settings.MAINTENANCE.settings, board.MaintenanceConfig, set()),
]


@pytest.mark.parametrize(("section", "cls"), KIND_CLASSES, ids=lambda v: getattr(v, "title", ""))
def test_kind_options_have_exactly_the_declared_keys_and_defaults(
    section: Section, cls: Any
) -> None:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(fields) == set(section.keys)
    assert cls.kind == section.kind
    for setting in section.settings:
        field = fields[setting.key]
        if setting.required:
            assert field.default is dataclasses.MISSING
            assert field.default_factory is dataclasses.MISSING
            continue
        factory = field.default_factory
        default = factory() if callable(factory) else field.default
        assert default == setting.default, setting.key


@pytest.mark.parametrize(
    ("declared", "cls", "extra"), TABLE_CLASSES, ids=lambda v: getattr(v, "__name__", "")
)
def test_table_classes_have_exactly_the_declared_keys(
    declared: tuple[settings.Setting, ...], cls: type, extra: set[str]
) -> None:
    names = {f.name for f in dataclasses.fields(cls)}
    keys = {s.key for s in declared} - {"source", "kind"}  # the options class says which
    assert names == keys | extra


def test_every_setting_is_described_in_one_line() -> None:
    for section in settings.all_sections():
        assert section.description
        for setting in section.settings:
            assert setting.description and "\n" not in setting.description
            assert re.fullmatch(r"[a-z_]+", setting.key)
            if setting.choices:
                assert setting.type is ValueType.TEXT
            if setting.required:
                assert setting.default is None


def test_map_defaults_cannot_be_changed_by_a_reader() -> None:
    labels = settings.TRACKER_KINDS["github"].get("priority_labels")
    assert labels is not None and isinstance(labels.default, Mapping)
    with pytest.raises(TypeError):
        labels.default["P1"] = "changed"  # type: ignore[index]


def test_configs_are_frozen_and_hashable() -> None:
    tracker = board.TrackerConfig(board.GithubTrackerOptions(repo="a/b"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        tracker.ca_bundle = "x"  # type: ignore[misc]
    assert hash(tracker) == hash(board.TrackerConfig(board.GithubTrackerOptions(repo="a/b")))
    assert tracker.token_env is None and tracker.kind == "github"


def test_configs_survive_copy_and_pickle() -> None:
    import copy
    import pickle

    options = board.WebhookTrackerOptions(url="https://h", headers=board.FrozenMap({"X-A": "1"}))
    tracker = board.TrackerConfig(options)
    assert copy.deepcopy(tracker) == tracker
    assert pickle.loads(pickle.dumps(tracker)) == tracker
