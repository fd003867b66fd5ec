"""UN Comtrade layouts: double-counting filters, Taiwan as 490/158, valuation, the real extracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path

FIXTURE = Path(__file__).parent / "fixtures" / "comtrade" / "comtradeplus_bulk.csv"


def test_filters_keep_only_the_totals_across_procedures_modes_and_partners(
    con: duckdb.DuckDBPyConnection,
) -> None:
    (report,) = [r for r in ingest_path(con, FIXTURE, LoadOptions("ct")) if r.format == "comtrade"]
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined, report.rows_filtered) == (
        8,
        3,
        0,
        5,
    )
    assert report.note is not None and "customs procedure" in report.note and "World" in report.note
    rows = con.execute(
        "SELECT reporter, partner, flow, commodity_code, code_level, hs6, period, period_type, value,"
        " valuation, quantity, net_kg FROM trade_flows ORDER BY row_number"
    ).fetchall()
    assert rows == [
        (
            "TW",
            "RU",
            "export",
            "845710",
            6,
            "845710",
            "2023-01",
            "month",
            Decimal("1500000.50"),
            "FOB",
            3.0,
            12000.0,
        ),
        (
            "RU",
            "TW",
            "import",
            "845811",
            6,
            "845811",
            "2023-01",
            "month",
            Decimal("2100000.00"),
            "CIF",
            4.0,
            9000.0,
        ),
        ("TR", "RU", "re-export", "8457", 4, None, "2022", "year", Decimal("750000.00"), "FOB", None, None),
    ]
    assert con.execute("SELECT row_number FROM trade_flows ORDER BY row_number").fetchall() == [
        (2,),
        (7,),
        (9,),
    ]
    assert con.execute("SELECT period_start FROM trade_flows WHERE period = '2022'").fetchone() == (
        dt.date(2022, 1, 1),
    )


def test_real_legacy_extract(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    path = shared_data / "trade_flows" / "comtrade_armenia_reexports"
    (report,) = [r for r in ingest_path(con, path, LoadOptions("am")) if r.format == "comtrade-legacy"]
    # Six rows name partner 899 "Areas, nes", which has no country code: quarantined, not guessed.
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (286, 280, 6)
    to_russia = con.execute(
        "SELECT count(*) FROM trade_flows WHERE reporter = 'AM' AND partner = 'RU' AND flow = 'export'"
    ).fetchone()
    assert to_russia is not None and to_russia[0] > 20
    assert con.execute("SELECT DISTINCT valuation FROM trade_flows WHERE flow = 'import'").fetchall() == [
        ("CIF",)
    ]


def test_real_api_response(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    path = shared_data / "trade_flows" / "comtradeplus_api_sample_CHN_imports_2010.json"
    (report,) = ingest_path(con, path, LoadOptions("api"))[-1:]
    assert report.format == "comtrade-json" and report.path == path
    assert (report.rows_read, report.rows_accepted, report.rows_filtered) == (4, 0, 4)  # all TOTAL rows
    assert report.note is not None and "commodity TOTAL" in report.note
