"""`releasable [--board FILE | --demo] [--kiosk [--screen N]] [--screenshot OUT.png …]`: the
board window.

The options live on the top-level parser (no subcommand opens the window). Qt is imported only
when the window really opens, after the command line was checked.
"""

from __future__ import annotations

import argparse

DEFAULT_SIZE = "1600x1000"
DEFAULT_AFTER_S = 3.0


def add_options(parser: argparse.ArgumentParser) -> None:
    """The window's own options (--board, --demo and --db come from the shared parent)."""
    group = parser.add_argument_group("the window (when no command is given)")
    group.add_argument("--kiosk", action="store_true", help="full-screen team-room mode")
    group.add_argument(
        "--screen",
        type=int,
        default=None,
        metavar="N",
        help="with --kiosk: the screen to fill, counted from 0 (default: the window's screen)",
    )
    group.add_argument(
        "--fleet",
        metavar="FILE",
        help="open the platform view of every team in this fleet file (default: one board)",
    )
    group.add_argument(
        "--demo-fleet",
        action="store_true",
        help="open the platform view on 30 bundled demo teams (loopback, no account)",
    )
    group.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the board offscreen to this PNG and exit (default: open the window)",
    )
    group.add_argument(
        "--size",
        type=parse_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help="with --screenshot: the image size",
    )
    group.add_argument(
        "--after",
        type=float,
        default=DEFAULT_AFTER_S,
        metavar="SECONDS",
        help="with --screenshot: poll for this long before rendering",
    )


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size must look like 1600x1000, not {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError("--size must be between 200x200 and 10000x10000")
    return w, h


def run(args: argparse.Namespace) -> int:
    from app.desktop.run import run_gui

    return run_gui(args, args.size)


__all__ = ["DEFAULT_AFTER_S", "DEFAULT_SIZE", "add_options", "parse_size", "run"]
