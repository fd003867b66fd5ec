"""The ``sanctrace`` command line: ingest, resolve, analyze, report, screen, demo, serve.

User mistakes (a missing file, an unreadable input, a bad option) end with one line on stderr and a
non-zero exit code, never a traceback; the traceback is kept for real bugs.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from sanctrace.analyze.pipeline import AnalysisParams
from sanctrace.errors import UserError
from sanctrace.present import steps
from sanctrace.present.console import console, errors
from sanctrace.store.warehouse import DEFAULT_DB, connect

app = typer.Typer(
    name="sanctrace",
    help="Trace how export-controlled goods reach sanctioned destinations, with every number traceable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB warehouse file (created if missing).")]
TargetOption = Annotated[str, typer.Option(help="Destination country (ISO-2) under study.")]
OriginOption = Annotated[
    str | None, typer.Option(help="Origin country (ISO-2) of the goods; all origins when omitted.")
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Processes that screen a large batch together (default: one per CPU; a batch under "
        "2,000 names runs in one). The results are the same with any number.",
    ),
]


def _workers(value: int | None) -> int:
    """The screening processes: as asked, else one per CPU (screening a batch is CPU-bound, and
    the results do not depend on the number)."""
    return value if value is not None else os.cpu_count() or 1


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _month(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value + "-01" if len(value) == 7 else value).replace(day=1)
    except ValueError as exc:
        raise UserError(f"{option}: not a month (YYYY-MM): {value!r}") from exc


def _months(value: str, option: str) -> tuple[dt.date, dt.date | None]:
    """``FROM:TO`` in YYYY-MM, both inclusive; an empty TO means "the latest month with data"."""
    start, sep, end = value.partition(":")
    if not sep or not start:
        raise UserError(f"{option}: expected FROM:TO as YYYY-MM:YYYY-MM (TO may be empty), got {value!r}")
    return _month(start, option), _month(end, option) if end else None


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
    dataset: Annotated[str, typer.Option(help="Dataset name the rows belong to.")] = "default",
    fmt: Annotated[
        str | None, typer.Option("--format", help="Input format; sniffed from the file when omitted.")
    ] = None,
    mapping: Annotated[
        str | None, typer.Option(help="Column mapping for declarations: preset name or YAML file.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Load files into the warehouse; bad rows go to the quarantine table, never vanish."""
    con = connect(db)
    _, failures = steps.ingest(con, paths, dataset=dataset, fmt=fmt, mapping=mapping)
    for failure in failures:
        errors.print(f"error: {failure}", markup=False, highlight=False)
    if failures:
        raise typer.Exit(1)


@app.command()
def resolve(
    as_of: Annotated[str | None, typer.Option(help="Screen designations in force on this date.")] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="Score at or above which a candidate is a match (default: config/matching.yaml)."),
    ] = None,
    workers: WorkersOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Deduplicate shippers and consignees and screen them against the loaded lists."""
    steps.resolve(connect(db), as_of=_date(as_of), threshold=threshold, workers=_workers(workers))


@app.command()
def analyze(
    target: TargetOption = "RU",
    origin: OriginOption = None,
    top: Annotated[int, typer.Option(help="How many top parties to keep per role.")] = 10,
    window: Annotated[int, typer.Option(help="Months before/after each control event.")] = 6,
    basket: Annotated[str | None, typer.Option(help="Only this basket (default: every basket).")] = None,
    period_from: Annotated[
        str | None, typer.Option("--from", help="First registration date counted, YYYY-MM-DD.")
    ] = None,
    period_to: Annotated[
        str | None, typer.Option("--to", help="Last registration date counted, YYYY-MM-DD.")
    ] = None,
    event: Annotated[
        str | None, typer.Option(help="Only this control event (an event_id of control_events).")
    ] = None,
    cif_fob_low: Annotated[
        float, typer.Option(help="Difference method: smallest CIF/FOB uplift of imports over exports.")
    ] = 1.00,
    cif_fob_high: Annotated[float, typer.Option(help="Difference method: largest CIF/FOB uplift.")] = 1.12,
    lag: Annotated[int, typer.Option(help="Difference method: longest shipping lag in months (0-12).")] = 2,
    baseline: Annotated[
        str, typer.Option(help="Hub indicators: baseline months FROM:TO (YYYY-MM, inclusive).")
    ] = "2019-01:2021-12",
    post: Annotated[
        str, typer.Option(help="Hub indicators: post months FROM:TO; empty TO = latest month with data.")
    ] = "2022-03:",
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark (local, needs Java).")] = "duckdb",
    price_z: Annotated[float, typer.Option(help="Robust z-score of a unit value to flag it.")] = 3.5,
    price_min_lines: Annotated[int, typer.Option(help="Smallest reference group for prices.")] = 5,
    markup_ratio: Annotated[float, typer.Option(help="Resale via a hub vs the maker's price.")] = 3.0,
    split_window_days: Annotated[int, typer.Option(help="Days apart for lots of one shipment.")] = 3,
    split_min_lines: Annotated[int, typer.Option(help="Lots that make a split shipment.")] = 2,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Classify routes, attribute makers; compute flows, top parties, switches, price flags,
    indirect estimates and hub indicators."""
    baseline_from, baseline_to = _months(baseline, "--baseline")
    if baseline_to is None:
        raise UserError(f"--baseline: the baseline needs an end month, got {baseline!r}")
    post_from, post_to = _months(post, "--post")
    params = AnalysisParams(
        target=target.upper(),
        origin=origin.upper() if origin else None,
        top_n=top,
        window_months=window,
        basket=basket,
        period_from=_date_option("--from", period_from),
        period_to=_date_option("--to", period_to),
        control_event=event,
        cif_fob_low=cif_fob_low,
        cif_fob_high=cif_fob_high,
        lag_months=lag,
        baseline_from=baseline_from,
        baseline_to=baseline_to,
        post_from=post_from,
        post_to=post_to,
        price_z=price_z,
        price_min_lines=price_min_lines,
        markup_ratio=markup_ratio,
        split_window_days=split_window_days,
        split_min_lines=split_min_lines,
    )
    con = connect(db)
    if engine == "spark":
        tables = steps.analyze_on_spark(con, params)
    elif engine == "duckdb":
        tables = steps.analyze(steps.default_engine(con), params)
    else:
        raise UserError(f"unknown engine {engine!r}: use duckdb or spark")
    console.print(steps.route_totals(con))
    console.print(f"tables written: {', '.join(tables)}")


