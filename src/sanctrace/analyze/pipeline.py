"""Materialise every analytics query into a table of the same name, on any engine.

The run order is read from the SQL itself (a query that selects from another query's table runs
after it), so adding a ``.sql`` file needs no change here; the parameters a query may use are the
fields of :class:`AnalysisParams`, under the names in ``_SQL_NAMES``.
"""

from __future__ import annotations

import datetime as dt
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
    """What the analyst chooses: the destination, optionally one origin, basket, period and control
    event (None means "all"), report sizes, the allowances and periods of the difference method and
    the hub indicators, and the price rules.

    The CIF/FOB band and the shipping lag turn the difference method's point into a range (see
    ``indirect_estimates.sql``); the baseline and post periods are inclusive months, given as any
    day of the month (the first day is used), ``post_to`` None meaning "the latest month with data".
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
    basket: str | None = None
    period_from: dt.date | None = None  # first registration date counted (inclusive)
    period_to: dt.date | None = None  # last registration date counted (inclusive)
    control_event: str | None = None  # an event_id of control_events
    cif_fob_low: float = 1.00
    cif_fob_high: float = 1.12
    lag_months: int = 2
    baseline_from: dt.date = dt.date(2019, 1, 1)
    baseline_to: dt.date = dt.date(2021, 12, 1)
    post_from: dt.date = dt.date(2022, 3, 1)
    post_to: dt.date | None = None
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
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise UserError(f"the period starts ({self.period_from}) after it ends ({self.period_to})")
        for name in ("basket", "control_event"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise UserError(f"{name} must be a name, got {value!r}")
        self._check_band()
        if (
            isinstance(self.lag_months, bool)
            or not isinstance(self.lag_months, int)
            or not 0 <= self.lag_months <= 12
        ):
            raise UserError(f"lag_months must be a whole number from 0 to 12, got {self.lag_months!r}")
        self._check_periods()
        self._check_prices()

    def _check_band(self) -> None:
        for name in ("cif_fob_low", "cif_fob_high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise UserError(f"{name} must be a number such as 1.05, got {value!r}")
        if not 0.5 <= self.cif_fob_low <= self.cif_fob_high <= 2.0:
            raise UserError(
                "the CIF/FOB band must satisfy 0.5 <= cif_fob_low <= cif_fob_high <= 2.0 (an uplift"
                f" factor, e.g. 1.00 to 1.12), got {self.cif_fob_low!r} to {self.cif_fob_high!r}"
            )

    def _check_periods(self) -> None:
        dates = {
            "baseline_from": self.baseline_from,
            "baseline_to": self.baseline_to,
            "post_from": self.post_from,
            "post_to": self.post_to,
        }
        for name, value in dates.items():
            if value is None and name == "post_to":
                continue
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise UserError(f"{name} must be a date, got {value!r}")
        start, end, post = _month(self.baseline_from), _month(self.baseline_to), _month(self.post_from)
        if not start <= end < post:
            raise UserError(
                "periods must satisfy baseline_from <= baseline_to < post_from, got"
                f" {start:%Y-%m} .. {end:%Y-%m} and {post:%Y-%m}"
            )
        if self.post_to is not None and _month(self.post_to) < post:
            raise UserError(f"post_to ({self.post_to:%Y-%m}) must not be before post_from ({post:%Y-%m})")

    def _check_prices(self) -> None:
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
            "basket": self.basket,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "event": self.control_event,
            "cif_fob_low": float(self.cif_fob_low),
            "cif_fob_high": float(self.cif_fob_high),
            "lag_months": self.lag_months,
            "baseline_from": _month(self.baseline_from),
            "baseline_to": _month(self.baseline_to),
            "post_from": _month(self.post_from),
            "post_to": None if self.post_to is None else _month(self.post_to),
            "price_z": float(self.price_z),
            "price_min_lines": self.price_min_lines,
            "markup_ratio": float(self.markup_ratio),
            "split_window_days": self.split_window_days,
            "split_min_lines": self.split_min_lines,
        }


def _month(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the periods are whole months."""
    return day.replace(day=1)


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
