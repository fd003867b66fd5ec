"""Exchange rates: the template and the ECB export load; other series and bad cells go to quarantine."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import exchange_rates
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path

ECB = (
    "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,TITLE\n"
    "EXR.M.USD.EUR.SP00.A,M,USD,EUR,SP00,A,2022-03,1.1016,US dollar/Euro\n"
    "EXR.M.USD.EUR.SP00.A,M,USD,EUR,SP00,A,2022-04,1.0819,US dollar/Euro\n"
    "EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2022-04-01,1.1052,US dollar/Euro\n"
    "EXR.M.JPY.EUR.SP00.A,M,JPY,EUR,SP00,A,2022-04,136.61,Japanese yen/Euro\n"
)


def _rates(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT currency, CAST(month AS VARCHAR), usd_per_unit, row_number FROM exchange_rates ORDER BY month"
    ).fetchall()


def test_an_ecb_export_keeps_the_monthly_usd_quotations(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "ecb.csv"
    path.write_text(ECB, "utf-8")
    (report,) = [r for r in ingest_path(con, path, LoadOptions("fx")) if r.path == path]
    assert report.format == "exchange-rates"
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (4, 2, 2)
    assert _rates(con) == [("EUR", "2022-03-01", 1.1016, 2), ("EUR", "2022-04-01", 1.0819, 3)]
    reasons = con.execute(
        "SELECT row_number, column_name, reason FROM quarantine WHERE source_id = ? ORDER BY row_number",
        [report.source_id],
    ).fetchall()
    assert [(r[0], r[1]) for r in reasons] == [(4, "FREQ"), (5, "CURRENCY")]


def test_the_template_and_a_correction_replace_the_month(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = tmp_path / "rates.csv"
    first.write_text(
        "currency,month,usd_per_unit\nEUR,2022-03,1.10\nEUR,2022-13,1.0\nEUR,2022-05,abc\n", "utf-8"
    )
    report = exchange_rates.load(con, first, LoadOptions("fx"))
    assert (report.rows_accepted, report.rows_quarantined) == (1, 2)
    second = tmp_path / "fix.csv"
    second.write_text("currency,month,usd_per_unit\neur,2022-03,1.1016\n", "utf-8")
    exchange_rates.load(con, second, LoadOptions("fx"))
    assert _rates(con) == [("EUR", "2022-03-01", 1.1016, 2)]


def test_a_file_with_other_columns_is_refused_in_one_line(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("currency,rate\nEUR,1.1\n", "utf-8")
    with pytest.raises(UserError, match="expected the columns currency,month,usd_per_unit"):
        exchange_rates.load(con, path, LoadOptions("fx"))
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (0,)  # rolled back
