import datetime as dt
from decimal import Decimal

import duckdb

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse, one

SQL = (
    "SELECT window_start, window_end, value_before, lines_before, value_after, lines_after"
    " FROM control_event_windows WHERE event_id = ? AND basket = ? AND route = ?"
)


def test_before_and_after_by_route(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, SQL, "chpl-4b", "chpl_4b", "indirect") == (
        dt.date(2023, 8, 23),
        dt.date(2024, 8, 23),
        Decimal("120000.00"),
        1,
        Decimal("600000.00"),
        1,
    )
    assert one(analysed, SQL, "tw-mid-2023", "tw_machine_tools", "direct") == (
        dt.date(2022, 12, 1),
        dt.date(2023, 12, 1),
        Decimal("5420000.00"),
        4,
        Decimal("0.00"),
        0,
    )


def test_event_without_basket_applies_to_every_basket(analysed: duckdb.DuckDBPyConnection) -> None:
    baskets = analysed.execute(
        "SELECT DISTINCT basket FROM control_event_windows WHERE event_id = 'tw-mid-2023' ORDER BY basket"
    ).fetchall()
    assert baskets == [("bearings",), ("chpl_4b",), ("tw_machine_tools",)]


def test_lines_without_value_give_null_not_zero(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(analysed, SQL, "tw-mid-2023", "tw_machine_tools", "unknown")
    assert row[2:] == (Decimal("0.00"), 0, None, 1)


def test_window_length_follows_parameter() -> None:
    con = build_warehouse()
    run_analyses(DuckDBEngine(con), AnalysisParams(window_months=1))
    row = one(con, SQL, "tw-mid-2023", "tw_machine_tools", "direct")
    con.close()
    # Only line 3 (2023-05-28) falls in [2023-05-01, 2023-06-01).
    assert row == (dt.date(2023, 5, 1), dt.date(2023, 7, 1), Decimal("300000.00"), 1, Decimal("0.00"), 0)
