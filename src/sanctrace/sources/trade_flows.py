"""Official trade statistics into ``trade_flows``: the canonical template and Eurostat Comext extracts.

``trade-flows`` is the template users convert any other statistics into (docs/inputs/declarations.md,
last section; columns in ``TEMPLATE_COLUMNS``). Countries may be ISO-2, ISO-3, numeric or
names (looked up in ``country_aliases``); Comtrade's "Other Asia, nes" (490, sometimes 158) is Taiwan.
Flows: export/import/re-export/re-import, or Comtrade's X/M/RX/RM, or Comext's 2/1. Periods: ``YYYY``,
``YYYY-MM`` or ``YYYYMM``. Numbers use a dot as decimal mark (commas are thousands separators).

``comext`` is the Eurostat extract layout ``period,reporter_iso2,partner_iso2,product_code,value_eur``:
exports, in euro, valued FOB.

Every field here is needed for a flow to mean anything except valuation, quantity, quantity_unit and
net_kg: a row missing or misreading one of the others is quarantined whole; a bad optional value is
loaded as NULL and noted. A flow repeated within the file, or already loaded from another file (same
reporter, partner, flow, code, period, currency and valuation), is quarantined so totals never count
it twice. Row numbers: the file's line, header = line 1.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources import cleaning as sql
from sanctrace.sources.base import LoadOptions, LoadReport, begin_load, finish_source
from sanctrace.sources.comtrade import comtrade_columns, comtrade_filters, comtrade_json_to_csv
from sanctrace.sources.encoding import utf8_text
from sanctrace.sources.loading import transaction
from sanctrace.sources.mapping import normalise_header
from sanctrace.sources.staging import detect_delimiter, drop_stage, first_line, split_header, stage_csv

FORMATS: tuple[str, ...] = ("comext", "comtrade", "comtrade-legacy", "comtrade-json", "trade-flows")
TEMPLATE_COLUMNS = (
    "reporter",
    "partner",
    "flow",
    "commodity_code",
    "period",
    "value",
    "currency",
    "valuation",
    "quantity",
    "quantity_unit",
    "net_kg",
)
TEMPLATE_REQUIRED = ("reporter", "partner", "flow", "commodity_code", "period", "value", "currency")
COMEXT_COLUMNS = ("period", "reporter_iso2", "partner_iso2", "product_code", "value_eur")
# UN Comtrade+ (bulk CSV and the API's field names, lower-cased by normalise_header).
COMTRADE_COLUMNS = ("reportercode", "partnercode", "flowcode", "cmdcode", "primaryvalue")
# The older Comtrade layout (legacy API / many published extracts).
COMTRADE_LEGACY_COLUMNS = ("reporter_code", "partner_code", "trade_flow", "commodity_code", "trade_value_us")
# Comtrade names Taiwan "Other Asia, nes" (code 490, sometimes 158); trade statistics treat it as TW.
TAIWAN_ALIASES = {
    "OTHER ASIA, NES": "TW",
    "OTHER ASIA, NOT ELSEWHERE SPECIFIED": "TW",
    "490": "TW",
    "158": "TW",
}
FLOW_VALUES = {
    "EXPORT": "export",
    "IMPORT": "import",
    "RE-EXPORT": "re-export",
    "RE-IMPORT": "re-import",
    "X": "export",
    "M": "import",
    "RX": "re-export",
    "RM": "re-import",
    "2": "export",
    "1": "import",
    "EXPORTS": "export",
    "IMPORTS": "import",
}
_STAGE = "tf_stage"
_KINDS = {
    "reporter": "country",
    "partner": "country",
    "flow": "flow",
    "commodity_code": "code",
    "period": "period",
    "value": "decimal",
    "currency": "currency",
    "valuation": "valuation",
    "quantity": "number",
    "quantity_unit": "text",
    "net_kg": "number",
}
_REASONS = {
    "country": "unknown country",
    "flow": "unknown flow",
    "code": "bad commodity code",
    "period": "bad period",
    "decimal": "bad number",
    "number": "bad number",
    "currency": "bad currency",
    "valuation": "unknown valuation",
}


def _header(head: str) -> tuple[list[str], str]:
    line = first_line(head)
    delimiter = detect_delimiter(line)
    return [normalise_header(h) for h in split_header(line, delimiter)], delimiter


def sniff_format(path: Path, head: str) -> str | None:
    if head.lstrip().startswith("{") and '"data"' in head and "reporterCode" in head:
        return "comtrade-json"
    header, _ = _header(head)
    if tuple(header[: len(COMEXT_COLUMNS)]) == COMEXT_COLUMNS:
        return "comext"
    if set(COMTRADE_COLUMNS) <= set(header):
        return "comtrade"
    if set(COMTRADE_LEGACY_COLUMNS) <= set(header):
        return "comtrade-legacy"
    if set(TEMPLATE_REQUIRED) <= set(header):
        return "trade-flows"
    return None


def sniff(path: Path, head: str) -> bool:
    return sniff_format(path, head) is not None


def _raw_columns(fmt: str, header: list[str], path: Path) -> dict[str, str]:
    """SQL giving each canonical field's raw text from the staged columns c1..cN."""
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    if fmt == "comext":
        missing = [c for c in COMEXT_COLUMNS if c not in position]
        fields = {
            "period": "period",
            "reporter": "reporter_iso2",
            "partner": "partner_iso2",
            "commodity_code": "product_code",
            "value": "value_eur",
        }
        constants = {"flow": "export", "currency": "EUR", "valuation": "FOB"}
    elif fmt in ("comtrade", "comtrade-legacy"):
        return comtrade_columns(fmt, position, path)
    else:
        missing = [c for c in TEMPLATE_REQUIRED if c not in position]
        fields = {c: c for c in TEMPLATE_COLUMNS if c in position}
        constants = {}
    if missing:
        raise UserError(f"{path}: not a {fmt} file: no column {', '.join(missing)}")
    raw = {f: sql.clean_text(f"c{position[h] + 1}") for f, h in fields.items()}
    raw.update({f: sql.sql_literal(v) for f, v in constants.items()})
    return raw


