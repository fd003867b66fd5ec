"""Materialise every analytics query into a table of the same name, on any engine.

The run order is read from the SQL itself (a query that selects from another query's table runs
after it), so adding a ``.sql`` file needs no change here; the parameters a query may use are the
fields of :class:`AnalysisParams`, under the names in ``_SQL_NAMES``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from sanctrace.errors import UserError
from sanctrace.store.executor import Engine, ParamValue, SqlQuery, list_queries, load_query

PACKAGE = "sanctrace.analyze"
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class AnalysisParams:
    """What the analyst chooses: the destination, optionally one origin, report sizes, price rules.

    The price parameters feed ``price_anomalies.sql`` (its header explains each rule): ``price_z``
    is the robust z-score beyond which a unit value is undervalued / marked up (3.5 is Iglewicz and
    Hoaglin's usual cut-off), ``price_min_lines`` the smallest reference group worth a median,
    ``markup_ratio`` how many times the maker's direct price a resale via a hub must reach,
    ``split_window_days`` and ``split_min_lines`` what counts as one shipment declared in lots.
    """

    target: str = "RU"
    origin: str | None = None
    top_n: int = 10
    window_months: int = 6
    price_z: float = 3.5
    price_min_lines: int = 5
    markup_ratio: float = 3.0
    split_window_days: int = 3
    split_min_lines: int = 2

    def __post_init__(self) -> None:
        if not _COUNTRY.match(self.target):
            raise UserError(
                f"target must be an upper-case ISO-2 country code such as 'RU', got {self.target!r}"
            )
        if self.origin is not None and not _COUNTRY.match(self.origin):
            raise UserError(
                f"origin must be an upper-case ISO-2 country code such as 'TW' (or none), got {self.origin!r}"
            )
        if isinstance(self.top_n, bool) or not isinstance(self.top_n, int) or self.top_n < 1:
            raise UserError(f"top_n must be a whole number of at least 1, got {self.top_n!r}")
        if (
            isinstance(self.window_months, bool)
            or not isinstance(self.window_months, int)
            or not 1 <= self.window_months <= 120
        ):
            raise UserError(f"window_months must be a whole number from 1 to 120, got {self.window_months!r}")
        _check_number("price_z", self.price_z, low=0.5, high=50.0)
        _check_number("markup_ratio", self.markup_ratio, low=1.01, high=1000.0)
        _check_whole("price_min_lines", self.price_min_lines, low=3, high=100_000)
        _check_whole("split_window_days", self.split_window_days, low=0, high=90)
        _check_whole("split_min_lines", self.split_min_lines, low=2, high=1000)

    def sql_values(self) -> dict[str, ParamValue]:
        """The values under the ``$names`` the SQL files use."""
        return {
            "target": self.target,
            "origin": self.origin,
            "top_n": self.top_n,
            "months": self.window_months,
            "price_z": float(self.price_z),
            "price_min_lines": self.price_min_lines,
            "markup_ratio": float(self.markup_ratio),
            "split_window_days": self.split_window_days,
            "split_min_lines": self.split_min_lines,
        }


def _check_whole(name: str, value: object, *, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UserError(f"{name} must be a whole number from {low} to {high}, got {value!r}")


def _check_number(name: str, value: object, *, low: float, high: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise UserError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")


def analysis_queries() -> list[SqlQuery]:
    """Every analytics query, each after the queries whose tables it reads."""
    queries = {name: load_query(PACKAGE, name) for name in list_queries(PACKAGE)}
    needs = {name: _tables_read(query) & (queries.keys() - {name}) for name, query in queries.items()}
    ordered: list[str] = []
    while len(ordered) < len(queries):
        ready = sorted(n for n in queries if n not in ordered and needs[n] <= set(ordered))
        if not ready:
            stuck = sorted(n for n in queries if n not in ordered)
            raise UserError(f"analytics queries read each other's tables in a cycle: {', '.join(stuck)}")
        ordered.append(ready[0])
    return [queries[name] for name in ordered]


def _tables_read(query: SqlQuery) -> set[str]:
    tree = sqlglot.parse_one(query.text, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return {table.name for table in tree.find_all(exp.Table)} - ctes


def run_analyses(
    engine: Engine, params: AnalysisParams, progress: Callable[[str], None] | None = None
) -> list[str]:
    """Build every analysis table on ``engine``; return the table names in the order written."""
    values = params.sql_values()
    written: list[str] = []
    for query in analysis_queries():
        unknown = [name for name in query.params if name not in values]
        if unknown:
            raise UserError(
                f"analytics query {query.name!r} uses parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(values))}"
            )
        if progress is not None:
            progress(f"{engine.name}: building {query.name}")
        engine.materialize(query, query.name, {name: values[name] for name in query.params})
        written.append(query.name)
    return written


def input_tables() -> list[str]:
    """Warehouse tables the analyses read (what another engine needs a copy of)."""
    queries = analysis_queries()
    produced = {query.name for query in queries}
    return sorted({table for query in queries for table in _tables_read(query)} - produced)


def analysis_parameters(query: SqlQuery, params: AnalysisParams) -> dict[str, ParamValue]:
    """The subset of ``params`` that ``query`` uses, by SQL parameter name."""
    values = params.sql_values()
    return {name: values[name] for name in query.params if name in values}
