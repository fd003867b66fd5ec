"""Ingesting files and folders: format sniffing, the registry, reference data."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ensure_reference, format_names, ingest_path
from tests.sources.test_declarations import FIXTURES, add_aliases

OPTIONS = LoadOptions(dataset="test")
COMEXT_HEADER = "period,reporter_iso2,partner_iso2,product_code,value_eur\n"


@pytest.fixture
def db(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    add_aliases(con)
    con.execute("INSERT INTO country_aliases VALUES ('DE', 'DE', 'iso2')")
    return con


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "inputs"
    (root / "customs").mkdir(parents=True)
    shutil.copy(FIXTURES / "ru_declarations_cp1251.csv", root / "customs" / "a.csv")
    shutil.copy(FIXTURES / "bill_of_lading.csv", root / "customs" / "b.csv")
    (root / "stats.csv").write_text(COMEXT_HEADER + "2023-01,DE,RU,84571010,100\n", encoding="utf-8")
    (root / "README.md").write_text("# notes, not data\n", encoding="utf-8")
    (root / "LICENSE").write_text("CC BY 4.0\n", encoding="utf-8")
    return root


def test_folder_is_loaded_file_by_file_in_order(db: duckdb.DuckDBPyConnection, folder: Path) -> None:
    reports = ingest_path(db, folder, OPTIONS)
    assert [(r.path.name, r.format) for r in reports] == [
        ("a.csv", "declarations"),
        ("b.csv", "declarations"),
        ("stats.csv", "comext"),
    ]
    assert db.execute("SELECT count(*) FROM trade_flows").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM declarations").fetchone() == (8,)


def test_ingesting_again_changes_nothing(db: duckdb.DuckDBPyConnection, folder: Path) -> None:
    ingest_path(db, folder, OPTIONS)
    counts = db.execute(
        "SELECT (SELECT count(*) FROM declarations), (SELECT count(*) FROM quarantine)"
    ).fetchone()
    again = ingest_path(db, folder, OPTIONS)
    assert all(r.already_loaded for r in again)
    assert (
        db.execute("SELECT (SELECT count(*) FROM declarations), (SELECT count(*) FROM quarantine)").fetchone()
        == counts
    )


def test_unknown_file_stops_the_run_before_anything_loads(
    db: duckdb.DuckDBPyConnection, folder: Path
) -> None:
    (folder / "zzz.csv").write_text("colour,size\nred,XL\n", encoding="utf-8")
    with pytest.raises(
        UserError, match=r"cannot tell the format of .*zzz\.csv; pass --format \(one of .*comext"
    ):
        ingest_path(db, folder, OPTIONS)
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (0,)


def test_format_can_be_given(db: duckdb.DuckDBPyConnection, folder: Path) -> None:
    reports = ingest_path(db, folder / "stats.csv", OPTIONS, fmt="comext")
    assert [r.rows_accepted for r in reports] == [1]
    with pytest.raises(UserError, match="unknown format 'nope'"):
        ingest_path(db, folder / "stats.csv", OPTIONS, fmt="nope")


def test_missing_path(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file or folder"):
        ingest_path(db, tmp_path / "absent", OPTIONS)


def test_registry_lists_own_and_other_formats() -> None:
    names = format_names()
    assert {"declarations", "comext", "trade-flows"} <= set(names)
    assert len(names) == len(set(names))


def test_ensure_reference_skips_a_filled_warehouse(db: duckdb.DuckDBPyConnection) -> None:
    assert ensure_reference(db) == []


def test_ensure_reference_fills_an_empty_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    pytest.importorskip("sanctrace.sources.bundled")
    reports = ensure_reference(con)
    assert reports
    assert con.execute("SELECT count(*) FROM country_aliases").fetchone()[0] > 0  # type: ignore[index]
    assert ensure_reference(con) == []
