"""The monthly route chart: value of the basket by route, with the control dates marked.

Plotly's JavaScript is embedded once in the page head (``plotly_js``); each figure is then a
``<div>`` plus a short inline script, so the report opens offline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import plotly.graph_objects as go
import plotly.offline

from sanctrace.present.report import fmt
from sanctrace.present.report.data import Row

FIXED_COLOURS = {"direct": "#1f4e79", "domestic": "#7f7f7f", "unknown": "#c7c7c7"}
HUB_COLOURS = [
    "#d62728",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#c5b0d5",
]
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
LABEL_CHARS = 48


def plotly_js() -> str:
    return str(plotly.offline.get_plotlyjs())


def series_name(route: str, hub_country: str | None) -> str:
    if route == "indirect":
        return f"via {hub_country}" if hub_country else "via unknown hub"
    return route


def _series_order(totals: dict[str, float]) -> list[str]:
    """Direct at the bottom, then hubs by value (largest first), then domestic and unknown."""
    hubs = sorted((n for n in totals if n not in FIXED_COLOURS), key=lambda n: (-totals[n], n))
    return [n for n in ("direct", *hubs, "domestic", "unknown") if n in totals]


def _colour(name: str, hubs: list[str]) -> str:
    if name in FIXED_COLOURS:
        return FIXED_COLOURS[name]
    return HUB_COLOURS[hubs.index(name) % len(HUB_COLOURS)]


def _event_label(event: Row) -> str:
    text = f"{fmt.day(event['event_date'])} {event['jurisdiction']}: {event['description']}"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _mark_events(fig: go.Figure, events: list[Row]) -> None:
    """Vertical dashed lines with rotated labels; the full description shows on hover."""
    for event in events:
        when = fmt.day(event["event_date"])
        fig.add_shape(
            type="line",
            x0=when,
            x1=when,
            xref="x",
            y0=0,
            y1=1,
            yref="paper",
            line={"color": "#444", "width": 1, "dash": "dash"},
        )
        fig.add_annotation(
            x=when,
            y=1,
            xref="x",
            yref="paper",
            text=fmt.esc(_event_label(event)),
            hovertext=fmt.esc(f"{event['jurisdiction']} {when}: {event['description']}"),
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="top",
            font={"size": 10},
        )


def route_figure(basket: str, rows: list[Row], events: list[Row]) -> go.Figure:
    """Stacked monthly bars, one series per route and per hub country."""
    values: dict[str, dict[dt.date, float]] = defaultdict(dict)
    lines: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for row in rows:
        name = series_name(str(row["route"]), row["hub_country"])
        values[name][row["month"]] = float(row["value_usd"] or 0)
        lines[name][row["month"]] = int(row["lines"] or 0)
    totals = {name: sum(by_month.values()) for name, by_month in values.items()}
    order = _series_order(totals)
    hubs = [n for n in order if n not in FIXED_COLOURS]
    fig = go.Figure()
    for name in order:
        months = sorted(values[name])
        fig.add_trace(
            go.Bar(
                name=fmt.esc(name),
                x=[fmt.day(m) for m in months],
                y=[values[name][m] for m in months],
                customdata=[lines[name][m] for m in months],
                marker_color=_colour(name, hubs),
                hovertemplate="%{x|%Y-%m}: $%{y:,.0f} (%{customdata:,} lines)<extra>%{fullData.name}</extra>",
            )
        )
    _mark_events(fig, events)
    _lay_out(
        fig,
        f"{basket}: monthly value by route (USD)",
        height=480,
        legend={"y": -0.18, "title": {"text": "route"}},
        barmode="stack",
        xaxis=_MONTHS,
        yaxis={"tickprefix": "$", "tickformat": ",.3s", "title": {"text": "value (USD)"}},
    )
    return fig


def indirect_figure(title: str, currency: str, rows: list[Row]) -> go.Figure:
    """The target's imports, the origin's exports and the indirect band between its bounds, by month."""
    months = [fmt.day(r["period"]) for r in rows]

    def series(column: str) -> list[float | None]:
        return [None if r[column] is None else float(r[column]) for r in rows]

    fig = go.Figure()
    fig.add_trace(
        go.Bar(name="target's imports (CIF)", x=months, y=series("target_imports"), marker_color="#c7d3e3")
    )
    fig.add_trace(
        go.Scatter(
            name="origin's exports (FOB, lag mean)",
            x=months,
            y=series("origin_exports"),
            mode="lines+markers",
            line={"color": "#1f4e79"},
        )
    )
    fig.add_trace(
        go.Scatter(
            name="indirect, high",
            x=months,
            y=series("indirect_high"),
            mode="lines",
            line={"color": "#d62728", "width": 1, "dash": "dot"},
        )
    )
    fig.add_trace(
        go.Scatter(
            name="indirect, low",
            x=months,
            y=series("indirect_low"),
            mode="lines",
            fill="tonexty",
            fillcolor="rgba(214,39,40,0.15)",
            line={"color": "#d62728", "width": 1, "dash": "dot"},
        )
    )
    if any(r["declared_indirect"] is not None for r in rows):
        fig.add_trace(
            go.Scatter(
                name="declared via third countries",
                x=months,
                y=series("declared_indirect"),
                mode="markers",
                marker={"color": "#ff7f0e", "size": 8, "symbol": "diamond"},
            )
        )
    _lay_out(
        fig,
        title,
        height=420,
        legend={"y": -0.18},
        xaxis=_MONTHS,
        yaxis={"tickformat": ",.3s", "title": {"text": fmt.esc(currency)}},
    )
    return fig


def _window(row: Row, prefix: str) -> str:
    if row[f"{prefix}_months"] is None:
        return prefix
    return f"{prefix} {fmt.month(row[f'{prefix}_from'])}–{fmt.month(row[f'{prefix}_to'])}"


def hub_figure(basket: str, reporter_group: str, currency: str, rows: list[Row]) -> go.Figure:
    """Baseline and post-period exports of one reporter group to each hub, annualised, side by side.

    The periods are those of the group's data, the same for every hub of the group.
    """
    shown = [r for r in rows if r["baseline_value"] is not None or r["post_value"] is not None]
    labels = [fmt.esc(f"{r['hub']} (target)" if r["hub_is_target"] else r["hub"]) for r in shown]
    fig = go.Figure()
    for prefix, colour in (("baseline", "#9aa5b1"), ("post", "#d62728")):
        name = _window(shown[0], prefix) if shown else prefix
        fig.add_trace(
            go.Bar(
                name=fmt.esc(name),
                x=labels,
                y=[float(r[f"{prefix}_value"] or 0) for r in shown],
                marker_color=colour,
                hovertemplate=f"%{{x}}: %{{y:,.0f}} {fmt.esc(currency)} a year<extra>{fmt.esc(name)}</extra>",
            )
        )
    _lay_out(
        fig,
        f"{basket}: exports of {reporter_group} to each hub, {currency} a year",
        height=420,
        legend={"y": -0.15},
        barmode="group",
        yaxis={"tickformat": ",.3s", "title": {"text": f"{fmt.esc(currency)} a year (annualised)"}},
    )
    return fig


_MONTHS = {"type": "date", "tickformat": "%Y-%m", "title": {"text": "month"}}


def _lay_out(fig: go.Figure, title: str, *, height: int, legend: dict[str, Any], **layout: Any) -> None:
    """The look every report chart shares (white template, title, a horizontal legend under the plot,
    the same margins), plus what is particular to one chart."""
    fig.update_layout(
        template="plotly_white",
        height=height,
        title={"text": fmt.esc(title)},
        legend={"orientation": "h", "yanchor": "top", **legend},
        margin={"t": 60, "b": 40, "l": 60, "r": 20},
        **layout,
    )


def figure_html(fig: go.Figure, div_id: str) -> str:
    """The figure's div and script; Plotly escapes '<' and '/' in the embedded JSON."""
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config=PLOTLY_CONFIG,
            default_height="480px",
            default_width="100%",
        )
    )
