from decimal import Decimal

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse, line_id, one

SQL = (
    "SELECT party_key, resolved, label, value_usd, lines, rank FROM top_parties"
    " WHERE basket = 'tw_machine_tools' AND period = 'all' AND role = ? AND rank = ?"
)


def test_resolved_consignee_is_keyed_by_party_id(analysed: duckdb.DuckDBPyConnection) -> None:
    # Lines 1-6 and 17; the Cyrillic spelling on line 2 is outvoted by the Latin one.
    assert one(analysed, SQL, "consignee", 1) == (
        "ru-imt",
        True,
        "I MACHINE TECHNOLOGY LLC",
        Decimal("6920000.50"),
        7,
        1,
    )


def test_unresolved_names_merge_on_case_and_spaces(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, SQL, "consignee", 2) == (
        "STANKO TRADE OOO",
        False,
        "Stanko Trade OOO",
        Decimal("370000.00"),
        3,
        2,
    )
    assert one(analysed, SQL, "maker", 1) == (
        "I MACHINE TOOLS",
        False,
        "I MACHINE TOOLS",
        Decimal("6320000.50"),
        6,
        1,
    )


def test_hub_shares_and_dates(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT party_key, value_usd, share, first_date, last_date FROM top_parties"
        " WHERE basket = 'tw_machine_tools' AND period = 'all' AND role = 'hub' AND rank = 1",
    )
    assert row[:2] == ("CN", Decimal("1280000.00"))
    assert row[2] == pytest.approx(1280000 / 7640000.50)
    assert (str(row[3]), str(row[4])) == ("2023-06-12", "2024-03-01")


def test_parties_without_value_rank_last(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT rank, share FROM top_parties WHERE basket = 'tw_machine_tools' AND period = 'all'"
        " AND party_key = 'NONAME LLC'",
    )
    assert row == (6, None)


def test_top_n_limits_each_role() -> None:
    con = build_warehouse()
    run_analyses(DuckDBEngine(con), AnalysisParams(top_n=1))
    counts = con.execute(
        "SELECT role, count(*) FROM top_parties WHERE basket = 'tw_machine_tools' AND period = 'all'"
        " GROUP BY role ORDER BY role"
    ).fetchall()
    con.close()
    assert counts == [("consignee", 1), ("hub", 1), ("maker", 1), ("shipper", 1)]


def test_each_year_has_its_own_ranking_and_shares(analysed: duckdb.DuckDBPyConnection) -> None:
    # 2024: only lines 17 (CN, $600,000) and 18 (direct) are dated in 2024 in tw_machine_tools.
    row = one(
        analysed,
        "SELECT party_key, value_usd, share, lines, first_line_id, last_line_id FROM top_parties"
        " WHERE basket = 'tw_machine_tools' AND period = '2024' AND role = 'hub' AND rank = 1",
    )
    assert row[:2] == ("CN", Decimal("600000.00")) and row[3] == 1
    assert row[2] == pytest.approx(600000 / 810000)
    assert row[4] == row[5] == line_id(17)
    periods = analysed.execute("SELECT DISTINCT period FROM top_parties ORDER BY period").fetchall()
    assert periods == [("2023",), ("2024",), ("all",)]


def test_first_and_last_lines_point_at_the_party_lines(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT first_line_id, last_line_id FROM top_parties"
        " WHERE basket = 'tw_machine_tools' AND period = 'all' AND role = 'consignee'"
        " AND party_key = 'ru-imt'",
    )
    assert row == (line_id(1), line_id(17))
