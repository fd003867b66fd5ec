from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.store.warehouse import available_migrations, connect, migrate, schema_version

CONTRACT_TABLES = {
    "sources",
    "quarantine",
    "declarations",
    "trade_flows",
    "parties",
    "party_names",
    "party_identifiers",
    "relations",
    "designations",
    "baskets",
    "control_events",
}


def test_new_warehouse_has_every_contract_table(con: duckdb.DuckDBPyConnection) -> None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert tables >= CONTRACT_TABLES


def test_schema_version_is_latest_migration(con: duckdb.DuckDBPyConnection) -> None:
    assert schema_version(con) == available_migrations()[-1].version


def test_migrate_twice_applies_nothing(con: duckdb.DuckDBPyConnection) -> None:
    assert migrate(con) == []


def test_reopening_a_file_warehouse_keeps_rows(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = connect(db)
    first.execute(
        "INSERT INTO control_events VALUES ('x', 'TW', DATE '2023-01-04', 'test', NULL, NULL, NULL)"
    )
    first.close()
    second = connect(db)
    assert second.execute("SELECT count(*) FROM control_events").fetchone() == (1,)
    second.close()


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        connect(tmp_path / "nope" / "w.duckdb")
