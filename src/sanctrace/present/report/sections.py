"""One function per report section; each returns HTML built only from escaped data.

Every figure carries a collapsed "reproduce in SQL" block with the exact query (literals
written out) that returns the numbers shown.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from sanctrace.present.report import charts, data, evidence, fmt, tables
from sanctrace.present.report.evidence import Scope

ROLE_TITLES = {
    "maker": "Makers",
    "shipper": "Shippers",
    "consignee": "Consignees",
    "hub": "Hubs (third countries the goods were dispatched from)",
}


def reproduce(sentence: str, sql: str, values: dict[str, object]) -> str:
    shown = evidence.inline(sql, values)
    return (
        '<details class="repro"><summary>Reproduce in SQL</summary>\n'
        f"{evidence.sql_block(sentence, shown)}\n</details>"
    )


def _basket_heading(basket: str, many: bool) -> str:
    return f"<h3>Basket {fmt.esc(basket)}</h3>" if many else ""


def _each_basket(scopes: list[Scope], intro: str, body: Callable[[Scope, int], list[str]]) -> str:
    """A section: its introduction, then per basket a heading (when there are several) and ``body``.

    ``body`` gets the scope and its 1-based position (chart ids must be unique in the page).
    """
    parts = [intro] if intro else []
    for index, scope in enumerate(scopes, start=1):
        parts.append(_basket_heading(scope.basket, len(scopes) > 1))
        parts.extend(body(scope, index))
    return "\n".join(parts)


def _listed(
    rows: list[data.Row],
    columns: list[tables.Column],
    empty: str,
    reproduced: tuple[str, str, dict[str, object]],
    after_row: Callable[[data.Row], str] | None = None,
) -> list[str]:
    """A table of ``rows`` and how to reproduce it, or the ``empty`` note when there are none."""
    if not rows:
        return [f'<p class="note">{fmt.esc(empty)}</p>']
    sentence, sql, values = reproduced
    return [tables.table(columns, rows, after_row=after_row), reproduce(sentence, sql, values)]


def headline(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    def body(scope: Scope, _: int) -> list[str]:
        return [
            tables.headline_cards(data.headline(con, scope.basket), scope.target, scope.origin),
            reproduce(
                "These figures are sums over the route_monthly table of the analysis:",
                data.HEADLINE_SQL,
                {"basket": scope.basket},
            ),
        ]

    return _each_basket(scopes, "", body)


def routes(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    intro = (
        '<p class="note">Stacked bars: value per month that arrived directly from the origin country'
        " and via each third country (hub). Dashed lines mark the controls in force from that date.</p>"
    )

    def body(scope: Scope, index: int) -> list[str]:
        parts: list[str] = []
        rows = data.route_monthly(con, scope.basket)
        months = [r["month"] for r in rows]
        events = data.control_events(con, scope.basket, min(months, default=None), max(months, default=None))
        fig = charts.route_figure(scope.basket, rows, events)
        chart = charts.figure_html(fig, f"chart-{index}")
        parts.append(f'<div class="chart" id="chart-{index}-box">{chart}</div>')
        if events:
            parts.append("<h4>Controls marked on the chart</h4>" + tables.table(tables.EVENT_COLUMNS, events))
        parts.append(
            f'<details class="chart-data"><summary>Chart data</summary>{tables.chart_table(rows)}</details>'
        )
        parts.append(
            reproduce(
                "Each bar segment is one row of this query ('indirect' is split by hub):",
                data.ROUTE_MONTHLY_SQL,
                {"basket": scope.basket},
            )
        )
        return parts

    return _each_basket(scopes, intro, body)


def _party_evidence(con: duckdb.DuckDBPyConnection, scope: Scope, role: str) -> Callable[[data.Row], str]:
    def render(row: data.Row) -> str:
        found = evidence.find_lines(con, role, scope, row["party_key"], row["label"])
        return evidence.details(found, role, row["lines"])

    return render


def parties(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    def body(scope: Scope, _: int) -> list[str]:
        parts: list[str] = []
        for role in data.party_roles(con, scope.basket):
            rows = data.top_parties(con, scope.basket, role)
            parts.append(f"<h4>{fmt.esc(ROLE_TITLES.get(role, role))}</h4>")
            linked = _party_evidence(con, scope, role)
            parts.append(tables.table(tables.PARTY_COLUMNS, rows, after_row=linked))
            values = {"basket": scope.basket, "role": role, "max_rank": data.MAX_PARTY_RANK}
            parts.append(
                reproduce("The table lists these rows of top_parties:", data.TOP_PARTIES_SQL, values)
            )
        return parts

    return _each_basket(scopes, "", body)


def _switch_evidence(con: duckdb.DuckDBPyConnection, scope: Scope) -> Callable[[data.Row], str]:
    def render(row: data.Row) -> str:
        expected = (row["direct_lines"] or 0) + (row["indirect_lines"] or 0)
        found = evidence.find_lines(
            con, "consignee", scope, row["consignee_key"], row["consignee_label"], relabelled=True
        )
        return evidence.details(found, "consignee", expected)

    return render


def switches(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    intro = (
        '<p class="note">Consignees that received the basket both directly from the origin country'
        " and via a third country, strongest switch first (up to 25): the last direct shipment, the"
        " first indirect one, the value and lines on each side, and the score (1 = a clean, balanced,"
        " well-supported switch; the formula is in route_switches.sql). A line declared as made in the"
        " country it was shipped from, whose maker is headquartered elsewhere and flagged as a relabel"
        " suspect, counts as indirect via that country (column: of which relabelled).</p>"
    )

    def body(scope: Scope, _: int) -> list[str]:
        return _listed(
            data.route_switches(con, scope.basket),
            tables.SWITCH_COLUMNS,
            "No consignee of this basket used both routes.",
            (
                "The table lists these rows of route_switches:",
                data.ROUTE_SWITCHES_SQL,
                {"basket": scope.basket},
            ),
            after_row=_switch_evidence(con, scope),
        )

    return _each_basket(scopes, intro, body)


def indirect(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    """The difference method (case A): imports of origin goods minus the origin's reported exports."""
    intro = (
        '<p class="note">The difference method: what the target imported of goods made in the origin '
        "country (from its trade statistics or from the declarations loaded here) minus what the origin "
        "reported exporting to the target. The result is a range, not a point: imports are valued CIF "
        "and exports FOB (the imports are divided by an uplift between the two bounds used), and goods "
        "take up to the lag used in months to arrive. Totals add the monthly bounds, so the range shown "
        "is at least as wide as the truth. A negative bound means the data show no indirect trade. "
        "Imports stay in their currency; exports reported in another currency are converted to US "
        "dollars with the monthly rates loaded (exchange_rates) to meet dollar imports, and the table "
        "says which currencies were converted.</p>"
    )

    def body(scope: Scope, index: int) -> list[str]:
        parts: list[str] = []
        rows = data.indirect_summary(con, scope.basket, scope.target, scope.origin)
        if not rows:
            parts.append('<p class="note">No imports of origin goods to compare in this basket.</p>')
            return parts
        first = rows[0]
        band = f"{first['cif_fob_low']:.2f}–{first['cif_fob_high']:.2f}"
        parts.append(
            f'<p class="note">CIF/FOB uplift {band}, '
            f"shipping lag 0–{fmt.count(first['lag_months'])} months.</p>"
        )
        parts.append(tables.table(tables.INDIRECT_SUMMARY_COLUMNS, rows))
        parts.append(
            reproduce(
                "The table sums these rows of indirect_estimates:",
                data.INDIRECT_SUMMARY_SQL,
                {"basket": scope.basket, "target": scope.target, "origin": scope.origin},
            )
        )
        for number, series in enumerate(rows[: data.MAX_INDIRECT_SERIES], start=1):
            monthly = data.indirect_monthly(con, scope.basket, scope.target, series)
            title = (
                f"{scope.basket}: {series['origin']}-made goods to {scope.target}, "
                f"imports from {series['method']} ({series['currency']})"
            )
            chart_id = f"indirect-chart-{index}-{number}"
            fig = charts.indirect_figure(title, str(series["currency"]), monthly)
            chart = charts.figure_html(fig, chart_id)
            parts.append(f"<h4>{fmt.esc(series['origin'])}: {fmt.esc(series['method'])}</h4>")
            parts.append(f'<div class="chart" id="{chart_id}-box">{chart}</div>')
            figures = tables.table(tables.INDIRECT_MONTHLY_COLUMNS, monthly, css="data compact")
            parts.append(f'<details class="chart-data"><summary>Monthly figures</summary>{figures}</details>')
        if len(rows) > data.MAX_INDIRECT_SERIES:
            parts.append(
                f'<p class="note">Charts for the {data.MAX_INDIRECT_SERIES} largest series only; '
                "the table lists them all.</p>"
            )
        return parts

    return _each_basket(scopes, intro, body)


