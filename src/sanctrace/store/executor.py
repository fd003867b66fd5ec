"""Run analytics SQL files on DuckDB (the default) or on Apache Spark.

Analytics are written once, in the DuckDB dialect, as ``.sql`` files with ``$name`` parameters.
DuckDB binds the parameters natively. For Spark the file is parsed with sqlglot, the parameters
become typed literals in the syntax tree (never string concatenation), and sqlglot writes the
Spark dialect. The conformance tests run every query through both paths and compare the rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import duckdb
import sqlglot
from sqlglot import exp

from sanctrace.errors import UserError

ParamValue = str | int | float | Decimal | bool | dt.date | None


_VIEW_MARK = re.compile(r"^--\s*materialize:\s*view\s*$", re.MULTILINE)


@dataclass(frozen=True)
class SqlQuery:
    """One analytics query: a SELECT in the DuckDB dialect with ``$name`` parameters.

    A file with the line ``-- materialize: view`` is kept as a view on DuckDB (computed when read)
    instead of a table: for per-line results that are cheap joins of ``declarations`` with small
    tables, where writing ten million rows would cost more than every reader recomputing them.
    """

    name: str
    text: str

    @property
    def as_view(self) -> bool:
        return _VIEW_MARK.search(self.text) is not None

    @property
    def params(self) -> tuple[str, ...]:
        tree = sqlglot.parse_one(self.text, read="duckdb")
        names = {str(node.this) for node in tree.find_all(exp.Placeholder) if node.this}
        return tuple(sorted(names))


def load_query(package: str, name: str) -> SqlQuery:
    """Read ``<package>/sql/<name>.sql`` shipped inside the installed package.

    The file must hold exactly one SELECT: engines wrap it in ``CREATE TABLE ... AS``, where a
    second statement would be silently lost or half-run.
    """
    path = resources.files(package).joinpath("sql", f"{name}.sql")
    if not path.is_file():
        raise UserError(f"no analytics query named {name!r} in {package}")
    text = path.read_text("utf-8")
    _check_single_query(f"{package}/sql/{name}.sql", text)
    return SqlQuery(name, text)


def _check_single_query(label: str, text: str) -> None:
    try:
        statements = sqlglot.parse(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise UserError(f"{label}: not valid SQL: {exc}") from exc
    real = [s for s in statements if s is not None and not isinstance(s, exp.Semicolon)]
    if len(real) != 1 or not isinstance(real[0], exp.Query):
        raise UserError(f"{label}: must hold exactly one SELECT query, found {len(real)} statement(s)")


def list_queries(package: str) -> list[str]:
    folder = resources.files(package).joinpath("sql")
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".sql"))


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Engine(Protocol):
    """What analyze needs from an engine; DuckDB and Spark both provide it."""

    name: str

    def fetch(self, query: SqlQuery, params: Mapping[str, ParamValue] | None = None) -> Result: ...

    def materialize(
        self, query: SqlQuery, table: str, params: Mapping[str, ParamValue] | None = None
    ) -> None: ...

    def read_table(self, table: str) -> Result: ...


def _checked_params(query: SqlQuery, params: Mapping[str, ParamValue] | None) -> dict[str, ParamValue]:
    given = dict(params or {})
    needed = query.params
    missing = [name for name in needed if name not in given]
    if missing:
        raise UserError(f"query {query.name!r} needs parameter(s): {', '.join(missing)}")
    return {name: given[name] for name in needed}


def literal(value: ParamValue) -> exp.Expression:
    """A typed SQL literal for a parameter value, for engines without native binding."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | Decimal):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=exp.DataType.build("TIMESTAMP"))
    if isinstance(value, dt.date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))
    return exp.Literal.string(str(value))


