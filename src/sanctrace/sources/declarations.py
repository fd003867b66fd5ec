"""Customs declaration lines (Russian DT exports, bills of lading, any vendor) into ``declarations``.

A column mapping (see ``mapping``) says which header feeds which column; cleaning and checks run in
SQL as DuckDB reads the file, so files of millions of lines load at DuckDB speed.

Bad values, decided once for every mapping:

* A *required* field (the mapping's ``required`` list; always the declaration number and the item
  number) that is empty or unreadable quarantines the whole row: it is not loaded.
* Any other field that cannot be read (unknown country text, bad number or date, unknown direction)
  is loaded as NULL, and a quarantine entry names the row, the column and the raw value, so nothing
  vanishes silently.
* ``line_id`` = declaration number + '/' + item number must be new: a repeat within the file, or a
  line already loaded from another file (an overlapping vendor export), is quarantined, so a total
  never counts a line twice.
* Rows with the wrong number of fields or broken quoting are quarantined with the raw line.

``rows_quarantined`` counts rejected rows; entries for accepted rows with a NULLed field are extra
rows in ``quarantine`` only. ``row_number`` is the file's line (header = line 1, first data row = 2;
for .xlsx, the worksheet row). A file that cannot be read as a whole (empty, binary, no header that a
mapping fits) raises ``UserError`` and writes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources import cleaning as sql
from sanctrace.sources.base import (
    LoadOptions,
    LoadReport,
    begin_load,
    find_loaded,
    finish_source,
)
from sanctrace.sources.encoding import ByteScan, PreparedText, blank_lines, scan_bytes, utf8_text
from sanctrace.sources.loading import transaction
from sanctrace.sources.mapping import (
    DECLARATION_FIELDS,
    ResolvedMapping,
    best_preset,
    load_mapping,
    preset_names,
    resolve,
)
from sanctrace.sources.spreadsheet import is_xlsx, xlsx_header, xlsx_to_csv
from sanctrace.sources.staging import (
    create_in_file_order,
    detect_delimiter,
    drop_stage,
    duckdb_setting,
    first_line,
    flush_rejects,
    lines_accounted,
    number_lines,
    read_csv_sql,
    split_header,
)

FORMAT = "declarations"
MIN_CODE_DIGITS = 6
_BAD_VALUE_REASONS = {
    "integer": "bad item number",
    "decimal": "bad number",
    "number": "bad number",
    "date": "bad date",
    "code": "bad commodity code",
    "country": "unknown country",
    "flow": "unknown flow",
}
_STAGE = "decl_stage"
_ROWS = f"{_STAGE}_rows"  # _val with the line number n of every row


def sniff(path: Path, head: str) -> bool:
    """True when a shipped preset fits the header (a user's own mapping needs ``--mapping``)."""
    try:
        if is_xlsx(path):
            header = xlsx_header(path)
        else:
            line = first_line(head)
            header = split_header(line, detect_delimiter(line))
        return bool(header) and best_preset(header) is not None
    except (UserError, OSError, ValueError):
        return False


def _choose_mapping(path: Path, header: list[str], options: LoadOptions) -> ResolvedMapping:
    if options.mapping is not None:
        resolved = resolve(load_mapping(options.mapping), header)
        if not resolved.fits:
            raise UserError(
                f"{path}: column mapping {resolved.mapping.name!r} does not fit the header: no column for "
                f"{', '.join(resolved.missing_required)}"
            )
        return resolved
    found = best_preset(header)
    if found is None:
        raise UserError(
            f"{path}: no column mapping fits the header (presets: {', '.join(preset_names())});"
            " pass --mapping with a preset name or your own mapping YAML"
        )
    return found


@contextmanager
def _prepared(path: Path, scan: ByteScan, *, trust_head: bool) -> Iterator[PreparedText]:
    """The file as UTF-8 CSV: xlsx converted, cp1251 transcoded, UTF-8 used in place."""
    if not is_xlsx(path):
        with utf8_text(path, trust_head=trust_head, scan=scan) as prepared:
            yield prepared
        return
    with tempfile.TemporaryDirectory(prefix="sanctrace-") as folder:
        target = Path(folder) / (path.stem + ".csv")
        xlsx_to_csv(path, target)
        yield PreparedText(target, "xlsx", blank_lines(target))


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Type the file into a temporary table, then write the warehouse in one short transaction.

    One read of the file types every row (see ``_clean`` and docs/decisions/0012). Keeping the heavy
    SQL out of the write transaction matters: DuckDB keeps undo data for every temporary table made
    inside a transaction, which made a 1M-line load ~60 % slower.
    """
    scan = scan_bytes(path)
    digest = scan.sha256
    if find_loaded(con, digest, FORMAT, options.dataset) is not None:
        with transaction(con):
            return begin_load(con, path, FORMAT, options, sha256=digest)
    try:
        for trust_head in (True, False):  # a file taken for UTF-8 that is not: read it again, decoded
            with _prepared(path, scan, trust_head=trust_head) as prepared:
                with prepared.path.open(encoding="utf-8", errors="replace") as handle:
                    line = first_line(handle.readline())
                if not prepared.verified and "\ufffd" in line:
                    continue  # a header longer than the bytes that were checked, and not UTF-8
                if not line.strip():
                    raise UserError(f"{path}: no header line")
                delimiter = detect_delimiter(line)
                resolved = _choose_mapping(path, split_header(line, delimiter), options)
                chosen = resolved.mapping.parse.delimiter
                if chosen is not None and chosen != delimiter and not is_xlsx(path):
                    delimiter = chosen
                    resolved = _choose_mapping(path, split_header(line, delimiter), options)
                if prepared.encoding == "xlsx":
                    delimiter = ","
                header = split_header(line, delimiter)
                encoding = None if prepared.encoding == "xlsx" else prepared.encoding
                reader = read_csv_sql(prepared.path, len(header), delimiter, f"{_STAGE}_rej")
                rows, rejected = _clean(con, resolved, header, reader, prepared)
            if prepared.verified or not _count(con, f"SELECT count(*) FROM {_STAGE}_rejq WHERE bad_encoding"):
                break
            _drop_temporary(con)
        with transaction(con):
            report = begin_load(con, path, FORMAT, options, encoding=encoding, sha256=digest)
            flush_rejects(con, _STAGE, report.source_id)
            accepted, quarantined = _insert(con, _fields(resolved), rows, report.source_id)
            report.rows_read = rows + rejected
            report.rows_accepted = accepted
            report.rows_quarantined = rejected + quarantined
            finish_source(con, report)
    finally:
        _drop_temporary(con)
    if options.progress is not None:
        options.progress(report.rows_read)
    return report


def _drop_temporary(con: duckdb.DuckDBPyConnection) -> None:
    drop_stage(con, _STAGE)
    con.execute(f"DROP VIEW IF EXISTS {_ROWS}")
    for suffix in ("_cty", "_val", "_rows_numbered", "_prob", "_drop", "_rejq"):
        con.execute(f"DROP TABLE IF EXISTS {_STAGE}{suffix}")


def _column_label(resolved: ResolvedMapping, header: list[str], name: str) -> str:
    """The SQL giving the header a field's value came from (for quarantine.column_name).

    A literal unless the field has a fallback column; only then is it a per-row column ``h_<name>``.
    """
    positions = resolved.columns.get(name, [])
    if not positions:
        return sql.sql_literal(name)
    if len(positions) == 1:
        return sql.sql_literal(header[positions[0]])
    first, second = positions
    return (
        f"CASE WHEN {sql.clean_text(f'c{first + 1}')} IS NOT NULL"
        f" THEN {sql.sql_literal(header[first])} ELSE {sql.sql_literal(header[second])} END"
    )


def _raw_value(resolved: ResolvedMapping, name: str) -> str | None:
    positions = resolved.columns.get(name, [])
    default = resolved.mapping.defaults.get(name)
    parts = [sql.clean_text(f"c{p + 1}") for p in positions]
    if default is not None:
        parts.append(sql.sql_literal(default))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _typed(resolved: ResolvedMapping, name: str) -> sql.Typed:
    kind = DECLARATION_FIELDS[name]
    parse = resolved.mapping.parse
    if kind == "flow":
        values = {"IMPORT": "import", "EXPORT": "export", **resolved.mapping.flow_values}
        cases = " ".join(f"WHEN {sql.sql_literal(k)} THEN {sql.sql_literal(v)}" for k, v in values.items())
        return sql.Typed(f"CASE upper(r_{name}) {cases} END")
    typed = sql.typed_field(
        name,
        kind,
        decimal_comma=parse.decimal_comma,
        min_code_len=MIN_CODE_DIGITS,
        formats=sql.date_formats(day_first=parse.day_first, extra=parse.date_formats),
    )
    assert typed is not None, kind
    return typed


def _source(resolved: ResolvedMapping, header: list[str], fields: list[str], rows: str) -> str:
    """``rows`` (columns c1 .. cN) as trimmed text ``r_<field>`` plus typed helper columns, nested.

    Each layer is its own projection, so an expression that refers to a helper column several times
    does not repeat the work behind it (the clean-text CASE, a regular expression).
    """
    select = []
    for name in fields:
        select.append(f"{_raw_value(resolved, name)} AS r_{name}")
        if len(resolved.columns.get(name, [])) > 1:
            select.append(f"{_column_label(resolved, header, name)} AS h_{name}")
    extras = [
        f"{sql.sql_literal(label + ': ')} || {sql.clean_text(f'c{p + 1}')}"
        for label, p in resolved.extras.items()
    ]
    select.append(f"concat_ws(' | ', {', '.join(extras)})" if extras else "NULL::VARCHAR")
    select[-1] += " AS r_extras"
    typed = [_typed(resolved, f) for f in fields]
    return sql.nested(f"(SELECT {', '.join(select)} FROM {rows})", *sql.layers(typed))


def _fields(resolved: ResolvedMapping) -> list[str]:
    """The fields the mapping fills for this file (from a column or a default)."""
    return [f for f in DECLARATION_FIELDS if _raw_value(resolved, f) is not None]


def _is_country(name: str) -> bool:
    return DECLARATION_FIELDS[name] == "country"


def _clean(
    con: duckdb.DuckDBPyConnection,
    resolved: ResolvedMapping,
    header: list[str],
    reader: str,
    prepared: PreparedText,
) -> tuple[int, int]:
    """Type the file into ``_val`` and find every problem before anything is written.

    One read of the file makes ``_val``: the typed values, the line id and, only when something is
    wrong, a list of the row's problems. Country texts stay text there (they are resolved by a join
    on the distinct texts, and a join would lose the file order that numbers the rows). Then come the
    quarantine entries (``_prob``) and the rows not to load (``_drop``). Returns (rows, rejected).
    """
    stage = _STAGE
    fields = _fields(resolved)
    countries = [f for f in fields if _is_country(f)]
    checked = [f for f in fields if DECLARATION_FIELDS[f] != "text" and not _is_country(f)]
    required = [f for f in fields if f in resolved.mapping.required]

    def column(name: str) -> str:
        if len(resolved.columns.get(name, [])) > 1:
            return f"h_{name}"
        return _column_label(resolved, header, name)

    # 1. The typed rows, in file order (their rowid numbers them), with their problems.
    problems = [(f"r_{f} IS NULL", column(f), "'missing value'", "NULL::VARCHAR", "true") for f in required]
    problems += [
        (
            f"r_{f} IS NOT NULL AND v_{f} IS NULL",
            column(f),
            sql.sql_literal(_BAD_VALUE_REASONS[DECLARATION_FIELDS[f]]),
            f"r_{f}",
            "true" if f in required else "false",
        )
        for f in checked
    ]
    entries = ", ".join(
        f"CASE WHEN {test} THEN {{'column_name': {label}, 'reason': {reason}, 'raw_text': {raw},"
        f" 'fatal': {fatal}}} END"
        for test, label, reason, raw, fatal in problems
    )
    any_problem = " OR ".join(f"({p[0]})" for p in problems) or "false"
    values = ", ".join(f"{_typed(resolved, f).final} AS v_{f}" for f in fields if not _is_country(f))
    labels = [f"h_{f}" for f in countries if len(resolved.columns.get(f, [])) > 1]
    create_in_file_order(
        con,
        f"CREATE TEMP TABLE {stage}_val AS SELECT"
        " v_declaration_number || '/' || CAST(v_item_number AS VARCHAR) AS line_id,"
        f" CASE WHEN {any_problem} THEN list_filter([{entries}], p -> p IS NOT NULL) END AS problems, "
        + ", ".join([f"{value} AS {name}" for name, value in _outputs(fields)] + labels)
        + f" FROM (SELECT *, {values} FROM {_source(resolved, header, fields, reader)})",
    )
    blank = prepared.blank_lines_for(lines_accounted(con, f"{stage}_val", f"{stage}_rej"))
    gaps, rejected = number_lines(con, stage, blank)
    rows = _count(con, f"SELECT count(*) FROM {stage}_val")
    base = _count(con, f"SELECT coalesce(min(rowid), 0) FROM {stage}_val")
    numbered = f"(SELECT rowid - {base} AS k, * FROM {stage}_val) r"
    if gaps == 0:  # the common case: line = position + 2, no join
        con.execute(f"CREATE TEMP VIEW {_ROWS} AS SELECT r.k + 2 AS n, r.* EXCLUDE (k) FROM {numbered}")
    else:  # blank or rejected lines: the ASOF join sorts every row, once
        con.execute(
            f"CREATE TEMP TABLE {stage}_rows_numbered AS SELECT r.k + 2 + coalesce(g.consumed, 0) AS n,"
            f" r.* EXCLUDE (k) FROM {numbered} ASOF LEFT JOIN {stage}_gaps g ON r.k >= g.gap"
        )
        con.execute(f"DROP TABLE {stage}_val")
        con.execute(f"CREATE TEMP VIEW {_ROWS} AS SELECT * FROM {stage}_rows_numbered")

    # 2. Every distinct country text, resolved once through country_aliases.
    texts = " UNION ".join(f"SELECT {f} AS raw FROM {_ROWS}" for f in countries)
    con.execute(
        f"CREATE TEMP TABLE {stage}_cty AS "
        + sql.country_lookup_query(texts or "SELECT NULL::VARCHAR AS raw WHERE false")
    )

    # 3. Problems: missing required values, values that could not be read, unknown countries.
    con.execute(
        f"CREATE TEMP TABLE {stage}_prob AS SELECT n, p.column_name, p.reason, p.raw_text, p.fatal"
        f" FROM (SELECT n, unnest(problems) AS p FROM {_ROWS} WHERE problems IS NOT NULL)"
    )
    for f in countries:
        con.execute(
            f"INSERT INTO {stage}_prob SELECT n, {column(f)}, 'unknown country', t.{f},"
            f" {'true' if f in required else 'false'} FROM {_ROWS} t"
            f" JOIN (SELECT raw FROM {stage}_cty WHERE iso2 IS NULL) u ON u.raw = t.{f}"
        )
    good = f"n NOT IN (SELECT n FROM {stage}_prob WHERE fatal)"

    # 4. Among rows with every required value, the first occurrence of a new line_id wins: later
    # occurrences are duplicates, a line_id another file loaded is already loaded.
    con.execute(
        f"INSERT INTO {stage}_prob SELECT n, 'line_id', 'duplicate line_id', line_id, true FROM"
        f" (SELECT n, line_id, row_number() OVER (PARTITION BY line_id ORDER BY n) AS occurrence"
        f" FROM {_ROWS} WHERE {good} AND line_id IN (SELECT line_id FROM {_ROWS}"
        f" WHERE {good} GROUP BY line_id HAVING count(*) > 1)) WHERE occurrence > 1"
    )
    con.execute(
        f"INSERT INTO {stage}_prob SELECT c.n, 'line_id', 'line_id already loaded',"
        " c.line_id || ' (source ' || d.source_id || ')', true"
        f" FROM {_ROWS} c JOIN (SELECT line_id, min(source_id) AS source_id FROM declarations"
        f" WHERE line_id IN (SELECT line_id FROM {_ROWS}) GROUP BY line_id) d ON d.line_id = c.line_id"
        f" WHERE c.{good} AND c.n NOT IN (SELECT n FROM {stage}_prob WHERE reason = 'duplicate line_id')"
    )
    con.execute(f"CREATE TEMP TABLE {stage}_drop AS SELECT DISTINCT n FROM {stage}_prob WHERE fatal")
    return rows, rejected


def _outputs(fields: list[str]) -> list[tuple[str, str]]:
    """(column of ``declarations``, its value in ``_val``) for every column a file fills.

    Countries are still text in ``_val`` (see ``_clean``).
    """
    outputs = []
    for c in (c for c in DECLARATION_FIELDS if c in fields):
        value = f"r_{c}" if _is_country(c) else f"v_{c}"
        if c == "description":
            value = (
                "CASE WHEN r_extras = '' THEN v_description"
                " ELSE concat_ws(' | ', v_description, r_extras) END"
            )
        outputs.append((c, value))
    if "description" not in fields:
        outputs.append(("description", "nullif(r_extras, '')"))
    if "commodity_code" in fields:
        outputs.append(("hs6", "left(v_commodity_code, 6)"))
    return outputs


def _insert(
    con: duckdb.DuckDBPyConnection, fields: list[str], staged: int, source_id: int
) -> tuple[int, int]:
    """Copy the good rows of ``_val`` into ``declarations``, quarantine the problems.

    Rows are written in no particular physical order (``row_number`` says where each came from):
    keeping file order would cost a sort of every row.
    """
    stage = _STAGE
    names = [c for c, _ in _outputs(fields)]
    values = [f"{c}_c.iso2" if c in fields and _is_country(c) else f"t.{c}" for c in names]
    joins = sql.country_joins(f"{stage}_cty", [c for c in fields if _is_country(c)]).replace("t.r_", "t.")
    dropped = _count(con, f"SELECT count(*) FROM {stage}_drop")
    keep = f" WHERE t.n NOT IN (SELECT n FROM {stage}_drop)" if dropped else ""
    with duckdb_setting(con, "preserve_insertion_order", False):
        con.execute(
            f"INSERT INTO declarations (line_id, source_id, row_number, {', '.join(names)})"
            f" SELECT t.line_id, ?, t.n, {', '.join(values)} FROM {_ROWS} t {joins}{keep}",
            [source_id],
        )
    con.execute(
        f"INSERT INTO quarantine SELECT ?, n, column_name, reason, raw_text FROM {stage}_prob"
        " ORDER BY n, column_name",
        [source_id],
    )
    rejected = _count(con, f"SELECT count(DISTINCT n) FROM {stage}_prob WHERE fatal")
    return staged - dropped, rejected


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    assert row is not None
    return int(row[0])
