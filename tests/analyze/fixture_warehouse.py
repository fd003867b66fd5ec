"""A small hand-written warehouse that exercises every branch of the analytics SQL.

The story: maker I Machine Tools (TW) ships directly to I Machine Technology (RU, resolved party
ru-imt) until 2023-05-28, then via CN and TR. Stanko Trade (unresolved, three spellings) uses both
routes side by side. Around them: a domestic line, unknown routes, a NULL value, a NULL date, a
line without a national code, a line bound for KZ, a line in no basket, and 845710 lines that sit
in two baskets. Trade statistics (table trade_flows) tell three more stories: Taiwan's reported
exports of machine tools to Russia against Russia's reported imports from Taiwan (the difference
method; an HS4 total and a 10-digit line sit beside the codes they contain), EU exports of bearings
to Kyrgyzstan surging after 2022 while those to Russia fall (the Comext view: the hub is the
partner), and Kazakhstan's own reports of US bearings passing on to Russia (pass-through).
Shared by tests/analyze (concrete numbers) and tests/conformance (DuckDB vs Spark).

Lines 19-34 are NC milling machines (845961, in no basket, so the route and basket tables above are
unchanged) for brands and prices: Victor Taichung's direct price list (100k-130k a machine), the
same machines via CN and TR (one "made in" CN, one resold at 370k), a FANUC machine at 900k, a
20k machine of no known maker, a HAAS sold by a Chinese trader, two KAFO lots to one consignee two
days apart (a split shipment) and a third a week later, and a DMG MORI line whose alias two makers
share. MAKER_ALIASES is the alias data; build_warehouse keys it with the real resolve step.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb

from sanctrace.resolve.makers import key_maker_texts
from sanctrace.sources.bundled import load_bundled_country_groups
from sanctrace.store.warehouse import connect

D = dt.date

IMT = "I MACHINE TECHNOLOGY LLC"
IMT_CYRILLIC = "ООО АЙ МАШИН ТЕХНОЛОДЖИ"
STANKO = "Stanko Trade OOO"
IMT_TOOLS = {
    "shipper_party_id": "tw-imt",
    "shipper_name": "I MACHINE TOOLS CO., LTD.",
    "manufacturer_text": "I MACHINE TOOLS",
}

MILL = "8459610000"
VT_FULL = "VICTOR TAICHUNG MACHINERY WORKS CO., LTD."
HUB_CN = "JIANGSU HUB TRADING CO"

# number, registration_date, commodity_code, hs6, origin, dispatch, trading, destination, value_usd, consignee
_ROWS: list[tuple[Any, ...]] = [
    # Case B: direct from the Taiwanese maker until the end of May 2023 ...
    (1, D(2023, 1, 15), "8457101000", "845710", "TW", "TW", "TW", "RU", "4470000.00", IMT),
    (2, D(2023, 3, 10), "8458110000", "845811", "TW", "TW", "TW", "RU", "500000.00", IMT_CYRILLIC),
    (3, D(2023, 5, 28), "8457101000", "845710", "TW", "TW", "TW", "RU", "300000.00", IMT),
    # ... then through China and Türkiye (line 6 is sold by a Hong Kong trader).
    (4, D(2023, 6, 12), "8457101000", "845710", "TW", "CN", "CN", "RU", "350000.00", IMT),
    (5, D(2023, 7, 3), "8458110000", "845811", "TW", "TR", "TR", "RU", "420000.50", IMT),
    (6, D(2023, 8, 20), "8457101000", "845710", "TW", "CN", "HK", "RU", "280000.00", IMT),
    # Stanko Trade: indirect, direct, indirect again: no clean switch.
    (7, D(2023, 2, 1), "8457101000", "845710", "TW", "TR", "TR", "RU", "100000.00", STANKO),
    (8, D(2023, 4, 1), "8457101000", "845710", "TW", "TW", "TW", "RU", "150000.00", "STANKO TRADE OOO "),
    (9, D(2023, 9, 1), "8457101000", "845710", "TW", "TR", "TR", "RU", "120000.00", STANKO),
    # Made in Russia, declared on import: domestic.
    (10, D(2023, 6, 15), "8457101000", "845710", "RU", "RU", "RU", "RU", "90000.00", "ZAVOD STANKOV AO"),
    # Unknown routes: no origin (and no value), then no dispatch.
    (11, D(2023, 7, 20), "8457101000", "845710", None, "CN", "CN", "RU", None, "NONAME LLC"),
    (12, D(2023, 8, 5), "8482100000", "848210", "CN", None, None, "RU", "7000.00", "PODSHIPNIK OOO"),
    # Bound for Kazakhstan: outside target RU.
    (13, D(2023, 6, 1), "8457101000", "845710", "TW", "TW", "TW", "KZ", "200000.00", "ASTANA MACHINERY TOO"),
    # No registration date.
    (14, None, "8457101000", "845710", "TW", "CN", "CN", "RU", "50000.00", "NODATE OOO"),
    # No national code, only hs6; bearings, direct from China.
    (15, D(2023, 3, 3), None, "848210", "CN", "CN", "CN", "RU", "12000.00", "PODSHIPNIK OOO"),
    # In no basket.
    (16, D(2023, 3, 3), "8501100000", "850110", "CN", "CN", "CN", "RU", "999.00", "MOTOR OOO"),
    # 2024: tier 4.B in force from 2024-02-23.
    (17, D(2024, 3, 1), "8457101000", "845710", "TW", "CN", "CN", "RU", "600000.00", IMT),
    (18, D(2024, 1, 10), "8458110000", "845811", "TW", "TW", "TW", "RU", "210000.00", "KAZAN STANKI OOO"),
    # NC milling machines (845961, no basket): Victor Taichung direct, one machine a line.
    (19, D(2023, 1, 10), MILL, "845961", "TW", "TW", "TW", "RU", "100000.00", "URAL STANKI OOO"),
    (20, D(2023, 2, 10), MILL, "845961", "TW", "TW", "TW", "RU", "110000.00", "URAL STANKI OOO"),
    (21, D(2023, 3, 10), MILL, "845961", "TW", "TW", "TW", "RU", "120000.00", "URAL STANKI OOO"),
    (22, D(2023, 4, 10), MILL, "845961", "TW", "TW", "TW", "RU", "125000.00", "URAL STANKI OOO"),
    (23, D(2023, 5, 10), MILL, "845961", "TW", "TW", "TW", "RU", "130000.00", "URAL STANKI OOO"),
    # ... via China: two machines at 140k each, declared as made in China (origin = dispatch) ...
    (24, D(2023, 6, 1), MILL, "845961", "CN", "CN", "CN", "RU", "280000.00", "URAL STANKI OOO"),
    # ... and the day after one at 150k, origin TW (same shipper and consignee: no split, both large).
    (25, D(2023, 6, 2), MILL, "845961", "TW", "CN", "CN", "RU", "150000.00", "URAL STANKI OOO"),
    # Via Türkiye at 370k: over three times the maker's median direct price of 120k.
    (26, D(2023, 7, 1), MILL, "845961", "TW", "TR", "TR", "RU", "370000.00", "VOLGA MASH OOO"),
    (27, D(2023, 7, 5), MILL, "845961", "JP", "JP", "JP", "RU", "900000.00", "VOLGA MASH OOO"),
    (28, D(2023, 7, 9), MILL, "845961", "CN", "CN", "CN", "RU", "20000.00", "VOLGA MASH OOO"),
    (29, D(2023, 8, 1), MILL, "845961", "US", "TR", "TR", "RU", "115000.00", "VOLGA MASH OOO"),
    # KAFO lots without a usable quantity: two within three days, one a week later.
    (30, D(2023, 9, 1), MILL, "845961", "TW", "TR", "TR", "RU", "65000.00", "STANOK IMPORT OOO"),
    (31, D(2023, 9, 3), MILL, "845961", "TW", "TR", "TR", "RU", "62000.00", "STANOK IMPORT OOO"),
    (32, D(2023, 9, 10), MILL, "845961", "TW", "TR", "TR", "RU", "58000.00", "STANOK IMPORT OOO"),
    # DMG MORI, an alias two makers share in MAKER_ALIASES; no value, so never priced.
    (33, D(2023, 9, 12), MILL, "845961", "DE", "DE", "DE", "RU", None, "VOLGA MASH OOO"),
    # A Chinese spelling of Victor Taichung with a legal form and an extra word; no value.
    (34, D(2023, 9, 15), MILL, "845961", "TW", "TW", "TW", "RU", None, "URAL STANKI OOO"),
]

# Shipper and maker columns where a line fills them; lines 1-3 come from the resolved maker tw-imt.
_EXTRA: dict[int, dict[str, str]] = {
    1: IMT_TOOLS,
    2: IMT_TOOLS,
    3: IMT_TOOLS,
    4: {"shipper_name": "Jiangsu Hub Trading Co", "manufacturer_text": "I Machine Tools "},
    5: {"shipper_name": "Istanbul Makine Dis Ticaret", "manufacturer_text": "I MACHINE TOOLS"},
    6: {"shipper_name": "JIANGSU HUB TRADING CO", "manufacturer_text": "i machine tools"},
    7: {"manufacturer_text": "VICTOR TAICHUNG"},
    8: {"manufacturer_text": "VICTOR TAICHUNG"},
    9: {"manufacturer_text": "VICTOR TAICHUNG"},
    # From 19 on: lines for brands and prices (quantity in pieces unless said otherwise).
    **{n: {"shipper_name": "VICTOR TAICHUNG", "manufacturer_text": VT_FULL} for n in range(19, 24)},
    24: {"shipper_name": HUB_CN, "manufacturer_text": "Victor Taichung Machinery Works Co., Ltd."},
    25: {"shipper_name": HUB_CN, "manufacturer_text": VT_FULL, "trademark_text": "VICTOR TAICHUNG"},
    26: {"shipper_name": "ANADOLU MAKINE", "manufacturer_text": VT_FULL},
    27: {"shipper_name": "FANUC", "manufacturer_text": "ФАНУК", "trademark_text": "FANUC"},
    28: {"shipper_name": HUB_CN, "manufacturer_text": "NONAME WORKS", "trademark_text": "KAFO / HAAS"},
    29: {"shipper_name": "ANADOLU MAKINE", "manufacturer_text": HUB_CN, "trademark_text": "ХААС"},
    30: {"shipper_name": "ANADOLU MAKINE", "trademark_text": "KAFO"},
    31: {"shipper_name": "ANADOLU MAKINE", "trademark_text": "KAFO"},
    32: {"shipper_name": "ANADOLU MAKINE", "trademark_text": "KAFO"},
    33: {"shipper_name": "DMG MORI", "manufacturer_text": "DMG MORI AG"},
    34: {"shipper_name": "VICTOR TAICHUNG", "manufacturer_text": "台中精機廠股份有限公司"},
}
# Trademarks on the case-B lines: an unknown brand (5), another maker's brand (6), a placeholder (7),
# the maker's own name in Chinese (8).
_TRADEMARKS = {5: "NOVA-42", 6: "VICTOR TAICHUNG", 7: "ОТСУТСТВУЕТ", 8: "台中精機"}
# (quantity, quantity_unit, net_kg) where a line declares them; 24 is two machines.
_QUANTITIES: dict[int, tuple[float | None, str | None, float | None]] = {
    **dict.fromkeys((19, 20, 21, 22, 23, 25, 26, 27, 28, 29), (1.0, "шт", 4000.0)),
    24: (2.0, "ШТ", 8000.0),
    **dict.fromkeys((30, 31, 32), (None, None, None)),
}
_RU_IMT_LINES = {1, 2, 3, 4, 5, 6, 17}


def _line(row: tuple[Any, ...]) -> dict[str, Any]:
    number, date, code, hs6, origin, dispatch, trading, destination, value, consignee = row
    return {
        "line_id": line_id(number),
        "declaration_number": f"10702010/{number:04d}",
        "item_number": 1,
        "source_id": 1,
        "row_number": number + 1,
        "flow": "import",
        "registration_date": date,
        "commodity_code": code,
        "hs6": hs6,
        "origin_country": origin,
        "dispatch_country": dispatch,
        "trading_country": trading,
        "destination_country": destination,
        "value_usd": None if value is None else Decimal(value),
        "consignee_name": consignee,
        "consignee_party_id": "ru-imt" if number in _RU_IMT_LINES else None,
        **_EXTRA.get(number, {}),
        **({"trademark_text": _TRADEMARKS[number]} if number in _TRADEMARKS else {}),
        **_quantity(number),
    }


def _quantity(number: int) -> dict[str, Any]:
    if number not in _QUANTITIES:
        return {}
    quantity, unit, kg = _QUANTITIES[number]
    return {"quantity": quantity, "quantity_unit": unit, "net_kg": kg}


def line_id(number: int) -> str:
    return f"10702010/{number:04d}/1"


DECLARATIONS: list[dict[str, Any]] = [_line(row) for row in _ROWS]

# (basket, hs_prefix, tier, description, effective_from, effective_to, version, source_id)
BASKETS: list[tuple[Any, ...]] = [
    ("chpl_4b", "845710", "4.B", "Machining centres", D(2024, 2, 23), None, "2024-02", 2),
    ("chpl_4b", "845811", "4.B", "NC horizontal lathes", D(2024, 2, 23), None, "2024-02", 2),
    ("tw_machine_tools", "8457", "heading", "Machining centres", D(2023, 1, 4), None, "2023-01", 3),
    (
        "tw_machine_tools",
        "84571010",
        "national",
        "Machining centres, horizontal",
        D(2023, 1, 4),
        None,
        "2023-01",
        3,
    ),
    ("tw_machine_tools", "8458", "heading", "Lathes", D(2023, 1, 4), None, "2023-01", 3),
    ("bearings", "8482", "2", "Ball bearings", D(2023, 1, 1), D(2023, 8, 1), "2023", 4),
]

# (event_id, jurisdiction, event_date, description, basket, reference, source_id)
CONTROL_EVENTS: list[tuple[Any, ...]] = [
    ("tw-2023-01-04", "TW", D(2023, 1, 4), "Taiwan adds machine tools", "tw_machine_tools", None, 5),
    ("chpl-4b", "G7", D(2024, 2, 23), "CHPL tier 4.B", "chpl_4b", None, 5),
    ("tw-mid-2023", "TW", D(2023, 6, 1), "Mid-2023 enforcement note", None, None, 5),
]

# (source_id, row_number, reporter, partner, flow, commodity_code, period, value, currency)
_FLOWS: list[tuple[Any, ...]] = [
    # Taiwan's statistics: exports to Russia, FOB, USD. Row 5 is the HS4 total of March.
    (6, 2, "TW", "RU", "export", "845710", "2023-01", "1000000.00", "USD"),
    (6, 3, "TW", "RU", "export", "845710", "2023-02", "500000.00", "USD"),
    (6, 4, "TW", "RU", "export", "845710", "2023-03", "200000.00", "USD"),
    (6, 5, "TW", "RU", "export", "8457", "2023-03", "250000.00", "USD"),
    (6, 6, "TW", "RU", "export", "845811", "2023-02", "100000.00", "USD"),
    # Russia's statistics: imports from Taiwan, CIF, USD. Row 8 sits inside row 7's code.
    (6, 7, "RU", "TW", "import", "845710", "2023-03", "1120000.00", "USD"),
    (6, 8, "RU", "TW", "import", "8457101000", "2023-03", "300000.00", "USD"),
    (6, 9, "RU", "TW", "import", "845811", "2023-03", "112000.00", "USD"),
    # Comext-like: EU exports of bearings, EUR. Row 5 falls between the periods; row 10 is the
    # HS4 total of June 2021 that replaces row 2.
    (7, 2, "DE", "KG", "export", "84821010", "2021-06", "120000.00", "EUR"),
    (7, 3, "FR", "KG", "export", "84821090", "2020-03", "60000.00", "EUR"),
    (7, 4, "DE", "KG", "export", "84821010", "2022-04", "300000.00", "EUR"),
    (7, 5, "DE", "KG", "export", "84821010", "2022-02", "999000.00", "EUR"),
    (7, 6, "DE", "RU", "export", "84821010", "2020-01", "480000.00", "EUR"),
    (7, 7, "DE", "RU", "export", "84821010", "2021-01", "800000.00", "EUR"),
    (7, 8, "DE", "RU", "export", "84821010", "2022-05", "100000.00", "EUR"),
    (7, 9, "DE", "RU", "export", "84821010", "2022-06", "40000.00", "EUR"),
    (7, 10, "DE", "KG", "export", "8482", "2021-06", "180000.00", "EUR"),
    # US exports of bearings to Kazakhstan, and Kazakhstan's own reports, USD.
    (8, 2, "US", "KZ", "export", "848210", "2019-01", "60000.00", "USD"),
    (8, 3, "US", "KZ", "export", "848210", "2021-12", "120000.00", "USD"),
    (8, 4, "US", "KZ", "export", "848210", "2022-03", "200000.00", "USD"),
    (8, 5, "US", "KZ", "export", "848210", "2022-08", "400000.00", "USD"),
    (8, 6, "KZ", "US", "import", "848210", "2022-04", "500000.00", "USD"),
    (8, 7, "KZ", "RU", "export", "848210", "2022-05", "450000.00", "USD"),
    (8, 8, "KZ", "CN", "export", "848210", "2022-06", "50000.00", "USD"),
    (8, 9, "KZ", "DE", "import", "848210", "2022-07", "100000.00", "USD"),
]


def _flow(row: tuple[Any, ...]) -> tuple[Any, ...]:
    source_id, row_number, reporter, partner, flow, code, period, value, currency = row
    year, month = (int(part) for part in period.split("-"))
    return (
        source_id,
        row_number,
        reporter,
        partner,
        flow,
        code,
        len(code),
        code[:6] if len(code) >= 6 else None,
        period,
        "month",
        D(year, month, 1),
        Decimal(value),
        currency,
        "CIF" if flow == "import" else "FOB",
        None,
        None,
        None,
    )


TRADE_FLOWS: list[tuple[Any, ...]] = [_flow(row) for row in _FLOWS]

# (maker, maker_name, hq_country, alias, kind, alias_key, source_id); alias_key is filled by resolve.
VT = ("victor-taichung", "Victor Taichung Machinery Works", "TW")
MAKER_ALIASES: list[tuple[Any, ...]] = [
    ("i-machine-tools", "I Machine Tools Co., Ltd.", "TW", "I Machine Tools Co., Ltd.", "name", None, 6),
    (*VT, "Victor Taichung Machinery Works", "name", None, 6),
    (*VT, "台中精機", "name", None, 6),
    (*VT, "VICTOR TAICHUNG", "brand", None, 6),
    ("fanuc", "FANUC Corporation", "JP", "FANUC Corporation", "name", None, 6),
    ("fanuc", "FANUC Corporation", "JP", "ФАНУК", "name", None, 6),
    ("fanuc", "FANUC Corporation", "JP", "FANUC", "brand", None, 6),
    ("haas", "Haas Automation, Inc.", "US", "Haas Automation, Inc.", "name", None, 6),
    ("haas", "Haas Automation, Inc.", "US", "ХААС", "name", None, 6),
    ("kao-fong", "Kao Fong Machinery Co., Ltd.", "TW", "KAFO", "brand", None, 6),
    ("dmg-mori", "DMG MORI CO., LTD.", "JP", "DMG MORI CO., LTD.", "name", None, 6),
    # A user's file that gives the same spelling to another maker: the key is shared, so ambiguous.
    ("dmg-mori-ag", "DMG MORI AG", "DE", "DMG MORI AG", "name", None, 7),
    (None, None, None, "ОТСУТСТВУЕТ", "placeholder", None, 6),
]

INPUT_TABLES = (
    "declarations",
    "baskets",
    "control_events",
    "trade_flows",
    "maker_aliases",
    "maker_text_keys",
    "country_groups",
    "exchange_rates",
)


def build_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding the fixture rows, schema from the real migrations."""
    con = connect(":memory:")
    for line in DECLARATIONS:
        row = {k: v for k, v in line.items() if k != "line_id"}  # computed by the view (migration 010)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO declaration_lines ({columns}) VALUES ({marks})", list(row.values()))
    con.executemany("INSERT INTO baskets VALUES (?, ?, ?, ?, ?, ?, ?, ?)", BASKETS)
    con.executemany("INSERT INTO control_events VALUES (?, ?, ?, ?, ?, ?, ?)", CONTROL_EVENTS)
    con.executemany(f"INSERT INTO trade_flows VALUES ({', '.join('?' for _ in TRADE_FLOWS[0])})", TRADE_FLOWS)
    con.executemany("INSERT INTO maker_aliases VALUES (?, ?, ?, ?, ?, ?, ?)", MAKER_ALIASES)
    key_maker_texts(con)
    load_bundled_country_groups(con)  # EU27, as in every real warehouse
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> tuple[Any, ...]:
    """The single row ``sql`` returns; fails the test if there is not exactly one."""
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, f"expected one row, got {rows}"
    return rows[0]
