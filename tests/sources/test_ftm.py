"""FollowTheMoney JSON lines: the OpenSanctions ZALA cluster, t1 and the t2 delta files, round trip."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sanctrace.sources import ftm
from sanctrace.sources.base import LoadOptions
from sanctrace.store.warehouse import connect

TABLES = {
    "parties": "party_id, schema, caption, country, incorporation_date, dissolution_date, address, phone,"
    " website, dataset",
    "party_names": "party_id, name, name_type, script",
    "party_identifiers": "party_id, scheme, value, valid",
    "relations": "relation_id, kind, subject_id, object_id, percent, role, amount, currency,"
    " start_date, end_date",
    "designations": "party_id, list, program, listed_date, delisted_date",
}


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {
        t: sorted(con.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr) for t, cols in TABLES.items()
    }


@pytest.fixture
def zala(con: duckdb.DuckDBPyConnection, shared_data: Path) -> duckdb.DuckDBPyConnection:
    report = ftm.load(
        con, shared_data / "opensanctions_ftm" / "zala_cluster.entities.ftm.json", LoadOptions("zala")
    )
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (91, 90, 1)
    return con


def test_zala_lands_where_it_should(zala: duckdb.DuckDBPyConnection) -> None:
    schemas = dict(zala.execute("SELECT schema, count(*) FROM parties GROUP BY 1").fetchall())
    assert schemas == {"Company": 11, "Person": 6}  # 11 Company + 6 Person entities
    assert zala.execute("SELECT count(*) FROM designations").fetchone() == (41,)  # 41 Sanction
    kinds = dict(zala.execute("SELECT kind, count(*) FROM relations GROUP BY 1").fetchall())
    assert kinds == {"ownership": 14, "officer": 3, "linked": 4}  # Ownership, Directorship, Family
    # the Passport has no number: quarantined with its reason; the 11 Address entities are used, not loaded
    assert zala.execute("SELECT row_number, reason FROM quarantine").fetchall() == [
        (45, "Passport without number or without its holder in the file")
    ]
    # every designation points at a loaded party, lists come from the Sanction's dataset
    assert zala.execute(
        "SELECT count(*) FROM designations WHERE party_id NOT IN (SELECT party_id FROM parties)"
    ).fetchone() == (0,)
    assert zala.execute("SELECT count(*) FROM designations WHERE list = 'us_ofac_sdn'").fetchone() == (3,)
    # Russian identifiers: every INN and OGRN in the file has valid check digits
    assert zala.execute(
        "SELECT scheme, bool_and(valid), count(*) FROM party_identifiers WHERE scheme IN ('inn', 'ogrn')"
        " GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("inn", True, 19), ("ogrn", True, 14)]
    assert zala.execute(
        "SELECT count(*) FROM party_identifiers WHERE scheme = 'kpp' AND valid IS NULL"
    ).fetchone() == (12,)


def test_zala_details(zala: duckdb.DuckDBPyConnection) -> None:
    row = zala.execute(
        "SELECT percent, start_date, end_date FROM relations WHERE kind = 'ownership' AND percent = 100"
        " AND start_date = DATE '2024-03-01'"
    ).fetchone()
    assert row == (100.0, date(2024, 3, 1), date(2024, 3, 24))
    assert zala.execute(
        "SELECT country, incorporation_date FROM parties WHERE caption = 'LLC CST'"
    ).fetchone() == ("RU", date(2010, 12, 24))
    types = dict(zala.execute("SELECT name_type, count(*) FROM party_names GROUP BY 1").fetchall())
    assert set(types) == {"primary", "alias", "weak_alias", "previous"}
    assert zala.execute("SELECT count(*) FROM party_names WHERE script = 'Cyrl'").fetchone()[0] > 0  # type: ignore[index]


def test_t1(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    report = ftm.load(con, shared_data / "opensanctions_ftm" / "t1.entities.ftm.json", LoadOptions("t1"))
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (7, 7, 0)
    assert dict(con.execute("SELECT schema, count(*) FROM parties GROUP BY 1").fetchall()) == {
        "Person": 4,
        "Organization": 2,
    }
    # t1's Organizations point at Address ids that are not in the file: no address is invented
    assert con.execute("SELECT count(*) FROM parties WHERE address IS NOT NULL").fetchone() == (0,)


def test_t2_deltas_in_order(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    files = sorted((shared_data / "opensanctions_ftm" / "t2_deltas").glob("*.delta.json"))
    reports = [ftm.load(con, f, LoadOptions("t2")) for f in files]
    assert [r.rows_read for r in reports] == [0, 2, 2, 1, 1]  # the first file is empty upstream
    assert sum(r.rows_quarantined for r in reports) == 0
    assert sorted(r[0] for r in con.execute("SELECT party_id FROM parties").fetchall()) == [
        "NK-2T3S8Hu29ktYnKSTgQp2wL",
        "NK-2sJaJRaPJcWUfMbHjTtWcL",
        "Q4365364",
    ]  # NK-500Poltergeist: ADD then DEL
    assert con.execute(
        "SELECT count(*) FROM party_names WHERE party_id = 'NK-500Poltergeist'"
    ).fetchone() == (0,)
    assert all(ftm.load(con, f, LoadOptions("t2")).already_loaded for f in files)


def test_bad_lines_and_unknown_delete(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    lines = [
        '{"id": "a", "schema": "Company", "properties": {"name": ["A"], "innCode": ["7707083894"],'
        ' "addressEntity": ["addr"]}}',
        '{"id": "addr", "schema": "Address", "properties": {"full": ["1 Main St, Izhevsk"]}}',
        "not json",
        '{"id": "s", "schema": "Sanction", "properties": {"entity": ["a"], "listingDate": ["2022"]},'
        ' "datasets": ["us_ofac_sdn"]}',
        '{"id": "v", "schema": "Vessel", "properties": {"name": ["Sea"], "imoNumber": ["9074729"]}}',
        '{"id": "o", "schema": "Ownership", "properties": {"owner": ["v"], "asset": ["a"],'
        ' "percentage": ["150"]}}',
        '{"op": "DEL", "entity": {"id": "ghost"}}',
        '{"id": "e", "schema": "Event", "properties": {}}',
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    report = ftm.load(con, path, LoadOptions("x"))
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (8, 4, 4)
    assert con.execute("SELECT address FROM parties WHERE party_id = 'a'").fetchone() == (
        "1 Main St, Izhevsk",
    )
    reasons = [r for (r,) in con.execute("SELECT reason FROM quarantine ORDER BY row_number").fetchall()]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1:] == [
        "percentage 150 outside 0-100",
        "DEL of an id that is no loaded party or relation (nothing deleted)",
        "FtM schema Event is not loaded",
    ]
    assert con.execute("SELECT valid FROM party_identifiers WHERE scheme = 'inn'").fetchone() == (False,)
    assert con.execute("SELECT list, listed_date FROM designations").fetchone() == (
        "us_ofac_sdn",
        date(2022, 1, 1),
    )


def test_round_trip(zala: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    exported = list(ftm.export_ftm(zala, "zala"))
    assert sorted({e["schema"] for e in exported}) == [
        "Company",
        "Directorship",
        "Ownership",
        "Person",
        "Sanction",
        "UnknownLink",
    ]
    path = tmp_path / "export.ftm.json"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in exported), "utf-8")
    fresh = connect(":memory:")
    try:
        report = ftm.load(fresh, path, LoadOptions("zala"))
        assert report.rows_quarantined == 0
        assert _snapshot(fresh) == _snapshot(zala)
    finally:
        fresh.close()


def test_sniff(tmp_path: Path) -> None:
    assert ftm.sniff(tmp_path / "a.json", '{"id": "x", "schema": "Person", "properties": {}}')
    assert ftm.sniff(tmp_path / "a.json", '{"op": "ADD", "entity": {}}')
    assert ftm.sniff(tmp_path / "empty.entities.delta.json", "")
    assert not ftm.sniff(tmp_path / "a.csv", "company_id,name\n")
