"""The declaration lines behind a figure, and the SQL a reader can run to get them.

Findings end up in newspapers and court, so every party row and route switch links to the
lines it was computed from (file name and row number) and shows the query that finds them. The
query shown is the query run: parameters are bound when executing and written out as literals
only in the displayed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from sanctrace.present.report import fmt
from sanctrace.present.report.data import Row, fetch

EVIDENCE_LIMIT = 20
_PARAM = re.compile(r"\$([a-z_]+)")


def _name_match(column: str) -> str:
    return f"upper(trim({column})) IN (upper(trim($key)), upper(trim($label)))"


def _party_match(prefix: str) -> str:
    return (
        f"(d.{prefix}_party_id = $key OR d.{prefix}_identifier = $key\n"
        f"       OR {_name_match(f'd.{prefix}_name')})"
    )


# How a top_parties / route_switches row is found back in declarations, per role.
ROLE_CONDITIONS = {
    "consignee": _party_match("consignee"),
    "shipper": _party_match("shipper"),
    "maker": f"({_name_match('d.manufacturer_text')}\n       OR {_name_match('d.trademark_text')})",
    "hub": "d.dispatch_country = $key",
}


@dataclass(frozen=True)
class Scope:
    """What every figure in the report is restricted to."""

    basket: str
    target: str
    origin: str | None


# route_switches also counts, under an origin, lines declared as made elsewhere whose maker (HQ in
# the origin) is a relabel suspect routed through its dispatch country (shipment_routes.assessed_route).
RELABELLED_FROM_ORIGIN = (
    "\n  AND (d.origin_country = $origin OR EXISTS (SELECT 1 FROM shipment_routes sr"
    "\n       WHERE sr.line_id = d.line_id AND sr.assessed_route <> sr.route"
    "\n         AND sr.maker_hq_country = $origin))"
)


def lines_query(role: str, scope: Scope, *, relabelled: bool = False) -> str | None:
    """The SELECT (without ORDER BY) of the lines behind one party of ``role``; None if unknown.

    ``relabelled``: count lines of the origin's makers routed by maker HQ, as route_switches does.
    """
    condition = ROLE_CONDITIONS.get(role)
    if condition is None:
        return None
    origin = ""
    if scope.origin:
        origin = RELABELLED_FROM_ORIGIN if relabelled else "\n  AND d.origin_country = $origin"
    return (
        "SELECT d.line_id, coalesce(d.registration_date, d.release_date) AS line_date,\n"
        "       d.dispatch_country, d.value_usd, s.path AS source_path, d.row_number\n"
        "FROM declarations d\n"
        "JOIN sources s ON s.source_id = d.source_id\n"
        f"WHERE d.destination_country = $target{origin}\n"
        "  AND EXISTS (SELECT 1 FROM baskets b WHERE b.basket = $basket\n"
        "              AND starts_with(coalesce(d.commodity_code, d.hs6), b.hs_prefix))\n"
        f"  AND {condition}"
    )


def bind(sql: str, values: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement uses: DuckDB rejects extra ones."""
    return {name: values[name] for name in set(_PARAM.findall(sql))}


def inline(sql: str, values: dict[str, Any]) -> str:
    """The statement with its parameters written as SQL literals, for the reader to copy."""
    return _PARAM.sub(lambda m: fmt.sql_literal(values[m.group(1)]), sql)


@dataclass(frozen=True)
class Evidence:
    shown_sql: str
    lines: list[Row]
    total_lines: int
    total_value: Any


def find_lines(
    con: duckdb.DuckDBPyConnection, role: str, scope: Scope, key: Any, label: Any, *, relabelled: bool = False
) -> Evidence | None:
    base = lines_query(role, scope, relabelled=relabelled)
    if base is None:
        return None
    values = {
        "target": scope.target,
        "origin": scope.origin,
        "basket": scope.basket,
        "key": key,
        "label": label if label is not None else key,
    }
    ordered = base + "\nORDER BY line_date, d.line_id"
    # Totals come from a joined aggregate, not count(*) OVER (): DuckDB 1.4 raised an internal
    # error ("index 0 within vector of size 0") on that window in CI, intermittently.
    sql = (
        f"WITH hits AS ({base})\n"
        "SELECT h.*, t.total_lines, t.total_value FROM hits h\n"
        "CROSS JOIN (SELECT count(*) AS total_lines, sum(value_usd) AS total_value FROM hits) t\n"
        f"ORDER BY h.line_date, h.line_id\nLIMIT {EVIDENCE_LIMIT}"
    )
    rows = fetch(con, sql, bind(sql, values))
    total = int(rows[0]["total_lines"]) if rows else 0
    value = rows[0]["total_value"] if rows else None
    return Evidence(inline(ordered, values), rows, total, value)


def sql_block(sentence: str, sql: str) -> str:
    return f'<p class="how">{fmt.esc(sentence)}</p>\n<pre class="sql"><code>{fmt.esc(sql)}</code></pre>'


def _lines_table(lines: list[Row]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("line_id", "date", "dispatched from", "value", "file", "row"))
    body = "".join(
        "<tr>"
        f"<td><code>{fmt.esc(r['line_id'])}</code></td><td>{fmt.day(r['line_date'])}</td>"
        f'<td>{fmt.esc(r["dispatch_country"])}</td><td class="num">{fmt.money(r["value_usd"])}</td>'
        f'<td title="{fmt.esc(r["source_path"])}">{fmt.esc(fmt.file_name(r["source_path"]))}</td>'
        f'<td class="num">{fmt.count(r["row_number"])}</td>'
        "</tr>"
        for r in lines
    )
    return f'<table class="lines"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def details(evidence: Evidence | None, role: str, expected_lines: Any) -> str:
    """A collapsed block listing the first lines and the query; notes any disagreement in counts."""
    if evidence is None:
        return f'<p class="note">No rule to find the lines of a party with role {fmt.esc(role)}.</p>'
    shown = len(evidence.lines)
    summary = f"{fmt.count(evidence.total_lines)} line(s) found, {fmt.money(evidence.total_value)}" + (
        f" — first {shown} listed" if evidence.total_lines > shown else ""
    )
    parts = [f'<details class="evidence"><summary>{summary}</summary>']
    if expected_lines is not None and int(expected_lines) != evidence.total_lines:
        parts.append(
            f'<p class="note">The analysis counted {fmt.count(expected_lines)} line(s); the query below finds'
            f" {fmt.count(evidence.total_lines)}. The analysis may group names or identifiers that this"
            " plain query matches separately.</p>"
        )
    if evidence.lines:
        parts.append(_lines_table(evidence.lines))
    parts.append(
        sql_block(
            "To reproduce: run this query on the warehouse; SELECT count(*), sum(value_usd) FROM (…) gives"
            " the row's lines and value.",
            evidence.shown_sql,
        )
    )
    parts.append("</details>")
    return "\n".join(parts)
