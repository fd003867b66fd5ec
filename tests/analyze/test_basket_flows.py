"""basket_flows: statistics rows per basket, each counted once whatever the mix of code levels."""

import duckdb


def _rows(con: duckdb.DuckDBPyConnection, basket: str, source_id: int) -> list[tuple[int, str]]:
    return [
        (int(r[0]), str(r[1]))
        for r in con.execute(
            "SELECT row_number, hs_prefix FROM basket_flows WHERE basket = ? AND source_id = ?"
            " ORDER BY row_number",
            [basket, source_id],
        ).fetchall()
    ]


def test_the_coarsest_row_of_a_month_wins(analysed: duckdb.DuckDBPyConnection) -> None:
    # tw_machine_tools is matched on 8457 and 8458 (84571010 is inside 8457). In March 2023 the
    # HS4 total (row 5) replaces Taiwan's 845710 row (row 4); Russia's 10-digit row 8 is inside
    # its 845710 row 7 of the same month.
    assert _rows(analysed, "tw_machine_tools", 6) == [
        (2, "8457"),
        (3, "8457"),
        (5, "8457"),
        (6, "8458"),
        (7, "8457"),
        (9, "8458"),
    ]


def test_a_total_coarser_than_the_prefix_never_matches(analysed: duckdb.DuckDBPyConnection) -> None:
    # chpl_4b's prefixes have six digits: the HS4 total (row 5) cannot be split, so row 4 counts.
    assert _rows(analysed, "chpl_4b", 6) == [
        (2, "845710"),
        (3, "845710"),
        (4, "845710"),
        (6, "845811"),
        (7, "845710"),
        (9, "845811"),
    ]


def test_month_index_and_other_months_keep_their_fine_rows(analysed: duckdb.DuckDBPyConnection) -> None:
    # Row 2 of the EU file (84821010, June 2021) gives way to the HS4 total of that month (row 10).
    assert [r for r, _ in _rows(analysed, "bearings", 7)] == [3, 4, 5, 6, 7, 8, 9, 10]
    index = analysed.execute(
        "SELECT month_index FROM basket_flows WHERE basket = 'bearings' AND source_id = 7 AND row_number = 6"
    ).fetchone()
    assert index == (2020 * 12 + 0,)
