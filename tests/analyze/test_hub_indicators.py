"""hub_indicators on the fixture, numbers by hand.

EU27 (EUR, rows 2020-01 .. 2022-06): baseline 2020-01..2021-12 = 24 months, post 2022-03..2022-06
= 4 months. Bearings to Kyrgyzstan: baseline 60,000 (FR, 2020-03) + 180,000 (DE's HS4 total of
June 2021, which replaces its 120,000 CN8 row) = 240,000 -> 120,000 a year; post 300,000 ->
900,000 a year; surge 7.5. The 999,000 of February 2022 is in neither period.
US (USD, rows 2019-01 .. 2022-08) to Kazakhstan: baseline 180,000 over 36 months -> 60,000 a year;
post 600,000 over 6 months -> 1,200,000; surge 20. Kazakhstan reports (USD, 2022-04 .. 2022-07, 4
months): imports 500,000 from the US and 100,000 from Germany (EU27), exports 450,000 to Russia
and 50,000 to China: share to Russia 0.9, pass-through 0.9 for the US and 4.5 for EU27.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.bundled import load_bundled_reference
from sanctrace.sources.trade_flows import load
from sanctrace.store.executor import DuckDBEngine
from sanctrace.store.warehouse import connect
from tests.analyze.fixture_warehouse import build_warehouse, one
from tests.conftest import SHARED_DATA

D = dt.date
SQL = "SELECT {} FROM hub_indicators WHERE basket = ? AND hub = ? AND reporter_group = ? AND currency = ?"
PERIODS = "baseline_from, baseline_to, baseline_months, post_from, post_to, post_months"
SURGE = (
    "baseline_total, post_total, baseline_rows, post_rows, baseline_value, post_value, surge_ratio,"
    " surge_increase"
)
HUB = (
    "hub_post_from, hub_post_to, hub_post_months, hub_exports_to_target, hub_exports_total,"
    " hub_imports_from_group, pass_through, share_to_target, transit_gap"
)


def test_surge_of_eu_exports_to_kyrgyzstan(analysed: duckdb.DuckDBPyConnection) -> None:
    args = ("bearings", "KG", "EU27", "EUR")
    assert one(analysed, SQL.format(PERIODS), *args) == (
        D(2020, 1, 1),
        D(2021, 12, 1),
        24,
        D(2022, 3, 1),
        D(2022, 6, 1),
        4,
    )
    surge = one(analysed, SQL.format(SURGE), *args)
    assert surge == (Decimal("240000.00"), Decimal("300000.00"), 2, 1, 120000.0, 900000.0, 7.5, 780000.0)
    # Comext-like data: no report by Kyrgyzstan itself, so no pass-through, share or gap.
    assert one(analysed, SQL.format(HUB), *args) == (None,) * 9


def test_the_target_row_is_the_direct_flow(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        SQL.format("hub_is_target, baseline_value, post_value, surge_ratio"),
        "bearings",
        "RU",
        "EU27",
        "EUR",
    )
    assert row == (True, 640000.0, 420000.0, pytest.approx(0.65625))


def test_pass_through_and_share_from_the_hubs_own_reports(analysed: duckdb.DuckDBPyConnection) -> None:
    args = ("bearings", "KZ", "US", "USD")
    assert one(analysed, SQL.format(PERIODS), *args) == (
        D(2019, 1, 1),
        D(2021, 12, 1),
        36,
        D(2022, 3, 1),
        D(2022, 8, 1),
        6,
    )
    assert one(analysed, SQL.format("baseline_value, post_value, surge_ratio"), *args) == (
        60000.0,
        1200000.0,
        20.0,
    )
    hub = one(analysed, SQL.format(HUB), *args)
    assert hub[:6] == (D(2022, 4, 1), D(2022, 7, 1), 4, 1350000.0, 1500000.0, 1500000.0)
    assert hub[6:] == (pytest.approx(0.9), pytest.approx(0.9), pytest.approx(-300000.0))
    eu = one(
        analysed,
        SQL.format("baseline_value, post_value, pass_through, transit_gap"),
        "bearings",
        "KZ",
        "EU27",
        "USD",
    )
    assert eu == (None, None, pytest.approx(4.5), None)


def test_periods_are_parameters() -> None:
    con = build_warehouse()
    params = AnalysisParams(baseline_from=D(2021, 1, 1), post_to=D(2022, 4, 30))
    run_analyses(DuckDBEngine(con), params)
    row = one(
        con,
        SQL.format(f"{PERIODS}, baseline_value, post_value, surge_ratio"),
        "bearings",
        "KG",
        "EU27",
        "EUR",
    )
    con.close()
    # Baseline 2021: only the HS4 total of June (180,000); post March-April 2022: 300,000.
    assert row == (
        D(2021, 1, 1),
        D(2021, 12, 1),
        12,
        D(2022, 3, 1),
        D(2022, 4, 1),
        2,
        180000.0,
        1800000.0,
        10.0,
    )


COMEXT = Path("trade_flows/eurostat_comext_eu_exports_ru_neighbours/eu_exports_by_cn_month.csv")
# Independent check, straight from the raw file: EU exports of machine tools (HS 8456-8466, all
# CN8 rows: the file has no HS4 total in those headings), baseline 2020-01..2021-12 (24 months,
# the file starts in 2020-01), post 2022-03..2022-11 (9 months, the file ends in 2022-11).
RAW_SURGE = """
SELECT partner_iso2,
    sum(CAST(value_eur AS DECIMAL(20, 2))) FILTER (WHERE period BETWEEN '2020-01' AND '2021-12') AS baseline,
    sum(CAST(value_eur AS DECIMAL(20, 2))) FILTER (WHERE period BETWEEN '2022-03' AND '2022-11') AS post
