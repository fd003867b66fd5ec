"""UK Sanctions List tables: real counts, the set loaded from a folder, split registration numbers."""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path
from sanctrace.sources.uk_sanctions import split_numbers


def test_real_list_from_its_folder(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    reports = ingest_path(con, shared_data / "uk_sanctions_list", LoadOptions(dataset="uk"))
    read = {r.path.name: r.rows_read for r in reports if r.format.startswith("uk-sanctions")}
    assert read == {
        "subjects.csv": 6_046,
        "subject_names.csv": 15_050,
        "subject_identifiers.csv": 22_787,
        "subject_dobs.csv": 3_538,
    }
    (main,) = [r for r in reports if r.format == "uk-sanctions"]
    assert (main.rows_accepted, main.rows_quarantined, main.already_loaded) == (6_046, 0, False)
    russia = con.execute("SELECT count(*) FROM designations WHERE program = 'RUS'").fetchone()
    assert russia == (3_252,)
    schemas = dict(con.execute("SELECT schema, count(*) FROM parties GROUP BY ALL").fetchall())
    assert schemas == {"Person": 3_883, "LegalEntity": 1_531, "Vessel": 632}
    assert con.execute("SELECT caption FROM parties WHERE party_id = 'gb-RUS0001'").fetchone() == (
        "Dmitry Konstantinovich Kiselyov",
    )
    valid_inn = con.execute(
        "SELECT count(*) FILTER (WHERE valid) FROM party_identifiers WHERE scheme = 'inn'"
    ).fetchone()
    assert valid_inn is not None and valid_inn[0] > 150
    weak = con.execute("SELECT count(*) FROM party_names WHERE name_type = 'weak_alias'").fetchone()
    assert weak is not None and weak[0] > 500
    assert all(
        r.already_loaded for r in ingest_path(con, shared_data / "uk_sanctions_list", LoadOptions("uk"))
    )


def test_concatenated_registration_numbers_are_split() -> None:
    assert split_numbers("INN: 6608003052OGRN: 1026600000460") == [
        ("inn", "6608003052"),
        ("ogrn", "1026600000460"),
    ]
    assert split_numbers("(УНН/ИНН): 190950894 (Belarus),  7704734000/770301001 (Russia) ") == [
        ("registration", "190950894"),
        ("inn", "7704734000"),
        ("kpp", "770301001"),
    ]
    assert split_numbers("Russia OGRN - 1028600584540") == [("ogrn", "1028600584540")]


@given(st.text())
def test_splitter_never_raises(text: str) -> None:
    split_numbers(text)


@given(st.from_regex(r"[1-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "Russia ", "x; "]))
def test_splitter_finds_an_inn_it_is_given(inn: str, prefix: str) -> None:
    assert ("inn", inn) in split_numbers(f"{prefix}INN: {inn}")
