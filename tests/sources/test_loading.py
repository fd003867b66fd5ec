"""Cell parsing and the bulk insert the loaders share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources.loading import insert_rows, parse_date, parse_decimal, read_yaml, transaction


def test_parse_date_forms() -> None:
    assert parse_date("2024-02-23") == date(2024, 2, 23)
    assert parse_date("23.02.2024") == date(2024, 2, 23)
    assert parse_date("2024-02-23T10:00:00") == date(2024, 2, 23)
    assert parse_date(" ") is None
    assert parse_date("2024-02", partial=True) == date(2024, 2, 1)
    with pytest.raises(ValueError, match="bad date"):
        parse_date("2024-02")
    with pytest.raises(ValueError):
        parse_date("31.02.2024")


def test_parse_decimal_forms() -> None:
    assert parse_decimal("1 234,50") == Decimal("1234.50")
    assert parse_decimal("1,234.50") == Decimal("1234.50")
    assert parse_decimal("30%") == Decimal("30")
    assert parse_decimal("") is None
    with pytest.raises(ValueError):
        parse_decimal("abc")
    with pytest.raises(ValueError):
        parse_decimal("nan")


def test_insert_rows_keeps_nulls_quotes_and_types(con: duckdb.DuckDBPyConnection) -> None:
    insert_rows(
        con,
        "relations",
        [
            (
                "r1",
                "payment",
                "a",
                "b",
                None,
                'say "hi",\nbye',
                Decimal("12.50"),
                "USD",
                date(2024, 1, 2),
                None,
                1,
                2,
            ),
            ("r2", "ownership", "a", "b", 49.5, "", None, None, None, None, 1, 3),
        ],
    )
    rows = con.execute("SELECT * FROM relations ORDER BY relation_id").fetchall()
    assert (
        rows[0][5] == 'say "hi",\nbye' and rows[0][6] == Decimal("12.50") and rows[0][8] == date(2024, 1, 2)
    )
    assert rows[0][4] is None and rows[1][4] == 49.5 and rows[1][5] == ""


def test_transaction_rolls_back(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(RuntimeError), transaction(con):
        insert_rows(con, "country_aliases", [("X", "XX", "custom")])
        raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM country_aliases").fetchone() == (0,)


def test_read_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\nb: 3\n", "utf-8")
    with pytest.raises(UserError, match=r"bad\.yaml: line \d+: invalid YAML"):
        read_yaml(path)
