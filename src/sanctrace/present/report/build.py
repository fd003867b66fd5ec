"""Assemble the report into one self-contained HTML file.

One file, no network: Plotly's JavaScript and the stylesheet are embedded, so the report can be
mailed, archived as evidence or opened on an air-gapped machine exactly as it was produced.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from string import Template

import duckdb

from sanctrace.errors import UserError
from sanctrace.present.report import appendix, charts, data, fmt, sections
from sanctrace.present.report.evidence import Scope

REPORT_FILE = "report.html"


def _resource(name: str) -> str:
    return resources.files("sanctrace.present.report").joinpath(name).read_text("utf-8")


def _section(section_id: str, heading: str, content: str) -> str:
    return f'<section id="{section_id}">\n<h2>{fmt.esc(heading)}</h2>\n{content}\n</section>'


def _meta(scopes: list[Scope], tables_used: list[str]) -> str:
    scope = scopes[0]
    origin = f" · origin {fmt.esc(scope.origin)}" if scope.origin else ""
    baskets = ", ".join(fmt.esc(s.basket) for s in scopes)
    return (
        f"Target {fmt.esc(scope.target)}{origin} · basket(s): {baskets} · "
        f"tables read: {', '.join(tables_used)}"
    )


def render(
    con: duckdb.DuckDBPyConnection, *, title: str, target: str, origin: str | None, basket: str | None
) -> str:
    """The whole page as a string; ``build_report`` writes it."""
    scopes = [Scope(b, target, origin) for b in data.check_inputs(con, basket)]
    has_switches = data.table_exists(con, "route_switches")
    has_screening = data.table_exists(con, "screening_matches")
    has_hubs = data.table_exists(con, "hub_indicators")
    has_indirect = data.table_exists(con, "indirect_estimates")
    has_makers = data.table_exists(con, "maker_attribution")
    has_prices = data.table_exists(con, "price_anomalies")
    parts: list[tuple[str, str, str]] = [
        ("headline", "Headline figures", sections.headline(con, scopes)),
        ("routes", "Monthly value by route", sections.routes(con, scopes)),
        ("parties", "Top makers, shippers, consignees and hubs", sections.parties(con, scopes)),
    ]
    if has_switches:
        parts.append(("switches", "Route switches", sections.switches(con, scopes)))
    if has_makers:
        parts.append(("makers", "Makers and relabelling", sections.makers(con, scopes)))
    if has_prices:
        parts.append(("prices", "Price anomalies", sections.prices(con, scopes)))
    if has_indirect:
        heading = "Direct and indirect: the difference method"
        parts.append(("indirect", heading, sections.indirect(con, scopes)))
    if has_hubs:
        parts.append(("hubs", "Hub indicators (trade statistics)", sections.hubs(con, scopes)))
    if has_screening:
        parts.append(("screening", "Screening matches", sections.screening(con)))
    parts.append(("method", "Where the numbers come from", sections.method(scopes)))
    parts.append(("appendix", "Appendix: source files and licences", appendix.sources_section(con)))
    optional = {
        "route_switches": has_switches,
        "maker_attribution": has_makers,
        "price_anomalies": has_prices,
        "indirect_estimates": has_indirect,
        "hub_indicators": has_hubs,
        "screening_matches": has_screening,
    }
    tables_used = ["route_monthly", "top_parties"] + [name for name, present in optional.items() if present]
    nav = "".join(f'<a href="#{sid}">{fmt.esc(heading)}</a>' for sid, heading, _ in parts)
    return Template(_resource("page.html")).substitute(
        title=fmt.esc(title),
        css=_resource("report.css"),
        plotly_js=charts.plotly_js(),
        meta=_meta(scopes, tables_used),
        nav=nav,
        body="\n".join(_section(*part) for part in parts),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def build_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    title: str = "sanctrace report",
    target: str = "RU",
    origin: str | None = None,
    basket: str | None = None,
) -> Path:
    """Write ``out_dir/report.html`` from the analysis tables and return its path.

    Raises UserError when the analysis tables are missing, the basket has no rows, or the
    folder cannot be written.
    """
    page = render(con, title=title, target=target, origin=origin, basket=basket)
    path = Path(out_dir) / REPORT_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write the report to {path}: {exc.strerror or exc}") from exc
    return path
