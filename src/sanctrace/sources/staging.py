"""Read a delimited UTF-8 file into a DuckDB staging table, every row tagged with its line number.

Reading stays vectorised (DuckDB's CSV reader, all columns VARCHAR); cleaning then happens in SQL.

Row numbers: ``n`` is the 1-based line of the file with the header as line 1, so the first data row
is 2. DuckDB does not expose line numbers for good rows, so they are rebuilt: rows keep file order
in the staging table, and the lines DuckDB consumed without producing a row (blank lines, and rows it
rejected: wrong number of fields, broken quoting) are added back. A field with a line break inside
quotes makes one record span two lines; DuckDB counts records, so after such a record ``n`` counts
records rather than physical lines (the xlsx reader replaces line breaks in cells to avoid this).

Rejected records go to ``quarantine`` with the raw line; they count as read and quarantined.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sanctrace.sources.encoding import PreparedText

_CANDIDATE_DELIMITERS = (";", ",", "\t", "|")
BAD_ENCODING = "INVALID ENCODING"  # DuckDB's error_type for bytes that are not UTF-8
CAST_ERROR = "CAST"  # a value a typed reader column could not parse (the line is split fine)
_REJECT_REASONS = {
    "MISSING COLUMNS": "wrong number of fields",
    "TOO MANY COLUMNS": "wrong number of fields",
}


@dataclass(frozen=True)
class Staged:
    """A staging view ``table`` with columns ``n`` and ``c1`` .. ``cN`` (N = len(header))."""

    table: str
    header: list[str]
    rows: int  # rows in the staging table
    rejected: int  # records DuckDB could not split into the header's fields


def detect_delimiter(header_line: str) -> str:
    """The candidate that occurs most often in the header line (ties: the order above)."""
    counts = [(header_line.count(d), -i, d) for i, d in enumerate(_CANDIDATE_DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def first_line(text: str) -> str:
    return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")


def split_header(header_line: str, delimiter: str) -> list[str]:
    row = next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
    return [cell.strip().lstrip("\ufeff") for cell in row]


def column_names(count: int) -> list[str]:
    return [f"c{i}" for i in range(1, count + 1)]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_csv_sql(
    path: Path,
    columns: int,
    delimiter: str,
    rejects: str | None,
    *,
    types: list[str] | None = None,
    options: str = "",
) -> str:
    """DuckDB's reader of a prepared file, columns ``c1`` .. ``cN``, VARCHAR unless ``types`` says.

    With ``rejects``, records it cannot split (or, with ``types``, whose values it cannot cast) go to
    the tables ``<rejects>`` and ``<rejects>_scan``; without, they are skipped the same way (for a
    second read of a file already staged once). ``options`` are more reader options (``, name=value``).
    """
    names = column_names(columns)
    spec = (
        "{"
        + ", ".join(
            f"'{c}': {_sql_text(t)}" for c, t in zip(names, types or ["VARCHAR"] * columns, strict=True)
        )
        + "}"
    )
    errors = (
        f"store_rejects=true, rejects_table='{rejects}', rejects_scan='{rejects}_scan'"
        if rejects is not None
        else "ignore_errors=true"
    )
    # The 16 MB line limit reads a 5 MB field. Alone it makes DuckDB's read buffers so large that an
    # insert into a warehouse table holds its row groups until the commit (+4.5 s per 2M rows, decision
    # 0021); 32 MB buffers avoid that.
    return (
        f"read_csv({_sql_text(str(path))}, delim={_sql_text(delimiter)}, quote='\"', escape='\"',"
        f" header=true, auto_detect=false, columns={spec}, {errors}, max_line_size=16777216,"
        f" buffer_size=33554432{options})"
    )


@contextmanager
def duckdb_setting(con: duckdb.DuckDBPyConnection, name: str, value: bool | int) -> Iterator[None]:
    """A DuckDB setting (``preserve_insertion_order``, ``threads``) changed for a block, then put back
    as it was."""
    before = con.execute(f"SELECT current_setting('{name}')").fetchone()
    assert before is not None
    con.execute(f"SET {name} = {str(value).lower()}")  # True -> true, 2 -> 2
    try:
        yield
    finally:
        con.execute(f"SET {name} = {str(before[0]).lower()}")


def run_in_file_order(
    con: duckdb.DuckDBPyConnection, statement: str, parameters: list[object] | None = None
) -> None:
    """Run ``statement``, a CREATE TABLE AS or INSERT over a file's reader, so that the new rowids
    follow the file.

    The loaders number rows by that order. DuckDB keeps it only with an order-preserving plan, which
    it then runs as BATCH_CREATE_TABLE_AS or BATCH_INSERT (parallel, written in the reader's batch
    order). With a join in the plan (its optimizer makes one of a long IN list) it runs a plain
    parallel CREATE_TABLE_AS or INSERT, rows land in any order, and every row number past the first
    row group (122,880 rows) would be silently wrong: this happened to declarations in November 2026.
    So the plan is checked first, and a plan that would not keep the order runs on one thread, which
    keeps it (slower; the numbers stay right).
    """
    with duckdb_setting(con, "preserve_insertion_order", True):
        ordered = keeps_file_order(con, statement, parameters)
        with nullcontext() if ordered else duckdb_setting(con, "threads", 1):
            con.execute(statement, parameters)


def keeps_file_order(
    con: duckdb.DuckDBPyConnection, statement: str, parameters: list[object] | None = None
) -> bool:
    """Whether DuckDB plans ``statement`` (a CREATE TABLE AS or INSERT) as a batch write, which
    appends rows in the reader's order (with ``preserve_insertion_order`` on, as it is by default).

    The plan is read as JSON: from DuckDB 2.0 the text plan names both kinds "Insert", while the
    JSON one still tells BATCH_INSERT from INSERT.
    """
    explained = con.execute(f"EXPLAIN (FORMAT json) {statement}", parameters).fetchall()
    plan = "".join(str(row[1]) for row in explained)
    return "BATCH_CREATE_TABLE_AS" in plan or "BATCH_INSERT" in plan


def lines_accounted(con: duckdb.DuckDBPyConnection, rows: str, rejects: str) -> int:
    """Lines the reader accounted for after a read into ``rows`` with rejects in ``rejects``: the
    header, one per row, one per rejected line (``PreparedText.blank_lines_for``)."""
    found = con.execute(
        f"SELECT 1 + (SELECT count(*) FROM {rows}) + (SELECT count(DISTINCT line) FROM {rejects})"
    ).fetchone()
    assert found is not None
    return int(found[0])


def create_number_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[int]]) -> None:
    """A temporary table of BIGINT columns from Python lists, through a CSV file.

    Not a list parameter (``unnest(?)``): DuckDB's Python binding spends ~0.2 ms per element passing
    one, so a file with 100,000 blank lines would take 20 s before reading a single row.
    """
    names = list(columns)
    with tempfile.TemporaryDirectory(prefix="sanctrace-") as folder:
        path = Path(folder) / "numbers.csv"
        with path.open("w", encoding="ascii") as handle:
            handle.write(",".join(names) + "\n")
            handle.writelines(",".join(map(str, row)) + "\n" for row in zip(*columns.values(), strict=True))
        spec = ", ".join(f"'{c}': 'BIGINT'" for c in names)
        con.execute(
            f"CREATE TEMP TABLE {name} AS SELECT * FROM read_csv(?, header=true, auto_detect=false,"
            f" columns={{{spec}}})",
            [str(path)],
        )


def number_lines(con: duckdb.DuckDBPyConnection, table: str, blank_lines: tuple[int, ...]) -> tuple[int, int]:
    """After a read into ``<table>_rej``: the table ``<table>_gaps`` and the rejected records.

    The k-th row DuckDB produced (0-based, file order) is line ``k + 2 + consumed`` with
    ``consumed`` from the last gap at or before k (``ASOF LEFT JOIN <table>_gaps g ON k >= g.gap``).
    Rejected records are kept in ``<table>_rejq`` for ``flush_rejects`` (``cast_only``: the record
    split fine and only a typed column failed). Returns (gaps, rejected).
    """
    rejects, gaps = f"{table}_rej", f"{table}_gaps"
    create_number_table(con, f"{gaps}_blank", {"line": [line for line in blank_lines if line > 1]})
    con.execute(
        f"CREATE TEMP TABLE {gaps}_lines AS SELECT line FROM {rejects} UNION SELECT line FROM {gaps}_blank"
    )
    con.execute(f"DROP TABLE {gaps}_blank")
    # A consumed line at ``line`` with j - 1 consumed lines before it has ``line - 1 - j`` rows before it.
    con.execute(
        f"CREATE TEMP TABLE {gaps} AS SELECT line - 1 - j AS gap, max(j) AS consumed FROM"
        f" (SELECT line, row_number() OVER (ORDER BY line) AS j FROM {gaps}_lines) GROUP BY gap"
    )
    con.execute(
        # The reason is the line's first error other than a cast (by position, so the same on every
        # run): a typed reader also reports the casts of a line with too many fields, which the
        # all-text reader of the SQL path does not.
        f"CREATE OR REPLACE TEMP TABLE {table}_rejq AS SELECT line, CASE first(error_type"
        f" ORDER BY byte_position, column_idx, error_type) FILTER (WHERE error_type <> '{CAST_ERROR}')"
        + "".join(f" WHEN '{k}' THEN '{v}'" for k, v in _REJECT_REASONS.items())
        + f" ELSE 'malformed line' END AS reason, trim(first(csv_line), e'\\r\\n') AS raw,"
        f" bool_or(error_type = '{BAD_ENCODING}') AS bad_encoding,"
        f" bool_and(error_type = '{CAST_ERROR}') AS cast_only FROM {rejects} GROUP BY line"
    )
    gap_count = con.execute(f"SELECT count(*) FROM {gaps}").fetchone()
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {rejects}").fetchone()
    assert gap_count is not None and rejected is not None
    for name in (rejects, f"{rejects}_scan", f"{gaps}_lines"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return int(gap_count[0]), int(rejected[0])


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedText,
    *,
    table: str,
    header: list[str],
    delimiter: str,
    source_id: int | None,
) -> Staged:
    """Create temp view ``table`` (n, c1..cN) and quarantine the records DuckDB rejected.

    The caller reads the view once (it joins the line-number gaps on the fly) and then calls
    ``drop_stage``.
    """
    names = column_names(len(header))
    raw, gaps = f"{table}_raw", f"{table}_gaps"
    drop_stage(con, table)
    reader = read_csv_sql(prepared.path, len(header), delimiter, f"{table}_rej")
    run_in_file_order(con, f"CREATE TEMP TABLE {raw} AS SELECT * FROM {reader}")
    blank = prepared.blank_lines_for(lines_accounted(con, raw, f"{table}_rej"))
    gap_count, rejected = number_lines(con, table, blank)
    # Rows keep file order; rowids are consecutive (they start high inside a transaction, hence the
    # minus min).
    numbered = f"(SELECT rowid - (SELECT min(rowid) FROM {raw}) AS k, * FROM {raw}) r"
    if gap_count == 0:
        # The common case, a clean file: no join at all (the ASOF join costs a sort of every row).
        con.execute(
            f"CREATE TEMP VIEW {table} AS SELECT r.k + 2 AS n, {', '.join('r.' + c for c in names)}"
            f" FROM {numbered}"
        )
    else:
        con.execute(
            f"CREATE TEMP VIEW {table} AS SELECT r.k + 2 + coalesce(g.consumed, 0) AS n,"
            f" {', '.join('r.' + c for c in names)}"
            f" FROM {numbered} ASOF LEFT JOIN {gaps} g ON r.k >= g.gap"
        )
    if source_id is not None:
        flush_rejects(con, table, source_id)
    rows_row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert rows_row is not None
    return Staged(table, header, int(rows_row[0]), rejected)


def flush_rejects(con: duckdb.DuckDBPyConnection, table: str, source_id: int) -> None:
    """Quarantine the records DuckDB's reader rejected (kept aside when staged without a source id,
    so the staging can run outside the transaction that writes the warehouse)."""
    con.execute(
        f"INSERT INTO quarantine SELECT ?, line, NULL, reason, raw FROM {table}_rejq ORDER BY line",
        [source_id],
    )
    con.execute(f"DROP TABLE {table}_rejq")


def drop_stage(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Remove the staging view and the tables behind it."""
    con.execute(f"DROP VIEW IF EXISTS {table}")
    for suffix in ("raw", "rej", "rej_scan", "gaps", "gaps_lines"):
        con.execute(f"DROP TABLE IF EXISTS {table}_{suffix}")


def csv_from_rows(rows: list[list[str]], target: Path) -> None:
    """Write rows as UTF-8 CSV (used for spreadsheets); an empty row becomes an empty line."""
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in rows:
            if any(cell for cell in row):
                writer.writerow(row)
            else:
                handle.write("\n")
