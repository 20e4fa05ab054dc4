"""Photograph the kiosk as a team-room wall shows it: an X server with no window manager.

    python tools/wall_screenshot.py OUT.png [--size 1366x768] [--after 8] [releasable args…]

Starts Xvfb (no window manager: what `xinit` + the app gives a wall), runs
`releasable --demo --kiosk` on it (or the arguments given after `--`), waits `--after` seconds
for the demo to read its sources, and grabs the whole root window (what the screen shows, not
the app's own rendering) to OUT.png. Needs `bash tools/system-deps.sh --with-xvfb`.
"""

from __future__ import annotations

import argparse
import os
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0)
sys.exit(0 if image.save(sys.argv[1], "PNG") else 1)
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wall_screenshot", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="1366x768", help="the wall's resolution, WxH")
    parser.add_argument("--after", type=float, default=8.0, help="seconds before the grab")
    parser.add_argument("app_args", nargs="*", help="after --: releasable's own arguments")
    args = parser.parse_args(argv)
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0",
         f"{args.size}x24"],
        pass_fds=(write_end,),
    )  # fmt: skip
    os.close(write_end)
    app = None
    try:
        if not select.select([read_end], [], [], 30)[0]:
            print("wall_screenshot: Xvfb did not start", file=sys.stderr)
            return 1
        display = ":" + os.read(read_end, 64).decode().strip()
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        app_args = args.app_args or ["--demo", "--kiosk"]
        app = subprocess.Popen([sys.executable, "-m", "app", *app_args], cwd=ROOT, env=env)
        time.sleep(args.after)  # the demo reads its loopback sources meanwhile
        args.out.parent.mkdir(parents=True, exist_ok=True)
        grab = subprocess.run([sys.executable, "-c", GRAB, str(args.out)], env=env, timeout=60)
        if grab.returncode != 0:
            print(f"wall_screenshot: could not write {args.out}", file=sys.stderr)
            return 1
        print(f"wrote {args.out} (root window of Xvfb {args.size}, no window manager)")
        return 0
    finally:
        os.close(read_end)
        for process in (app, server):
            if process is not None:
                process.terminate()
                process.wait(20)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
