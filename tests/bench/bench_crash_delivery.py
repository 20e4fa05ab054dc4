"""Exactly-once delivery under randomized SIGKILLs: counts issues per report.

A script, not a test; run from the project root (`make bench` runs it too):

    .venv/bin/python tests/bench/bench_crash_delivery.py [--iterations N] [--seed S]

Each iteration queues one report, starts 1–3 real sender processes that are SIGKILLed at a
random step (before the POST, while the server holds the POST's answer, after the answer but
before the store commit, or at a random moment), then delivers cleanly and counts the issues
the loopback tracker holds for that report. Prints the counts; exits 1 on any duplicate or loss.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make `app` and `tests` importable
    sys.path.insert(0, str(ROOT))

from tests.integration.test_crash_delivery import run_crash_loop  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="releasable-crash-") as workdir:
        counts = run_crash_loop(args.iterations, Path(workdir), seed=args.seed)
    elapsed = time.monotonic() - started
    issues = ", ".join(f"{n}: {c}" for n, c in sorted(counts.issues_per_report.items()))
    kills = ", ".join(f"{k}: {c}" for k, c in sorted(counts.kills.items()))
    print(f"iterations          {counts.iterations}")
    print(f"issues per report   {issues}  (issues: reports)")
    print(f"duplicates          {counts.duplicates}")
    print(f"losses              {counts.losses}")
    print(f"sender runs killed  {kills}")
    print(f"time                {elapsed:.0f} s")
    return 0 if counts.duplicates == counts.losses == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
