"""Keys of maker aliases and declaration texts: exact, contained, ambiguous, placeholders."""

from __future__ import annotations

import duckdb
import pytest

from sanctrace.resolve.makers import AliasIndex, key_maker_texts

ALIASES: list[tuple[str | None, str, str]] = [
    ("victor", "Victor Taichung Machinery Works Co., Ltd.", "name"),
    ("victor", "台中精機", "name"),
    ("victor", "VICTOR TAICHUNG", "brand"),
    ("fanuc", "ФАНУК", "name"),
    ("haas", "HAAS", "brand"),
    ("kafo", "KAFO", "brand"),
    ("tiny", "AB", "brand"),
    (None, "ОТСУТСТВУЕТ", "placeholder"),
]


@pytest.mark.parametrize(
    ("text", "alias_key", "match"),
    [
        ("VICTOR TAICHUNG MACHINERY WORKS CO LTD", "machinery tai victor works zhong", "exact"),
        ("taichung  victor", "tai victor zhong", "exact"),  # word order, case, spaces
        ("ООО «ФАНУК»", "fanuk", "exact"),  # legal form and quotes in Cyrillic
        ("Fanuk", "fanuk", "exact"),  # romanised
        ("台中精機廠股份有限公司", "ji jing tai zhong", "contains"),
        ("VICTOR TAICHUNG (TAIWAN) SALES", "tai victor zhong", "contains"),  # the longest contained alias
        ("HAAS AUTOMATION EUROPE", "haas", "contains"),
        ("KAFO HAAS", None, "ambiguous"),  # two makers' brands, equally long
        ("AB TOOLS", None, "none"),  # a two-letter alias never matches by containment
        ("ОТСУТСТВУЕТ", "otsutstvuet", "exact"),
        ("ОТСУТСТВУЕТ ЗНАК", None, "none"),  # placeholders only match exactly
        ("NOVA-42", None, "none"),
    ],
)
def test_alias_index_matches(text: str, alias_key: str | None, match: str) -> None:
    assert AliasIndex(ALIASES).match(text)[1:] == (alias_key, match)


def test_text_without_letters_has_no_key() -> None:
    assert AliasIndex(ALIASES).match(" - ") == (None, None, "none")


def test_key_maker_texts_fills_both_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        "INSERT INTO maker_aliases VALUES (?, ?, ?, ?, ?, NULL, 1)",
        [(m, m, "TW" if m else None, alias, kind) for m, alias, kind in ALIASES],
    )
    con.executemany(
        "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
        " manufacturer_text, trademark_text) VALUES (?, 1, 1, 2, ?, ?)",
        [("a", "ФАНУК", "NOVA-42"), ("b", "ФАНУК", None), ("c", None, "VICTOR TAICHUNG")],
    )
    stats = key_maker_texts(con)
    assert (stats.aliases, stats.texts, stats.exact, stats.contains, stats.ambiguous) == (8, 3, 2, 0, 0)
    assert con.execute("SELECT alias_key FROM maker_aliases WHERE alias = 'ФАНУК'").fetchone() == ("fanuk",)
    assert con.execute("SELECT * FROM maker_text_keys ORDER BY text").fetchall() == [
        ("NOVA-42", "42 nova", None, "none"),
        ("VICTOR TAICHUNG", "tai victor zhong", "tai victor zhong", "exact"),
        ("ФАНУК", "fanuk", "fanuk", "exact"),
    ]
    key_maker_texts(con)  # re-running replaces, never duplicates
    assert con.execute("SELECT count(*) FROM maker_text_keys").fetchone() == (3,)
