"""HTML tables for the headline figures, the chart data, parties, route switches and screening.

Cells are built from data with ``fmt`` helpers, which escape; column headers are literals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sanctrace.present.report import fmt
from sanctrace.present.report.charts import series_name
from sanctrace.present.report.data import Row


@dataclass(frozen=True)
class Column:
    label: str
    render: Callable[[Row], str]
    numeric: bool = False


def table(
    columns: Sequence[Column],
    rows: Sequence[Row],
    *,
    css: str = "data",
    after_row: Callable[[Row], str] | None = None,
) -> str:
    """A table; ``after_row`` adds a full-width row under each row (the evidence block)."""
    head = "".join(f'<th class="{"num" if c.numeric else ""}">{fmt.esc(c.label)}</th>' for c in columns)
    body: list[str] = []
    for row in rows:
        cells = "".join(f'<td class="{"num" if c.numeric else ""}">{c.render(row)}</td>' for c in columns)
        body.append(f"<tr>{cells}</tr>")
        if after_row is not None:
            body.append(f'<tr class="evidence-row"><td colspan="{len(columns)}">{after_row(row)}</td></tr>')
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _share(part: object, total: object) -> str:
    if part is None or not total:
        return fmt.share(0)
    return fmt.share(float(part) / float(total))  # type: ignore[arg-type]


def headline_cards(h: Row, target: str, origin: str | None) -> str:
    """The four numbers a reader quotes first."""
    total = h["total_value"]
    route_shares = " · ".join(
        f"{name} {_share(h[f'{name}_value'], total)}"
        for name in ("direct", "indirect", "domestic", "unknown")
        if h[f"{name}_value"] is not None
    )
    goods = f"{fmt.esc(origin)}-origin goods" if origin else "goods"
    cards = [
        (fmt.money(total), f"value of the basket's {goods} to {fmt.esc(target)}"),
        (
            f"{_share(h['direct_value'], total)} / {_share(h['indirect_value'], total)}",
            f"direct / indirect share ({route_shares})",
        ),
        (fmt.count(h["lines"]), "declaration lines"),
        (f"{fmt.month(h['first_month'])} – {fmt.month(h['last_month'])}", "period covered"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="figure">{big}</div><div class="caption">{small}</div></div>'
            for big, small in cards
        )
        + "</div>"
    )


def chart_table(rows: Sequence[Row]) -> str:
    """The chart's numbers as a table: readable when printed and checkable by hand."""
    by_month: dict[object, dict[str, object]] = defaultdict(dict)
    names: list[str] = []
    for r in rows:
        name = series_name(str(r["route"]), r["hub_country"])
        by_month[r["month"]][name] = r["value_usd"]
        if name not in names:
            names.append(name)
    columns = [Column("month", lambda r: fmt.month(r["month"]))] + [
        Column(n, _money_of(n), numeric=True) for n in names
    ]
    flat = [{"month": m, **v} for m, v in sorted(by_month.items(), key=lambda kv: str(kv[0]))]
    return table(columns, flat, css="data compact")


PARTY_COLUMNS = [
    Column("rank", lambda r: fmt.count(r["rank"]), numeric=True),
    Column("name", lambda r: fmt.esc(r["label"])),
    Column("value", lambda r: fmt.money(r["value_usd"]), numeric=True),
    Column("share", lambda r: fmt.share(r["share"]), numeric=True),
    Column("lines", lambda r: fmt.count(r["lines"]), numeric=True),
    Column("first", lambda r: fmt.day(r["first_date"])),
    Column("last", lambda r: fmt.day(r["last_date"])),
]

SWITCH_COLUMNS = [
    Column("consignee", lambda r: fmt.esc(r["consignee_label"])),
    Column("last direct", lambda r: fmt.day(r["last_direct_date"])),
    Column("first indirect", lambda r: fmt.day(r["first_indirect_date"])),
    Column("direct value", lambda r: fmt.money(r["direct_value"]), numeric=True),
    Column("indirect value", lambda r: fmt.money(r["indirect_value"]), numeric=True),
    Column("direct lines", lambda r: fmt.count(r["direct_lines"]), numeric=True),
    Column("indirect lines", lambda r: fmt.count(r["indirect_lines"]), numeric=True),
    Column("of which relabelled", lambda r: fmt.count(r["relabel_lines"]), numeric=True),
    Column("via", lambda r: fmt.esc(r["hubs"])),
    Column("switched", lambda r: "yes" if r["switched"] else "no"),
    Column("score", lambda r: f"{r['score']:.2f}" if r.get("score") is not None else "", numeric=True),
]


def _period(first: str, last: str, months: str) -> Callable[[Row], str]:
    def render(row: Row) -> str:
        if row[months] is None:
            return "–"
        return f"{fmt.month(row[first])} – {fmt.month(row[last])} ({fmt.count(row[months])} mo.)"

    return render


def _amount(column: str) -> Callable[[Row], str]:
    return lambda row: fmt.amount(row[column], row["currency"])


def _hub(row: Row) -> str:
    note = ' <span class="id">(target: direct flow)</span>' if row["hub_is_target"] else ""
    return fmt.esc(row["hub"]) + note


