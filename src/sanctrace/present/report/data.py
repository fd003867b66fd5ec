"""Read the analysis tables the report shows.

The report only reads: ``route_monthly`` and ``top_parties`` (required), ``route_switches``,
``indirect_estimates``, ``hub_indicators`` and ``screening_matches`` (optional), plus the canonical
tables. It never recomputes a figure, so what the page says is exactly what the analysis stored.
"""

from __future__ import annotations

from typing import Any

import duckdb

from sanctrace.errors import UserError

REQUIRED_TABLES = ("route_monthly", "top_parties")
STATISTICS_TABLES = ("indirect_estimates", "hub_indicators")
ROLE_ORDER = ("maker", "shipper", "consignee", "hub")
MAX_PARTY_RANK = 25
MAX_SCREENING_ROWS = 200

Row = dict[str, Any]


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True for a table or a view: the analysis may store its results either way."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def check_inputs(con: duckdb.DuckDBPyConnection, basket: str | None) -> list[str]:
    """Fail with a message the user can act on; return the baskets the report will cover."""
    missing = [t for t in REQUIRED_TABLES if not table_exists(con, t)]
    if missing:
        raise UserError(
            f"cannot build the report: table(s) {', '.join(missing)} not found in the warehouse;"
            " run the analysis first"
        )
    # Declarations fill route_monthly; trade statistics alone (e.g. a Comext extract) fill only the
    # difference-method and hub tables, and are worth a report too.
    sources = ["route_monthly"] + [t for t in STATISTICS_TABLES if table_exists(con, t)]
    union = " UNION ".join(f"SELECT basket FROM {t}" for t in sources)
    found = [str(r["basket"]) for r in fetch(con, f"SELECT DISTINCT basket FROM ({union}) ORDER BY 1")]
    if basket is None:
        if not found:
            raise UserError(
                "cannot build the report: no basket has rows in "
                + ", ".join(sources)
                + "; load declarations or trade statistics of a basket's goods and run the analysis"
            )
        return found
    if basket not in found:
        known = ", ".join(found) or "none"
        raise UserError(f"basket {basket!r} has no rows in {', '.join(sources)} (baskets present: {known})")
    return [basket]


HEADLINE_SQL = """SELECT
    sum(value_usd) AS total_value,
    sum(value_usd) FILTER (WHERE route = 'direct') AS direct_value,
    sum(value_usd) FILTER (WHERE route = 'indirect') AS indirect_value,
    sum(value_usd) FILTER (WHERE route = 'domestic') AS domestic_value,
    sum(value_usd) FILTER (WHERE route = 'unknown') AS unknown_value,
    sum(lines) AS lines,
    min(month) AS first_month,
    max(month) AS last_month
FROM route_monthly
WHERE basket = $basket"""

ROUTE_MONTHLY_SQL = """SELECT month, route, hub_country, sum(value_usd) AS value_usd, sum(lines) AS lines
FROM route_monthly
WHERE basket = $basket
GROUP BY month, route, hub_country
ORDER BY month, route, hub_country"""

TOP_PARTIES_SQL = """SELECT role, rank, party_key, label, value_usd, share, lines, first_date, last_date
FROM top_parties
WHERE basket = $basket AND period = 'all' AND role = $role AND rank <= $max_rank
ORDER BY rank, label"""

ROUTE_SWITCHES_SQL = """SELECT consignee_key, consignee_label, last_direct_date, first_indirect_date,
    direct_value, indirect_value, direct_lines, indirect_lines, relabel_lines, hubs, switched, score,
    switch_rank
FROM route_switches
WHERE basket = $basket AND score > 0
ORDER BY switch_rank
LIMIT 25"""

SCREENING_SQL = """SELECT coalesce(p.caption, m.query_party_id) AS query_caption, m.query_party_id,
    m.entity_id, m.caption, m.score, m.match, m.explanation, m.list, m.program
FROM screening_matches m
LEFT JOIN parties p ON p.party_id = m.query_party_id
ORDER BY m.match DESC, m.score DESC, query_caption, m.caption
LIMIT $max_rows"""

MAX_INDIRECT_SERIES = 6

INDIRECT_SUMMARY_SQL = """SELECT origin, method, currency, count(*) AS months, min(period) AS first_month,
    max(period) AS last_month, sum(target_imports) AS target_imports, sum(origin_exports) AS origin_exports,
    sum(indirect_low) AS indirect_low, sum(indirect_high) AS indirect_high,
    sum(declared_indirect) AS declared_indirect, min(cif_fob_low) AS cif_fob_low,
    max(cif_fob_high) AS cif_fob_high, max(lag_months) AS lag_months,
    string_agg(DISTINCT exports_converted_from, ',' ORDER BY exports_converted_from) AS exports_converted_from
FROM indirect_estimates
WHERE basket = $basket AND target = $target AND ($origin IS NULL OR origin = $origin)
GROUP BY origin, method, currency
ORDER BY sum(target_imports) DESC NULLS LAST, origin, method, currency"""

INDIRECT_MONTHLY_SQL = """SELECT period, target_imports, origin_exports, indirect_low, indirect_central,
    indirect_high, declared_indirect, export_months_reported
FROM indirect_estimates
WHERE basket = $basket AND target = $target AND origin = $origin AND method = $method
  AND currency = $currency
ORDER BY period"""

HUB_INDICATORS_SQL = """SELECT hub, reporter_group, currency, hub_is_target, baseline_from, baseline_to,
    baseline_months, post_from, post_to, post_months, baseline_value, post_value, surge_ratio,
    surge_increase, pass_through, share_to_target, transit_gap
FROM hub_indicators
WHERE basket = $basket
ORDER BY reporter_group, currency, hub_is_target, surge_increase DESC NULLS LAST, hub"""

