"""Price rules on the fixture's NC milling machines (hs6 845961), with the numbers worked by hand.

The per-piece group has 11 lines (19-29; line 24 is two machines at 280k, so 140k each):
20k 100k 110k 115k 120k 125k 130k 140k 150k 370k 900k. Median 125k. On the log scale the absolute
deviations from ln(125k) sorted are 0, ln(130/125), ln(125/120), ln(125/115), ln(140/125),
ln(125/110), ... so the MAD (6th of 11) is ln(125/110).
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse, line_id, one

MAD = math.log(125 / 110)
SQL = (
    "SELECT basis, unit_value, reference_kind, reference_value, dispersion, group_lines, robust_z, score,"
    " threshold, maker FROM price_anomalies WHERE line_id = ? AND reason = ?"
)


def test_undervalued_line(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(analysed, SQL, line_id(28), "undervalued")
    z = 0.6745 * math.log(20_000 / 125_000) / MAD  # -9.67
    assert row[:3] == ("per_unit", 20_000.0, "hs6_log_median")
    assert row[3] == pytest.approx(125_000.0)
    assert row[4] == pytest.approx(MAD)
    assert row[5] == 11
    assert row[6] == pytest.approx(z) and row[7] == pytest.approx(-z)
    assert row[8:] == (3.5, None)


def test_marked_up_line(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(analysed, SQL, line_id(27), "marked_up")
    assert row[6] == pytest.approx(0.6745 * math.log(900_000 / 125_000) / MAD)  # 10.42
    assert row[9] == "fanuc"


def test_resale_markup_against_the_makers_direct_price(analysed: duckdb.DuckDBPyConnection) -> None:
    # Victor Taichung shipped from TW (its HQ) at 100k..130k: median 120k over 5 lines. Line 26 came
    # via TR at 370k: 3.08 times that, over the default ratio 3. Its z-score in the hs6 group,
    # 0.6745 * ln(370/125) / MAD = 5.73, makes it marked up as well: one row per reason.
    rows = analysed.execute(
        "SELECT reason, reference_kind, reference_value, group_lines, score, threshold"
        " FROM price_anomalies WHERE line_id = ? ORDER BY reason",
        [line_id(26)],
    ).fetchall()
    assert [r[0] for r in rows] == ["marked_up", "resale_markup"]
    assert rows[0][4] == pytest.approx(0.6745 * math.log(370 / 125) / MAD)
    _, kind, reference, lines, score, threshold = rows[1]
    assert (kind, reference, lines, threshold) == ("maker_direct_median", 120_000.0, 5, 3.0)
    assert score == pytest.approx(370 / 120)
    # Lines 24 (140k a machine) and 25 (150k) via CN are 1.17 and 1.25 times the direct price.


def test_split_lots(analysed: duckdb.DuckDBPyConnection) -> None:
    # hs6 845961 has 14 valued lines; the median line value is (115k + 120k) / 2 = 117.5k. Lots 30
    # (65k) and 31 (62k) are two days apart, each under 117.5k, together 127k over it. Lot 32
    # (58k) is a week later: alone in its window.
    rows = analysed.execute(
        "SELECT line_id, reference_value, group_lines, score, basis FROM price_anomalies"
        " WHERE reason = 'split' ORDER BY line_id"
    ).fetchall()
    assert [r[0] for r in rows] == [line_id(30), line_id(31)]
    for _, reference, lines, score, basis in rows:
        assert (reference, lines, basis) == (117_500.0, 2, None)
        assert score == pytest.approx(127_000 / 117_500)


def test_large_lines_close_together_are_not_split(analysed: duckdb.DuckDBPyConnection) -> None:
    # Lines 24 and 25: same shipper, consignee and hs6, one day apart, but 280k and 150k.
    found = analysed.execute(
        "SELECT count(*) FROM price_anomalies WHERE line_id IN (?, ?)", [line_id(24), line_id(25)]
    ).fetchone()
    assert found == (0,)


def test_groups_below_the_minimum_flag_nothing() -> None:
    con = build_warehouse()
    run_analyses(DuckDBEngine(con), AnalysisParams(price_min_lines=12))
    reasons = con.execute("SELECT DISTINCT reason FROM price_anomalies ORDER BY 1").fetchall()
    con.close()
    # 11 priced lines and 5 direct lines are too few; the 14 valued lines still give a line norm.
    assert reasons == [("split",)]


def test_a_wider_window_and_lower_thresholds() -> None:
    con = build_warehouse()
    params = AnalysisParams(price_z=1.0, markup_ratio=1.2, split_window_days=10)
    run_analyses(DuckDBEngine(con), params)
    flagged = con.execute(
        "SELECT line_id, reason FROM price_anomalies WHERE line_id IN (?, ?, ?) ORDER BY ALL",
        [line_id(24), line_id(25), line_id(32)],
    ).fetchall()
    con.close()
    # Line 25 (150k via CN) is 1.25 times the direct 120k, over 1.2; line 24 (140k) is 1.17.
    # Their z-scores, 0.6745 * ln(140/125) / MAD = 0.60 and ln(150/125) -> 0.96, stay under 1.
    # Lot 32 is within 10 days of lot 31 (and 30): 65k + 62k + 58k, each under 117.5k.
    assert flagged == [(line_id(25), "resale_markup"), (line_id(32), "split")]


def test_a_pair_that_ships_every_few_days_is_not_split() -> None:
    # 33 more lines from the same shipper to the same consignee (one every 6 days, Jan-Jul 2023):
    # 36 lines x a 7-day window = 252 >= the 244 days (2023-01-15..2023-09-15) the keyed lines
    # span, so the pair ships about once a window anyway and lots 30 and 31 are not a split.
    con = build_warehouse()
    start = dt.date(2023, 1, 20)
    for i in range(33):
        con.execute(
            "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
            " registration_date, hs6, value_usd, shipper_name, consignee_name)"
            " VALUES (?, 1, 1, ?, ?, '845961', 117500, 'ANADOLU MAKINE', 'STANOK IMPORT OOO')",
            [f"X/{i}", 100 + i, start + dt.timedelta(days=6 * i)],
        )
    run_analyses(DuckDBEngine(con), AnalysisParams())
    found = con.execute("SELECT count(*) FROM price_anomalies WHERE reason = 'split'").fetchone()
    con.close()
    assert found == (0,)
