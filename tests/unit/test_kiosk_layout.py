"""Kiosk fitting: every item on screen without scrolling, paging only past a readable minimum."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ui.kiosk.layout import Layout, fit_grid, kiosk_metrics

SCREENS = [(1366, 768), (1920, 1080), (3840, 2160)]
COUNTS = [5, 50, 500]


def tile_area(width: int, height: int) -> tuple[int, int]:
    """Roughly the part of the screen the kiosk gives the tiles (below the banner)."""
    return width, int(height * 0.62)


def fit_for_screen(n: int, width: int, height: int) -> tuple[Layout, int, int]:
    m = kiosk_metrics(width, height)
    w, h = tile_area(width, height)
    layout = fit_grid(n, w, h, m.min_tile_w, m.min_tile_h, m.gap, max_tile_h=m.max_tile_h)
    return layout, w, h


def assert_valid(layout: Layout, n: int, w: int, h: int, min_w: int, min_h: int, gap: int) -> None:
    assert layout.per_page == layout.cols * layout.rows
    assert layout.per_page * layout.pages >= n, "every item is on some page"
    assert layout.per_page * (layout.pages - 1) < n, "no empty page"
    assert layout.cols * layout.tile_w + (layout.cols - 1) * gap <= w, "fits across"
    assert layout.rows * layout.tile_h + (layout.rows - 1) * gap <= h, "fits down"
    assert layout.tile_w >= min(min_w, w) - 1
    assert layout.tile_h >= min(min_h, h) - 1


@pytest.mark.parametrize("width,height", SCREENS)
@pytest.mark.parametrize("n", COUNTS)
def test_grid_fits_the_screen_with_readable_tiles(n: int, width: int, height: int) -> None:
    m = kiosk_metrics(width, height)
    layout, w, h = fit_for_screen(n, width, height)
    assert_valid(layout, n, w, h, m.min_tile_w, m.min_tile_h, m.gap)


@pytest.mark.parametrize("width,height", SCREENS)
def test_five_items_fit_on_one_page_as_large_tiles(width: int, height: int) -> None:
    layout, w, h = fit_for_screen(5, width, height)
    assert layout.pages == 1
    assert layout.per_page >= 5
    assert layout.tile_h >= kiosk_metrics(width, height).max_tile_h * 0.6


@pytest.mark.parametrize("width,height", SCREENS)
def test_five_hundred_items_page_but_keep_the_minimum_size(width: int, height: int) -> None:
    m = kiosk_metrics(width, height)
    layout, _, _ = fit_for_screen(500, width, height)
    assert layout.pages > 1
    assert layout.tile_w >= m.min_tile_w and layout.tile_h >= m.min_tile_h
    assert layout.pages == math.ceil(500 / layout.per_page), "no more pages than needed"


@pytest.mark.parametrize("width,height", SCREENS)
def test_fifty_items_use_all_of_one_page_or_split_evenly(width: int, height: int) -> None:
    m = kiosk_metrics(width, height)
    layout, w, h = fit_for_screen(50, width, height)
    capacity = ((w + m.gap) // (m.min_tile_w + m.gap)) * ((h + m.gap) // (m.min_tile_h + m.gap))
    assert layout.pages == (1 if capacity >= 50 else math.ceil(50 / capacity))


def test_layout_does_not_depend_on_pixel_density_only_on_proportions() -> None:
    small, _, _ = fit_for_screen(50, 1920, 1080)
    large, _, _ = fit_for_screen(50, 3840, 2160)
    assert (small.cols, small.rows, small.pages) == (large.cols, large.rows, large.pages)
    assert large.tile_w == pytest.approx(small.tile_w * 2, abs=4)


@pytest.mark.parametrize("width,height", SCREENS)
def test_verdict_text_is_at_least_eight_percent_of_the_screen(width: int, height: int) -> None:
    m = kiosk_metrics(width, height)
    assert m.title_px >= 0.08 * height
    assert m.reason_px < m.title_px


def test_sizes_scale_with_the_screen_not_fixed_pixels() -> None:
    hd, uhd = kiosk_metrics(1920, 1080), kiosk_metrics(3840, 2160)
    for name in ("title_px", "reason_px", "footer_px", "min_tile_w", "min_tile_h"):
        assert getattr(uhd, name) == pytest.approx(2 * getattr(hd, name), abs=2), name


def test_no_items_is_one_empty_page() -> None:
    layout = fit_grid(0, 1920, 1080, 300, 80)
    assert (layout.pages, layout.per_page) == (1, 0)
    assert list(layout.page_range(0, 0)) == []


def test_pages_cover_every_item_exactly_once() -> None:
    layout = fit_grid(137, 1366, 500, 240, 70, gap=6)
    seen = [i for page in range(layout.pages) for i in layout.page_range(page, 137)]
    assert seen == list(range(137))
    assert layout.page_range(layout.pages + 3, 137) == layout.page_range(layout.pages - 1, 137)


def test_max_tile_height_stops_a_few_items_from_becoming_posters() -> None:
    assert fit_grid(2, 1920, 1000, 300, 80).tile_h > 300
    assert fit_grid(2, 1920, 1000, 300, 80, max_tile_h=200).tile_h == 200


@given(
    n=st.integers(min_value=1, max_value=2000),
    w=st.integers(min_value=200, max_value=8000),
    h=st.integers(min_value=100, max_value=5000),
    min_w=st.integers(min_value=20, max_value=600),
    min_h=st.integers(min_value=10, max_value=300),
    gap=st.integers(min_value=0, max_value=20),
)
def test_any_screen_any_count_gives_a_valid_grid(
    n: int, w: int, h: int, min_w: int, min_h: int, gap: int
) -> None:
    layout = fit_grid(n, w, h, min_w, min_h, gap)
    min_w, min_h = min(min_w, w), min(min_h, h)
    # With a gap the minimum may not fit even once; the grid still fits the screen.
    if (min_w + gap) <= w and (min_h + gap) <= h:
        assert_valid(layout, n, w, h, min_w, min_h, gap)
    else:
        assert layout.per_page * layout.pages >= n
