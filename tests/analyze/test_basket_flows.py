"""basket_flows: statistics rows per basket, each counted once whatever the mix of code levels."""

import functools

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrace.store.executor import load_query
from sanctrace.store.warehouse import connect


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


# Codes of one chapter at every level a source may use (HS2, HS4, HS6, CN8, TN VED 10).
_CODES = st.lists(
    st.sampled_from(["84", "8457", "8458", "845710", "845811", "84571010", "84571090", "8457101000"]),
    min_size=1,
    max_size=8,
    unique=True,
)


@functools.cache
def _scratch() -> duckdb.DuckDBPyConnection:
    """One warehouse for every generated example: migrating a new one each time is the slow part."""
    return connect(":memory:")


@settings(max_examples=40, deadline=None)
@given(codes=_CODES, prefixes=st.lists(st.sampled_from(["84", "8457", "845710", "84571010"]), min_size=1))
def test_kept_rows_never_contain_each_other_and_cover_every_match(
    codes: list[str], prefixes: list[str]
) -> None:
    """Whatever mix of levels and basket prefixes: the kept codes are prefix-free (nothing is added
    twice), and every row that matches the basket is either kept or inside a kept row."""
    con = _scratch()
    con.execute("DELETE FROM baskets")
    con.execute("DELETE FROM trade_flows")
    con.executemany("INSERT INTO baskets (basket, hs_prefix) VALUES ('b', ?)", [[p] for p in prefixes])
    for number, code in enumerate(codes, start=2):
        con.execute(
            "INSERT INTO trade_flows VALUES (1, ?, 'DE', 'KG', 'export', ?, ?, NULL, '2022-05', 'month',"
            " DATE '2022-05-01', 1, 'EUR', 'FOB', NULL, NULL, NULL)",
            [number, code, len(code)],
        )
    query = load_query("sanctrace.analyze", "basket_flows").text
    kept = [str(r[0]) for r in con.execute(f"SELECT commodity_code FROM ({query})").fetchall()]
    shortest = [p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes)]
    matching = [c for c in codes if any(c.startswith(p) for p in shortest)]
    assert len(kept) == len(set(kept))
    assert not [(a, b) for a in kept for b in kept if a != b and b.startswith(a)]
    assert all(any(c.startswith(k) for k in kept) for c in matching)
    assert set(kept) <= set(matching)
