"""Formats that come as a set of files (OFAC's sdn/add/alt/comments, the UK list's tables).

A set is loaded from its main file; the sibling files are read with it, each with its own
``sources`` row. When ``ingest`` meets a sibling on its own (a folder holds the whole set), the
sibling's loader loads the set through the main file and reports itself as loaded with it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions, LoadReport

MainLoader = Callable[[duckdb.DuckDBPyConnection, Path, LoadOptions], LoadReport]


def load_part_through_main(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: LoadOptions,
    *,
    main_name: str,
    part_format: str,
    load_main: MainLoader,
) -> LoadReport:
    main = path.with_name(main_name)
    if not main.is_file():
        raise UserError(
            f"{path}: part of a set of files; its main file {main_name} is not in the same folder"
        )
    load_main(con, main, options)
    row = con.execute(
        "SELECT source_id, rows_read, rows_accepted, rows_quarantined FROM sources"
        " WHERE path = ? AND format = ? AND dataset = ? ORDER BY source_id DESC LIMIT 1",
        [str(path), part_format, options.dataset],
    ).fetchone()
    if row is None:
        raise UserError(f"{path}: was not loaded with {main_name}")
    return LoadReport(
        path,
        part_format,
        options.dataset,
        int(row[0]),
        int(row[1]),
        int(row[2]),
        int(row[3]),
        already_loaded=True,
        note=f"loaded with {main_name}",
    )