def render(query: SqlQuery, params: Mapping[str, ParamValue] | None, dialect: str) -> str:
    """The query in ``dialect`` with its parameters bound as literals."""
    bound = _checked_params(query, params)
    tree = sqlglot.parse_one(query.text, read="duckdb")

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Interval):
            # DuckDB's ``INTERVAL ($n) MONTH`` would become ``INTERVAL (6) MONTH``, which Spark rejects.
            amount = node.this.unnest() if isinstance(node.this, exp.Expression) else None
            if isinstance(amount, exp.Placeholder) and amount.this:
                unit = node.args.get("unit")
                return exp.Interval(
                    this=exp.Literal.string(_interval_amount(str(amount.this), bound[str(amount.this)])),
                    unit=unit.copy() if isinstance(unit, exp.Expression) else None,
                )
        if isinstance(node, exp.Placeholder) and node.this:
            return literal(bound[str(node.this)])
        return node

    # Comments are dropped: analysts read the .sql file, and a '*/' inside one would end the block.
    return tree.transform(substitute).sql(dialect=dialect, comments=False)


def _interval_amount(name: str, value: ParamValue) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(f"parameter {name!r} is an INTERVAL amount and must be a whole number, got {value!r}")
    return str(value)


class DuckDBEngine:
    """The default engine: the query text as written, parameters bound by DuckDB."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def fetch(self, query: SqlQuery, params: Mapping[str, ParamValue] | None = None) -> Result:
        cursor = self.con.execute(query.text, _checked_params(query, params))
        columns = [d[0] for d in cursor.description or []]
        return Result(columns, cursor.fetchall())

    def materialize(
        self, query: SqlQuery, table: str, params: Mapping[str, ParamValue] | None = None
    ) -> None:
        name = _identifier(table)
        if query.as_view:
            # A view cannot hold bound parameters: they are written in as typed literals.
            self._drop(name, "TABLE")
            self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {render(query, params, 'duckdb')}")
            return
        body = query.text.strip().rstrip(";")
        self._drop(name, "VIEW")
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {body}", _checked_params(query, params))

    def _drop(self, name: str, kind: str) -> None:
        """Drop ``name`` if it exists as a ``kind`` (a query may change from table to view)."""
        found = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'"
            " AND table_type = ?",
            [name, "VIEW" if kind == "VIEW" else "BASE TABLE"],
        ).fetchone()
        if found and found[0]:
            self.con.execute(f"DROP {kind} {name}")

    def create_empty(
        self, query: SqlQuery, table: str, params: Mapping[str, ParamValue] | None = None
    ) -> None:
        """An empty table with the columns and DuckDB types ``query`` would produce.

        Results computed elsewhere (Spark) are inserted into it, so the warehouse keeps one set of
        types whichever engine ran the query (Spark's date_trunc gives timestamps, for example).
        """
        body = query.text.strip().rstrip(";")
        self._drop(_identifier(table), "VIEW")
        self.con.execute(
            f"CREATE OR REPLACE TABLE {_identifier(table)} AS SELECT * FROM ({body}) LIMIT 0",
            _checked_params(query, params),
        )

    def read_table(self, table: str) -> Result:
        cursor = self.con.execute(f"SELECT * FROM {_identifier(table)}")
        return Result([d[0] for d in cursor.description or []], cursor.fetchall())


class SparkEngine:
    """Apache Spark: the same files transpiled by sqlglot; tables are temporary views."""

    name = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def register_parquet(self, table: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(_identifier(table))

    def fetch(self, query: SqlQuery, params: Mapping[str, ParamValue] | None = None) -> Result:
        frame = self.spark.sql(render(query, params, "spark"))
        return Result(list(frame.columns), [tuple(row) for row in frame.collect()])

    def materialize(
        self, query: SqlQuery, table: str, params: Mapping[str, ParamValue] | None = None
    ) -> None:
        frame = self.spark.sql(render(query, params, "spark"))
        frame.cache().createOrReplaceTempView(_identifier(table))

    def read_table(self, table: str) -> Result:
        frame = self.spark.table(_identifier(table))
        return Result(list(frame.columns), [tuple(row) for row in frame.collect()])


def export_tables_to_parquet(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], folder: Path
) -> dict[str, Path]:
    """Write warehouse tables as Parquet, the exchange format between engines."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in tables:
        target = folder / f"{_identifier(table)}.parquet"
        quoted = target.as_posix().replace("'", "''")
        con.execute(f"COPY {_identifier(table)} TO '{quoted}' (FORMAT parquet)")
        written[table] = target
    return written


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise UserError(f"not a valid table name: {name!r}")
    return name
