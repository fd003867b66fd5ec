"""``python -m benchmarks.paired OTHER_SRC [--lines N] [--pairs K]``: this checkout's declarations
ingest against another one's, in pairs run at the same time.

Why pairs (docs/decisions/0026): on a shared virtual machine the same ingest varies by ±10 % from
one run to the next, in CPU time as well as in wall time, so a change worth 2 % cannot be seen by
timing runs one after the other. Here both versions load the same file at the same moment, each in
its own process with DuckDB on one thread (two processes, two cores), and the CPU seconds of each
are compared within the pair; what the neighbours do to the machine falls on both alike. Pairs
alternate which version starts first. The median difference over the pairs is the result.

``OTHER_SRC`` is the ``src`` folder of the other version, for example of a ``git worktree add
/tmp/before HEAD~1``; it runs with this checkout's virtual environment and benchmark code. Each line
of output names the ``sanctrace`` package each process imported, so a wrong path shows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import make_declarations_file

THIS_SRC = Path(__file__).resolve().parent.parent / "src"


def ingest_cpu(file: Path, db: Path) -> None:
    """The real loader on one DuckDB thread into a fresh warehouse; prints its CPU seconds."""
    import sanctrace
    from sanctrace.sources.base import LoadOptions
    from sanctrace.sources.ingest import ensure_reference, ingest_path
    from sanctrace.store.warehouse import connect

    con = connect(db)
    ensure_reference(con)
    con.execute("SET threads = 1")
    start = time.process_time()
    ingest_path(con, file, LoadOptions(dataset="bench"), "declarations")
    cpu = time.process_time() - start
    con.close()
    print(json.dumps({"cpu": cpu, "package": str(Path(sanctrace.__file__).parent)}))


def _start(src: Path, file: Path, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(THIS_SRC.parent)])}
    command = [sys.executable, "-m", "benchmarks.paired", "--step-ingest", str(file), str(db)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=THIS_SRC.parent)


def _result(process: subprocess.Popen[str]) -> dict[str, float | str]:
    out, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"an ingest failed (exit {process.returncode}); run it alone to see why")
    result: dict[str, float | str] = json.loads(out.strip().splitlines()[-1])
    return result


def run_pairs(other: Path, file: Path, pairs: int, folder: Path) -> list[float]:
    """CPU seconds of this version minus the other's, pair by pair (negative: this one is cheaper)."""
    differences = []
    for pair in range(pairs):
        order = [("this", THIS_SRC), ("other", other)]
        if pair % 2:
            order.reverse()
        warehouses = {name: folder / f"{name}-{pair}.duckdb" for name, _ in order}
        started = {name: _start(src, file, warehouses[name]) for name, src in order}
        results = {name: _result(process) for name, process in started.items()}
        for warehouse in warehouses.values():
            warehouse.unlink()
        difference = float(results["this"]["cpu"]) - float(results["other"]["cpu"])
        differences.append(difference)
        print(
            f"pair {pair + 1}: this {float(results['this']['cpu']):.2f} CPU-s ({results['this']['package']}),"
            f" other {float(results['other']['cpu']):.2f} CPU-s ({results['other']['package']}),"
            f" difference {difference:+.2f}",
            flush=True,
        )
    return differences


def main() -> None:
    if sys.argv[1:2] == ["--step-ingest"]:
        ingest_cpu(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("other", type=Path, help="the src folder of the version to compare with")
    parser.add_argument("--lines", type=int, default=2_000_000, help="declaration lines to generate")
    parser.add_argument("--pairs", type=int, default=8, help="pairs to run")
    args = parser.parse_args()
    if not (args.other / "sanctrace" / "__init__.py").is_file():
        raise SystemExit(f"{args.other}: not a src folder with the sanctrace package")
    with tempfile.TemporaryDirectory(prefix="sanctrace-paired-") as tmp:
        folder = Path(tmp)
        data = folder / "declarations.csv"
        make_declarations_file(args.lines, data)
        differences = run_pairs(args.other.resolve(), data, args.pairs, folder)
    median, low, high = statistics.median(differences), min(differences), max(differences)
    print(
        f"median difference (this - other) over {len(differences)} pairs: {median:+.2f} CPU-s;"
        f" range {low:+.2f} .. {high:+.2f}"
    )


if __name__ == "__main__":
    main()
