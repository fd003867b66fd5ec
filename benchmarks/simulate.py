"""``python -m benchmarks.simulate [--lines N]``: the simulator streaming a large world to disk.

Two steps, each in its own process (so peak RSS is that step's own):
- ``simulate N OUT``: ``sanctrace simulate --scenario default --seed 1 --lines N`` (declarations,
  bills of lading, statistics, registry, lists and truth);
- ``baseline-write N OUT``: Python's ``csv`` writer writing N rows of the same width of fixed text,
  the floor for any pure-Python generator that writes through ``csv``.
The point to check is memory: it must stay flat (lines stream; only entities and monthly totals are
held), far under the 2 GB the issue allows.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import emit, measure, measure_here, table, write_results

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def run_simulation(lines: int, out: Path) -> None:
    from sanctrace.simulate.run import simulate
    from sanctrace.simulate.scenario import load_scenario

    emit(
        measure_here(
            "simulate default world (sanctrace)",
            lines,
            lambda: simulate(load_scenario("default"), 1, out, lines=lines),
        )
    )


def baseline_write(lines: int, out: Path) -> None:
    from sanctrace.simulate.writers import HEADER

    row = ["x" * 12] * len(HEADER)

    def write() -> None:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            for _ in range(lines):
                writer.writerow(row)

    emit(measure_here("csv.writer, fixed rows (baseline)", lines, write))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000, help="declaration lines to write")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanctrace-bench-sim-") as tmp:
        folder = Path(tmp)
        made = measure("benchmarks.simulate", "simulate", str(args.lines), str(folder / "world"))
        base = measure("benchmarks.simulate", "baseline-write", str(args.lines), str(folder / "base.csv"))
        sizes = sum(p.stat().st_size for p in (folder / "world").rglob("*") if p.is_file())
    body = (
        f"Input: scenario `default`, seed 1, {args.lines:,} lines; {sizes / 1024**3:.1f} GB written "
        f"(declarations, bills of lading, statistics, registry, lists, truth).\n\n" + table([(made, base)])
    )
    print(body)
    if not args.no_write:
        write_results(RESULTS, f"Simulator ({args.lines:,} lines)", body)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("simulate", "baseline-write"):
        step, count, path = sys.argv[1:4]
        (run_simulation if step == "simulate" else baseline_write)(int(count), Path(path))
    else:
        main()