def _typed(kind: str, field: str) -> sql.Typed:
    raw = f"r_{field}"
    if kind == "flow":
        cases = " ".join(
            f"WHEN {sql.sql_literal(k)} THEN {sql.sql_literal(v)}" for k, v in FLOW_VALUES.items()
        )
        return sql.Typed(f"CASE upper({raw}) {cases} END")
    if kind == "period":
        compact = f"replace({raw}, '-', '')"
        return sql.Typed(
            f"CASE WHEN regexp_full_match({raw}, '[0-9]{{4}}') THEN {raw}"
            f" WHEN regexp_full_match({raw}, '[0-9]{{4}}-?(0[1-9]|1[0-2])')"
            f" THEN left({compact}, 4) || '-' || right({compact}, 2) END"
        )
    if kind == "currency":
        return sql.Typed(f"CASE WHEN regexp_full_match(upper({raw}), '[A-Z]{{3}}') THEN upper({raw}) END")
    if kind == "valuation":
        return sql.Typed(f"CASE WHEN upper({raw}) IN ('FOB', 'CIF') THEN upper({raw}) END")
    typed = sql.typed_field(field, kind, decimal_comma=False, formats=[], min_code_len=2, precision=20)
    assert typed is not None, kind
    return typed


def load(
    con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, fmt: str | None = None
) -> LoadReport:
    if fmt == "comtrade-json":
        return load_comtrade_json(con, path, options)
    return _load(con, path, path, options, fmt, None)


