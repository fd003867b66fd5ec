"""EU Official Journal annexes (OpenSanctions transcription): real counts, names, identifiers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from sanctrace.sources.base import LoadOptions
from sanctrace.sources.eu_journal import _identifiers, _names
from sanctrace.sources.ingest import ingest_path


def test_real_annexes_load_every_row(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    reports = ingest_path(con, shared_data / "eu_sanctions_journal", LoadOptions(dataset="eu"))
    counts = {r.path.name: (r.rows_read, r.rows_accepted) for r in reports if r.format == "eu-journal"}
    assert counts == {
        "32006R0765.csv": (408, 408),
        "32014R0269.csv": (2_802, 2_802),
        "32014R0833.csv": (1_746, 1_746),
    }
    schemas = dict(
        con.execute(
            "SELECT schema, count(*) FROM parties p JOIN sources s USING (source_id)"
            " WHERE s.path LIKE '%32014R0269.csv' GROUP BY ALL"
        ).fetchall()
    )
    assert schemas["Person"] == 1_984 and schemas["LegalEntity"] + schemas["Company"] == 818
    annexes = dict(
        con.execute(
            "SELECT program, count(*) FROM designations"
            " WHERE program IN ('EU-RUS IV', 'EU-RUS XLII') GROUP BY ALL"
        ).fetchall()
    )
    assert annexes == {"EU-RUS IV": 921, "EU-RUS XLII": 633}
    inn = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE valid) FROM party_identifiers WHERE scheme = 'inn'"
    ).fetchone()
    assert inn is not None and inn[0] > 500 and inn[1] / inn[0] > 0.95
    cyrillic = con.execute("SELECT count(*) FROM party_names WHERE script = 'Cyrl'").fetchone()
    assert cyrillic is not None and cyrillic[0] > 3_000
    listed = con.execute("SELECT min(listed_date) FROM designations").fetchone()
    assert listed is not None and listed[0] <= dt.date(2014, 3, 17)


def test_original_script_in_parentheses_becomes_its_own_name() -> None:
    names = _names({"name": "Sergey AKSYONOV", "alias": "Sergei AKSENOV (Сергей АКСЁНОВ); Serhiy Aksionov"})
    assert names == [
        ("Sergey AKSYONOV", "primary"),
        ("Sergei AKSENOV", "alias"),
        ("Сергей АКСЁНОВ", "alias"),
        ("Serhiy Aksionov", "alias"),
    ]


def test_registration_number_hint_names_the_scheme() -> None:
    found = _identifiers(
        {"registrationNumber": "7704730655 (Tax ID/INN); 1027739126040 (OGRN)", "imoNumber": "9187629"}
    )
    assert found == [("imo", "9187629"), ("inn", "7704730655"), ("ogrn", "1027739126040")]
