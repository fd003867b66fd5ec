"""What the benchmarks scored against the simulator's truth share: a world simulated into a
temporary folder, loaded by the benchmark's own build, its truth beside it, and the report written
to RESULTS.md (``detection``, ``dedup_quality``)."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from benchmarks.harness import write_results
from sanctrace.simulate.run import simulate
from sanctrace.simulate.scenario import load_scenario

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
Build = Callable[[Path, Path], duckdb.DuckDBPyConnection]  # (world folder, warehouse) -> connection
Report = Callable[[duckdb.DuckDBPyConnection, str, int, int], str]  # (con, scenario, seed, lines)


def world_parser(description: str | None, seed: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scenario", default="default")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    return parser


def load_truth(con: duckdb.DuckDBPyConnection, world: Path) -> None:
    """The simulator's truth of every line, as ``truth_lines``."""
    con.execute(
        "CREATE OR REPLACE TABLE truth_lines AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
        [str(world / "truth" / "lines.csv")],
    )


def run_on_world(
    args: argparse.Namespace, *, build: Build, report: Report, title: str, lines: int | None = None
) -> None:
    """Simulate ``args.scenario`` with ``args.seed``, build, report, print, and write under ``title``."""
    with tempfile.TemporaryDirectory(prefix="sanctrace-bench-") as tmp:
        folder = Path(tmp)
        summary = simulate(load_scenario(args.scenario), args.seed, folder / "world", lines=lines)
        con = build(folder / "world", folder / "w.duckdb")
        body = report(con, args.scenario, args.seed, summary.lines)
        con.close()
    print(body)
    if not args.no_write:
        write_results(RESULTS, title, body)