def hubs(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    """Hub indicators from official statistics: surge, pass-through, share to the target."""
    intro = (
        '<p class="note">From official trade statistics (not the declarations): what each group of '
        "reporting countries exported to each third country, per year, before (baseline) and after "
        "(post) February 2022, and, where the hub reports its own trade, the share of its imports "
        "from that group it passed on to the target (pass-through) and the share of its exports going "
        "to the target. Amounts are annualised over the months the data cover and stay in the "
        "currency of the source. A surge is a pattern to check, not proof of diversion.</p>"
    )

    def body(scope: Scope, index: int) -> list[str]:
        parts: list[str] = []
        rows = data.hub_indicators(con, scope.basket)
        if not rows:
            parts.append('<p class="note">No trade statistics loaded for this basket.</p>')
            return parts
        groups: dict[tuple[str, str], list[data.Row]] = {}
        for row in rows:
            groups.setdefault((str(row["reporter_group"]), str(row["currency"])), []).append(row)
        for number, ((group, currency), members) in enumerate(groups.items(), start=1):
            if any(r["baseline_value"] is not None or r["post_value"] is not None for r in members):
                chart_id = f"hub-chart-{index}-{number}"
                fig = charts.hub_figure(scope.basket, group, currency, members)
                chart = charts.figure_html(fig, chart_id)
                parts.append(f'<div class="chart" id="{chart_id}-box">{chart}</div>')
        parts.append(tables.table(tables.HUB_COLUMNS, rows))
        parts.append(
            reproduce(
                "The table lists these rows of hub_indicators:",
                data.HUB_INDICATORS_SQL,
                {"basket": scope.basket},
            )
        )
        return parts

    return _each_basket(scopes, intro, body)


def makers(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    """Who made the goods (from manufacturer and brand texts) and which lines look relabelled."""
    intro = (
        '<p class="note">The maker of each line is read from the manufacturer and brand texts through the '
        "alias table (maker_aliases: any script, users add their own). A line is relabel-suspect when a "
        "known maker's goods come under an unknown brand or another maker's brand, or when the declared "
        "origin is not the maker's home country but the country the goods were dispatched from. A "
        "suspicion is a reason to read the declaration, not a finding.</p>"
    )

    def body(scope: Scope, _: int) -> list[str]:
        values: dict[str, object] = {"basket": scope.basket, "target": scope.target}
        rows = data.makers(con, scope.basket, scope.target)
        parts = _listed(
            rows,
            tables.MAKER_COLUMNS,
            "No attributed lines in this basket.",
            ("The table lists these makers:", data.MAKERS_SQL, values),
        )
        suspects = data.relabel_suspects(con, scope.basket, scope.target) if rows else []
        if suspects:
            parts.append(f"<h4>Relabel-suspect lines (largest {data.MAX_FLAGGED_LINES})</h4>")
            parts += _listed(
                suspects,
                tables.RELABEL_COLUMNS,
                "",
                ("These lines:", data.RELABEL_SQL, {**values, "max_rows": data.MAX_FLAGGED_LINES}),
            )
        return parts

    return _each_basket(scopes, intro, body)


def prices(con: duckdb.DuckDBPyConnection, scopes: list[Scope]) -> str:
    """Unit values far from the norm, resale mark-ups and split shipments."""
    intro = (
        '<p class="note">Lines whose unit value is far from the median of the same HS-6 code (robust '
        "z-score), machines resold via a hub at several times the maker's own price, and shipments "
        "declared in lots within a few days; the rules and thresholds are in price_anomalies.sql and "
        "the analyze options.</p>"
    )

    def body(scope: Scope, _: int) -> list[str]:
        return _listed(
            data.price_anomalies(con, scope.basket),
            tables.PRICE_COLUMNS,
            "No price flag in this basket.",
            (
                f"The {data.MAX_FLAGGED_LINES} strongest flags:",
                data.PRICE_SQL,
                {"basket": scope.basket, "max_rows": data.MAX_FLAGGED_LINES},
            ),
        )

    return _each_basket(scopes, intro, body)


def screening(con: duckdb.DuckDBPyConnection) -> str:
    rows = data.screening(con)
    if not rows:
        return '<p class="note">The screening step found no candidate matches.</p>'
    note = (
        '<p class="note">Parties of this warehouse screened against sanctions and export-control lists, '
        f"best scores first (at most {data.MAX_SCREENING_ROWS} rows). A score is not a finding: read the "
        "explanation and check identifiers before relying on a match.</p>"
    )
    return (
        note
        + tables.table(tables.SCREENING_COLUMNS, rows)
        + reproduce(
            "The table lists these rows of screening_matches:",
            data.SCREENING_SQL,
            {"max_rows": data.MAX_SCREENING_ROWS},
        )
    )


def method(scopes: list[Scope]) -> str:
    """How each figure links back to declaration lines and source rows."""
    scope = scopes[0]
    rules = "".join(
        f'<tr><td>{fmt.esc(role)}</td><td><pre class="sql"><code>{fmt.esc(cond)}</code></pre></td></tr>'
        for role, cond in evidence.ROLE_CONDITIONS.items()
    )
    example = evidence.lines_query("consignee", scope) or ""
    return (
        "<p>Every figure in this report is read from a table the analysis stored in the warehouse "
        "(route_monthly, top_parties, route_switches, screening_matches); each carries a "
        "<em>Reproduce in SQL</em> block with the query that returns it. Each party row and each route "
        "switch also lists the declaration lines behind it (up to "
        f"{evidence.EVIDENCE_LIMIT}), each with the file it was loaded from and its row number in that file "
        "(row 1 is the header), so any number can be traced to the original record. The appendix gives the "
        "sha256 of every file, so a reader can check they hold the same file.</p>"
        "<p>A line belongs to a party when it is a declaration to the target country, its commodity code "
        "starts with one of the basket's HS prefixes, and it matches the party by the rule of its role:</p>"
        f'<table class="data"><thead><tr><th>role</th><th>condition</th></tr></thead><tbody>{rules}'
        "</tbody></table>"
        + evidence.sql_block(
            "For example, the lines of one consignee ($key is its party_key, $label its name):", example
        )
    )
