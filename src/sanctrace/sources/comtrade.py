"""UN Comtrade layouts for the trade-flows loader: which columns feed which field, what to filter.

Comtrade+ publishes totals next to their parts: customs procedure C00 next to each procedure, mode
of transport 0 next to each mode, second partner 0 (world) next to each second partner, partner 0
(World) next to every partner, commodity TOTAL next to every code. Loading both double counts, so
only the totals across procedures, modes and second partners are kept, and the World partner and
TOTAL commodity rows are dropped. Dropped rows are counted and reported, not quarantined: they are
not errors. Values: exports and re-exports at FOB (``fobvalue``), imports at CIF (``cifvalue``),
``primaryValue`` where the preferred one is missing; always US dollars. Taiwan appears as partner
490 ("Other Asia, nes") or 158; the trade-flows loader maps both to TW.

The API's JSON responses (``{"data": [...]}``) are written out as CSV with the same field names
(``comtrade_json``) and loaded the same way; their row numbers are record numbers + 1.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sanctrace.errors import UserError
from sanctrace.sources import cleaning as sql


def _column(position: dict[str, int], name: str) -> str | None:
    return sql.clean_text(f"c{position[name] + 1}") if name in position else None


def comtrade_columns(fmt: str, position: dict[str, int], path: object) -> dict[str, str]:
    """SQL for each canonical field's raw text, from staged columns c1..cN."""

    def col(name: str) -> str | None:
        return _column(position, name)

    if fmt == "comtrade":
        needed = ["reportercode", "partnercode", "flowcode", "cmdcode", "primaryvalue"]
        flow, fob, cif, primary = col("flowcode"), col("fobvalue"), col("cifvalue"), col("primaryvalue")
        year, month, freq = col("refyear"), col("refmonth"), col("freqcode")
        if year and month and freq:
            period = f"CASE WHEN upper({freq}) = 'A' THEN {year} ELSE {year} || lpad({month}, 2, '0') END"
        elif col("period"):
            period = str(col("period"))
        else:
            raise UserError(f"{path}: Comtrade file without refYear/refMonth/freqCode or period columns")
        fields = {
            "reporter": col("reportercode"),
            "partner": col("partnercode"),
            "flow": flow,
            "commodity_code": col("cmdcode"),
            "period": period,
            "quantity": col("qty"),
            "quantity_unit": col("qtyunitabbr") or col("qtyunitcode"),
            "net_kg": col("netwgt"),
        }
    else:
        needed = ["reporter_code", "partner_code", "trade_flow", "commodity_code", "trade_value_us"]
        flow, fob, cif, primary = col("trade_flow"), col("fobvalue"), col("cifvalue"), col("trade_value_us")
        period_text = col("period")
        fields = {
            "reporter": col("reporter_code"),
            "partner": col("partner_code"),
            "flow": flow,
            "commodity_code": col("commodity_code"),
            "period": f"left({period_text}, 7)" if period_text else None,
            "quantity": col("qty"),
            "quantity_unit": col("qtyunitabbr"),
            "net_kg": col("netweight_kg"),
        }
    missing = [n for n in needed if n not in position]
    if missing or fields["period"] is None:
        raise UserError(f"{path}: not a {fmt} file: no column {', '.join(missing) or 'period'}")
    exports = f"upper({flow}) IN ('X', 'RX', 'EXPORT', 'RE-EXPORT')"
    na = "NULLIF(NULLIF(upper({}), 'NA'), 'NULL')"
    fob_value = na.format(fob) if fob else "NULL"
    cif_value = na.format(cif) if cif else "NULL"
    fields["value"] = (
        f"CASE WHEN {exports} THEN coalesce({fob_value}, {primary}) ELSE coalesce({cif_value}, {primary}) END"
    )
    fields["valuation"] = f"CASE WHEN {exports} THEN 'FOB' ELSE 'CIF' END"
    fields["currency"] = "'USD'"
    return {name: expr for name, expr in fields.items() if expr is not None}


def comtrade_filters(fmt: str, position: dict[str, int]) -> list[tuple[str, str]]:
    """(reason, SQL condition) for rows that must not load because they would double count."""
    if fmt not in ("comtrade", "comtrade-legacy"):
        return []

    def col(name: str) -> str | None:
        return _column(position, name)

    filters = []
    checks = (
        ("customscode", "customs procedure other than the total C00", "upper({}) <> 'C00'"),
        ("motcode", "mode of transport other than the total 0", "{} <> '0'"),
        ("mot_code", "mode of transport other than the total 0", "{} <> '0'"),
        ("partner2code", "second partner other than the total 0", "{} <> '0'"),
    )
    for name, reason, condition in checks:
        if (expr := col(name)) is not None:
            filters.append((reason, f"coalesce({condition.format(expr)}, false)"))
    partner = col("partnercode") or col("partner_code")
    code = col("cmdcode") or col("commodity_code")
    filters.append(("partner World (the sum of the other partners)", f"coalesce({partner} = '0', false)"))
    filters.append(("commodity TOTAL (the sum of all codes)", f"coalesce(upper({code}) = 'TOTAL', false)"))
    return filters


def comtrade_json_to_csv(path: Path, target: Path) -> int:
    """Write the records of a Comtrade+ API response as CSV with the API's field names."""
    try:
        body = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a readable Comtrade JSON response ({exc})") from exc
    records = body.get("data") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise UserError(f"{path}: a Comtrade JSON response has a 'data' list; this file has none")
    fields: list[str] = []
    for record in records:
        fields += [k for k in record if k not in fields]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or ["reporterCode"])
        writer.writeheader()
        for record in records:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return len(records)
