"""Countries and their aliases: every spelling resolves to one ISO-2, HK/MO/TW never to China."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import countries
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.countries import CountryResolver, alias_key

CSV = Path(str(resources.files("sanctrace").joinpath("data", "reference", "country-codes.csv")))


@pytest.fixture
def loaded(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    report = countries.load(con, CSV, LoadOptions("reference"))
    assert report.rows_read == 249 and report.rows_accepted == 249 and report.rows_quarantined == 0
    return con


SPELLINGS = [
    ("490", "TW"),
    ("158", "TW"),
    ("Other Asia, nes", "TW"),
    ("ТАЙВАНЬ (КИТАЙ)", "TW"),
    ("Taiwan", "TW"),
    ("TWN", "TW"),
    ("HONG KONG", "HK"),
    ("ГОНКОНГ", "HK"),
    ("China, Hong Kong SAR", "HK"),
    ("344", "HK"),
    ("Macao", "MO"),
    ("КИТАЙ", "CN"),
    ("China", "CN"),
    ("156", "CN"),
    ("ТУРЦИЯ", "TR"),
    ("TURKEY", "TR"),
    ("TÜRKIYE", "TR"),
    ("Türkiye", "TR"),
    ("РОССИЯ", "RU"),
    ("Russian Federation", "RU"),
    ("RUSSIA", "RU"),
    ("Российская Федерация", "RU"),
    ("ОАЭ", "AE"),
    ("UAE", "AE"),
    ("SOUTH KOREA", "KR"),
    ("Республика Корея", "KR"),
    ("4", "AF"),
    ("004", "AF"),
    ("  kazakhstan ", "KZ"),
    ("Кыргызстан", "KG"),
    ("ОБЪЕДИНЁННЫЕ АРАБСКИЕ ЭМИРАТЫ", "AE"),
    ("842", "US"),
    ("USA", "US"),
    ("NA", "NA"),
    ("NO", "NO"),
]


def test_spellings_resolve(loaded: duckdb.DuckDBPyConnection) -> None:
    resolver = CountryResolver(loaded)
    wrong = [
        (text, iso2, resolver.resolve(text)) for text, iso2 in SPELLINGS if resolver.resolve(text) != iso2
    ]
    assert wrong == []


def test_no_alias_maps_to_two_countries(loaded: duckdb.DuckDBPyConnection) -> None:
    assert (
        loaded.execute(
            "SELECT alias FROM country_aliases GROUP BY alias HAVING count(DISTINCT iso2) > 1"
        ).fetchall()
        == []
    )
    assert loaded.execute("SELECT count(*) - count(DISTINCT alias) FROM country_aliases").fetchone() == (0,)
    # and the packaged alias file does not contradict the CSV (a conflict would be quarantined)
    assert loaded.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_hong_kong_macao_taiwan_never_china(loaded: duckdb.DuckDBPyConnection) -> None:
    china = {
        str(a) for (a,) in loaded.execute("SELECT alias FROM country_aliases WHERE iso2 = 'CN'").fetchall()
    }
    assert not [
        a for a in china if any(w in a for w in ("HONG", "MACA", "TAIW", "ГОНКОНГ", "МАКАО", "ТАЙВАН", "490"))
    ]


def test_countries_row(loaded: duckdb.DuckDBPyConnection) -> None:
    assert loaded.execute(
        "SELECT iso2, iso3, numeric, name_en, name_ru FROM countries WHERE iso2 = 'TW'"
    ).fetchone() == ("TW", "TWN", "158", "Taiwan", "Тайвань")
    assert loaded.execute("SELECT numeric FROM countries WHERE iso2 = 'AF'").fetchone() == ("004",)


def test_reload_is_a_no_op(loaded: duckdb.DuckDBPyConnection) -> None:
    before = loaded.execute("SELECT count(*) FROM country_aliases").fetchone()
    again = countries.load(loaded, CSV, LoadOptions("reference"))
    assert again.already_loaded
    assert loaded.execute("SELECT count(*) FROM country_aliases").fetchone() == before


def test_conflicting_alias_is_quarantined_not_applied(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    extra = tmp_path / "aliases.yaml"
    extra.write_text(
        "countries:\n  TW:\n    custom: ['China', 'Formosa']\n  XX:\n    custom: ['Nowhere']\n", "utf-8"
    )
    report = countries.load(con, CSV, LoadOptions("reference"), aliases_path=extra)
    assert report.rows_quarantined == 2
    resolver = CountryResolver(con)
    assert resolver.resolve("CHINA") == "CN" and resolver.resolve("formosa") == "TW"
    reasons = {r for (r,) in con.execute("SELECT reason FROM quarantine").fetchall()}
    assert reasons == {
        "alias maps to two countries: kept CN, dropped TW",
        "alias file names unknown country XX",
    }


def test_bad_alias_file_names_file_and_field(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    extra = tmp_path / "aliases.yaml"
    extra.write_text("countries:\n  TW:\n    klingon: ['x']\n", "utf-8")
    with pytest.raises(UserError, match=r"aliases\.yaml: countries\.TW\.klingon"):
        countries.load(con, CSV, LoadOptions("reference"), aliases_path=extra)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (0,)


def test_alias_key_and_unknown_country(con: duckdb.DuckDBPyConnection) -> None:
    assert alias_key("  объединённые   арабские эмираты ") == "ОБЪЕДИНЕННЫЕ АРАБСКИЕ ЭМИРАТЫ"
    assert alias_key("4") == "004"
    empty = CountryResolver(con)
    assert empty.resolve("tw") == "TW"  # no aliases loaded: two-letter codes still work
    with pytest.raises(ValueError, match="unknown country"):
        empty.resolve("Taiwan")


def test_sniff() -> None:
    head = CSV.read_text("utf-8")[:4096]
    assert countries.sniff(CSV, head)
    assert not countries.sniff(CSV, "section,hscode,description,parent,level\n")
