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


def _warehouse_at_version(db: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A warehouse as an older sanctrace left it: the migrations up to ``version`` applied."""
    old = duckdb.connect(str(db))
    old.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    for migration in available_migrations():
        if migration.version <= version:
            old.execute(migration.sql)
            old.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now())", [migration.version, migration.name]
            )
    return old


def test_a_version_6_warehouse_keeps_its_declarations_with_line_id_computed(tmp_path: Path) -> None:
    """Migration 007 rebuilds ``declarations`` with ``line_id`` computed: every row and value stays,
    in the same order, and each line id reads as it was stored."""
    db = tmp_path / "w.duckdb"
    old = _warehouse_at_version(db, 6)
    rows = [
        (f"10702010/0{n}/{n % 3 + 1}", f"10702010/0{n}", n % 3 + 1, 1, n + 1, f"P{n}") for n in range(300)
    ]
    old.executemany(
        "INSERT INTO declarations (line_id, declaration_number, item_number, source_id, row_number,"
        " shipper_party_id) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    old.close()
    con = connect(db)
    assert schema_version(con) == available_migrations()[-1].version
    read = con.execute(
        "SELECT line_id, declaration_number, item_number, source_id, row_number, shipper_party_id"
        " FROM declarations"
    ).fetchall()
    assert read == rows
    con.close()


def test_a_version_8_warehouse_has_its_empty_descriptions_made_null(tmp_path: Path) -> None:
    """Migration 009: the '' an earlier load stored for a missing description becomes NULL, as later
    loads store it; other descriptions stay."""
    db = tmp_path / "w.duckdb"
    old = _warehouse_at_version(db, 8)
    old.executemany(
        "INSERT INTO declarations (declaration_number, item_number, source_id, row_number, description)"
        " VALUES (?, ?, 1, ?, ?)",
        [("D1", 1, 2, ""), ("D1", 2, 3, "СТАНОК"), ("D1", 3, 4, None)],
    )
    old.close()
    con = connect(db)
    read = con.execute("SELECT item_number, description FROM declarations ORDER BY item_number").fetchall()
    assert read == [(1, None), (2, "СТАНОК"), (3, None)]
    con.close()


def test_a_version_9_warehouse_reads_its_declarations_through_the_view(tmp_path: Path) -> None:
    """Migration 010: the rows move to ``declaration_lines`` as they are, and ``declarations`` reads
    them with the same columns in the same order: ``line_id`` computed, ``hs6`` as stored, or else
    from the national code."""
    db = tmp_path / "w.duckdb"
    old = _warehouse_at_version(db, 9)
    old.executemany(
        "INSERT INTO declarations (declaration_number, item_number, source_id, row_number, commodity_code,"
        " hs6) VALUES (?, ?, 1, ?, ?, ?)",
        [
            ("D1", 1, 2, "8457101000", "845710"),
            ("D1", 2, 3, None, "848210"),
            ("D1", 3, 4, "8482109000", None),
        ],
    )
    columns_before = [r[0] for r in old.execute("DESCRIBE declarations").fetchall()]
    old.close()
    con = connect(db)
    assert [r[0] for r in con.execute("DESCRIBE declarations").fetchall()] == columns_before
    read = con.execute("SELECT line_id, commodity_code, hs6 FROM declarations ORDER BY row_number").fetchall()
    assert read == [
        ("D1/1", "8457101000", "845710"),
        ("D1/2", None, "848210"),
        ("D1/3", "8482109000", "848210"),
    ]
    kinds = dict(
        con.execute(
            "SELECT table_name, table_type FROM information_schema.tables"
            " WHERE table_name IN ('declarations', 'declaration_lines')"
        ).fetchall()
    )
    assert kinds == {"declarations": "VIEW", "declaration_lines": "BASE TABLE"}
    stored = {r[0] for r in con.execute("DESCRIBE declaration_lines").fetchall()}
    assert "line_id" not in stored
    con.close()


_COUNTRY_COLUMNS = (
    "origin_country",
    "dispatch_country",
    "trading_country",
    "destination_country",
    "shipper_country",
    "consignee_country",
)


def test_a_version_10_warehouse_stores_its_country_codes_as_the_enum(tmp_path: Path) -> None:
    """Migration 011: the six country columns become ``country_code``; the view still gives text, and
    the stored codes (and NULLs) read back unchanged."""
    db = tmp_path / "w.duckdb"
    old = _warehouse_at_version(db, 10)
    old.executemany(
        f"INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
        f" {', '.join(_COUNTRY_COLUMNS)}) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
        [("D1", 1, 2, "CN", "TR", "AE", "RU", "CN", "RU"), ("D1", 2, 3, "XK", None, None, "KZ", None, None)],
    )
    old.close()
    con = connect(db)
    stored = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'declaration_lines'"
        ).fetchall()
    )
    assert all(stored[c].startswith("ENUM(") for c in _COUNTRY_COLUMNS)
    shown = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'declarations'"
        ).fetchall()
    )
    assert all(shown[c] == "VARCHAR" for c in _COUNTRY_COLUMNS)
    read = con.execute(
        f"SELECT {', '.join(_COUNTRY_COLUMNS)} FROM declarations ORDER BY row_number"
    ).fetchall()
    assert read == [("CN", "TR", "AE", "RU", "CN", "RU"), ("XK", None, None, "KZ", None, None)]
    con.close()


def test_the_country_columns_refuse_what_is_not_a_code(con: duckdb.DuckDBPyConnection) -> None:
    """A writer's bug (a name, a lower-case code) fails loudly instead of being stored."""
    for text in ("ru", "Russia", "RUS", ""):
        with pytest.raises(duckdb.ConversionException):
            con.execute(
                "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
                " origin_country) VALUES ('D1', 1, 1, 2, ?)",
                [text],
            )
    codes = [r[0] for r in con.execute("SELECT unnest(enum_range(NULL::country_code))").fetchall()]
    assert len(codes) == 1 + 26 * 26 and codes[0] == "\x01" and codes[1:] == sorted(codes[1:])
