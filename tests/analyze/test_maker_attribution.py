"""Brand attribution on the fixture: which maker, by which text, how sure, and relabelling signs."""

from __future__ import annotations

import duckdb
import pytest

from tests.analyze.fixture_warehouse import DECLARATIONS, line_id, one

SQL = (
    "SELECT maker, hq_country, method, match, confidence, relabel_suspect, relabel_reasons"
    " FROM maker_attribution WHERE line_id = ?"
)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        # Manufacturer "I MACHINE TOOLS" is the alias "I Machine Tools Co., Ltd." without its legal form.
        (1, ("i-machine-tools", "TW", "manufacturer", "exact", 0.9, False, None)),
        # "i machine tools" in lower case: same key.
        (6, ("i-machine-tools", "TW", "manufacturer", "exact", 0.5, True, "brand_of_other_maker")),
        # Trademark NOVA-42 is given but nobody's brand.
        (5, ("i-machine-tools", "TW", "manufacturer", "exact", 0.9, True, "unknown_brand")),
        # Trademark ОТСУТСТВУЕТ is a placeholder: not an unknown brand.
        (7, ("victor-taichung", "TW", "manufacturer", "exact", 0.9, False, None)),
        # Trademark 台中精機 (Chinese) names the same maker: full confidence.
        (8, ("victor-taichung", "TW", "manufacturer", "exact", 1.0, False, None)),
        # Declared made in CN and dispatched from CN, maker headquartered in TW.
        (24, ("victor-taichung", "TW", "manufacturer", "exact", 0.9, True, "origin_not_hq")),
        # Made in TW, dispatched from CN: an ordinary indirect route, no relabelling sign.
        (25, ("victor-taichung", "TW", "manufacturer", "exact", 1.0, False, None)),
        # Cyrillic ФАНУК for FANUC Corporation, trademark FANUC agrees.
        (27, ("fanuc", "JP", "manufacturer", "exact", 1.0, False, None)),
        # Manufacturer is a trader nobody knows; the Cyrillic trademark ХААС gives the maker.
        (29, ("haas", "US", "trademark", "exact", 0.8, False, None)),
        (30, ("kao-fong", "TW", "trademark", "exact", 0.8, False, None)),
        # 台中精機廠股份有限公司: the alias 台中精機 is contained once the legal form is gone.
        (34, ("victor-taichung", "TW", "manufacturer", "contains", 0.75, False, None)),
        # No manufacturer, no trademark.
        (10, (None, None, "none", None, None, False, None)),
    ],
)
def test_maker_method_confidence_and_relabel(
    analysed: duckdb.DuckDBPyConnection, number: int, expected: tuple[object, ...]
) -> None:
    assert one(analysed, SQL, line_id(number)) == expected


def test_an_alias_two_makers_share_attributes_to_neither(analysed: duckdb.DuckDBPyConnection) -> None:
    # "DMG MORI AG" and "DMG MORI CO., LTD." have the same key once legal forms are dropped.
    row = one(
        analysed,
        "SELECT maker, method, manufacturer_status FROM maker_attribution WHERE line_id = ?",
        line_id(33),
    )
    assert row == (None, "none", "ambiguous")


def test_a_text_containing_two_brands_is_ambiguous(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT maker, manufacturer_status, trademark_status FROM maker_attribution WHERE line_id = ?",
        line_id(28),
    )
    assert row == (None, "unknown", "ambiguous")


def test_evidence_columns(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT manufacturer_alias, trademark_alias, trademark_status, alias_source_id, source_id, row_number"
        " FROM maker_attribution WHERE line_id = ?",
        line_id(6),
    )
    assert row == ("I Machine Tools Co., Ltd.", "VICTOR TAICHUNG", "known", 6, 1, 7)


def test_one_row_per_declaration_line(analysed: duckdb.DuckDBPyConnection) -> None:
    rows = analysed.execute("SELECT line_id FROM maker_attribution").fetchall()
    assert sorted(r[0] for r in rows) == sorted(d["line_id"] for d in DECLARATIONS)


def test_shipment_routes_gets_the_maker_hq(analysed: duckdb.DuckDBPyConnection) -> None:
    row = one(
        analysed,
        "SELECT origin_country, maker_hq_country, route FROM shipment_routes WHERE line_id = ?",
        line_id(24),
    )
    assert row == ("CN", "TW", "direct")  # the route sees a CN machine; the brand says otherwise


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        # Declared made in CN, shipped from CN, maker in TW and flagged: assessed as indirect via CN.
        (24, ("direct", None, "indirect", "CN", True, "indirect", "CN")),
        # Made in TW, shipped from CN: indirect either way, nothing to reassess.
        (25, ("indirect", "CN", "indirect", "CN", False, "indirect", "CN")),
        # Made in TW by a TW maker and shipped from TW: direct either way.
        (1, ("direct", None, "direct", None, False, "direct", None)),
        # No maker attributed: no maker route; the assessed route is the declared one.
        (10, ("domestic", None, None, None, False, "domestic", None)),
    ],
)
def test_assessed_route_follows_the_maker_only_for_relabel_suspects(
    analysed: duckdb.DuckDBPyConnection, number: int, expected: tuple[object, ...]
) -> None:
    row = one(
        analysed,
        "SELECT route, hub_country, maker_route, maker_hub_country, maker_relabel_suspect, assessed_route,"
        " assessed_hub_country FROM shipment_routes WHERE line_id = ?",
        line_id(number),
    )
    assert row == expected
