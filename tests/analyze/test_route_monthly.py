import datetime as dt
from decimal import Decimal

import duckdb

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse, one

SQL = (
    "SELECT value_usd, lines, lines_without_value FROM route_monthly"
    " WHERE basket = 'tw_machine_tools' AND month = ? AND route = ? AND hub_country IS NOT DISTINCT FROM ?"
)


def test_monthly_values_by_route(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, SQL, dt.date(2023, 1, 1), "direct", None) == (Decimal("4470000.00"), 1, 0)
    assert one(analysed, SQL, dt.date(2023, 6, 1), "indirect", "CN") == (Decimal("350000.00"), 1, 0)
    assert one(analysed, SQL, dt.date(2023, 6, 1), "domestic", None) == (Decimal("90000.00"), 1, 0)
    assert one(analysed, SQL, dt.date(2023, 7, 1), "unknown", None) == (None, 1, 1)


def test_undated_lines_form_a_null_month(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT route, value_usd FROM route_monthly WHERE basket = 'tw_machine_tools' AND month IS NULL",
    )
    assert row == ("indirect", Decimal("50000.00"))


def test_other_destinations_are_out_of_scope(analysed: duckdb.DuckDBPyConnection) -> None:
    # Line 13 (200,000 to KZ, June 2023, direct) must not be in the RU figures.
    total = one(
        analysed,
        "SELECT sum(value_usd), sum(lines) FROM route_monthly WHERE basket = 'tw_machine_tools'",
    )
    assert total == (Decimal("7640000.50"), 14)


def test_origin_parameter_keeps_one_origin() -> None:
    con = build_warehouse()
    run_analyses(DuckDBEngine(con), AnalysisParams(origin="TW"))
    routes = con.execute("SELECT DISTINCT route FROM route_monthly ORDER BY route").fetchall()
    assert routes == [("direct",), ("indirect",)]
    con.close()


def test_route_shares_of_a_month_add_up_to_one(analysed: duckdb.DuckDBPyConnection) -> None:
    # June 2023, bound for RU: line 4 via CN ($350,000) and line 10, domestic ($90,000).
    rows = analysed.execute(
        "SELECT route, share FROM route_monthly WHERE basket = 'tw_machine_tools'"
        " AND month = DATE '2023-06-01'"
        " ORDER BY route"
    ).fetchall()
    assert [r[0] for r in rows] == ["domestic", "indirect"]
    assert abs(rows[0][1] - 90000 / 440000) < 1e-12 and abs(rows[1][1] - 350000 / 440000) < 1e-12
    july = analysed.execute(
        "SELECT route, share FROM route_monthly WHERE basket = 'tw_machine_tools'"
        " AND month = DATE '2023-07-01'"
        " AND route = 'unknown'"
    ).fetchall()
    assert july == [("unknown", None)]  # a line without a value has no share