HUB_COLUMNS = [
    Column("hub", _hub),
    Column("reporters", lambda r: fmt.esc(r["reporter_group"])),
    Column("baseline", _period("baseline_from", "baseline_to", "baseline_months")),
    Column("baseline / year", _amount("baseline_value"), numeric=True),
    Column("post", _period("post_from", "post_to", "post_months")),
    Column("post / year", _amount("post_value"), numeric=True),
    Column("surge", lambda r: fmt.ratio(r["surge_ratio"]), numeric=True),
    Column("increase / year", _amount("surge_increase"), numeric=True),
    Column("pass-through", lambda r: fmt.share(r["pass_through"]), numeric=True),
    Column("share to target", lambda r: fmt.share(r["share_to_target"]), numeric=True),
    Column("transit gap / year", _amount("transit_gap"), numeric=True),
]


def _band(low: str, high: str) -> Callable[[Row], str]:
    def render(row: Row) -> str:
        currency = row.get("currency")
        return f"{fmt.amount(row[low], currency)} … {fmt.amount(row[high], currency)}"

    return render


INDIRECT_SUMMARY_COLUMNS = [
    Column("origin", lambda r: fmt.esc(r["origin"])),
    Column("imports from", lambda r: fmt.esc(r["method"])),
    Column("months", _period("first_month", "last_month", "months")),
    Column("target's imports (CIF)", _amount("target_imports"), numeric=True),
    Column("origin's exports (FOB)", _amount("origin_exports"), numeric=True),
    Column("exports converted from", lambda r: fmt.esc(r["exports_converted_from"])),
    Column("indirect, low … high", _band("indirect_low", "indirect_high"), numeric=True),
    Column("declared via third countries", _amount("declared_indirect"), numeric=True),
]

INDIRECT_MONTHLY_COLUMNS = [
    Column("month", lambda r: fmt.month(r["period"])),
    Column("target's imports", lambda r: fmt.money(r["target_imports"]), numeric=True),
    Column("origin's exports (lag mean)", lambda r: fmt.money(r["origin_exports"]), numeric=True),
    Column("indirect low", lambda r: fmt.money(r["indirect_low"]), numeric=True),
    Column("central", lambda r: fmt.money(r["indirect_central"]), numeric=True),
    Column("high", lambda r: fmt.money(r["indirect_high"]), numeric=True),
    Column("declared via third countries", lambda r: fmt.money(r["declared_indirect"]), numeric=True),
    Column("export months reported", lambda r: fmt.count(r["export_months_reported"]), numeric=True),
]


def _listed_entity(row: Row) -> str:
    return f'{fmt.esc(row["caption"])} <span class="id">{fmt.esc(row["entity_id"])}</span>'


def _money_of(name: str) -> Callable[[Row], str]:
    return lambda row: fmt.money(row.get(name))


SCREENING_COLUMNS = [
    Column("our party", lambda r: fmt.esc(r["query_caption"])),
    Column("listed entity", _listed_entity),
    Column("list", lambda r: fmt.esc(r["list"])),
    Column("program", lambda r: fmt.esc(r["program"])),
    Column("score", lambda r: fmt.score(r["score"]), numeric=True),
    Column("match", lambda r: "yes" if r["match"] else "no"),
    Column("explanation", lambda r: f'<span class="explain">{fmt.esc(r["explanation"])}</span>'),
]

EVENT_COLUMNS = [
    Column("date", lambda r: fmt.day(r["event_date"])),
    Column("jurisdiction", lambda r: fmt.esc(r["jurisdiction"])),
    Column("control", lambda r: fmt.esc(r["description"])),
]


def _source(row: Row) -> str:
    return (
        f'<span title="{fmt.esc(row["source_path"])}">{fmt.esc(fmt.file_name(row["source_path"]))}</span>'
        f" row {fmt.count(row['row_number'])}"
    )


MAKER_COLUMNS = [
    Column("maker", lambda r: fmt.esc(r["maker"])),
    Column("HQ", lambda r: fmt.esc(r["hq_country"])),
    Column("lines", lambda r: fmt.count(r["lines"]), numeric=True),
    Column("value", lambda r: fmt.money(r["value_usd"]), numeric=True),
    Column("relabel-suspect lines", lambda r: fmt.count(r["suspect_lines"]), numeric=True),
]

RELABEL_COLUMNS = [
    Column("line", lambda r: f"<code>{fmt.esc(r['line_id'])}</code>"),
    Column("date", lambda r: fmt.day(r["registration_date"])),
    Column("maker", lambda r: fmt.esc(r["maker"])),
    Column("HQ", lambda r: fmt.esc(r["hq_country"])),
    Column("declared origin", lambda r: fmt.esc(r["origin_country"])),
    Column("dispatched from", lambda r: fmt.esc(r["dispatch_country"])),
    Column("brand", lambda r: fmt.esc(r["trademark_text"])),
    Column("why", lambda r: fmt.esc(str(r["relabel_reasons"] or "").replace(";", ", "))),
    Column("value", lambda r: fmt.money(r["value_usd"]), numeric=True),
    Column("file", _source),
]

PRICE_COLUMNS = [
    Column("line", lambda r: f"<code>{fmt.esc(r['line_id'])}</code>"),
    Column("HS-6", lambda r: fmt.esc(r["hs6"])),
    Column("flag", lambda r: fmt.esc(str(r["reason"]).replace("_", " "))),
    Column(
        "unit value",
        lambda r: (
            fmt.money(r["unit_value"])
            + (f" / {'kg' if r['basis'] == 'per_kg' else 'unit'}" if r["basis"] else "")
        ),
        numeric=True,
    ),
    Column("reference", lambda r: fmt.money(r["reference_value"]), numeric=True),
    Column("score", lambda r: f"{r['score']:.2f}" if r["score"] is not None else "", numeric=True),
    Column("line value", lambda r: fmt.money(r["value_usd"]), numeric=True),
    Column("file", _source),
]
