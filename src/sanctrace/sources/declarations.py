"""Customs declaration lines (Russian DT exports, bills of lading, any vendor) into ``declarations``.

A column mapping (see ``mapping``) says which header feeds which column. Two ways to load, one
result: the direct write (``declaration_direct``, docs/decisions/0021) lets DuckDB's reader type the
file and writes the rows once; the SQL path (``_clean``, docs/decisions/0012) types every cell in
SQL. The SQL path loads what the direct write does not plan and types the rows it leaves over.

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
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources import cleaning as sql
from sanctrace.sources import declaration_direct as direct
from sanctrace.sources import declaration_fields as field_sql
from sanctrace.sources.base import (
    LoadOptions,
    LoadReport,
    begin_load,
    discard_load,
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
from sanctrace.sources.record_lines import records_at
from sanctrace.sources.spreadsheet import is_xlsx, xlsx_header, xlsx_to_csv
from sanctrace.sources.staging import (
    create_number_table,
    detect_delimiter,
    drop_stage,
    duckdb_setting,
    first_line,
    flush_rejects,
    lines_accounted,
    number_lines,
    read_csv_sql,
    run_in_file_order,
    split_header,
)

FORMAT = "declarations"
_STAGE = "decl_stage"
_ROWS = f"{_STAGE}_rows"  # _val with the line number n of every row
_DIRECT = "decl_direct"  # the direct write's rejects, gaps, marked rows
# Rows the direct write may leave to the SQL path; past this (a date format the reader does not take,
# a file mostly in another number style) the whole file takes the SQL path: the leftovers' raw lines
# go through Python, ~500 MB per million lines of this layout.
MAX_LEFTOVERS = 250_000


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
    """Load one declarations file: the direct write when the mapping allows it, else the SQL path.

    The direct write (``declaration_direct``, docs/decisions/0021) lets DuckDB's reader type the file
    and writes the rows once; the rows it cannot decide are typed by the SQL path. The SQL path alone
    (``_clean``, docs/decisions/0012) types every row into a temporary table outside the write
    transaction: DuckDB keeps undo data for every temporary table made inside one, which made a
    1M-line load ~60 % slower.
    """
    scan = scan_bytes(path)
    digest = scan.sha256
    if find_loaded(con, digest, FORMAT, options.dataset) is not None:
        with transaction(con):
            return begin_load(con, path, FORMAT, options, sha256=digest)
    report: LoadReport | None = None
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
                plan = (
                    None
                    if is_xlsx(path)
                    else direct.plan(resolved, header, prepared, delimiter, f"{_DIRECT}_rej")
                )
                if plan is not None:
                    file = _File(path, prepared, line, header, delimiter, resolved, digest, encoding)
                    try:
                        report = _load_direct(con, file, plan, options)
                        break
                    except _NotUtf8Error:
                        continue  # rolled back: read the file again, decoded
                    except _SqlPathNeededError:
                        pass  # rolled back: the SQL path loads the file
                reader = read_csv_sql(prepared.path, len(header), delimiter, f"{_STAGE}_rej")
                rows, rejected = _clean(con, resolved, header, reader, prepared)
                _check_line_ids(con)
            if prepared.verified or not _count(con, f"SELECT count(*) FROM {_STAGE}_rejq WHERE bad_encoding"):
                break
            _drop_temporary(con)
        if report is None:
            with transaction(con):
                report = begin_load(con, path, FORMAT, options, encoding=encoding, sha256=digest)
                flush_rejects(con, _STAGE, report.source_id)
                accepted, quarantined = _insert(
                    con, field_sql.fields_filled(resolved), rows, report.source_id
                )
                report.rows_read = rows + rejected
                report.rows_accepted = accepted
                report.rows_quarantined = rejected + quarantined
                finish_source(con, report)
    finally:
        _drop_temporary(con)
    if options.progress is not None:
        options.progress(report.rows_read)
    return report


@dataclass(frozen=True)
class _File:
    """What the direct write needs to know about the file beyond its plan."""

    path: Path
    prepared: PreparedText
    header_line: str
    header: list[str]
    delimiter: str
    resolved: ResolvedMapping
    sha256: str
    encoding: str | None


class _NotUtf8Error(Exception):
    """The reader found bytes that are not UTF-8 in a file taken for UTF-8 from its head."""


class _SqlPathNeededError(Exception):
    """The direct write leaves too many rows over (``MAX_LEFTOVERS``), or marked rows cannot be found
    again by line: a quoted field spans lines, so row numbers count records, not the file's lines
    (see ``staging``). Rare; the SQL path loads such a file."""


def _load_direct(
    con: duckdb.DuckDBPyConnection, file: _File, plan: direct.DirectPlan, options: LoadOptions
) -> LoadReport:
    """The direct write, undone with ``_NotUtf8Error`` when the file is not UTF-8 after all, with
    ``_SqlPathNeededError`` when its rows must be loaded by the SQL path.

    Two transactions: the rows are written and committed with ``sources.pending`` set; the second
    numbers them, types the leftovers, runs the checks and clears ``pending``. Why: an UPDATE of rows
    inserted in the same transaction made DuckDB rewrite every row group at the commit (4.5 s of a
    10M-line load), while numbering committed rows takes 0.5 s (decision 0024). The cost is that
    a failure of the second step has to undo the first (``discard_load``), and a process stopped
    between them leaves a pending load, which the warehouse removes when next opened.
    """
    direct.create_country_lookup(con)
    try:
        with transaction(con):
            report = begin_load(con, file.path, FORMAT, options, encoding=file.encoding, sha256=file.sha256)
            source_id = report.source_id
            con.execute("UPDATE sources SET pending = true WHERE source_id = ?", [source_id])
            direct.write(con, plan, source_id)
        try:
            with transaction(con):
                _finish_direct(con, file, plan, report)
        except BaseException:
            with transaction(con):
                discard_load(con, source_id)
            raise
    finally:
        direct.drop_country_lookup(con)
        for suffix in ("_rej", "_rej_scan", "_gaps", "_gaps_lines", "_rejq", "_suspects", "_map"):
            con.execute(f"DROP TABLE IF EXISTS {_DIRECT}{suffix}")
    return report


def _finish_direct(
    con: duckdb.DuckDBPyConnection, file: _File, plan: direct.DirectPlan, report: LoadReport
) -> None:
    """The direct write's second transaction: row numbers, leftovers, checks, counts."""
    source_id = report.source_id
    written = _count(con, f"SELECT count(*) FROM declaration_lines WHERE source_id = {source_id}")
    accounted = 1 + written + _count(con, f"SELECT count(DISTINCT line) FROM {_DIRECT}_rej")
    blank = file.prepared.blank_lines_for(accounted)
    gaps, rejected = number_lines(con, _DIRECT, blank)
    if not file.prepared.verified and _count(con, f"SELECT count(*) FROM {_DIRECT}_rejq WHERE bad_encoding"):
        raise _NotUtf8Error
    direct.number_rows(con, source_id, f"{_DIRECT}_gaps" if gaps else None)
    direct.trim_after_write(con, plan, source_id)
    _retype_leftovers(con, file, plan, source_id, physical=accounted + len(blank))
    con.execute(f"DELETE FROM {_DIRECT}_rejq WHERE cast_only")
    flush_rejects(con, _DIRECT, source_id)
    direct.check_line_ids(con, source_id)
    report.rows_read = written + rejected
    report.rows_accepted = _count(
        con, f"SELECT count(*) FROM declaration_lines WHERE source_id = {source_id}"
    )
    report.rows_quarantined = report.rows_read - report.rows_accepted
    con.execute("UPDATE sources SET pending = false WHERE source_id = ?", [source_id])
    finish_source(con, report)


