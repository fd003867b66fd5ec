"""The pipeline steps behind the CLI commands, with progress display.

Kept apart from the Typer wiring so the demo, the CLI and the tests run the very same code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from rich.table import Table

from sanctrace.analyze.pipeline import (
    AnalysisParams,
    analysis_parameters,
    analysis_queries,
    input_tables,
    run_analyses,
)
from sanctrace.errors import UserError
from sanctrace.present.console import console, ingest_summary, progress_bar
from sanctrace.present.report import build_report
from sanctrace.resolve.makers import key_maker_texts
from sanctrace.resolve.parties import resolve_declaration_parties
from sanctrace.resolve.screening import screen_parties
from sanctrace.sources.base import LoadOptions, LoadReport
from sanctrace.sources.ingest import ingest_path
from sanctrace.store.executor import DuckDBEngine, Engine, SparkEngine


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    *,
    dataset: str,
    fmt: str | None = None,
    mapping: str | None = None,
    quiet: bool = False,
) -> tuple[list[LoadReport], list[str]]:
    """Load every path; a file unreadable as a whole is reported and the others still load."""
    reports: list[LoadReport] = []
    failures: list[str] = []
    with progress_bar() as progress:
        for path in paths:
            task = progress.add_task(f"ingest {path.name}", total=None)

            def advance(rows: int, task_id: int = task) -> None:
                progress.update(task_id, completed=rows)  # type: ignore[arg-type]

            options = LoadOptions(dataset=dataset, mapping=mapping, progress=advance)
            try:
                reports.extend(ingest_path(con, path, options, fmt))
            except UserError as exc:
                failures.append(str(exc))
            progress.remove_task(task)
    if not quiet and reports:
        console.print(ingest_summary(reports))
    return reports, failures


def resolve(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date | None = None,
    threshold: float | None = None,
    workers: int = 1,
) -> None:
    with console.status("resolving shippers and consignees"):
        stats = resolve_declaration_parties(con)
    console.print(f"resolved parties: {stats}")
    with console.status("keying maker names and brands"):
        makers = key_maker_texts(con)
    console.print(
        f"maker texts: {makers.texts:,} distinct, {makers.exact:,} matched exactly,"
        f" {makers.contains:,} by containment, {makers.ambiguous:,} ambiguous"
    )
    with console.status("screening parties against loaded designations"):
        hits = screen_parties(con, as_of=as_of, threshold=threshold, workers=workers)
    console.print(f"screening: {hits} candidate matches written to table screening_matches")


def analyze(engine: Engine, params: AnalysisParams) -> list[str]:
    with progress_bar() as progress:
        task = progress.add_task("analyze", total=None)

        def step(name: str) -> None:
            progress.update(task, description=f"analyze: {name}", advance=1)

        tables = run_analyses(engine, params, progress=step)
    return tables


def route_totals(con: duckdb.DuckDBPyConnection) -> Table:
    table = Table(title="Basket value by route (USD)")
    for column in ("basket", "route", "via", "value_usd", "lines"):
        table.add_column(column, justify="right" if column in {"value_usd", "lines"} else "left")
    rows = con.execute(
        "SELECT basket, route, coalesce(hub_country, ''), sum(value_usd), sum(lines) FROM route_monthly"
        " GROUP BY ALL ORDER BY basket, sum(value_usd) DESC"
    ).fetchall()
    for basket, route, hub, value, lines in rows:
        table.add_row(str(basket), str(route), str(hub), f"{float(value or 0):,.0f}", f"{int(lines):,}")
    return table


def report(
    con: duckdb.DuckDBPyConnection, out_dir: Path, *, target: str, origin: str | None, basket: str | None
) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with console.status("writing report"):
        return build_report(con, out_dir, target=target, origin=origin, basket=basket)


def default_engine(con: duckdb.DuckDBPyConnection) -> Engine:
    return DuckDBEngine(con)


def ingest_table(con: duckdb.DuckDBPyConnection) -> Table:
    """Every file in the warehouse with its counts, from the ``sources`` table itself."""
    table = Table(title="Sources loaded")  # folded, not truncated: file names matter
    for column in ("file", "format", "dataset", "read", "accepted", "quarantined"):
        numeric = column in {"read", "accepted", "quarantined"}
        table.add_column(column, justify="right" if numeric else "left", overflow="fold")
    rows = con.execute(
        "SELECT path, format, dataset, rows_read, rows_accepted, rows_quarantined"
        " FROM sources ORDER BY source_id"
    ).fetchall()
    for path, fmt, dataset, read, accepted, quarantined in rows:
        table.add_row(Path(path).name, fmt, dataset, f"{read:,}", f"{accepted:,}", f"{quarantined:,}")
    return table


def analyze_on_spark(con: duckdb.DuckDBPyConnection, params: AnalysisParams) -> list[str]:
    """Compute the analyses on a local Spark session and store the results in the warehouse."""
    import tempfile

    from sanctrace.store.spark import copy_back, copy_to_spark, local_session

    with console.status("starting Spark"):
        engine = SparkEngine(local_session())
    with tempfile.TemporaryDirectory(prefix="sanctrace-spark-") as tmp:
        folder = Path(tmp)
        copy_to_spark(con, engine, input_tables(), folder)
        tables = analyze(engine, params)
        duck = DuckDBEngine(con)
        for query in analysis_queries():
            duck.create_empty(query, query.name, analysis_parameters(query, params))
        copy_back(engine, con, tables, folder)
    return tables
