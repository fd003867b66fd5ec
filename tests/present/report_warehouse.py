"""A small hand-made warehouse for the report tests: case B in miniature.

An importer in Russia receives Taiwanese CNC machines directly until May 2023, then via China and
Türkiye. The analysis tables (route_monthly, top_parties, route_switches, ...) come from the real analyze
pipeline; screening matches are hand-made.
"""

from __future__ import annotations

import hashlib

import duckdb

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine

DECLARATIONS_SHA = hashlib.sha256(b"declarations_2023.csv").hexdigest()
FTM_SHA = hashlib.sha256(b"zala_cluster.entities.ftm.json").hexdigest()
EVIL = '<script>alert("x")</script> OOO'
IMT = "I MACHINE TECHNOLOGY LLC"

# declaration, date, consignee id, consignee name, shipper, maker, dispatch, hs code, value, destination
LINES = [
    (
        "D1",
        "2023-01-20",
        "p-imt",
        IMT,
        "I MACHINE TOOLS CO LTD",
        "I MACHINE TOOLS",
        "TW",
        "8457100002",
        4_470_000,
        "RU",
    ),
    (
        "D2",
        "2023-03-15",
        "p-imt",
        IMT,
        "I MACHINE TOOLS CO LTD",
        "I MACHINE TOOLS",
        "TW",
        "8458110000",
        1_200_000,
        "RU",
    ),
    (
        "D3",
        "2023-05-30",
        "p-imt",
        IMT,
        "I MACHINE TOOLS CO LTD",
        "I MACHINE TOOLS",
        "TW",
        "8457100002",
        300_000,
        "RU",
    ),
    (
        "D4",
        "2023-06-10",
        "p-imt",
        IMT,
        "SHENZHEN TRADING CO",
        "I MACHINE TOOLS",
        "CN",
        "8457100002",
        2_000_000,
        "RU",
    ),
    (
        "D5",
        "2023-06-10",
        "p-imt",
        IMT,
        "SHENZHEN TRADING CO",
        "I MACHINE TOOLS",
        "CN",
        "8458110000",
        500_000,
        "RU",
    ),
    (
        "D6",
        "2023-07-05",
        "p-imt",
        IMT,
        "ISTANBUL MAKINA LTD STI",
        "I MACHINE TOOLS",
        "TR",
        "8457100002",
        1_500_000,
        "RU",
    ),
    (
        "D7",
        "2023-07-20",
        "p-evil",
        EVIL,
        "ISTANBUL MAKINA LTD STI",
        "VICTOR TAICHUNG",
        "TR",
        "8457100002",
        250_000,
        "RU",
    ),
    (
        "D8",
        "2023-04-02",
        "p-stanko",
        "STANKO LLC",
        "ALMATY TRADE LLP",
        "VICTOR TAICHUNG",
        "KZ",
        "8458110000",
        100_000,
        "RU",
    ),
    (
        "D9",
        "2023-02-01",
        "p-stanko",
        "STANKO LLC",
        "UNKNOWN SELLER",
        "VICTOR TAICHUNG",
        None,
        "8458110000",
        50_000,
        "RU",
    ),
    (
        "D10",
        "2023-02-01",
        "p-stanko",
        "STANKO LLC",
        "LAPTOP SELLER",
        "ACER",
        "CN",
        "8471300000",
        999_999,
        "RU",
    ),
    (
        "D11",
        "2023-02-01",
        "p-kz",
        "ALMATY BUYER",
        "I MACHINE TOOLS CO LTD",
        "I MACHINE TOOLS",
        "TW",
        "8457100002",
        777_777,
        "KZ",
    ),
]


def _load_declarations(con: duckdb.DuckDBPyConnection) -> None:
    for row_number, (number, date, cid, cname, shipper, maker, dispatch, code, value, dest) in enumerate(
        LINES, start=2
    ):
        con.execute(
            "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number, flow,"
            " registration_date, commodity_code, hs6, manufacturer_text, origin_country, dispatch_country,"
            " destination_country, shipper_name, consignee_name, consignee_party_id, value_usd)"
            " VALUES (?, 1, 1, ?, 'import', ?, ?, ?, ?, 'TW', ?, ?, ?, ?, ?, ?)",
            [
                number,
                row_number,
                date,
                code,
                code[:6],
                maker,
                dispatch,
                dest,
                shipper,
                cname,
                cid,
                value,
            ],
        )