MAX_FLAGGED_LINES = 25

MAKERS_SQL = """SELECT coalesce(m.maker_name, m.maker, '(no known maker)') AS maker, m.hq_country,
    count(*) AS lines, sum(r.value_usd) AS value_usd,
    count(*) FILTER (WHERE m.relabel_suspect) AS suspect_lines
FROM basket_lines b
JOIN maker_attribution m ON m.line_id = b.line_id
JOIN shipment_routes r ON r.line_id = b.line_id
WHERE b.basket = $basket AND r.destination_country = $target
GROUP BY ALL
ORDER BY value_usd DESC NULLS LAST, maker
LIMIT 15"""

RELABEL_SQL = """SELECT m.line_id, r.registration_date, coalesce(m.maker_name, m.maker) AS maker,
    m.hq_country, m.origin_country, m.dispatch_country, m.trademark_text, m.relabel_reasons, r.value_usd,
    s.path AS source_path, m.row_number
FROM basket_lines b
JOIN maker_attribution m ON m.line_id = b.line_id
JOIN shipment_routes r ON r.line_id = b.line_id
JOIN sources s ON s.source_id = m.source_id
WHERE b.basket = $basket AND r.destination_country = $target AND m.relabel_suspect
ORDER BY r.value_usd DESC NULLS LAST, m.line_id
LIMIT $max_rows"""

PRICE_SQL = """SELECT p.line_id, p.hs6, p.reason, p.basis, p.unit_value, p.reference_kind, p.reference_value,
    p.score, p.value_usd, s.path AS source_path, p.row_number
FROM basket_lines b
JOIN price_anomalies p ON p.line_id = b.line_id
JOIN sources s ON s.source_id = p.source_id
WHERE b.basket = $basket
ORDER BY p.score DESC NULLS LAST, p.line_id, p.reason
LIMIT $max_rows"""

CONTROL_EVENTS_SQL = """SELECT event_date, jurisdiction, description, event_id
FROM control_events
WHERE (basket IS NULL OR basket = $basket)
  AND event_date >= date_trunc('month', CAST($first_month AS DATE))
  AND event_date < date_trunc('month', CAST($last_month AS DATE)) + INTERVAL 1 MONTH
ORDER BY event_date, jurisdiction, event_id"""


def headline(con: duckdb.DuckDBPyConnection, basket: str) -> Row:
    rows = fetch(con, HEADLINE_SQL, {"basket": basket})
    return rows[0]


def route_monthly(con: duckdb.DuckDBPyConnection, basket: str) -> list[Row]:
    return fetch(con, ROUTE_MONTHLY_SQL, {"basket": basket})


def top_parties(con: duckdb.DuckDBPyConnection, basket: str, role: str) -> list[Row]:
    return fetch(con, TOP_PARTIES_SQL, {"basket": basket, "role": role, "max_rank": MAX_PARTY_RANK})


def party_roles(con: duckdb.DuckDBPyConnection, basket: str) -> list[str]:
    """The roles present, known ones first in the order a reader follows the goods."""
    found = {
        str(r["role"])
        for r in fetch(con, "SELECT DISTINCT role FROM top_parties WHERE basket = $b", {"b": basket})
    }
    return [r for r in ROLE_ORDER if r in found] + sorted(found - set(ROLE_ORDER))


def route_switches(con: duckdb.DuckDBPyConnection, basket: str) -> list[Row]:
    return fetch(con, ROUTE_SWITCHES_SQL, {"basket": basket})


def indirect_summary(
    con: duckdb.DuckDBPyConnection, basket: str, target: str, origin: str | None
) -> list[Row]:
    return fetch(con, INDIRECT_SUMMARY_SQL, {"basket": basket, "target": target, "origin": origin})


def indirect_monthly(con: duckdb.DuckDBPyConnection, basket: str, target: str, series: Row) -> list[Row]:
    values = {
        "basket": basket,
        "target": target,
        "origin": series["origin"],
        "method": series["method"],
        "currency": series["currency"],
    }
    return fetch(con, INDIRECT_MONTHLY_SQL, values)


def hub_indicators(con: duckdb.DuckDBPyConnection, basket: str) -> list[Row]:
    return fetch(con, HUB_INDICATORS_SQL, {"basket": basket})


def screening(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return fetch(con, SCREENING_SQL, {"max_rows": MAX_SCREENING_ROWS})


def control_events(con: duckdb.DuckDBPyConnection, basket: str, first: Any, last: Any) -> list[Row]:
    """Events dated inside the charted months: from the first month's start to the last month's end."""
    if first is None or last is None:
        return []
    return fetch(con, CONTROL_EVENTS_SQL, {"basket": basket, "first_month": first, "last_month": last})


def makers(con: duckdb.DuckDBPyConnection, basket: str, target: str) -> list[Row]:
    return fetch(con, MAKERS_SQL, {"basket": basket, "target": target})


def relabel_suspects(con: duckdb.DuckDBPyConnection, basket: str, target: str) -> list[Row]:
    return fetch(con, RELABEL_SQL, {"basket": basket, "target": target, "max_rows": MAX_FLAGGED_LINES})


def price_anomalies(con: duckdb.DuckDBPyConnection, basket: str) -> list[Row]:
    return fetch(con, PRICE_SQL, {"basket": basket, "max_rows": MAX_FLAGGED_LINES})
