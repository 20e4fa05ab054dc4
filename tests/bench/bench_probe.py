"""`releasable probe` benchmark: a whole process reading a 5,000-project cctray feed.

    .venv/bin/python tests/bench/bench_probe.py

Prints figures, asserts nothing. A loopback server (tests/bench/loopback.py, in this process:
it only serves while the probe runs) serves a 5,000-project feed of about 1.1 MB; the probe
runs as a new process 5 times (after one warm-up run that is not counted), both as
`.venv/bin/releasable probe cctray URL --json` and as `python -m app probe cctray URL --json`,
under `/usr/bin/time -v` when it is installed (its wall clock has 10 ms steps, so this script
also times the process itself) for the peak RSS. Each twice over: as this environment runs
Python (PYTHONDONTWRITEBYTECODE=1: the app's modules are compiled at every start) and with a
bytecode cache (PYTHONPYCACHEPREFIX in a temp dir), as an installed app runs. Then, for where
the time goes, an in-process breakdown (imports, fetch, parse, read, JSON) and the
interpreter's own start-up.

The machine is shared: the median and the minimum are both printed, with the load average.
Target (issue 3): ≤ 0.23 s median, well under the ~0.38 s of the fastest Python build monitor.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import Document, LoopbackServer, cctray_feed

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
RELEASABLE = ROOT / ".venv" / "bin" / "releasable"
GNU_TIME = Path("/usr/bin/time")
PROJECTS = 5000
RUNS = 5
RUN_TIMEOUT_S = 60.0
TARGET_S = 0.23

BREAKDOWN = """
import sys, time
t0 = time.perf_counter()
import app.services.probe as probe
from app.sources.cctray import CctraySource
from app.sources.http import HttpClient
t1 = time.perf_counter()
source, url = CctraySource(sys.argv[1]), sys.argv[1]
http = HttpClient()
body = http.get(url, conditional=False).body
t2 = time.perf_counter()
from app.sources.cctray_feed import parse_feed
projects = parse_feed(body)
t3 = time.perf_counter()
reading = source.read(projects)
t4 = time.perf_counter()
import json
text = json.dumps(probe.reading_doc(reading))
t5 = time.perf_counter()
marks = [t0, t1, t2, t3, t4, t5]
print(" ".join(f"{(b - a) * 1000:.1f}" for a, b in zip(marks, marks[1:])))
"""


def run_once(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """One process: wall time (this script's clock), and peak RSS and wall from GNU time."""
    wrapped = [str(GNU_TIME), "-v", *cmd] if GNU_TIME.exists() else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(wrapped, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    stages = len(json.loads(done.stdout)["stages"])
    result = {"wall_s": wall, "stages": stages, "out_kb": len(done.stdout) / 1024}
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    clock = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    if rss:
        result["rss_mb"] = int(rss.group(1)) / 1024
    else:  # no GNU time: the largest child so far, which is this one if it is the largest
        result["rss_mb"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        result["rss_mb"] /= 1024
    if clock:
        hours, minutes, seconds = clock.groups()
        result["time_wall_s"] = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return result


def _row(name: str, values: list[float], unit: str, fmt: str = "{:6.3f}") -> str:
    med, best, worst = statistics.median(values), min(values), max(values)
    return (
        f"  {name:<24} median {fmt.format(med)} {unit}   min {fmt.format(best)} {unit}"
        f"   max {fmt.format(worst)} {unit}"
    )


def child_env(pycache: Path | None) -> dict[str, str]:
    """This environment as it is, or with a bytecode cache (as an installed app has)."""
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)  # outside the source tree
    return env


def measure(label: str, cmd: list[str], env: dict[str, str]) -> list[dict[str, float]]:
    run_once(cmd, env)  # warm-up: file cache, bytecode cache
    runs = [run_once(cmd, env) for _ in range(RUNS)]
    print(f"{label}  ({runs[0]['stages']:,} stages, {runs[0]['out_kb']:.0f} KB of JSON)")
    print(_row("wall (this script)", [r["wall_s"] for r in runs], "s"))
    if all("time_wall_s" in r for r in runs):
        print(_row("wall (/usr/bin/time)", [r["time_wall_s"] for r in runs], "s", "{:6.2f}"))
    print(_row("peak RSS", [r["rss_mb"] for r in runs], "MB", "{:6.1f}"))
    return runs


def breakdown(url: str, env: dict[str, str]) -> None:
    rows = []
    for _ in range(RUNS):
        out = subprocess.run(
            [str(PYTHON), "-c", BREAKDOWN, url],
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            cwd=ROOT,
            check=True,
            env=env,
        )
        rows.append([float(v) for v in out.stdout.split()])
    names = ["imports", "fetch", "parse", "read", "JSON"]
    medians = [statistics.median(r[i] for r in rows) for i in range(len(names))]
    mins = [min(r[i] for r in rows) for i in range(len(names))]
    print(
        "in one process, median (min) ms: "
        + ", ".join(f"{n} {m:.0f} ({b:.0f})" for n, m, b in zip(names, medians, mins, strict=True))
    )
    for what, code in (("the interpreter alone", "pass"), ("+ import requests", "import requests")):
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            subprocess.run([str(PYTHON), "-c", code], check=True, timeout=RUN_TIMEOUT_S, env=env)
            times.append(time.perf_counter() - started)
        print(
            f"  {what} (python -c {code!r}): median {statistics.median(times):.3f} s, "
            f"min {min(times):.3f} s"
        )


def main() -> int:
    body = cctray_feed(range(PROJECTS // 5), 5)
    server = LoopbackServer({"/go/cctray.xml": Document(body)}, max_seconds=600).start()
    try:
        url = f"{server.base_url}/go/cctray.xml"
        print(
            f"releasable probe on a {PROJECTS:,}-project cctray feed ({len(body) / 1e6:.2f} MB) "
            f"from loopback; {RUNS} runs after 1 warm-up; load average "
            f"{os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs"
            + ("" if GNU_TIME.exists() else "; /usr/bin/time missing: RSS from getrusage")
        )
        releasable = [str(RELEASABLE), "probe", "cctray", url, "--json"]
        module = [str(PYTHON), "-m", "app", "probe", "cctray", url, "--json"]
        plain = child_env(None)
        print("as this environment runs Python (no bytecode cache for the app's modules):")
        runs = measure("releasable probe cctray URL --json", releasable, plain)
        measure("python -m app probe cctray URL --json", module, plain)
        with tempfile.TemporaryDirectory(prefix="releasable-pycache-") as pycache:
            cached = child_env(Path(pycache))
            print("with a bytecode cache (PYTHONPYCACHEPREFIX), as an installed app runs:")
            runs_cached = measure("releasable probe cctray URL --json", releasable, cached)
            measure("python -m app probe cctray URL --json", module, cached)
            breakdown(url, cached)
    finally:
        server.stop()
    for name, done in (("no bytecode cache", runs), ("bytecode cache", runs_cached)):
        median = statistics.median(r["wall_s"] for r in done)
        print(
            f"target ≤ {TARGET_S} s ({name}) -> {'met' if median <= TARGET_S else 'MISSED'} "
            f"({median:.3f} s median, {min(r['wall_s'] for r in done):.3f} s min)"
        )
    print(f"  load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
