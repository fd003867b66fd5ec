"""A small hand-written warehouse that exercises every branch of the analytics SQL.

The story: maker I Machine Tools (TW) ships directly to I Machine Technology (RU, resolved party
ru-imt) until 2023-05-28, then via CN and TR. Stanko Trade (unresolved, three spellings) uses both
routes side by side. Around them: a domestic line, unknown routes, a NULL value, a NULL date, a
line without a national code, a line bound for KZ, a line in no basket, and 845710 lines that sit
in two baskets. Shared by tests/analyze (concrete numbers) and tests/conformance (DuckDB vs Spark).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb

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
    }


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

INPUT_TABLES = ("declarations", "baskets", "control_events")


def build_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding the fixture rows, schema from the real migrations."""
    con = connect(":memory:")
    for row in DECLARATIONS:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO declarations ({columns}) VALUES ({marks})", list(row.values()))
    con.executemany("INSERT INTO baskets VALUES (?, ?, ?, ?, ?, ?, ?, ?)", BASKETS)
    con.executemany("INSERT INTO control_events VALUES (?, ?, ?, ?, ?, ?, ?)", CONTROL_EVENTS)
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> tuple[Any, ...]:
    """The single row ``sql`` returns; fails the test if there is not exactly one."""
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, f"expected one row, got {rows}"
    return rows[0]
