"""Offscreen screenshots of the window and kiosk, and the status icons they are drawn with."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.demo.sample import sample_snapshot
from app.resources import resource_path
from app.ui.widgets.icons import app_icon, status_image, status_svg, write_icon_files
from app.ui.widgets.theme import (
    BANNER_FILLS,
    HEALTH_LOOKS,
    OUTCOME_LOOKS,
    STAGE_LOOKS,
    TONE_COLOURS,
    VERDICT_LOOKS,
    Tone,
)
from app.ui.window.screenshot import render_snapshot_png
from tests.ui.board_helpers import T0


@pytest.mark.parametrize("kiosk,size", [(False, (1366, 768)), (True, (1920, 1080))])
def test_render_snapshot_png_writes_the_requested_size(
    qtbot: QtBot, tmp_path: Path, kiosk: bool, size: tuple[int, int]
) -> None:
    out = render_snapshot_png(sample_snapshot(T0), tmp_path / "shot.png", size, kiosk=kiosk)
    image = QImage(str(out))
    assert (image.width(), image.height()) == size
    # The banner is painted in the verdict's colour at the top.
    top = image.pixelColor(size[0] // 2, 4 if kiosk else 60)
    assert top == QColor(BANNER_FILLS[sample_snapshot(T0).verdict.state])


def test_every_status_has_a_word_and_no_two_tones_share_a_shape() -> None:
    looks = [*STAGE_LOOKS.values(), *OUTCOME_LOOKS.values(), *HEALTH_LOOKS.values()]
    shapes_by_tone: dict[Tone, set[str]] = {}
    for look in looks:
        assert look.word
        shapes_by_tone.setdefault(look.tone, set()).add(look.shape.value)
    tones = [t for t in shapes_by_tone if t is not Tone.NEUTRAL]
    for a in tones:
        for b in tones:
            if a is not b:
                assert shapes_by_tone[a].isdisjoint(shapes_by_tone[b]), (a, b)
    assert {look.word for look in VERDICT_LOOKS.values()} == {
        "RELEASABLE",
        "NOT RELEASABLE",
        "UNKNOWN",
    }


def test_palette_avoids_green_against_red() -> None:
    good, bad = QColor(TONE_COLOURS[Tone.GOOD]), QColor(TONE_COLOURS[Tone.BAD])
    assert 180 <= good.hue() <= 240, "good is blue"
    assert bad.hue() <= 40, "bad is vermillion/orange-red"


def test_status_images_render_at_any_size_and_grey_out() -> None:
    look = STAGE_LOOKS[next(iter(STAGE_LOOKS))]
    for px in (16, 64, 250):
        image = status_image(look, px)
        assert (image.width(), image.height()) == (px, px)
        assert image.pixelColor(px // 2, px // 8).alpha() > 0
    coloured = status_image(look, 32).pixelColor(16, 3)
    greyed = status_image(look, 32, greyed=True).pixelColor(16, 3)
    assert coloured != greyed and greyed.saturation() < 20


def test_icon_files_match_the_generated_shapes(tmp_path: Path) -> None:
    for path in write_icon_files(tmp_path):
        shipped = resource_path("icons", path.name)
        assert shipped.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{shipped} is out of date: run `python -m app.ui.widgets.icons`"
        )
    assert "<svg" in status_svg(STAGE_LOOKS[next(iter(STAGE_LOOKS))].shape, "#000000")


def test_app_icon_loads(qtbot: QtBot) -> None:
    assert not app_icon().isNull()
