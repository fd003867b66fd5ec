from decimal import Decimal

import duckdb
import pytest

from tests.analyze.fixture_warehouse import DECLARATIONS, line_id, one


@pytest.mark.parametrize(
    ("number", "route", "hub"),
    [
        (1, "direct", None),  # TW made, TW dispatched
        (4, "indirect", "CN"),  # TW made, dispatched from CN
        (5, "indirect", "TR"),
        (6, "indirect", "CN"),  # trading country HK does not change the hub
        (10, "domestic", None),  # RU made, RU destination: domestic before direct
        (11, "unknown", None),  # no origin
        (12, "unknown", None),  # no dispatch
        (13, "direct", None),  # bound for KZ: still one row, routed
    ],
)
def test_route_and_hub_of_a_line(
    analysed: duckdb.DuckDBPyConnection, number: int, route: str, hub: str | None
) -> None:
    row = one(analysed, "SELECT route, hub_country FROM shipment_routes WHERE line_id = ?", line_id(number))
    assert row == (route, hub)


def test_one_row_per_declaration_line_with_provenance(analysed: duckdb.DuckDBPyConnection) -> None:
    rows = analysed.execute("SELECT line_id, source_id, row_number FROM shipment_routes").fetchall()
    assert sorted(rows) == sorted((d["line_id"], d["source_id"], d["row_number"]) for d in DECLARATIONS)


def test_four_countries_are_kept_apart(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT origin_country, dispatch_country, trading_country, destination_country, maker_hq_country"
        " FROM shipment_routes WHERE line_id = ?",
        line_id(6),
    )
    # maker_hq_country: I Machine Tools (manufacturer text) is headquartered in TW.
    assert row == ("TW", "CN", "HK", "RU", "TW")


def test_month_is_first_day_and_null_without_date(analysed: duckdb.DuckDBPyConnection) -> None:
    dated = one(analysed, "SELECT month, typeof(month) FROM shipment_routes WHERE line_id = ?", line_id(3))
    undated = one(analysed, "SELECT month, value_usd FROM shipment_routes WHERE line_id = ?", line_id(14))
    assert str(dated[0]) == "2023-05-01" and dated[1] == "DATE"
    assert undated == (None, Decimal("50000.00"))
