"""indirect_estimates and indirect_reconciliation: the difference method as a band, by hand.

Fixture (tests/analyze/fixture_warehouse.py), basket chpl_4b (845710, 845811), Taiwan -> Russia:
Russia reports importing 1,120,000 (845710) + 112,000 (845811) = 1,232,000 USD in March 2023
(its 10-digit row of 300,000 sits inside the 845710 row and is not added). Taiwan reports
exporting 1,000,000 in January, 500,000 + 100,000 = 600,000 in February and 200,000 in March.
With the default lag 0-2 the March arrivals are one of 200,000 / 600,000 / 1,000,000 (mean
600,000) and with the default band 1.00-1.12:
  low  = 1,232,000 / 1.12 - 1,000,000 = 100,000
  high = 1,232,000 / 1.00 -   200,000 = 1,032,000
  central = 1,232,000 / 1.06 - 600,000
"""

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse, one

MARCH = dt.date(2023, 3, 1)
COLUMNS = (
    "target_imports, import_rows, origin_exports, origin_exports_min, origin_exports_max,"
    " export_months_reported, export_rows, indirect_low, indirect_central, indirect_high"
)
SQL = (
    f"SELECT {COLUMNS} FROM indirect_estimates WHERE method = ? AND basket = ? AND origin = ?"
    " AND target = 'RU' AND period = ? AND currency = 'USD'"
)