def _retype_leftovers(
    con: duckdb.DuckDBPyConnection, file: _File, plan: direct.DirectPlan, source_id: int, *, physical: int
) -> None:
    """Type the rows the direct write could not decide with the SQL path, as the SQL path alone would.

    They are the rows the reader rejected for a value it could not parse (their raw line is in the
    rejects) and the rows the direct write marked (deleted, and read again from the file by line).
    """
    con.execute(
        f"CREATE TEMP TABLE {_DIRECT}_suspects AS SELECT rowid AS rid, row_number AS n FROM declaration_lines"
        f" WHERE source_id = ? AND ({plan.suspect})",
        [source_id],
    )
    left_over = _count(con, f"SELECT count(*) FROM {_DIRECT}_suspects") + _count(
        con, f"SELECT count(*) FROM {_DIRECT}_rejq WHERE cast_only"
    )
    if left_over > MAX_LEFTOVERS:  # their raw text would be held in memory: the SQL path streams it
        raise _SqlPathNeededError
    marked = [int(r[0]) for r in con.execute(f"SELECT n FROM {_DIRECT}_suspects ORDER BY n").fetchall()]
    rejected = {
        int(n): str(raw)
        for n, raw in con.execute(f"SELECT line, raw FROM {_DIRECT}_rejq WHERE cast_only").fetchall()
    }
    if not marked and not rejected:
        return
    if marked and physical != file.prepared.lines:
        raise _SqlPathNeededError
    records = {**records_at(file.prepared.path, marked), **rejected}
    missing = set(marked) - records.keys()
    if missing:  # a row would vanish: stop rather than load less than the file holds
        raise RuntimeError(f"{file.path}: lines {sorted(missing)[:5]} not found again in the file")
    lines = sorted(records)
    with tempfile.TemporaryDirectory(prefix="sanctrace-") as folder:
        leftovers = Path(folder) / "leftovers.csv"
        leftovers.write_text("\n".join([file.header_line, *(records[n] for n in lines)]) + "\n", "utf-8")
        create_number_table(con, f"{_DIRECT}_map", {"k": list(range(2, len(lines) + 2)), "n": lines})
        prepared = PreparedText(leftovers, "utf-8", ())
        reader = read_csv_sql(leftovers, len(file.header), file.delimiter, f"{_STAGE}_rej")
        rows, _ = _clean(con, file.resolved, file.header, reader, prepared)
    con.execute(
        f"CREATE TEMP TABLE {_STAGE}_mapped AS SELECT m.n, r.* EXCLUDE (n) FROM {_ROWS} r"
        f" JOIN {_DIRECT}_map m ON m.k = r.n"
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_ROWS} AS SELECT * FROM {_STAGE}_mapped")
    con.execute(f"UPDATE {_STAGE}_prob SET n = m.n FROM {_DIRECT}_map m WHERE {_STAGE}_prob.n = m.k")
    con.execute(f"DELETE FROM declaration_lines WHERE rowid IN (SELECT rid FROM {_DIRECT}_suspects)")
    _insert(con, field_sql.fields_filled(file.resolved), rows, source_id)


