import datetime as dt
from decimal import Decimal

import duckdb

from tests.analyze.fixture_warehouse import line_id, one

SQL = (
    "SELECT last_direct_date, first_indirect_date, direct_value, indirect_value, direct_lines,"
    " indirect_lines, overlap_lines, hubs, last_direct_line_id, first_indirect_line_id, switched"
    " FROM route_switches WHERE basket = 'tw_machine_tools' AND consignee_key = ?"
)


def test_case_b_importer_switched_after_may_2023(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, SQL, "ru-imt") == (
        dt.date(2023, 5, 28),
        dt.date(2023, 6, 12),
        Decimal("5270000.00"),
        Decimal("1650000.50"),
        3,
        4,
        0,
        "CN,TR",
        line_id(3),
        line_id(4),
        True,
    )


def test_side_by_side_routes_are_not_a_switch(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(analysed, SQL, "STANKO TRADE OOO")
    assert row[0:2] == (dt.date(2023, 4, 1), dt.date(2023, 2, 1))
    assert row[6:] == (1, "TR", line_id(8), line_id(7), False)


def test_consignee_with_only_other_routes(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT direct_lines, indirect_lines, other_lines, hubs, switched FROM route_switches"
        " WHERE basket = 'tw_machine_tools' AND consignee_key = 'ZAVOD STANKOV AO'",
    )
    assert row == (0, 0, 1, None, False)


SCORE_SQL = (
    "SELECT consignee_party_id, score, switch_rank FROM route_switches"
    " WHERE basket = 'tw_machine_tools' AND consignee_key = ?"
)


def test_clean_switch_outranks_side_by_side_routes(analysed: duckdb.DuckDBPyConnection) -> None:
    # ru-imt: no overlap; balance 0.5 + 1,650,000.50 / 6,920,000.50; support 7 lines / 10.
    party, score, rank = one(analysed, SCORE_SQL, "ru-imt")
    assert party == "ru-imt" and rank == 1
    assert abs(score - round(1.0 * (0.5 + 1650000.50 / 6920000.50) * 0.7, 4)) < 1e-9
    # Stanko: 1 of 2 indirect lines before the last direct; balance 0.5 + 150,000 / 370,000; 3 lines.
    party, score, rank = one(analysed, SCORE_SQL, "STANKO TRADE OOO")
    assert party is None and rank > 1
    assert abs(score - round(0.5 * (0.5 + 150000 / 370000) * 0.3, 4)) < 1e-9


def test_one_route_only_scores_zero(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, SCORE_SQL, "ZAVOD STANKOV AO")[1] == 0