def test_statistics_band(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(analysed, SQL, "statistics", "chpl_4b", "TW", MARCH)
    assert row[:7] == (Decimal("1232000.00"), 2, 600000.0, 200000.0, 1000000.0, 3, 4)
    assert row[7] == pytest.approx(100000.0)
    assert row[8] == pytest.approx(1232000 / 1.06 - 600000)
    assert row[9] == pytest.approx(1032000.0)


def test_statistics_band_uses_the_hs4_total_for_a_heading_basket(analysed: duckdb.DuckDBPyConnection) -> None:
    # tw_machine_tools (8457, 8458): March exports are the HS4 total 250,000, not 200,000.
    row = one(analysed, SQL, "statistics", "tw_machine_tools", "TW", MARCH)
    assert row[:7] == (Decimal("1232000.00"), 2, pytest.approx(1850000 / 3), 250000.0, 1000000.0, 3, 4)
    assert row[7] == pytest.approx(100000.0)
    assert row[9] == pytest.approx(982000.0)


def test_declarations_band_and_split_by_route(analysed: duckdb.DuckDBPyConnection) -> None:
    # March 2023 in chpl_4b: line 2, 845811 from Taiwan, direct, 500,000.
    row = one(analysed, SQL, "declarations", "chpl_4b", "TW", MARCH)
    assert row[:7] == (Decimal("500000.00"), 1, 600000.0, 200000.0, 1000000.0, 3, 4)
    assert row[7] == pytest.approx(500000 / 1.12 - 1000000)
    assert row[9] == pytest.approx(300000.0)
    split = one(
        analysed,
        "SELECT declared_direct, declared_indirect, declared_unknown_route FROM indirect_estimates"
        " WHERE method = 'declarations' AND basket = ? AND origin = ? AND period = ?",
        "tw_machine_tools",
        "TW",
        dt.date(2023, 7, 1),
    )
    # July: line 5 via Türkiye (420,000.50); line 11 has no origin and is left out.
    assert split == (Decimal("0.00"), Decimal("420000.50"), Decimal("0.00"))
    unknown = one(
        analysed,
        "SELECT target_imports, declared_unknown_route, export_months_reported FROM indirect_estimates"
        " WHERE method = 'declarations' AND basket = 'bearings' AND origin = 'CN' AND period = ?",
        dt.date(2023, 8, 1),
    )
    assert unknown == (Decimal("7000.00"), Decimal("7000.00"), 0)


def test_declarations_leave_out_undated_lines_and_other_destinations(
    analysed: duckdb.DuckDBPyConnection,
) -> None:
    total = one(
        analysed,
        "SELECT sum(target_imports), sum(import_rows) FROM indirect_estimates"
        " WHERE method = 'declarations' AND basket = 'tw_machine_tools'",
    )
    # route_monthly's 7,640,000.50 over 14 lines, minus line 11 (no origin, no value), line 10
    # (made in Russia: domestic) and line 14 (no date, 50,000).
    assert total == (Decimal("7500000.50"), 11)


def test_every_row_names_its_sources(analysed: duckdb.DuckDBPyConnection) -> None:
    sources = "SELECT import_sources, export_sources FROM indirect_estimates WHERE method = ? AND basket = ?"
    sources += " AND origin = ? AND period = ?"
    assert one(analysed, sources, "statistics", "chpl_4b", "TW", MARCH) == ("6", "6")
    assert one(analysed, sources, "declarations", "chpl_4b", "TW", MARCH) == ("1", "6")
    # June 2023: no Taiwanese export row in April-June, so no export source.
    assert one(analysed, sources, "declarations", "chpl_4b", "TW", dt.date(2023, 6, 1)) == ("1", None)


def test_every_row_records_its_parameters(analysed: duckdb.DuckDBPyConnection) -> None:
    assert analysed.execute(
        "SELECT DISTINCT cif_fob_low, cif_fob_high, lag_months FROM indirect_estimates"
    ).fetchall() == [(1.0, 1.12, 2)]


def test_no_lag_and_a_narrow_band() -> None:
    con = build_warehouse()
    run_analyses(
        DuckDBEngine(con), AnalysisParams(origin="TW", cif_fob_low=1.05, cif_fob_high=1.10, lag_months=0)
    )
    row = one(con, SQL, "statistics", "chpl_4b", "TW", MARCH)
    con.close()
    assert row[2:7] == (200000.0, 200000.0, 200000.0, 1, 1)
    assert row[7] == pytest.approx(1232000 / 1.10 - 200000)  # 920,000
    assert row[9] == pytest.approx(1232000 / 1.05 - 200000)


def test_another_origin_leaves_taiwan_out() -> None:
    con = build_warehouse()
    run_analyses(DuckDBEngine(con), AnalysisParams(origin="CN"))
    origins = con.execute("SELECT DISTINCT origin, method FROM indirect_estimates ORDER BY 2").fetchall()
    con.close()
    assert origins == [("CN", "declarations")]


def test_reconciliation_puts_both_methods_side_by_side(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT statistics_imports, declarations_imports, coverage, origin_exports, statistics_indirect_low,"
        " statistics_indirect_high, declared_direct, declared_indirect, declared_within_band"
        " FROM indirect_reconciliation WHERE basket = 'chpl_4b' AND origin = 'TW' AND period = ?",
        MARCH,
    )
    assert row[:2] == (Decimal("1232000.00"), Decimal("500000.00"))
    assert row[2] == pytest.approx(500000 / 1232000)
    assert row[3:] == (600000.0, pytest.approx(100000.0), pytest.approx(1032000.0), 500000, 0, False)
    only_declarations = one(
        analysed,
        "SELECT statistics_imports, declarations_imports, declared_within_band FROM indirect_reconciliation"
        " WHERE basket = 'chpl_4b' AND origin = 'TW' AND period = ?",
        dt.date(2023, 1, 1),
    )
    assert only_declarations == (None, Decimal("4470000.00"), None)


def test_exports_in_euros_are_converted_for_dollar_imports_with_the_month_rate() -> None:
    con = build_warehouse()
    # Taiwan's export rows as if reported in euros; rates for February and March only.
    con.execute("UPDATE trade_flows SET currency = 'EUR' WHERE reporter = 'TW' AND flow = 'export'")
    con.execute(
        "INSERT INTO exchange_rates VALUES ('EUR', DATE '2023-02-01', 1.10, 99, 2),"
        " ('EUR', DATE '2023-03-01', 1.20, 99, 3)"
    )
    run_analyses(DuckDBEngine(con), AnalysisParams())
    row = one(
        con,
        "SELECT origin_exports_min, origin_exports_max, export_months_reported, exports_converted_from"
        " FROM indirect_estimates WHERE method = 'declarations' AND basket = 'chpl_4b' AND origin = 'TW'"
        " AND period = ? AND currency = 'USD'",
        MARCH,
    )
    # March 200,000 x 1.20 and February 600,000 x 1.10; January has no rate, so it counts as 0 and
    # only two of the three months are reported.
    assert row[0] == pytest.approx(0.0)
    assert row[1] == pytest.approx(660000.0)
    assert row[2:] == (2, "EUR")


def test_exports_reported_in_dollars_are_not_converted(analysed: duckdb.DuckDBPyConnection) -> None:
    rows = analysed.execute("SELECT DISTINCT exports_converted_from FROM indirect_estimates").fetchall()
    assert rows == [(None,)]
