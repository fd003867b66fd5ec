"""Monthly exchange rates to the US dollar into ``exchange_rates``: a plain template or an ECB CSV.

Why: Eurostat reports in euros while customs declarations are in dollars, so the difference method
could not compare them; with rates loaded, indirect_estimates converts the exports side to USD.
Nothing is fetched: the user downloads the rates and loads the file.

Two layouts, recognised by their header:
- template: ``currency,month,usd_per_unit`` (month ``YYYY-MM``; usd_per_unit = dollars per unit);
- the ECB data portal's CSV export of series ``EXR.M.USD.<CUR>.SP00.A`` (columns ``KEY``,
  ``FREQ``, ``CURRENCY``, ``CURRENCY_DENOM``, ``TIME_PERIOD``, ``OBS_VALUE``...): OBS_VALUE is
  dollars per unit of CURRENCY_DENOM. Rows of other series (daily, not quoted in USD) are
  quarantined with the reason, never guessed.
A later file replaces the rates of the (currency, month) pairs it gives.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from sanctrace.errors import UserError

from .base import LoadOptions, LoadReport, QuarantinedRow, begin_load, finish_source, quarantine_rows
from .loading import insert_rows, transaction

FORMAT = "exchange-rates"
TEMPLATE = ("currency", "month", "usd_per_unit")
ECB_NEEDED = ("FREQ", "CURRENCY", "CURRENCY_DENOM", "TIME_PERIOD", "OBS_VALUE")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")

Rate = tuple[str, date, float]
Problem = tuple[str | None, str]
RowParser = Callable[[dict[str, str]], tuple[Rate | None, Problem]]


def _header(head: str) -> list[str]:
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    return [c.strip().strip('"') for c in first.split(",")]


def sniff(path: Path, head: str) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    header = _header(head)
    return tuple(h.lower() for h in header) == TEMPLATE or all(c in header for c in ECB_NEEDED)


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    with transaction(con):
        report = begin_load(con, path, FORMAT, options, encoding="utf-8")
        if report.already_loaded:
            return report
        accepted: list[tuple[str, date, float, int, int]] = []
        bad: list[QuarantinedRow] = []
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = [h.strip() for h in next(reader, [])]
                parse = _row_parser(path, header)
                for row_number, cells in enumerate(reader, start=2):
                    if not any(c.strip() for c in cells):
                        continue
                    report.rows_read += 1
                    if len(cells) != len(header):
                        reason = f"expected {len(header)} columns, found {len(cells)}"
                        bad.append(QuarantinedRow(row_number, None, reason, ",".join(cells)))
                        continue
                    rate, problem = parse(dict(zip(header, cells, strict=True)))
                    if rate is None:
                        bad.append(QuarantinedRow(row_number, problem[0], problem[1], ",".join(cells)))
                        continue
                    accepted.append((*rate, report.source_id, row_number))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UserError(f"{path}: cannot read: {exc}") from exc
        if accepted:
            replaced = sorted({f"{r[0]} {r[1].isoformat()}" for r in accepted})
            con.execute(
                "DELETE FROM exchange_rates"
                " WHERE list_contains(?, currency || ' ' || CAST(month AS VARCHAR))",
                [replaced],
            )
        insert_rows(con, "exchange_rates", accepted)
        report.rows_accepted = len(accepted)
        report.rows_quarantined = quarantine_rows(con, report.source_id, bad)
        return finish_source(con, report)


def _row_parser(path: Path, header: list[str]) -> RowParser:
    if tuple(h.lower() for h in header) == TEMPLATE:
        return _template_row
    if all(c in header for c in ECB_NEEDED):
        return _ecb_row
    raise UserError(
        f"{path}: expected the columns {','.join(TEMPLATE)} or an ECB export ({', '.join(ECB_NEEDED)})"
    )


def _template_row(row: dict[str, str]) -> tuple[Rate | None, Problem]:
    lowered = {k.lower(): v.strip() for k, v in row.items()}
    return _rate(lowered["currency"].upper(), lowered["month"], lowered["usd_per_unit"], "usd_per_unit")


def _ecb_row(row: dict[str, str]) -> tuple[Rate | None, Problem]:
    cells = {k: v.strip() for k, v in row.items()}
    if cells["FREQ"] != "M":
        return None, ("FREQ", f"not a monthly series (FREQ {cells['FREQ']!r}); load the monthly averages")
    if cells["CURRENCY"] != "USD":
        return None, ("CURRENCY", f"quoted in {cells['CURRENCY']!r}, not in US dollars")
    return _rate(cells["CURRENCY_DENOM"], cells["TIME_PERIOD"], cells["OBS_VALUE"], "OBS_VALUE")


def _rate(currency: str, month: str, value: str, value_column: str) -> tuple[Rate | None, Problem]:
    if not _CURRENCY.match(currency):
        return None, ("currency", f"not an ISO 4217 code: {currency!r}")
    found = _MONTH.match(month)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None, ("month", f"not a month written YYYY-MM: {month!r}")
    try:
        amount = float(value)
    except ValueError:
        return None, (value_column, f"not a number: {value!r}")
    if not amount > 0 or amount != amount or amount == float("inf"):
        return None, (value_column, f"not a positive rate: {value!r}")
    return (currency, date(int(found.group(1)), int(found.group(2)), 1), amount), (None, "")
