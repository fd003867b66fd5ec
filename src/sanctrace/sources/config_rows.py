"""Loading a validated YAML config file: replace the rows it defines, keyed by its ids.

Baskets, control events and country groups all load the same way: the whole file is validated
first (nothing is written if it is wrong), then the rows with the file's keys are replaced, so a
new version of a basket or a group never sits beside the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from .base import LoadOptions, LoadReport, begin_load, finish_source
from .loading import insert_rows, transaction


def replace_keyed_rows(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    options: LoadOptions,
    *,
    table: str,
    key_column: str,
    keys: Sequence[str],
    rows: Callable[[int], list[tuple[Any, ...]]],
    publisher: str | None = None,
) -> LoadReport:
    """Delete ``table``'s rows whose ``key_column`` is in ``keys``, insert ``rows(source_id)``.

    Idempotent like every load: the same file again is reported as already loaded.
    """
    with transaction(con):
        report = begin_load(con, path, fmt, options, encoding="utf-8", publisher=publisher)
        if report.already_loaded:
            return report
        con.execute(f"DELETE FROM {table} WHERE list_contains(?, {key_column})", [list(keys)])
        written = rows(report.source_id)
        insert_rows(con, table, written)
        report.rows_read = report.rows_accepted = len(written)
        return finish_source(con, report)
