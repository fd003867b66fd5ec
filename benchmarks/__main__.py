"""``python -m benchmarks [--lines N]``: run every benchmark, print it, update RESULTS.md."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.harness import machine, make_declarations_file, measure, stolen_note, table, write_results

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000, help="declaration lines to generate")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--ingest-only", action="store_true", help="skip the analyses (saves time at 10M)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanctrace-bench-") as tmp:
        folder = Path(tmp)
        data = folder / "declarations.csv"
        make_declarations_file(args.lines, data)
        ingest = measure("benchmarks.pipeline", "ingest", str(data), str(folder / "w.duckdb"))
        read = measure("benchmarks.pipeline", "baseline-read", str(data), str(folder / "raw.duckdb"))
        floor = measure("benchmarks.pipeline", "baseline-typed-read", str(data), str(folder / "typed.duckdb"))
        # The ingest against both: DuckDB's own read (the ratio) and the typed read with no
        # cleaning, the least any direct write costs (docs/decisions/0021).
        rows = [(ingest, read), (ingest, floor), (floor, read)]
        if not args.ingest_only:
            analyze = measure("benchmarks.pipeline", "analyze", str(folder / "w.duckdb"))
            aggregate = measure("benchmarks.pipeline", "baseline-aggregate", str(folder / "w.duckdb"))
            rows.append((analyze, aggregate))
    body = (
        f"Machine: {machine()}. Input: {args.lines:,} declaration lines (Russian vendor layout, "
        f"repeated from the simulated default world).\n\n" + table(rows)
    )
    note = stolen_note(list(dict.fromkeys(m for pair in rows for m in pair if m is not None)))
    if note:
        body += "\n" + note
    print(body)
    if not args.no_write:
        title = f"{'Ingest' if args.ingest_only else 'Pipeline'} ({args.lines:,} lines)"
        write_results(RESULTS, title, body)


if __name__ == "__main__":
    main()