def _drop_temporary(con: duckdb.DuckDBPyConnection) -> None:
    drop_stage(con, _STAGE)
    con.execute(f"DROP VIEW IF EXISTS {_ROWS}")
    for suffix in ("_cty", "_val", "_rows_numbered", "_prob", "_drop", "_rejq", "_mapped"):
        con.execute(f"DROP TABLE IF EXISTS {_STAGE}{suffix}")


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
    fields = field_sql.fields_filled(resolved)
    countries = [f for f in fields if field_sql.is_country(f)]
    checked = [f for f in fields if DECLARATION_FIELDS[f] != "text" and not field_sql.is_country(f)]
    required = [f for f in fields if f in resolved.mapping.required]

    def column(name: str) -> str:
        if len(resolved.columns.get(name, [])) > 1:
            return f"h_{name}"
        return field_sql.column_label(resolved, header, name)

    # 1. The typed rows, in file order (their rowid numbers them), with their problems.
    problems = [(f"r_{f} IS NULL", column(f), "'missing value'", "NULL::VARCHAR", "true") for f in required]
    problems += [
        (
            f"r_{f} IS NOT NULL AND v_{f} IS NULL",
            column(f),
            sql.sql_literal(field_sql.BAD_VALUE_REASONS[DECLARATION_FIELDS[f]]),
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
    values = ", ".join(
        f"{field_sql.typed(resolved, f).final} AS v_{f}" for f in fields if not field_sql.is_country(f)
    )
    labels = [f"h_{f}" for f in countries if len(resolved.columns.get(f, [])) > 1]
    run_in_file_order(
        con,
        f"CREATE TEMP TABLE {stage}_val AS SELECT"
        " v_declaration_number || '/' || CAST(v_item_number AS VARCHAR) AS line_id,"
        f" CASE WHEN {any_problem} THEN list_filter([{entries}], lambda p: p IS NOT NULL) END AS problems, "
        + ", ".join([f"{value} AS {name}" for name, value in field_sql.outputs(fields)] + labels)
        + f" FROM (SELECT *, {values} FROM {field_sql.source(resolved, header, fields, reader)})",
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
    return rows, rejected


def _check_line_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Quarantine entries for repeated line ids (the SQL path, before anything is written)."""
    stage = _STAGE
    good = f"n NOT IN (SELECT n FROM {stage}_prob WHERE fatal)"

    # Among rows with every required value, the first occurrence of a new line_id wins: later
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


def _insert(
    con: duckdb.DuckDBPyConnection, fields: list[str], staged: int, source_id: int
) -> tuple[int, int]:
    """Copy the good rows of ``_val`` into ``declarations``, quarantine the problems.

    Rows are written in no particular physical order (``row_number`` says where each came from):
    keeping file order would cost a sort of every row.
    """
    stage = _STAGE
    names = [c for c, _ in field_sql.outputs(fields)]
    values = [f"{c}_c.iso2" if c in fields and field_sql.is_country(c) else f"t.{c}" for c in names]
    joins = sql.country_joins(f"{stage}_cty", [c for c in fields if field_sql.is_country(c)]).replace(
        "t.r_", "t."
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {stage}_drop AS SELECT DISTINCT n FROM {stage}_prob WHERE fatal"
    )
    dropped = _count(con, f"SELECT count(*) FROM {stage}_drop")
    keep = f" WHERE t.n NOT IN (SELECT n FROM {stage}_drop)" if dropped else ""
    with duckdb_setting(con, "preserve_insertion_order", False):
        con.execute(
            f"INSERT INTO declaration_lines (source_id, row_number, {', '.join(names)})"
            f" SELECT ?, t.n, {', '.join(values)} FROM {_ROWS} t {joins}{keep}",
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
