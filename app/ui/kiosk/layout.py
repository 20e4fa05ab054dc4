"""Kiosk sizing, in pure Python (no Qt) so it can be unit-tested for any screen.

Everything on the team-room screen is sized from the screen, never from fixed pixels:
`kiosk_metrics` turns a screen size into font and tile sizes, and `fit_grid` finds the tile
grid that shows all items as large as possible without scrolling. When even the smallest
readable tile cannot show every item at once, the items are split into pages that rotate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Fractions of the screen height (or width, where named so).
VERDICT_TITLE = 0.10  # verdict word: readable from 5 m; the brief asks for at least 8 %
REASON_TEXT = 0.03
FOOTER_TEXT = 0.026
MIN_TILE_H = 0.09
MIN_TILE_W_OF_WIDTH = 0.18
MAX_TILE_H = 0.20
GAP = 0.008
TILE_ASPECT = 3.2  # preferred width : height of a tile


@dataclass(frozen=True)
class Layout:
    """A tile grid: `cols` × `rows` tiles of `tile_w` × `tile_h`, `per_page` items a page."""

    cols: int
    rows: int
    per_page: int
    pages: int
    tile_w: int
    tile_h: int

    def page_range(self, page: int, n_items: int) -> range:
        """The item indexes shown on `page` (0-based, clamped to the last page)."""
        if self.per_page <= 0:
            return range(0)
        page = max(0, min(page, self.pages - 1))
        start = page * self.per_page
        return range(start, min(n_items, start + self.per_page))


def _grid_for(
    n: int, cols: int, width: int, height: int, gap: int
) -> tuple[int, int, float, float]:
    rows = math.ceil(n / cols)
    tile_w = (width - (cols - 1) * gap) / cols
    tile_h = (height - (rows - 1) * gap) / rows
    return cols, rows, tile_w, tile_h


def _best_grid(
    n: int,
    width: int,
    height: int,
    min_w: int,
    min_h: int,
    gap: int,
    aspect: float,
) -> tuple[int, int, float, float] | None:
    """The grid for `n` tiles whose text can be largest, or None if none is readable."""
    best: tuple[float, tuple[int, int, float, float]] | None = None
    for cols in range(1, n + 1):
        cols_, rows, tile_w, tile_h = _grid_for(n, cols, width, height, gap)
        if tile_w < min_w:
            break  # more columns only make tiles narrower
        if tile_h < min_h:
            continue
        # Text size is bounded by the height and by the width a line of text needs.
        score = min(tile_h, tile_w / aspect)
        # Prefer fewer empty cells at equal text size.
        key = score - 1e-6 * (cols_ * rows - n)
        if best is None or key > best[0]:
            best = (key, (cols_, rows, tile_w, tile_h))
    return None if best is None else best[1]


def fit_grid(
    n_items: int,
    width: int,
    height: int,
    min_tile_w: int,
    min_tile_h: int,
    gap: int = 0,
    aspect: float = TILE_ASPECT,
    max_tile_h: int | None = None,
) -> Layout:
    """Fit `n_items` tiles into `width` × `height`, paging past the readable minimum.

    On one page when every tile can be at least `min_tile_w` × `min_tile_h`; otherwise as many
    pages as needed, with the items spread evenly so the last page is not nearly empty.
    Tiles never exceed `max_tile_h` (when given) so a handful of items do not become posters.
    """
    width = max(1, int(width))
    height = max(1, int(height))
    min_w = max(1, min(int(min_tile_w), width))
    min_h = max(1, min(int(min_tile_h), height))
    if n_items <= 0:
        return Layout(0, 0, 0, 1, 0, 0)
    grid = _best_grid(n_items, width, height, min_w, min_h, gap, aspect)
    if grid is None:
        max_cols = max(1, (width + gap) // (min_w + gap))
        max_rows = max(1, (height + gap) // (min_h + gap))
        capacity = max_cols * max_rows
        pages = math.ceil(n_items / capacity)
        per_page_items = math.ceil(n_items / pages)
        grid = _best_grid(per_page_items, width, height, min_w, min_h, gap, aspect)
        if grid is None:  # cannot happen with capacity above, but never crash a kiosk
            grid = (max_cols, max_rows, width / max_cols, height / max_rows)
    cols, rows, tile_w, tile_h = grid
    pages = math.ceil(n_items / (cols * rows))
    if max_tile_h is not None:
        tile_h = min(tile_h, max(min_h, max_tile_h))
    return Layout(
        cols=cols,
        rows=rows,
        per_page=cols * rows,
        pages=pages,
        tile_w=int(tile_w),
        tile_h=int(tile_h),
    )


@dataclass(frozen=True)
class KioskMetrics:
    """Pixel sizes for a kiosk screen of `width` × `height`, all derived from the screen."""

    width: int
    height: int
    title_px: int
    icon_px: int
    reason_px: int
    footer_px: int
    margin: int
    gap: int
    min_tile_w: int
    min_tile_h: int
    max_tile_h: int


def kiosk_metrics(width: int, height: int) -> KioskMetrics:
    """Sizes for the team-room screen. Wide, short screens are sized by the smaller side."""
    h = max(1, int(height))
    w = max(1, int(width))
    # On an unusually narrow screen the title must still fit across: bound it by the width.
    title = min(VERDICT_TITLE * h, w / 9.5)
    return KioskMetrics(
        width=w,
        height=h,
        title_px=max(1, round(title)),
        icon_px=max(1, round(title * 1.25)),
        reason_px=max(1, round(min(REASON_TEXT * h, w / 45))),
        footer_px=max(1, round(FOOTER_TEXT * h)),
        margin=max(2, round(0.012 * h)),
        gap=max(2, round(GAP * h)),
        min_tile_w=max(1, round(MIN_TILE_W_OF_WIDTH * w)),
        min_tile_h=max(1, round(MIN_TILE_H * h)),
        max_tile_h=max(1, round(MAX_TILE_H * h)),
    )
