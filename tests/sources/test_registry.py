"""Company registry CSV template: parties, names, identifiers, relations, quarantined rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import countries, registry
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.countries import default_country_codes_path

OPTIONS = LoadOptions("reg")

COMPANIES = (
    "\n".join(
        [
            "company_id,name,alt_names,country,incorporation_date,dissolution_date,address,phone,website,inn,ogrn,ubn",
            "C1,I Machine Technology LLC,ООО «АЙ МАШИН ТЕХНОЛОДЖИ»; OOO AI MASHIN TEKHNOLODZHI,"
            "Россия,2012-03-05,,Moscow,,,7707083893,1027700132195,",
            "C2,台中精機,Victor Taichung Machinery Works Co. Ltd.,TAIWAN,1954-01-01,,,,,,,12345678",
            "C3,Bad Inn LLC,,RU,01.02.2020,,,,,7707083894,,",
            ",No id,,RU,,,,,,,,",
            "C4,Bad date,,RU,2020-02-30,,,,,,,",
            "C5,Nowhere Ltd,,Atlantis,,,,,,,,",
            "C1,Duplicate,,RU,,,,,,,,",
        ]
    )
    + "\n"
)
OFFICERS = (
    "\n".join(
        [
            "company_id,person_id,officer_name,role,start_date,end_date",
            "C1,P1,Ivan Petrov,director,2015-01-01,",
            "C2,,Chen Wei,sales director,,",
            "C2,,,director,,",
        ]
    )
    + "\n"
)
OWNERS = (
    "\n".join(
        [
            "company_id,owner_id,owner_name,owner_type,percent,start_date,end_date",
            "C1,P1,Ivan Petrov,person,30,2010-01-01,2015-12-31",
            'C1,C2,,company,"50,5",,',
            "C1,X9,Someone,person,120,,",
            "C1,,Anna,alien,10,,",
        ]
    )
    + "\n"
)
PAYMENTS = (
    "\n".join(
        [
            "payer_id,payee_id,amount,currency,date",
            'C1,C2,"1 000,50",usd,2023-05-01',
            "C1,C2,1000.50,USD,2023-05-01",
            "C1,C2,abc,USD,",
        ]
    )
    + "\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (
        ("companies", COMPANIES),
        ("officers", OFFICERS),
        ("owners", OWNERS),
        ("payments", PAYMENTS),
    ):
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text, "utf-8")
    return out


@pytest.fixture
def loaded(con: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> duckdb.DuckDBPyConnection:
    countries.load(con, default_country_codes_path(), LoadOptions("reference"))
    for name, path in files.items():
        fmt = registry.sniff_format(path, path.read_text("utf-8"))
        assert fmt == f"registry-{name}"
        registry.load(con, path, OPTIONS, fmt)
    return con


def _quarantine(con: duckdb.DuckDBPyConnection, fmt: str) -> list[tuple[int, str, str]]:
    return con.execute(
        "SELECT row_number, column_name, reason FROM quarantine JOIN sources USING (source_id)"
        " WHERE format = ? ORDER BY row_number",
        [fmt],
    ).fetchall()


def test_companies(loaded: duckdb.DuckDBPyConnection) -> None:
    assert loaded.execute(
        "SELECT party_id, schema, country, incorporation_date, row_number FROM parties"
        " WHERE party_id = 'reg:C1'"
    ).fetchone() == ("reg:C1", "Company", "RU", date(2012, 3, 5), 2)
    assert loaded.execute("SELECT country FROM parties WHERE party_id = 'reg:C2'").fetchone() == ("TW",)
    names = loaded.execute(
        "SELECT name, name_type, script FROM party_names WHERE party_id = 'reg:C1' ORDER BY 1"
    ).fetchall()
    assert names == [
        ("I Machine Technology LLC", "primary", "Latn"),
        ("OOO AI MASHIN TEKHNOLODZHI", "alias", "Latn"),
        ("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "alias", "Cyrl"),
    ]
    assert loaded.execute("SELECT script FROM party_names WHERE name = '台中精機'").fetchone() == ("Hani",)
    ids = set(loaded.execute("SELECT party_id, scheme, value, valid FROM party_identifiers").fetchall())
    assert ids == {
        ("reg:C1", "inn", "7707083893", True),
        ("reg:C1", "ogrn", "1027700132195", True),
        ("reg:C2", "ubn", "12345678", None),
        ("reg:C3", "inn", "7707083894", False),
    }
    assert _quarantine(loaded, "registry-companies") == [
        (5, "company_id", "missing company_id"),
        (6, "incorporation_date", "incorporation_date: bad date '2020-02-30' (expected YYYY-MM-DD)"),
        (7, "country", "unknown country 'Atlantis'"),
        (8, "company_id", "duplicate company_id C1 (first on line 2)"),
    ]


def test_officers_and_owners(loaded: duckdb.DuckDBPyConnection) -> None:
    rel = loaded.execute(
        "SELECT kind, subject_id, object_id, percent, role, start_date, end_date FROM relations"
        " WHERE kind IN ('officer', 'ownership') ORDER BY kind, subject_id"
    ).fetchall()
    assert rel == [
        ("officer", "reg:C2:officer:chen wei", "reg:C2", None, "sales director", None, None),
        ("officer", "reg:P1", "reg:C1", None, "director", date(2015, 1, 1), None),
        ("ownership", "reg:C2", "reg:C1", 50.5, None, None, None),
        ("ownership", "reg:P1", "reg:C1", 30.0, None, date(2010, 1, 1), date(2015, 12, 31)),
    ]
    assert loaded.execute("SELECT schema, caption FROM parties WHERE party_id = 'reg:P1'").fetchone() == (
        "Person",
        "Ivan Petrov",
    )
    # the owner C2 is the full company row, not a stub
    assert loaded.execute("SELECT caption FROM parties WHERE party_id = 'reg:C2'").fetchone() == ("台中精機",)
    assert _quarantine(loaded, "registry-officers") == [
        (4, "person_id", "missing person_id and officer_name")
    ]
    assert [r[2] for r in _quarantine(loaded, "registry-owners")] == [
        "percent 120 outside 0-100",
        "owner_type must be person or company, not 'alien'",
    ]


def test_payments(loaded: duckdb.DuckDBPyConnection) -> None:
    rows = loaded.execute(
        "SELECT relation_id, amount, currency, start_date FROM relations WHERE kind = 'payment' ORDER BY 1"
    ).fetchall()
    assert [(str(a), c, d) for _, a, c, d in rows] == [("1000.50", "USD", date(2023, 5, 1))] * 2
    assert rows[0][0] != rows[1][0]  # two identical payments stay two
    assert _quarantine(loaded, "registry-payments") == [(4, "amount", "bad number 'abc'")]


def test_reload_changes_nothing(loaded: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> None:
    tables = ("parties", "party_names", "party_identifiers", "relations", "quarantine", "sources")
    before = [loaded.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables]
    for name, path in files.items():
        assert registry.load(loaded, path, OPTIONS, f"registry-{name}").already_loaded
    assert [loaded.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables] == before


def test_new_file_version_replaces_rows(loaded: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> None:
    files["companies"].write_text("company_id,name,inn\nC1,I Machine Technology,7707083893\n", "utf-8")
    registry.load(loaded, files["companies"], OPTIONS, registry.COMPANIES)
    assert loaded.execute("SELECT caption FROM parties WHERE party_id = 'reg:C1'").fetchone() == (
        "I Machine Technology",
    )
    assert loaded.execute("SELECT count(*) FROM party_names WHERE party_id = 'reg:C1'").fetchone() == (1,)


def test_missing_columns_and_sniff(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    path.write_text("company_id,role\nC1,director\n", "utf-8")
    assert registry.sniff_format(path, path.read_text("utf-8")) is None
    with pytest.raises(UserError, match="missing column"):
        registry.load(con, path, OPTIONS, registry.OFFICERS)
    with pytest.raises(UserError, match="unknown registry format"):
        registry.load(con, path, OPTIONS, "registry-nope")
    assert registry.sniff_format(path, "company_id;name;inn\n") == registry.COMPANIES