FROM read_csv(?, all_varchar = true)
WHERE left(product_code, 4) BETWEEN '8456' AND '8466'
GROUP BY partner_iso2
"""


@pytest.fixture(scope="module")
def comext() -> Iterator[duckdb.DuckDBPyConnection]:
    """The real Comext extract through the loader, the shipped baskets plus one whole chapter (84)."""
    path = SHARED_DATA / COMEXT
    if not path.is_file():
        pytest.skip(f"staged real Comext extract not found at {path}")
    con = connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    load_bundled_reference(con)
    report = load(con, path, LoadOptions(dataset="comext"))
    assert report.rows_accepted == 200_341
    con.execute("INSERT INTO baskets (basket, hs_prefix) VALUES ('chapter-84', '84')")
    run_analyses(DuckDBEngine(con), AnalysisParams())
    yield con
    con.close()


def test_real_comext_eu_machine_tool_exports_surge_to_central_asia_and_the_caucasus(
    comext: duckdb.DuckDBPyConnection,
) -> None:
    raw = {str(p): (b, a) for p, b, a in comext.execute(RAW_SURGE, [str(SHARED_DATA / COMEXT)]).fetchall()}
    found = {
        str(r[0]): r[1:]
        for r in comext.execute(
            "SELECT hub, baseline_total, post_total, baseline_months, post_months, post_to, surge_ratio,"
            " hub_is_target, pass_through FROM hub_indicators"
            " WHERE basket = 'machine-tools' AND reporter_group = 'EU27' AND currency = 'EUR'"
        ).fetchall()
    }
    assert sorted(found) == ["AM", "BY", "GE", "KG", "KZ", "RU", "UZ"]
    for hub, (baseline, post) in raw.items():
        assert found[hub][:5] == (baseline, post, 24, 9, D(2022, 11, 1)), hub
        assert found[hub][5] == pytest.approx((float(post) * 12 / 9) / (float(baseline) * 12 / 24)), hub
        assert found[hub][7] is None  # no report by the hubs themselves in Comext
    # Checked facts (EUR, annualised): Kyrgyzstan 20,810 -> 574,521 a year (x55.2), Armenia x9.4,
    # Kazakhstan x5.5, while exports to Russia halve and to Belarus fall by two thirds.
    assert found["KG"][5] > 50
    assert found["AM"][5] > 9
    assert found["KZ"][5] > 5
    assert found["RU"][5] < 0.51 and found["RU"][6] is True
    assert found["BY"][5] < 0.36


def test_real_comext_hs4_totals_are_not_added_to_their_cn8_rows(comext: duckdb.DuckDBPyConnection) -> None:
    # Independently: a CN8 row counts only in a month where its HS4 total is missing.
    expected = comext.execute(
        "WITH t AS (SELECT period, reporter_iso2 AS r, partner_iso2 AS p, product_code AS code,"
        " CAST(value_eur AS DECIMAL(20, 2)) AS v FROM read_csv(?, all_varchar = true))"
        " SELECT sum(v) FROM t WHERE p = 'KG' AND left(code, 2) = '84'"
        " AND period BETWEEN '2022-03' AND '2022-11'"
        " AND (length(code) = 4 OR NOT EXISTS (SELECT 1 FROM t AS h WHERE length(h.code) = 4"
        " AND h.code = left(t.code, 4) AND h.period = t.period AND h.r = t.r AND h.p = t.p))",
        [str(SHARED_DATA / COMEXT)],
    ).fetchone()
    row = one(
        comext,
        "SELECT post_total, surge_ratio FROM hub_indicators WHERE basket = 'chapter-84' AND hub = 'KG'"
        " AND reporter_group = 'EU27'",
    )
    assert expected is not None and row[0] == expected[0] == Decimal("81558917.00")
    # Summing every row regardless of level would give 107,990,807 (CN8 rows under the six HS4
    # totals of the file counted twice); the ratio found with the HS4 rule is 6.589.
    assert row[1] == pytest.approx(6.5886, rel=1e-4)
