"""Maker alias files: the shipped one, the schema's one-line errors, and the ingest path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import maker_aliases
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path

MAKERS = Path(str(resources.files("sanctrace").joinpath("config", "makers")))
OPTIONS = LoadOptions("reference")

USER_FILE = """\
description: "My makers"
makers:
  - id: lotus-jade
    name: "Taichung Lotus Jade Machinery Co., Ltd."
    hq_country: TW
    names: ["蓮玉股份有限公司"]
    brands: ["LOTUS JADE", 1050]
placeholders: ["НЕТ"]
"""


def test_shipped_file_loads_names_brands_and_placeholders(con: duckdb.DuckDBPyConnection) -> None:
    report = maker_aliases.load(con, MAKERS / "machine-tools.yaml", OPTIONS)
    assert report.rows_accepted > 30
    fanuc = con.execute(
        "SELECT kind, alias FROM maker_aliases WHERE maker = 'fanuc' ORDER BY kind, alias"
    ).fetchall()
    assert ("brand", "FANUC") in fanuc and ("name", "ФАНУК") in fanuc
    assert ("name", "FANUC Corporation") in fanuc
    assert con.execute("SELECT DISTINCT hq_country FROM maker_aliases WHERE maker = 'fanuc'").fetchall() == [
        ("JP",)
    ]
    placeholders = con.execute(
        "SELECT count(*), count(maker) FROM maker_aliases WHERE kind = 'placeholder'"
    ).fetchone()
    assert placeholders is not None and placeholders[0] > 5 and placeholders[1] == 0
    # keys are the resolve step's job
    assert con.execute("SELECT count(alias_key) FROM maker_aliases").fetchone() == (0,)


def test_user_file_is_sniffed_and_loaded_by_ingest(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "my-makers.yaml"
    path.write_text(USER_FILE, encoding="utf-8")
    reports = [r for r in ingest_path(con, path, LoadOptions("mine")) if r.path == path]
    assert [(r.format, r.rows_accepted) for r in reports] == [("makers", 5)]
    rows = con.execute(
        "SELECT maker, kind, alias FROM maker_aliases"
        " WHERE maker = 'lotus-jade' OR alias = 'НЕТ' ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("lotus-jade", "brand", "1050"),  # a number in YAML is still a spelling
        ("lotus-jade", "brand", "LOTUS JADE"),
        ("lotus-jade", "name", "Taichung Lotus Jade Machinery Co., Ltd."),
        ("lotus-jade", "name", "蓮玉股份有限公司"),
        (None, "placeholder", "НЕТ"),
    ]
    again = ingest_path(con, path, LoadOptions("mine"))
    assert all(r.already_loaded for r in again if r.path == path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("description: x\nmakers: []\n", "makers: List should have at least 1 item"),
        ("description: x\nmakers:\n  - {id: a, name: A, hq_country: Taiwan}\n", "makers[0].hq_country"),
        ("description: x\nmakers:\n  - {id: A B, name: A, hq_country: TW}\n", "makers[0].id"),
        ("description: x\nmakers:\n  - {id: a, name: A, hq_country: TW, brand: [X]}\n", "makers[0].brand"),
        (
            "description: x\nmakers:\n  - {id: a, name: A, hq_country: TW}\n"
            "  - {id: a, name: B, hq_country: TW}\n",
            "duplicate maker id: a",
        ),
        (
            "description: x\nmakers:\n  - {id: a, name: A, hq_country: TW, brands: [KAFO]}\n"
            "  - {id: b, name: B, hq_country: TW, brands: [kafo]}\n",
            "'kafo' is listed for two makers: a and b",
        ),
        ("description: x\nmakers:\n  - {id: a, name: A, hq_country: TW\n", "invalid YAML"),
    ],
)
def test_malformed_files_give_one_clear_line(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad-makers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        maker_aliases.load(con, path, OPTIONS)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert con.execute("SELECT count(*) FROM maker_aliases").fetchone() == (0,)
