import duckdb

from tests.analyze.fixture_warehouse import line_id, one


def test_longest_prefix_wins_and_line_appears_once(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT hs_prefix, tier, entries_matched FROM basket_lines WHERE basket = 'tw_machine_tools'"
        " AND line_id = ?",
        line_id(1),
    )
    assert row == ("84571010", "national", 2)


def test_a_line_in_two_baskets(analysed: duckdb.DuckDBPyConnection) -> None:
    baskets = analysed.execute(
        "SELECT basket FROM basket_lines WHERE line_id = ? ORDER BY basket", [line_id(1)]
    ).fetchall()
    assert baskets == [("chpl_4b",), ("tw_machine_tools",)]


def test_controlled_on_date_follows_effective_dates(analysed: duckdb.DuckDBPyConnection) -> None:
    def controlled(basket: str, number: int) -> bool | None:
        row = one(
            analysed,
            "SELECT controlled_on_date FROM basket_lines WHERE basket = ? AND line_id = ?",
            basket,
            line_id(number),
        )
        value: bool | None = row[0]
        return value

    assert controlled("chpl_4b", 18) is False  # 2024-01-10, before tier 4.B (2024-02-23)
    assert controlled("chpl_4b", 17) is True  # 2024-03-01
    assert controlled("bearings", 15) is True  # 2023-03-03, within [2023-01-01, 2023-08-01)
    assert controlled("bearings", 12) is False  # 2023-08-05: effective_to is exclusive
    assert controlled("chpl_4b", 14) is None  # no registration date


def test_hs6_is_used_when_no_national_code(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, "SELECT hs_prefix FROM basket_lines WHERE line_id = ?", line_id(15)) == ("8482",)


def test_unlisted_goods_are_in_no_basket(analysed: duckdb.DuckDBPyConnection) -> None:
    assert one(analysed, "SELECT count(*) FROM basket_lines WHERE line_id = ?", line_id(16)) == (0,)
