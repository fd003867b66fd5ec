"""Pipeline benchmark: declarations ingest and the analyses, each against a DuckDB baseline.

Steps (each run in its own process by ``benchmarks.__main__``):
- ``make-file N OUT``: N declaration lines in the Russian vendor layout, made by repeating the simulated
  default world's lines under new declaration numbers (UTF-8, ``;``, decimal commas, day-first dates).
- ``ingest FILE DB``: the real loader (``sources.ingest.ingest_path``) into a fresh warehouse.
- ``baseline-read FILE DB``: DuckDB's own ``read_csv`` of the same file into a table (no cleaning).
- ``baseline-typed-read FILE DB``: the direct write's own reader (numbers and dates typed by DuckDB,
  ``declaration_direct.typed_reader``) into a table, with nothing else: the floor of the ingest.
- ``analyze DB``: every analysis of ``analyze.pipeline.run_analyses`` on DuckDB, then one full read
  of each per-line view (basket_lines, shipment_routes, maker_attribution, price_lines).
- ``baseline-aggregate DB``: one plain GROUP BY over the declarations table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from benchmarks.harness import emit, measure_here


def make_file(lines: int, out: Path) -> None:
    import tempfile

    from sanctrace.simulate.run import simulate
    from sanctrace.simulate.scenario import load_scenario

    with tempfile.TemporaryDirectory(prefix="sanctrace-bench-world-") as folder:
        world = Path(folder)
        simulate(load_scenario("default"), 1, world)
        seed = world / "seed.csv"  # the simulator writes cp1251, as the vendors do; the seed is UTF-8
        seed.write_text((world / "declarations" / "ru_imports.csv").read_bytes().decode("cp1251"), "utf-8")
        con = duckdb.connect()
        con.execute(
            "CREATE TABLE seed AS SELECT * FROM read_csv(?, delim=';', header=true, all_varchar=true, "
            "encoding='utf-8')",
            [str(seed)],
        )
        seed_rows = con.execute("SELECT count(*) FROM seed").fetchone()
        assert seed_rows is not None
        copies = lines // int(seed_rows[0]) + 1
        con.execute(
            f"""COPY (
                SELECT seed.* REPLACE (ND || '-' || CAST(copy AS VARCHAR) AS ND)
                FROM seed, range({copies}) AS r(copy) LIMIT {lines}
            ) TO '{out.as_posix()}' (HEADER, DELIMITER ';')"""
        )
        con.close()


def ingest(file: Path, db: Path) -> None:
    from sanctrace.sources.base import LoadOptions
    from sanctrace.sources.ingest import ensure_reference, ingest_path
    from sanctrace.store.warehouse import connect

    con = connect(db)
    ensure_reference(con)
    rows = sum(1 for _ in file.open("rb")) - 1
    emit(
        measure_here(
            "ingest declarations (sanctrace)",
            rows,
            lambda: ingest_path(con, file, LoadOptions(dataset="bench"), "declarations"),
        )
    )


def baseline_read(file: Path, db: Path) -> None:
    _time_read(
        file,
        db,
        "duckdb read_csv (baseline)",
        "CREATE OR REPLACE TABLE raw AS SELECT * FROM read_csv(?, delim=';', header=true, all_varchar=true)",
        [str(file)],
    )


def _time_read(file: Path, db: Path, name: str, query: str, params: list[str]) -> None:
    """Time ``query`` (a read of ``file`` into a table of ``db``) for the file's lines."""
    con = duckdb.connect(str(db))
    rows = sum(1 for _ in file.open("rb")) - 1
    emit(measure_here(name, rows, lambda: con.execute(query, params)))


def baseline_typed_read(file: Path, db: Path) -> None:
    """The floor: every direct write reads the file with this reader and writes its rows at least."""
    from sanctrace.sources.declaration_direct import typed_reader
    from sanctrace.sources.mapping import best_preset
    from sanctrace.sources.staging import detect_delimiter, first_line, split_header

    with file.open(encoding="utf-8") as handle:
        line = first_line(handle.readline())
    delimiter = detect_delimiter(line)
    header = split_header(line, delimiter)
    resolved = best_preset(header)
    assert resolved is not None, "no preset fits the benchmark file"
    typed = typed_reader(resolved, header, file, delimiter, "bench_rej")
    assert typed is not None, "the preset's fields cannot be typed by the reader"
    query = f"CREATE OR REPLACE TABLE typed AS SELECT * FROM {typed[0]}"
    _time_read(file, db, "duckdb typed read_csv, no cleaning (floor)", query, [])


def analyze(db: Path) -> None:
    from sanctrace.analyze.pipeline import AnalysisParams, analysis_queries, run_analyses
    from sanctrace.store.executor import DuckDBEngine
    from sanctrace.store.warehouse import connect

    con = connect(db)
    count = con.execute("SELECT count(*) FROM declarations").fetchone()
    assert count is not None
    views = [query.name for query in analysis_queries() if query.as_view]

    def run() -> None:
        run_analyses(DuckDBEngine(con), AnalysisParams())
        # The per-line results are views, computed when read: read each one in full once (every
        # column), so their cost is in the figure rather than deferred to the report.
        for view in views:
            con.execute(f"SELECT max(COLUMNS(*)) FROM {view}").fetchall()

    emit(measure_here("all analyses (sanctrace)", int(count[0]), run))


def baseline_aggregate(db: Path) -> None:
    con = duckdb.connect(str(db))
    count = con.execute("SELECT count(*) FROM declarations").fetchone()
    assert count is not None
    emit(
        measure_here(
            "plain GROUP BY (baseline)",
            int(count[0]),
            lambda: con.execute(
                "SELECT hs6, dispatch_country, date_trunc('month', registration_date) AS m, sum(value_usd)"
                " FROM declarations GROUP BY ALL"
            ).fetchall(),
        )
    )


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    if step == "make-file":
        make_file(int(args[0]), Path(args[1]))
    elif step == "ingest":
        ingest(Path(args[0]), Path(args[1]))
    elif step == "baseline-read":
        baseline_read(Path(args[0]), Path(args[1]))
    elif step == "baseline-typed-read":
        baseline_typed_read(Path(args[0]), Path(args[1]))
    elif step == "analyze":
        analyze(Path(args[0]))
    elif step == "baseline-aggregate":
        baseline_aggregate(Path(args[0]))
    else:
        raise SystemExit(f"unknown step {step}")
