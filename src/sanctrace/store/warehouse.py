"""Open the DuckDB warehouse and bring its schema up to date.

Migrations are numbered SQL files in ``migrations/``; each runs once, inside a transaction, and is
recorded in ``schema_migrations`` so an old warehouse file upgrades in place.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources.base import discard_unfinished_loads

DEFAULT_DB = Path("sanctrace.duckdb")
DEFAULT_MEMORY_LIMIT = "2GB"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """The migrations shipped with the package, in version order."""
    found = []
    for entry in resources.files("sanctrace.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the warehouse; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    applied = []
    for migration in available_migrations():
        if migration.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, current_timestamp)",
                [migration.version, migration.name],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def connect(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) a warehouse at ``path`` with the current schema.

    ``":memory:"`` gives a throwaway warehouse, which the tests use.
    """
    target = str(path if path is not None else DEFAULT_DB)
    if target != ":memory:":
        parent = Path(target).parent
        if not parent.exists():
            raise UserError(f"cannot create warehouse {target}: folder {parent} does not exist")
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise UserError(f"cannot open warehouse {target}: {exc}") from exc
    _limit_memory(con, target)
    if not read_only:
        migrate(con)
        discard_unfinished_loads(con)
    return con


def _limit_memory(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """Cap DuckDB's memory so big loads spill to disk instead of growing the process.

    DuckDB's default (80 % of RAM) lets a 10M-line load take many GB; the cap is the environment
    variable SANCTRACE_MEMORY_LIMIT (DuckDB syntax, e.g. "4GB"), 2GB by default. Spill files go
    beside the warehouse file, or to the system temporary folder for an in-memory warehouse.
    """
    limit = os.environ.get("SANCTRACE_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    spill = Path(tempfile.gettempdir()) / "sanctrace-spill" if target == ":memory:" else Path(f"{target}.tmp")
    try:
        con.execute(f"SET memory_limit = '{limit}'")
        con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    except duckdb.Error as exc:
        raise UserError(f"SANCTRACE_MEMORY_LIMIT={limit!r} is not a memory size DuckDB understands") from exc
