"""The direct write: DuckDB's reader types a declarations file and the rows go straight to the table.

The table is ``declaration_lines``; readers read the view ``declarations`` over it (migration 010).

Why (docs/decisions/0021): the SQL path (``declarations._clean``) types every cell in SQL into a
temporary table and then copies it into the warehouse, two writes of every row, ~100k rows/s on 10M
lines. Here the reader parses the numbers and dates itself (``decimal_separator``, ``thousands``,
``dateformat``: as fast as reading text), the remaining fields get the same SQL as on the SQL path
(``declaration_fields``), and one ``INSERT ... SELECT`` writes the rows, in parallel and compressed.

How a row keeps its line: the insert must run as DuckDB's BATCH_INSERT, which appends rows in the
reader's order, so the new rows' rowids follow the file, and they stay in that order, one after the
other, when the insert commits (the rows are appended at the table's end). One UPDATE in the load's
second transaction (decision 0024) then sets ``row_number`` from the rowid and the lines the reader
skipped (``staging.number_lines``).
A plan without BATCH_INSERT (an expression the optimizer turns into a join) runs on one thread,
which keeps the order (the bug of decision 0012's "Correction" must not come back silently).

What the direct write cannot decide goes to the SQL path, row by row, so both paths give one result:

- a value the reader cannot parse rejects the row (``reject_errors`` keeps its line and raw text);
- a row the direct write marks: a required value missing, an item number, commodity code or flow the
  rules do not read, a country text not among the known spellings, a date with an implausible year.
  The mark is a value no rule produces (``MARK``, or -1 for the item number), found by ``SUSPECT``
  after the write; those rows are deleted and read again from the file by their line
  (``record_lines``).

Not planned (the SQL path loads the file): a number or date field read from two columns (a fallback)
or with a default, a column feeding two fields, and spreadsheets (small by nature).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from sanctrace.sources import cleaning as sql
from sanctrace.sources import declaration_fields as field_sql
from sanctrace.sources.encoding import PreparedText
from sanctrace.sources.mapping import DECLARATION_FIELDS, ResolvedMapping
from sanctrace.sources.staging import read_csv_sql, run_in_file_order

MARK = "chr(1)"  # a text no rule produces: the row needs the SQL path
# The mark as the column's type where that is not text: a country column is the ENUM ``country_code``
# (migration 011, which gives it the label chr(1)).
_TYPED_MARKS = {"country": f"CAST({MARK} AS country_code)"}
_ENUM = "decl_direct_country"
_ISO = "decl_direct_iso"
_LINE_HASH = "hash(declaration_number, item_number)"
_LINE_ID = "declaration_number || '/' || CAST(item_number AS VARCHAR)"  # as the view computes it
HEAD_ROWS = 1000  # rows looked at to choose the fields read untrimmed (``untrimmed_fields``)
_HEAD_CHARS = 1 << 20
_RULE_KINDS = ("integer", "flow", "code", "country")  # fields whose rule refuses padded text
_READER_TYPES = {"decimal": "DECIMAL(18, 2)", "number": "DOUBLE", "date": "DATE"}


@dataclass(frozen=True)
class DirectPlan:
    """The INSERT of one file, and how to find the rows it marked for the SQL path."""

    insert: str  # one parameter: the source id
    suspect: str  # a predicate over ``declaration_lines`` columns
    trim_after: tuple[str, ...] = ()  # text columns written untrimmed (``untrimmed_fields``)


def plan(
    resolved: ResolvedMapping, header: list[str], prepared: PreparedText, delimiter: str, rejects: str
) -> DirectPlan | None:
    """The direct write of a mapped file, or None when it needs the SQL path (see above)."""
    if prepared.lines is None:  # the marked rows are found again by counting the file's lines
        return None
    fields = field_sql.fields_filled(resolved)
    typed_read = typed_reader(resolved, header, prepared.path, delimiter, rejects)
    if typed_read is None:
        return None
    reader, reader_typed = typed_read
    untrimmed = untrimmed_fields(resolved, fields, head_rows(prepared.path, delimiter, HEAD_ROWS))
    text = [
        f"{field_sql.raw_value(resolved, f, trimmed=f not in untrimmed)} AS r_{f}"
        for f in fields
        if f not in reader_typed
    ]
    typed = [f"c{p + 1} AS v_{f}" for f, p in reader_typed.items()]
    extras = [
        f"{sql.sql_literal(label + ': ')} || {sql.clean_text(f'c{p + 1}')}"
        for label, p in resolved.extras.items()
    ]
    first = text + typed + [f"concat_ws(' | ', {', '.join(extras)})" if extras else "NULL::VARCHAR"]
    first[-1] += " AS r_extras"
    helpers = [field_sql.typed(resolved, f) for f in fields if _sql_typed(f)]
    values = [f"{_value(resolved, f)} AS v_{f}" for f in fields if f not in reader_typed]
    source = sql.nested(f"(SELECT {', '.join(first)} FROM {reader})", *sql.layers(helpers), values)
    outputs = [
        (c, f"v_{c}" if c in fields and field_sql.is_country(c) else v) for c, v in field_sql.outputs(fields)
    ]
    columns = {  # line_id and hs6 are computed by the view declarations (migration 010)
        "source_id": "?",
        "row_number": "0",
        **dict(outputs),
        "declaration_number": f"coalesce(v_declaration_number, {MARK})",
        "item_number": "coalesce(v_item_number, -1)",
    }
    insert = (
        f"INSERT INTO declaration_lines ({', '.join(columns)})"
        f" SELECT {', '.join(columns.values())} FROM {source}"
    )
    trim_after = tuple(f for f in fields if f in untrimmed and DECLARATION_FIELDS[f] == "text")
    return DirectPlan(insert, _suspect(resolved, fields, reader_typed), trim_after)


def typed_reader(
    resolved: ResolvedMapping, header: list[str], path: Path, delimiter: str, rejects: str
) -> tuple[str, dict[str, int]] | None:
    """DuckDB's reader of the file with the number and date columns typed by the reader itself, and
    which field each typed column is; None when a field cannot be typed by the reader.

    Also the benchmark's floor (``benchmarks.pipeline baseline-typed-read``): this read into a table,
    with no other work, is what any direct write costs at least.
    """
    fields = field_sql.fields_filled(resolved)
    reader_typed = _reader_typed(resolved, fields)
    if reader_typed is None:
        return None
    parse = resolved.mapping.parse
    types = ["VARCHAR"] * len(header)
    for name, position in reader_typed.items():
        types[position] = _READER_TYPES[DECLARATION_FIELDS[name]]
    date_format = sql.date_formats(day_first=parse.day_first, extra=parse.date_formats)[0]
    options = (
        f", decimal_separator={sql.sql_literal(',' if parse.decimal_comma else '.')},"
        f" thousands={sql.sql_literal(' ' if parse.decimal_comma else ',')},"
        f" dateformat={sql.sql_literal(date_format)}"
    )
    reader = read_csv_sql(path, len(header), delimiter, rejects, types=types, options=options)
    return reader, reader_typed


def _reader_typed(resolved: ResolvedMapping, fields: list[str]) -> dict[str, int] | None:
    """Field -> column for the fields the reader types; None when one of them cannot be."""
    uses = Counter(p for f in fields for p in resolved.columns.get(f, []))
    uses.update(resolved.extras.values())
    typed: dict[str, int] = {}
    for name in fields:
        if DECLARATION_FIELDS[name] not in _READER_TYPES:
            continue
        positions = resolved.columns.get(name, [])
        if len(positions) != 1 or name in resolved.mapping.defaults or uses[positions[0]] != 1:
            return None
        typed[name] = positions[0]
    return typed


def untrimmed_fields(resolved: ResolvedMapping, fields: list[str], head: list[list[str]]) -> set[str]:
    """The fields read from their cell as it is, without ``clean_text``'s trimming checks in the insert.

    Why: those checks were the largest cost over DuckDB's own read (~3.8 CPU-s per 2M rows for ~20
    columns, decision 0021). Two kinds of field can do without them:

    - A field whose rule reads only a clean text: a padded or blank cell fails the rule and is
      marked, and the SQL path trims and reads it. Those are the item number (a regular expression
      of digits), the flow (no ``CASE`` branch has padding: the mapping's keys are normalised), the
      commodity code (``digits`` drops the same spaces the trim would; U+202F fails the rule) and
      the countries (no spelling starts with a character the trim removes, and the lookup refuses
      the padding labels, which do).
    - A text field stored as it is read and not required: its padded cells are trimmed after the
      write (``trim_after_write``). That test runs on the stored column, where DuckDB evaluates it
      once per distinct value of a dictionary-compressed block (company names, addresses, units and
      currencies repeat), not once per row (decision 0024). Not the description when the mapping
      adds extras to it (stored joined, so no longer the cell), nor a required field (a blank cell
      must make the row's quarantine, which needs the trimmed text at the insert).

    Only a field with no default (a text field: read from one column; a rule field may fall back on
    further columns, see ``declaration_fields.raw_value``), and only when none of the file's first
    rows (``head``) has one of its cells padded: a file whose cells are padded throughout would
    otherwise leave every row to the SQL path (past ``MAX_LEFTOVERS`` the whole file, after a wasted
    direct write) or to the trimming update. Padding that starts further down only costs those rows
    more time.
    """
    required = set(resolved.mapping.required) | {"declaration_number", "item_number"}
    chosen = {
        name: resolved.columns[name]
        for name in fields
        if resolved.columns.get(name)
        and name not in resolved.mapping.defaults
        and (
            DECLARATION_FIELDS[name] in _RULE_KINDS
            or (
                DECLARATION_FIELDS[name] == "text"
                and len(resolved.columns[name]) == 1
                and name not in required
                and not (name == "description" and resolved.extras)
            )
        )
    }
    for row in head:
        for name, positions in list(chosen.items()):
            cells = [row[p] if p < len(row) else "" for p in positions]
            if any(cell != cell.strip(sql.TRIM_CHARS) for cell in cells):
                del chosen[name]
    return set(chosen)


def head_rows(path: Path, delimiter: str, count: int) -> list[list[str]]:
    """Up to ``count`` records after the header, from the file's first MiB, split by Python's csv
    module: close enough to DuckDB's reader for a sample that only chooses how a field is read.
    A record the csv module refuses (a field past its size limit) ends the sample there."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        text = handle.read(_HEAD_CHARS)
    if len(text) == _HEAD_CHARS:
        text = text[: text.rfind("\n") + 1]  # no cut record at the end
    rows: list[list[str]] = []
    try:
        for row in itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 1, count + 1):
            rows.append(row)
    except csv.Error:
        pass
    return rows


def _sql_typed(name: str) -> bool:
    return DECLARATION_FIELDS[name] in ("integer", "code", "flow")


def _value(resolved: ResolvedMapping, name: str) -> str:
    """A field typed in SQL: its value, or MARK when the text is there and the rules do not read it."""
    kind = DECLARATION_FIELDS[name]
    raw = f"r_{name}"
    if kind == "text":
        return raw
    if kind == "integer":
        return field_sql.typed(resolved, name).final
    read = f"{_ISO}({raw})" if kind == "country" else field_sql.typed(resolved, name).final
    return f"CASE WHEN {raw} IS NOT NULL THEN coalesce({read}, {_mark(kind)}) END"


def _mark(kind: str) -> str:
    """``MARK`` in the type a field of this kind is stored as."""
    return _TYPED_MARKS.get(kind, MARK)


def _suspect(resolved: ResolvedMapping, fields: list[str], reader_typed: dict[str, int]) -> str:
    """Rows of ``declaration_lines`` the SQL path must type again (the marks of ``_value``, see above)."""
    tests = [f"declaration_number = {MARK}", "item_number = -1"]
    for name in fields:
        kind = DECLARATION_FIELDS[name]
        if kind in ("code", "flow", "country"):
            tests.append(f"{name} = {_mark(kind)}")
        if kind == "date" and name in reader_typed:
            tests.append(f"NOT year({name}) BETWEEN 1900 AND 2100")
        if kind == "number" and name in reader_typed:
            tests.append(f"NOT isfinite({name})")  # the reader reads inf and nan; the rules do not
        if name in resolved.mapping.required and name not in ("declaration_number", "item_number"):
            tests.append(f"{name} IS NULL")
    return " OR ".join(f"({t})" for t in tests)


def create_country_lookup(con: duckdb.DuckDBPyConnection) -> None:
    """The known spellings of countries as an ENUM, and a macro giving a spelling's ISO code.

    A join would cost the insert its file order (see the module's docstring); an ENUM cast is a hash
    lookup that keeps it. The spellings are each alias of ``country_aliases`` as stored and in
    other letter cases. A spelling gets the code ``cleaning.country_lookup_query`` gives it: the
    alias its key (upper-cased, spaces collapsed) equals, when that alias names one country only.
    Any other text (a numeric code with other zeros, a new spelling) is marked for the SQL path.

    The ENUM is laid out in blocks of ``2**shift`` labels, one block per code (block 0: spellings
    that name no single country), padded with labels that start with a space, which no spelling
    does: the macro gives no code to a text starting with a space or a control character (a cell
    read untrimmed, ``untrimmed_fields``). A spelling's block is its ENUM position shifted right, an
    index into a list of ~250 codes. The guard compares bytes: ``x >= '!'`` holds when the first
    byte is past the space (the lead byte of any code point past U+007F is), the same test as
    ``unicode(x) > 32`` at two thirds of its cost (8 against 12 ns a cell, single-threaded).
    Why the blocks: DuckDB builds a constant list again for every vector of 2,048 rows, at ~50 ns an
    element; one list with a code per spelling (5,000+) cost ~130 ns per lookup, twice the cost of
    a list of the codes alone (decision 0021, "Later (2026-12-01 evening)").
    The codes are typed as ``country_code``, the type of the table's country columns (migration 011),
    so the insert stores them with no cast per cell (decision 0028).
    """
    aliases = [str(r[0]) for r in con.execute("SELECT DISTINCT alias FROM country_aliases").fetchall()]
    spellings = sorted({v for a in aliases for v in (a, a.upper(), a.lower(), a.title(), a.capitalize())})
    known = con.execute(
        f"WITH al AS (SELECT {sql.country_key('trim(alias)')} AS alias, any_value(iso2) AS iso2"
        " FROM country_aliases GROUP BY 1 HAVING count(DISTINCT iso2) = 1),"
        # A VALUES list, not a list parameter: DuckDB's Python binding takes seconds to pass 8,000 strings.
        f" s AS (SELECT * FROM (VALUES {', '.join(f'({sql.sql_literal(v)})' for v in spellings)}) v(raw))"
        f" SELECT s.raw, al.iso2 FROM s JOIN al ON al.alias = {sql.country_key('s.raw')} ORDER BY s.raw"
    ).fetchall()
    blocks: dict[str | None, list[str]] = {None: []}
    for raw, iso in known:
        blocks.setdefault(None if iso is None else str(iso), []).append(str(raw))
    codes = [None, *sorted(c for c in blocks if c is not None)]
    shift = (max(len(b) for b in blocks.values()) - 1).bit_length()  # 2**shift >= the largest block
    labels: list[str] = []
    for number, code in enumerate(codes):
        block = blocks[code]
        labels += block + [f" {number}.{pad}" for pad in range(len(block), 1 << shift)]
    drop_country_lookup(con)
    con.execute(f"CREATE TEMP TYPE {_ENUM} AS ENUM ({', '.join(sql.sql_literal(x) for x in labels)})")
    listed = ", ".join("NULL" if c is None else sql.sql_literal(c) for c in codes)
    con.execute(
        f"CREATE TEMP MACRO {_ISO}(x) AS CASE WHEN x >= '!'"
        f" THEN CAST([{listed}] AS country_code[])[(enum_code(TRY_CAST(x AS {_ENUM})) >> {shift}) + 1] END"
    )


def drop_country_lookup(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP MACRO IF EXISTS {_ISO}")
    con.execute(f"DROP TYPE IF EXISTS {_ENUM}")


def write(con: duckdb.DuckDBPyConnection, direct: DirectPlan, source_id: int) -> None:
    """Run the insert so that the new rows' rowids follow the file (see the module's docstring)."""
    run_in_file_order(con, direct.insert, [source_id])


def trim_after_write(con: duckdb.DuckDBPyConnection, plan: DirectPlan, source_id: int) -> None:
    """Trim the cells of the text columns the insert wrote as read (``untrimmed_fields``): one UPDATE
    per column, which finds nothing to change in a file whose cells carry no padding."""
    for name in plan.trim_after:
        con.execute(
            f"UPDATE declaration_lines SET {name} = {sql.clean_text(name)}"
            f" WHERE source_id = ? AND ({sql.needs_trim(name)})",
            [source_id],
        )


def number_rows(con: duckdb.DuckDBPyConnection, source_id: int, gaps: str | None) -> None:
    """Set ``row_number``: the k-th row written (rowid order) is line k + 2, plus the lines skipped
    before it (``gaps``, from ``staging.number_lines``; None when no line was skipped)."""
    found = con.execute(
        "SELECT min(rowid) FROM declaration_lines WHERE source_id = ?", [source_id]
    ).fetchone()
    if found is None or found[0] is None:
        return
    base = int(found[0])
    if gaps is None:
        con.execute(
            "UPDATE declaration_lines SET row_number = rowid - ? + 2 WHERE source_id = ?", [base, source_id]
        )
        return
    con.execute(
        "UPDATE declaration_lines SET row_number = m.n"
        " FROM (SELECT r.rid, r.k + 2 + coalesce(g.consumed, 0) AS n"
        " FROM (SELECT rowid AS rid, rowid - ? AS k FROM declaration_lines WHERE source_id = ?) r"
        f" ASOF LEFT JOIN {gaps} g ON r.k >= g.gap) m WHERE declaration_lines.rowid = m.rid",
        [base, source_id],
    )


def check_line_ids(con: duckdb.DuckDBPyConnection, source_id: int) -> None:
    """Quarantine and remove repeated line ids: within the file the first line wins, and a line id
    another file loaded already is not loaded again (the rules of the SQL path, on the written rows).

    Repeats are looked for on a 64-bit hash of the line id's two parts first (the same line id is
    the same declaration number and item number: the item number holds no '/'; hashing the parts
    spares building 10M strings): sorting 10M integers in numpy costs
    a fraction of grouping 10M strings (and half of DuckDB's GROUP BY of the hashes), and only when a
    hash repeats are the rows that carry it compared as text.
    """
    hashes = con.execute(
        f"SELECT {_LINE_HASH} AS h FROM declaration_lines WHERE source_id = ?", [source_id]
    ).fetchnumpy()["h"]
    hashes.sort()
    repeated = bool(np.any(hashes[1:] == hashes[:-1]))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE decl_direct_ids AS SELECT rowid AS rid, row_number AS n, {_LINE_ID}"
        f" AS line_id FROM declaration_lines WHERE ? AND source_id = ? AND {_LINE_HASH} IN (SELECT"
        f" {_LINE_HASH} FROM declaration_lines WHERE source_id = ? GROUP BY 1 HAVING count(*) > 1)",
        [repeated, source_id, source_id],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE decl_direct_repeats AS SELECT rid, n, line_id,"
        " 'duplicate line_id' AS reason, line_id AS raw_text FROM (SELECT *,"
        " row_number() OVER (PARTITION BY line_id ORDER BY n) AS occurrence FROM decl_direct_ids)"
        " WHERE occurrence > 1"
    )
    others = con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM declaration_lines WHERE source_id <> ? LIMIT 1)", [source_id]
    ).fetchone()
    if others is not None and int(others[0]):
        con.execute(
            "INSERT INTO decl_direct_repeats SELECT c.rid, c.n, c.line_id,"
            " 'line_id already loaded', c.line_id || ' (source ' || d.source_id || ')'"
            f" FROM (SELECT rowid AS rid, row_number AS n, {_LINE_ID} AS line_id, source_id"
            " FROM declaration_lines) c JOIN"
            " (SELECT line_id, min(source_id) AS source_id FROM declarations WHERE source_id <> ?"
            " AND line_id IN (SELECT line_id FROM declarations WHERE source_id = ?) GROUP BY line_id) d"
            " ON d.line_id = c.line_id WHERE c.source_id = ?"
            " AND c.rid NOT IN (SELECT rid FROM decl_direct_repeats)",
            [source_id, source_id, source_id],
        )
    con.execute(
        "INSERT INTO quarantine SELECT ?, n, 'line_id', reason, raw_text FROM decl_direct_repeats ORDER BY n",
        [source_id],
    )
    con.execute("DELETE FROM declaration_lines WHERE rowid IN (SELECT rid FROM decl_direct_repeats)")
    con.execute("DROP TABLE decl_direct_ids")
    con.execute("DROP TABLE decl_direct_repeats")
