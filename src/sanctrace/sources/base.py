"""What every loader shares: registering a source file, quarantining bad rows, the load report.

A file is identified by its sha256, its format and the dataset it is loaded into, so loading the
same file again changes nothing. Every canonical row carries ``source_id`` and ``row_number``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources.loading import transaction


@dataclass(frozen=True)
class QuarantinedRow:
    row_number: int | None
    column: str | None
    reason: str
    raw_text: str | None


@dataclass
class LoadReport:
    """What happened to one file; the CLI prints these as the ingest summary table."""

    path: Path
    format: str
    dataset: str
    source_id: int
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    already_loaded: bool = False
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    note: str | None = None  # e.g. "loaded with sdn.csv" for a file loaded as part of a set
    rows_filtered: int = 0  # rows deliberately not loaded (aggregates that would double count)
    warnings: list[str] = field(default_factory=list)  # failed dataset-descriptor assertions


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_loaded(con: duckdb.DuckDBPyConnection, sha256: str, fmt: str, dataset: str) -> int | None:
    row = con.execute(
        "SELECT source_id FROM sources WHERE sha256 = ? AND format = ? AND dataset = ?",
        [sha256, fmt, dataset],
    ).fetchone()
    return int(row[0]) if row else None


def register_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    dataset: str,
    *,
    sha256: str | None = None,
    encoding: str | None = None,
    publisher: str | None = None,
    licence: str | None = None,
) -> int:
    """Insert the ``sources`` row for a file about to be loaded and return its id."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    digest = sha256 or file_sha256(path)
    row = con.execute("SELECT nextval('source_id_seq')").fetchone()
    assert row is not None
    source_id = int(row[0])
    con.execute(
        "INSERT INTO sources (source_id, path, sha256, format, dataset, loaded_at, encoding,"
        " publisher, licence) VALUES (?, ?, ?, ?, ?, current_timestamp, ?, ?, ?)",
        [source_id, str(path), digest, fmt, dataset, encoding, publisher, licence],
    )
    return source_id


def discard_load(con: duckdb.DuckDBPyConnection, source_id: int) -> None:
    """Remove a load: its rows in every table with a ``source_id`` column, then its ``sources`` row.

    For a load written in more than one transaction (``sources.pending``) whose later step failed;
    the caller runs it in a transaction of its own.
    """
    tables = con.execute(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.column_name = 'source_id' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'sources'"
        " AND c.table_schema = 'main' ORDER BY 1"
    ).fetchall()
    for (table,) in tables:
        con.execute(f'DELETE FROM "{table}" WHERE source_id = ?', [source_id])
    con.execute("DELETE FROM sources WHERE source_id = ?", [source_id])


def discard_unfinished_loads(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Remove the loads left pending by a process that stopped between their transactions; return
    their ids. Run when a warehouse is opened for writing, before anything reads it."""
    pending = [int(r[0]) for r in con.execute("SELECT source_id FROM sources WHERE pending").fetchall()]
    for source_id in pending:
        with transaction(con):
            discard_load(con, source_id)
    return pending


def quarantine_rows(con: duckdb.DuckDBPyConnection, source_id: int, rows: Iterable[QuarantinedRow]) -> int:
    batch = [(source_id, r.row_number, r.column, r.reason, r.raw_text) for r in rows]
    if batch:
        con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)", batch)
    return len(batch)


def finish_source(
    con: duckdb.DuckDBPyConnection,
    report: LoadReport,
) -> LoadReport:
    """Record the row counts on the ``sources`` row and collect the top quarantine reasons."""
    con.execute(
        "UPDATE sources SET rows_read = ?, rows_accepted = ?, rows_quarantined = ? WHERE source_id = ?",
        [report.rows_read, report.rows_accepted, report.rows_quarantined, report.source_id],
    )
    reasons = con.execute(
        "SELECT reason, count(*) FROM quarantine WHERE source_id = ? GROUP BY reason"
        " ORDER BY count(*) DESC, reason LIMIT 5",
        [report.source_id],
    ).fetchall()
    report.top_reasons = [(str(r), int(n)) for r, n in reasons]
    return report


ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class LoadOptions:
    """What the user said about a file on the command line."""

    dataset: str
    mapping: str | None = None  # column-mapping YAML path or preset name (declarations)
    progress: ProgressCallback | None = None  # called with the number of rows processed so far


class Loader(Protocol):
    """Every format module exposes ``FORMAT``, ``sniff`` and ``load`` with these shapes."""

    def __call__(self, con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport: ...


def begin_load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    options: LoadOptions,
    *,
    encoding: str | None = None,
    publisher: str | None = None,
    licence: str | None = None,
    sha256: str | None = None,
) -> LoadReport:
    """Start loading a file, or report that this exact file is already in the dataset.

    Returns a report whose ``already_loaded`` is True when nothing must be done (idempotent
    re-ingest). Otherwise a ``sources`` row exists and the caller fills the canonical tables,
    then calls ``finish_source``. Callers wrap the whole load in one transaction. ``sha256`` is the
    file's digest when the caller has it already (hashing a 4 GB file takes seconds).
    """
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    digest = sha256 or file_sha256(path)
    existing = find_loaded(con, digest, fmt, options.dataset)
    if existing is not None:
        row = con.execute(
            "SELECT rows_read, rows_accepted, rows_quarantined FROM sources WHERE source_id = ?",
            [existing],
        ).fetchone()
        assert row is not None
        return LoadReport(
            path,
            fmt,
            options.dataset,
            existing,
            int(row[0]),
            int(row[1]),
            int(row[2]),
            already_loaded=True,
        )
    source_id = register_source(
        con,
        path,
        fmt,
        options.dataset,
        sha256=digest,
        encoding=encoding,
        publisher=publisher,
        licence=licence,
    )
    return LoadReport(path, fmt, options.dataset, source_id)
