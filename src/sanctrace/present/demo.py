"""``sanctrace demo``: the whole pipeline on a simulated world, through the public paths.

The world is the simulator's ``default`` scenario with a fixed seed (fictional companies, the files
users really receive, plus ``truth/``). The demo loads those files with the same ``ingest`` a user
runs, so it doubles as an end-to-end check that a fresh install can read, resolve, analyze and report.
"""

from __future__ import annotations

from pathlib import Path

from sanctrace.analyze.pipeline import AnalysisParams
from sanctrace.errors import UserError
from sanctrace.present import steps
from sanctrace.present.console import console
from sanctrace.simulate.run import simulate
from sanctrace.simulate.scenario import load_scenario
from sanctrace.store.warehouse import connect

# (folder inside the bundled demo world, dataset name)
DEMO_INPUTS = [
    ("declarations", "demo-declarations"),
    ("statistics", "demo-statistics"),
    ("registry", "demo-registry"),
    ("sanctions", "demo-sanctions"),
    ("makers", "demo-makers"),
]
DEMO_TARGET = "RU"
DEMO_SCENARIO = "default"
DEMO_SEED = 2026


def run_demo(out: Path) -> Path:
    """Build a fresh demo warehouse in ``out`` and return the report path."""
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.duckdb"
    for stale in (db, out / "demo.duckdb.wal"):
        stale.unlink(missing_ok=True)
    con = connect(db)
    world = out / "world"
    console.rule("0/4 simulate")
    summary = simulate(load_scenario(DEMO_SCENARIO), DEMO_SEED, world)
    console.print(
        f"scenario {DEMO_SCENARIO}, seed {DEMO_SEED}: {summary.lines:,} declaration lines -> {world}"
    )
    console.rule("1/4 ingest")
    for folder, dataset in DEMO_INPUTS:
        _, failures = steps.ingest(con, [world / folder], dataset=dataset, quiet=True)
        if failures:
            raise UserError("demo data failed to load: " + "; ".join(failures))
    console.print(steps.ingest_table(con))
    console.rule("2/4 resolve")
    steps.resolve(con)
    console.rule("3/4 analyze")
    steps.analyze(steps.default_engine(con), AnalysisParams(target=DEMO_TARGET))
    console.print(steps.route_totals(con))
    console.rule("4/4 report")
    path = steps.report(con, out / "report", target=DEMO_TARGET, origin=None, basket=None)
    con.close()
    return path