def load_comtrade_json(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """A Comtrade+ API response: its records as CSV, loaded as Comtrade, recorded as the JSON file."""
    with tempfile.TemporaryDirectory(prefix="sanctrace-comtrade-") as folder:
        converted = Path(folder) / (path.stem + ".csv")
        comtrade_json_to_csv(path, converted)
        return _load(con, path, converted, options, "comtrade", "comtrade-json")


def _load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    text_path: Path,
    options: LoadOptions,
    fmt: str | None,
    recorded_format: str | None,
) -> LoadReport:
    """Load ``text_path`` (``path`` itself, or a CSV made from it) and record it as ``path``."""
    with transaction(con):
        with utf8_text(text_path) as prepared:
            with prepared.path.open(encoding="utf-8") as handle:
                head = handle.readline()
            header, delimiter = _header(head)
            chosen = fmt or sniff_format(path, head)
            if chosen not in FORMATS:
                raise UserError(
                    f"{path}: not a trade-flows template or Comext extract (header: {head.strip()[:80]})"
                )
            raw = _raw_columns(chosen, header, path)
            report = begin_load(con, path, recorded_format or chosen, options, encoding=prepared.encoding)
            if report.already_loaded:
                return report
            staged = stage_csv(
                con, prepared, table=_STAGE, header=header, delimiter=delimiter, source_id=report.source_id
            )
        filters = comtrade_filters(chosen, {name: i for i, name in reversed(list(enumerate(header)))})
        accepted, rejected, filtered = _clean_and_insert(con, raw, report.source_id, filters)
        if filtered:
            report.note = "not loaded, by Comtrade's rules against double counting: " + "; ".join(
                f"{reason} ({count:,})" for reason, count in filtered.items()
            )
        report.rows_read = staged.rows + staged.rejected
        report.rows_accepted = accepted
        report.rows_quarantined = staged.rejected + rejected
        report.rows_filtered = sum(filtered.values())
        if options.progress is not None:
            options.progress(report.rows_read)
        finish_source(con, report)
    return report