def _date_option(flag: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"{flag} must be a date as YYYY-MM-DD, got {value!r}") from exc


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="Folder for the HTML report.")] = Path("sanctrace-report"),
    target: TargetOption = "RU",
    origin: OriginOption = None,
    basket: Annotated[str | None, typer.Option(help="Only this basket.")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write one self-contained HTML report (opens offline) and print its path."""
    path = steps.report(connect(db), out, target=target.upper(), origin=origin, basket=basket)
    console.print(f"report: {path.resolve()}")


@app.command()
def screen(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV (id,name,...) or FtM JSON lines.")],
    dataset: Annotated[str | None, typer.Option(help="Only lists loaded under this dataset name.")] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="Score at or above which a candidate is a match (default: config/matching.yaml)."),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Only designations in force on this date.")] = None,
    out: Annotated[Path, typer.Option(help="Output file: .csv or .jsonl.")] = Path("matches.csv"),
    workers: WorkersOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Screen names against the designations loaded in the warehouse."""
    from sanctrace.present.screen_io import read_queries, write_matches
    from sanctrace.resolve.screening import screen as run_screen

    queries = read_queries(input_path)
    con = connect(db)
    matches = run_screen(
        con, queries, dataset=dataset, threshold=threshold, as_of=_date(as_of), workers=_workers(workers)
    )
    write_matches(out, matches)
    hits = sum(1 for m in matches if m.match)
    console.print(f"{len(queries)} queries, {len(matches)} candidates, {hits} matches -> {out}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo warehouse and report.")] = Path(
        "sanctrace-demo"
    ),
) -> None:
    """Run the whole pipeline on the bundled demo world and print the report's path."""
    from sanctrace.present.demo import run_demo

    path = run_demo(out)
    console.print(f"\nDemo report: [bold]{path.resolve()}[/bold]")


@app.command()
def simulate(
    scenario: Annotated[
        str, typer.Option(help="Shipped scenario name (case-b, default, smoke) or YAML path.")
    ],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files.")],
    out: Annotated[Path, typer.Option(help="Folder for the files and truth/.")],
    lines: Annotated[
        int | None, typer.Option(help="Total declaration lines (innocent trade fills up).")
    ] = None,
) -> None:
    """Write a synthetic trade world (declarations, statistics, registry, lists) and its truth."""
    from sanctrace.simulate.run import simulate as run_simulation
    from sanctrace.simulate.scenario import load_scenario

    summary = run_simulation(load_scenario(scenario), seed, out, lines)
    console.print(
        f"{summary.lines:,} declaration lines ({summary.scheme_lines:,} in schemes), "
        f"{summary.entities:,} entities -> {out.resolve()}"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    db: DbOption = DEFAULT_DB,
    warm: Annotated[
        list[str] | None,
        typer.Option(help="Dataset whose /match index is built at startup (repeatable). Default: all lists."),
    ] = None,
    no_warm: Annotated[bool, typer.Option("--no-warm", help="Build every index on its first query.")] = False,
) -> None:
    """Serve the warehouse over HTTP: sources, tables, yente-style /match, the report.

    The /match index of all lists is built before the server answers, so the first query is as fast
    as the others (building it reads every designated name: seconds on the full OFAC, EU and UK lists).
    """
    import uvicorn

    from sanctrace.present.api import create_app

    datasets = [] if no_warm else (warm or ["default"])
    uvicorn.run(create_app(db, warm=datasets), host=host, port=port)


def main() -> None:
    try:
        app()
    except UserError as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
