"""Trade statistics: the canonical template and the real Eurostat Comext extract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.encoding import read_head
from sanctrace.sources.trade_flows import load, sniff_format

OPTIONS = LoadOptions(dataset="test")
COMEXT = Path("trade_flows/eurostat_comext_eu_exports_ru_neighbours/eu_exports_by_cn_month.csv")
TEMPLATE = """\
reporter,partner,flow,commodity_code,period,value,currency,valuation,quantity,quantity_unit,net_kg
Other Asia, nes,RU,X,845710,2022-03,"1,250,000.50",USD,FOB,3,u,12000
"Other Asia, nes",RUS,X,845710,2022-03,1250000.50,USD,FOB,3,u,12000
490,RU,export,8457.10,202204,900000,usd,fob,,,
RU,158,M,8457,2022,5000000,USD,CIF,,,
DE,RU,re-export,845811,2022-13,100,EUR,FOB,,,
DE,Atlantis,X,845811,2022-05,100,EUR,FOB,,,
DE,RU,X,TOTAL,2022-05,100,EUR,FOB,,,
DE,RU,X,845811,2022-05,lots,EUR,FOB,,,
DE,RU,X,845811,2022-05,100,EUR,DAP,two,,
DE,RU,X,845811,2022-05,100,EUR,DAP,,,
"""


@pytest.fixture
def db(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    rows = [("RU", "RU"), ("RUS", "RU"), ("643", "RU"), ("DE", "DE"), ("TW", "TW"), ("158", "TW")]
    con.executemany("INSERT INTO country_aliases VALUES (?, ?, 'custom')", rows)
    return con


def test_template(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(TEMPLATE, encoding="utf-8")
    assert sniff_format(path, read_head(path)) == "trade-flows"
    report = load(db, path, OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (10, 4, 6)
    rows = db.execute(
        "SELECT row_number, reporter, partner, flow, commodity_code, code_level, hs6, period, period_type,"
        " period_start, value, currency, valuation, quantity FROM trade_flows ORDER BY row_number"
    ).fetchall()
    assert rows[0] == (
        3,
        "TW",
        "RU",
        "export",
        "845710",
        6,
        "845710",
        "2022-03",
        "month",
        date(2022, 3, 1),
        Decimal("1250000.50"),
        "USD",
        "FOB",
        3.0,
    )
    assert rows[1][:8] == (4, "TW", "RU", "export", "845710", 6, "845710", "2022-04")
    assert rows[2][:10] == (5, "RU", "TW", "import", "8457", 4, None, "2022", "year", date(2022, 1, 1))
    assert rows[3][0] == 10 and rows[3][12] is None and rows[3][13] is None  # DAP, "two": NULL, noted
    reasons = db.execute("SELECT row_number, reason FROM quarantine ORDER BY row_number, reason").fetchall()
    assert reasons == [
        (2, "wrong number of fields"),
        (6, "bad period"),
        (7, "unknown country"),
        (8, "bad commodity code"),
        (9, "bad number"),
        (10, "bad number"),
        (10, "unknown valuation"),
        (11, "duplicate flow"),
        (11, "unknown valuation"),
    ]


def test_comext_real_extract(db: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    path = shared_data / COMEXT
    db.execute(
        "INSERT INTO country_aliases SELECT DISTINCT code, code, 'iso2' FROM (SELECT reporter_iso2 AS code"
        " FROM read_csv(?, all_varchar = true)"
        " UNION SELECT partner_iso2 FROM read_csv(?, all_varchar = true))"
        " WHERE code NOT IN (SELECT alias FROM country_aliases)",
        [str(path), str(path)],
    )
    assert sniff_format(path, read_head(path)) == "comext"
    report = load(db, path, OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (200_341, 200_341, 0)
    first = db.execute("SELECT * FROM trade_flows WHERE row_number = 2").fetchone()
    assert first == (
        report.source_id,
        2,
        "DE",
        "BY",
        "export",
        "84021200",
        8,
        "840212",
        "2020-03",
        "month",
        date(2020, 3, 1),
        Decimal("77000.00"),
        "EUR",
        "FOB",
        None,
        None,
        None,
    )
    levels = db.execute(
        "SELECT code_level, count(*), count(hs6) FROM trade_flows GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert levels == [(4, 13_003, 0), (8, 187_338, 187_338)]
    last = db.execute(
        "SELECT period, partner, commodity_code FROM trade_flows WHERE row_number = 200342"
    ).fetchone()
    assert last == ("2020-08", "UZ", "90138090")  # the file's last line
    again = load(db, path, OPTIONS)
    assert again.already_loaded
    assert db.execute("SELECT count(*), count(DISTINCT source_id) FROM trade_flows").fetchone() == (
        200_341,
        1,
    )


def test_overlapping_extract_is_not_double_counted(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    header = "period,reporter_iso2,partner_iso2,product_code,value_eur\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "2023-01,DE,RU,84571010,100\n", encoding="utf-8")
    second.write_text(header + "2023-01,DE,RU,84571010,100\n2023-02,DE,RU,84571010,50\n", encoding="utf-8")
    load(db, first, OPTIONS)
    report = load(db, second, OPTIONS)
    assert (report.rows_accepted, report.rows_quarantined) == (1, 1)
    assert db.execute("SELECT sum(value) FROM trade_flows").fetchone() == (Decimal("150.00"),)


def test_file_that_is_neither_layout(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"other\.csv"):
        load(db, path, OPTIONS)
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (0,)