def _clean_and_insert(
    con: duckdb.DuckDBPyConnection, raw: dict[str, str], source_id: int, filters: list[tuple[str, str]]
) -> tuple[int, int, dict[str, int]]:
    """Clean, check and insert the staged rows; return (accepted, rejected, filtered per reason).

    ``filters`` are (reason, SQL condition) pairs for rows that are not errors but must not be
    loaded (aggregates that would double count); they are counted, not quarantined.
    """
    stage = _STAGE
    fields = [f for f in TEMPLATE_COLUMNS if f in raw]
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {sql.sql_literal(why)}" for why, cond in filters) + " END"
    con.execute(
        f"CREATE TEMP TABLE {stage}_txt AS SELECT n, {', '.join(f'{raw[f]} AS r_{f}' for f in fields)},"
        f" {reason if filters else 'NULL::VARCHAR'} AS filtered_reason FROM {stage}"
    )
    filtered = {
        str(why): int(count)
        for why, count in con.execute(
            f"SELECT filtered_reason, count(*) FROM {stage}_txt WHERE filtered_reason IS NOT NULL"
            " GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall()
    }
    con.execute(f"DELETE FROM {stage}_txt WHERE filtered_reason IS NOT NULL")
    typed = {f: _typed(_KINDS[f], f) for f in fields}
    drop_stage(con, stage)
    raw_countries = f"SELECT r_reporter AS raw FROM {stage}_txt UNION SELECT r_partner FROM {stage}_txt"
    con.execute(f"CREATE TEMP TABLE {stage}_cty AS {sql.country_lookup_query(raw_countries, TAIWAN_ALIASES)}")
    values = ", ".join(f"{typed[f].final} AS v_{f}" for f in fields)
    joins = sql.country_joins(f"{stage}_cty", ["reporter", "partner"])
    source = sql.nested(f"{stage}_txt", *sql.layers(typed.values()))
    con.execute(f"CREATE TEMP TABLE {stage}_val AS SELECT t.*, {values} FROM {source} t {joins}")
    problems = []
    for name in fields:
        fatal = "true" if name in TEMPLATE_REQUIRED else "false"
        if name in TEMPLATE_REQUIRED:
            problems.append(
                f"SELECT n, {sql.sql_literal(name)} AS column_name, 'missing value' AS reason,"
                f" NULL::VARCHAR AS raw_text, true AS fatal FROM {stage}_val WHERE r_{name} IS NULL"
            )
        if _KINDS[name] != "text":
            problems.append(
                f"SELECT n, {sql.sql_literal(name)}, {sql.sql_literal(_REASONS[_KINDS[name]])},"
                f" r_{name}, {fatal}"
                f" FROM {stage}_val WHERE r_{name} IS NOT NULL AND v_{name} IS NULL"
            )
    con.execute(f"CREATE TEMP TABLE {stage}_prob AS {' UNION ALL '.join(problems)}")
    key = ["v_reporter", "v_partner", "v_flow", "v_commodity_code", "v_period", "v_currency"]
    valuation = "v_valuation" if "valuation" in fields else "NULL::VARCHAR"
    con.execute(
        f"CREATE TEMP TABLE {stage}_ok AS SELECT v.*, {valuation} AS valuation_,"
        f" row_number() OVER (PARTITION BY {', '.join(key)}, {valuation} ORDER BY n) AS occurrence"
        f" FROM {stage}_val v WHERE n NOT IN (SELECT n FROM {stage}_prob WHERE fatal)"
    )
    label = " || '/' || ".join(key[:5])
    con.execute(
        f"INSERT INTO {stage}_prob SELECT n, NULL, 'duplicate flow', {label}, true"
        f" FROM {stage}_ok WHERE occurrence > 1"
    )
    con.execute(
        f"INSERT INTO {stage}_prob SELECT o.n, NULL, 'flow already loaded',"
        f" {label.replace('v_', 'o.v_')} || ' (source ' || f.source_id || ')', true FROM {stage}_ok o"
        " JOIN trade_flows f ON f.reporter = o.v_reporter AND f.partner = o.v_partner AND f.flow = o.v_flow"
        " AND f.commodity_code = o.v_commodity_code AND f.period = o.v_period AND f.currency = o.v_currency"
        " AND f.valuation IS NOT DISTINCT FROM o.valuation_ WHERE o.occurrence = 1"
    )
    con.execute(
        f"DELETE FROM {stage}_ok WHERE occurrence > 1 OR n IN (SELECT n FROM {stage}_prob WHERE fatal)"
    )
    optional = {f: f"v_{f}" if f in fields else "NULL" for f in ("quantity", "quantity_unit", "net_kg")}
    con.execute(
        "INSERT INTO trade_flows SELECT ?, n, v_reporter, v_partner, v_flow, v_commodity_code,"
        " length(v_commodity_code),"
        " CASE WHEN length(v_commodity_code) >= 6 THEN left(v_commodity_code, 6) END,"
        " v_period, CASE WHEN length(v_period) = 4 THEN 'year' ELSE 'month' END,"
        " CAST(CASE WHEN length(v_period) = 4 THEN v_period || '-01-01' ELSE v_period || '-01' END AS DATE),"
        f" v_value, v_currency, valuation_, {optional['quantity']}, {optional['quantity_unit']},"
        f" {optional['net_kg']} FROM {stage}_ok ORDER BY n",
        [source_id],
    )
    con.execute(
        f"INSERT INTO quarantine SELECT ?, n, column_name, reason, raw_text FROM {stage}_prob"
        " ORDER BY n, column_name",
        [source_id],
    )
    accepted = con.execute(f"SELECT count(*) FROM {stage}_ok").fetchone()
    rejected = con.execute(f"SELECT count(DISTINCT n) FROM {stage}_prob WHERE fatal").fetchone()
    assert accepted is not None and rejected is not None
    for suffix in ("_txt", "_cty", "_val", "_prob", "_ok"):
        con.execute(f"DROP TABLE IF EXISTS {stage}{suffix}")
    return int(accepted[0]), int(rejected[0]), filtered
