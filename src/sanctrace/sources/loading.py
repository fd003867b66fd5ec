"""Small helpers the reference, registry and FtM loaders share: transactions, cell parsing, YAML.

Kept apart from ``base`` (the loader contract) so that contract stays small.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
import yaml

from sanctrace.errors import UserError

_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One file = one transaction: a failure leaves the warehouse as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def parse_date(text: str | None, *, partial: bool = False) -> date | None:
    """ISO ``YYYY-MM-DD`` or day-first ``DD.MM.YYYY``; empty -> None; anything else -> ValueError.

    With ``partial`` (FtM dates are often ``YYYY`` or ``YYYY-MM``) the first day of the period is used.
    """
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return date.fromisoformat(value[:10])
        match = _DAY_FIRST.match(value)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if partial:
            match = _PARTIAL.match(value)
            if match:
                return date(int(match.group(1)), int(match.group(2) or 1), 1)
    except ValueError:
        pass
    raise ValueError(f"bad date {value!r} (expected YYYY-MM-DD)")


def parse_decimal(text: str | None) -> Decimal | None:
    """Numbers as people write them: ``1 234,50``, ``1,234.50``, ``30%``; empty -> None."""
    if text is None or not text.strip():
        return None
    value = text.strip().rstrip("%").replace("\u00a0", "").replace(" ", "")
    # Both separators: the comma groups thousands. Comma alone: it is the decimal mark.
    value = value.replace(",", "") if "," in value and "." in value else value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"bad number {text.strip()!r}") from None
    if not number.is_finite():
        raise ValueError(f"bad number {text.strip()!r}")
    return number


class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is a schema error naming its field."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error becomes a one-line UserError naming the file and line."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from exc
    try:
        return yaml.load(text, Loader=_TextDatesLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}:{where}: invalid YAML: {problem}") from exc


def report_progress(callback: Any, rows: int, every: int = 10_000) -> None:
    if callback is not None and rows % every == 0:
        callback(rows)


_NULL = "\\N"


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert through a temporary CSV file.

    Passing Python values to DuckDB costs ~0.1 ms each (executemany and list parameters alike);
    a CSV read is a hundred times faster, which keeps a 7,000-row reference file under a second.
    """
    if not rows:
        return
    with tempfile.TemporaryDirectory(prefix="sanctrace-") as folder:
        path = Path(folder) / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerows([_NULL if v is None else _cell(v) for v in row] for row in rows)
        con.execute(
            f"INSERT INTO {table} SELECT * FROM read_csv(?, header = false, all_varchar = true,"
            " nullstr = ?, quote = '\"', escape = '\"', delim = ',', auto_detect = false,"
            f" columns = {_columns_spec(len(rows[0]))})",
            [str(path), _NULL],
        )


def _cell(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _columns_spec(count: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(count)) + "}"
