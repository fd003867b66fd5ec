"""End to end on a simulated world: simulate -> ingest -> resolve -> analyze, checked against truth.

The smoke scenario relabels about half of its indirect lines (an invented brand, origin declared as
the hub) and marks them in truth/lines.csv; the simulator also writes the alias file an analyst
would have for its makers (official names and brands only).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.resolve.makers import key_maker_texts
from sanctrace.resolve.parties import resolve_declaration_parties
from sanctrace.simulate.run import simulate
from sanctrace.simulate.scenario import load_scenario
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path
from sanctrace.store.executor import DuckDBEngine
from sanctrace.store.warehouse import connect


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    out = tmp_path_factory.mktemp("smoke-world")
    simulate(load_scenario("smoke"), 1, out)
    con = connect(":memory:")
    for folder in ("declarations", "makers"):
        ingest_path(con, out / folder, LoadOptions(f"sim-{folder}"))
    resolve_declaration_parties(con)
    key_maker_texts(con)
    run_analyses(DuckDBEngine(con), AnalysisParams())
    yield con, out
    con.close()


def _lines_with(out: Path, typology: str) -> set[str]:
    with (out / "truth" / "lines.csv").open(encoding="utf-8", newline="") as handle:
        return {r["line_id"] for r in csv.DictReader(handle) if typology in r["typologies"].split(";")}


def test_relabelled_lines_are_suspected(world: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, out = world
    relabelled = _lines_with(out, "relabelling")
    rows = con.execute("SELECT line_id FROM maker_attribution WHERE relabel_suspect").fetchall()
    suspected = {r[0] for r in rows}
    assert relabelled, "the smoke scenario should relabel some lines"
    recall = len(relabelled & suspected) / len(relabelled)
    assert recall > 0
    # The simulator's relabelling changes both the brand and the declared origin.
    reasons = {
        r[0]
        for r in con.execute(
            "SELECT relabel_reasons FROM maker_attribution WHERE line_id IN (SELECT unnest(?))",
            [sorted(relabelled & suspected)],
        ).fetchall()
    }
    assert reasons == {"unknown_brand;origin_not_hq"}


def test_assessed_route_sends_relabelled_lines_through_their_hub(
    world: tuple[duckdb.DuckDBPyConnection, Path],
) -> None:
    con, out = world
    relabelled = _lines_with(out, "relabelling")
    rows = con.execute(
        "SELECT line_id, route, assessed_route FROM shipment_routes WHERE line_id IN (SELECT unnest(?))",
        [sorted(relabelled)],
    ).fetchall()
    assert {r[1] for r in rows} == {"direct"}  # as declared: made in the hub, shipped from the hub
    assert {r[2] for r in rows} == {"indirect"}
    # and route_switches counts them on the indirect side
    counted = con.execute("SELECT sum(relabel_lines) FROM route_switches WHERE basket = 'machine-tools'")
    row = counted.fetchone()
    assert row is not None and row[0] > 0


def test_most_lines_of_known_makers_are_attributed(world: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, _ = world
    row = con.execute(
        "SELECT count(*) FILTER (WHERE method <> 'none'),"
        " count(*) FILTER (WHERE manufacturer_text IS NOT NULL AND manufacturer_text <> 'ОТСУТСТВУЕТ')"
        " FROM maker_attribution"
    ).fetchone()
    assert row is not None and row[0] >= 0.8 * row[1]


@pytest.mark.xfail(
    reason="known gap: the smoke world's stray INNs split one consignee into several declaration"
    " parties (two valid numbers never merge; its own INN has 10 mentions against 3 stray ones, too"
    " few for the support rule of decision 0016), and undervalued lots add up to less than a typical"
    " shipment, so the split rule (same shipper, consignee and hs6; together >= the hs6 median) misses"
    " them. Kept visible rather than tuned to the simulator.",
    strict=False,
)
def test_split_lots_are_found(world: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, out = world
    rows = con.execute("SELECT line_id FROM price_anomalies WHERE reason = 'split'").fetchall()
    split = {r[0] for r in rows}
    assert split & _lines_with(out, "splitting")
