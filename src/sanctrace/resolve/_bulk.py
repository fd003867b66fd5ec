"""Move Python-computed rows into DuckDB in one statement, whatever their number.

Row-by-row ``executemany`` is far too slow for millions of spellings and neither pandas nor pyarrow is
a dependency; a newline-delimited JSON file keeps NULLs distinct from empty strings, which CSV cannot.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb


def create_temp_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """(Re)create the temporary table ``table`` with ``columns`` (name -> SQL type) holding ``rows``."""
    names = list(columns)
    definition = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TEMP TABLE {table} ({definition})")
    count = 0
    with tempfile.TemporaryDirectory(prefix="sanctrace-") as folder:
        path = Path(folder) / f"{table}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str))
                out.write("\n")
                count += 1
        if count:
            spec = "{" + ", ".join(f"'{n}': '{t}'" for n, t in columns.items()) + "}"
            con.execute(
                f"INSERT INTO {table} SELECT {', '.join(names)} FROM read_json(?,"
                f" format = 'newline_delimited', columns = {spec})",
                [str(path)],
            )
    return count