# EU exports of the basket (EUR), Comext style: EU27 data cover 2021-03 .. 2022-06, so the baseline
# is 2021-03..2021-12 (10 months) and the post period 2022-03..2022-06 (4 months). Kyrgyzstan:
# 50,000 -> 60,000 a year, then 400,000 -> 1,200,000 a year (x20); Russia: 2,400,000 -> 600,000 (x0.25).
# Taiwan's exports to Russia (USD): 1,000,000 in January and 500,000 in March 2023, against the
# declarations of TW-made goods (10,370,000 over 2023-01..07): with lag 0-2 the monthly lag means
# add up to 1,500,000, the monthly maxima to 4,000,000, so the low bound is 10,370,000 / 1.12 - 4,000,000.
STATISTICS = [
    (2, "DE", "KG", "84571010", "2021-05", 50_000, "EUR"),
    (3, "DE", "KG", "84571010", "2022-06", 400_000, "EUR"),
    (4, "DE", "RU", "84571010", "2021-03", 2_000_000, "EUR"),
    (5, "DE", "RU", "84571010", "2022-04", 200_000, "EUR"),
    (6, "TW", "RU", "84571000", "2023-01", 1_000_000, "USD"),
    (7, "TW", "RU", "84571000", "2023-03", 500_000, "USD"),
]


def load_statistics(con: duckdb.DuckDBPyConnection) -> None:
    for row_number, reporter, partner, code, period, value, currency in STATISTICS:
        con.execute(
            "INSERT INTO trade_flows (source_id, row_number, reporter, partner, flow, commodity_code,"
            " code_level, hs6, period, period_type, period_start, value, currency, valuation)"
            " VALUES (3, ?, ?, ?, 'export', ?, 8, left(?, 6), ?, 'month', CAST(? || '-01' AS DATE), ?, ?,"
            " 'FOB')",
            [row_number, reporter, partner, code, code, period, period, value, currency],
        )


def build_warehouse(con: duckdb.DuckDBPyConnection, *, optional_tables: bool = True) -> None:
    """Fill an empty migrated warehouse with the fixture and its analysis tables."""
    con.execute(
        "INSERT INTO sources (source_id, path, sha256, format, dataset, loaded_at, rows_read, rows_accepted,"
        " rows_quarantined) VALUES"
        f" (1, '/data/customs/declarations_2023.csv', '{DECLARATIONS_SHA}', 'ru_declarations', 'customs',"
        "  TIMESTAMP '2024-05-01 10:00:00', 15, 11, 4),"
        f" (2, '/data/os/zala_cluster.entities.ftm.json', '{FTM_SHA}', 'ftm', 'opensanctions',"
        "  TIMESTAMP '2024-05-01 10:05:00', 91, 91, 0)"
    )
    con.execute(
        "INSERT INTO quarantine VALUES (1, 13, 'G542', 'unparseable date', '31.02.2023'),"
        " (1, 14, 'G542', 'unparseable date', '30.02.2023'), (1, 15, 'G46', 'negative value', '-5'),"
        " (1, 16, 'G542', 'unparseable date', '')"
    )
    con.execute(
        "INSERT INTO baskets (basket, hs_prefix, tier, effective_from) VALUES"
        " ('cnc', '845710', 'TIER_4_B', DATE '2024-02-23'), ('cnc', '845811', 'TIER_4_B', DATE '2024-02-23')"
    )
    con.execute(
        "INSERT INTO control_events (event_id, jurisdiction, event_date, description, basket) VALUES"
        " ('tw-2023-01', 'TW', DATE '2023-01-04', 'Taiwan bans machine tools', NULL),"
        " ('ru-invasion', 'RU', DATE '2022-02-24', 'Invasion of Ukraine', NULL),"
        " ('chpl-4b', 'US', DATE '2024-02-23', 'CHPL tier 4.B', 'cnc'),"
        " ('chips', 'EU', DATE '2023-03-01', 'Chips only', 'chips'),"
        " ('eu-11', 'EU', DATE '2023-06-23', 'EU 11th package <b>anti-circumvention</b>', 'cnc')"
    )
    _load_declarations(con)
    load_statistics(con)
    run_analyses(DuckDBEngine(con), AnalysisParams(target="RU", origin="TW"))
    if not optional_tables:
        con.execute("DROP TABLE route_switches")
        return
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, dataset) VALUES"
        " ('p-imt', 'Company', 'I Machine Technology LLC', 'customs'), ('p-evil', 'Company', ?, 'customs')",
        [EVIL],
    )
    con.execute(
        "CREATE OR REPLACE TABLE screening_matches AS SELECT * FROM (VALUES"
        " ('p-imt', 'NK-imt', 'AI MASHIN TEKHNOLODZHI OOO', 0.93, TRUE, 'name 0.93; INN 7701234567 equal',"
        "  'us_ofac_sdn', 'RUSSIA-EO14024'),"
        " ('p-evil', 'NK-x', 'Some Listed Co', 0.41, FALSE, 'name 0.41 <weak>', 'eu_fsf', NULL))"
        " AS t(query_party_id, entity_id, caption, score, match, explanation, list, program)"
    )
