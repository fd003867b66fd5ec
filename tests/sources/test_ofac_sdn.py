"""OFAC legacy CSV sets: the hand-made fixture in detail, the real SDN and non-SDN sets by count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path
from sanctrace.store.warehouse import connect

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def fixture_con(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    ingest_path(con, FIXTURES / "2024-01-15", LoadOptions(dataset="ofac"))
    return con


def test_folder_loads_the_set_once_with_a_sources_row_per_file(con: duckdb.DuckDBPyConnection) -> None:
    reports = ingest_path(con, FIXTURES / "2024-01-15", LoadOptions(dataset="ofac"))
    by_name = {r.path.name: r for r in reports if r.format.startswith("ofac")}
    assert by_name["sdn.csv"].format == "ofac-sdn" and not by_name["sdn.csv"].already_loaded
    assert {by_name[n].note for n in ("add.csv", "alt.csv", "sdn_comments.csv")} == {"loaded with sdn.csv"}
    assert (by_name["sdn.csv"].rows_read, by_name["sdn.csv"].rows_accepted) == (4, 3)
    assert by_name["alt.csv"].rows_quarantined == 1  # ent_num 99 has no entry
    assert _one(con, "SELECT count(*) FROM sources WHERE format LIKE 'ofac%'") == 4


def test_reloading_changes_nothing(fixture_con: duckdb.DuckDBPyConnection) -> None:
    before = _one(fixture_con, "SELECT count(*) FROM party_names")
    reports = ingest_path(fixture_con, FIXTURES / "2024-01-15", LoadOptions(dataset="ofac"))
    assert all(r.already_loaded for r in reports)
    assert _one(fixture_con, "SELECT count(*) FROM party_names") == before


def test_programs_schemas_and_aliases(fixture_con: duckdb.DuckDBPyConnection) -> None:
    programs = fixture_con.execute(
        "SELECT program FROM designations WHERE party_id = 'ofac-10' ORDER BY 1"
    ).fetchall()
    assert programs == [("RUSSIA-EO14024",), ("UKRAINE-EO13662",)]
    assert _one(fixture_con, "SELECT schema FROM parties WHERE party_id = 'ofac-30'") == "Person"
    assert _one(fixture_con, "SELECT schema FROM parties WHERE party_id = 'ofac-10'") == "LegalEntity"
    names = set(
        fixture_con.execute("SELECT name, name_type FROM party_names WHERE party_id LIKE 'ofac-%'").fetchall()
    )
    assert ("ALFA TREJDING OOO", "alias") in names and ("BETA GROUP", "previous") in names
    assert _one(fixture_con, "SELECT address FROM parties WHERE party_id = 'ofac-10'") == (
        "Ul. Primernaya 1, Moscow, Russia"
    )


def test_remarks_become_identifiers_facts_and_links(fixture_con: duckdb.DuckDBPyConnection) -> None:
    ids = set(
        fixture_con.execute(
            "SELECT scheme, value, valid FROM party_identifiers WHERE party_id = 'ofac-10'"
        ).fetchall()
    )
    assert ids == {("inn", "7707083893", True), ("ogrn", "1027700132195", True)}
    beta = fixture_con.execute(
        "SELECT website, incorporation_date FROM parties WHERE party_id = 'ofac-20'"
    ).fetchone()
    assert beta == ("www.beta.example", dt.date(1991, 11, 19))
    assert fixture_con.execute(
        "SELECT subject_id, object_id FROM relations WHERE kind = 'linked'"
    ).fetchall() == [("ofac-10", "ofac-20")]
    unresolved = fixture_con.execute(
        "SELECT raw_text FROM quarantine WHERE reason LIKE 'Linked To%'"
    ).fetchall()
    assert unresolved == [("NOWHERE LTD",)]  # from the comments overflow of entry 30


def test_a_newer_version_records_changes_and_delists_removed(fixture_con: duckdb.DuckDBPyConnection) -> None:
    reports = ingest_path(fixture_con, FIXTURES / "2024-06-01" / "sdn.csv", LoadOptions(dataset="ofac"))
    assert [r.rows_accepted for r in reports if r.format == "ofac-sdn"] == [3]
    changes = dict(fixture_con.execute("SELECT party_id, change FROM list_changes").fetchall())
    assert changes == {"ofac-40": "added", "ofac-20": "removed", "ofac-10": "changed"}
    fields = _one(fixture_con, "SELECT fields_changed FROM list_changes WHERE party_id = 'ofac-10'")
    assert fields == "identifiers;programs"  # aliases not compared: the new set has no alt.csv
    delisted = fixture_con.execute(
        "SELECT DISTINCT delisted_date FROM designations WHERE party_id = 'ofac-20'"
    ).fetchall()
    assert delisted == [(dt.date(2024, 6, 1),)]
    still = _one(
        fixture_con, "SELECT count(*) FROM designations WHERE party_id = 'ofac-10' AND delisted_date IS NULL"
    )
    assert still == 1  # UKRAINE-EO13662 dropped with the old version's rows


@pytest.fixture(scope="module")
def real_sdn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not data.is_dir():
        pytest.skip(f"staged real data not found at {data}")
    con = connect(tmp_path_factory.mktemp("sdn") / "w.duckdb")
    ingest_path(con, data / "ofac_sdn" / "2023-12-28", LoadOptions(dataset="ofac"))
    yield con
    con.close()


def test_real_sdn_set_counts(real_sdn: duckdb.DuckDBPyConnection) -> None:
    counts = dict(
        real_sdn.execute(
            "SELECT regexp_extract(path, '[^/]+$'), rows_accepted FROM sources WHERE format LIKE 'ofac%'"
        ).fetchall()
    )
    assert counts == {"sdn.csv": 13_821, "add.csv": 18_990, "alt.csv": 17_091, "sdn_comments.csv": 10}
    russia = _one(
        real_sdn, "SELECT count(DISTINCT party_id) FROM designations WHERE program = 'RUSSIA-EO14024'"
    )
    # SOURCES.md counts 3,527 lines mentioning RUSSIA-EO14024; 4 of them are BPI-RUSSIA-EO14024 only.
    assert russia == 3_523
    orphans = real_sdn.execute(
        "SELECT raw_text FROM quarantine"
        " WHERE reason = 'no entry with this ent_num in the main file' ORDER BY 1"
    ).fetchall()
    assert [r[0].split(",")[0] for r in orphans] == ["12300", "15599", "15600"]


def test_real_sdn_identifiers_from_remarks(real_sdn: duckdb.DuckDBPyConnection) -> None:
    inn = real_sdn.execute(
        "SELECT count(*), count(*) FILTER (WHERE valid) FROM party_identifiers WHERE scheme = 'inn'"
    ).fetchone()
    assert inn is not None
    total, valid = int(inn[0]), int(inn[1])
    assert total > 1_500 and valid / total > 0.99
    imo = _one(real_sdn, "SELECT count(*) FROM party_identifiers WHERE scheme = 'imo'")
    assert isinstance(imo, int) and imo > 500


def test_real_sdn_newer_version_adds_the_published_difference(real_sdn: duckdb.DuckDBPyConnection) -> None:
    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    ingest_path(real_sdn, data / "ofac_sdn" / "2024-05-03" / "sdn.csv", LoadOptions(dataset="ofac"))
    counts = dict(real_sdn.execute("SELECT change, count(*) FROM list_changes GROUP BY ALL").fetchall())
    assert counts["added"] - counts["removed"] == 14_965 - 13_821
    assert (counts["added"], counts["removed"]) == (1_256, 112)
    # 4,440 lines mention RUSSIA-EO14024, one of them only as BPI-RUSSIA-EO14024.
    russia = _one(
        real_sdn,
        "SELECT count(DISTINCT party_id) FROM designations"
        " WHERE program = 'RUSSIA-EO14024' AND delisted_date IS NULL",
    )
    assert russia == 4_439


def test_real_consolidated_non_sdn(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    ingest_path(con, shared_data / "ofac_consolidated_non_sdn", LoadOptions(dataset="cons"))
    counts = dict(
        con.execute(
            "SELECT regexp_extract(path, '[^/]+$'), rows_read FROM sources WHERE format LIKE 'ofac%'"
        ).fetchall()
    )
    assert counts == {
        "cons_prim.csv": 442,
        "cons_add.csv": 574,
        "cons_alt.csv": 1_073,
        "cons_comments.csv": 10,
    }
    assert _one(con, "SELECT count(DISTINCT list) FROM designations") == 1
    assert _one(con, "SELECT list FROM designations LIMIT 1") == "us_ofac_cons"
