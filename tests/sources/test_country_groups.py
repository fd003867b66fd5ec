"""Country groups from YAML: validation, loading, replacement, and what hub_indicators makes of them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import country_groups
from sanctrace.sources.base import LoadOptions


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


G7 = """groups:
  - group: G7
    description: "Group of Seven"
    members:
      - {iso2: US}
      - {iso2: JP}
      - {iso2: GB, valid_from: 2020-02-01}
"""


def test_a_group_file_loads_each_member_with_its_validity(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    report = country_groups.load(con, _write(tmp_path / "g7.yaml", G7), LoadOptions("mine"))
    assert (report.rows_read, report.rows_accepted) == (3, 3)
    rows = con.execute(
        "SELECT iso2, CAST(valid_from AS VARCHAR), valid_to FROM country_groups WHERE country_group = 'G7'"
        " ORDER BY iso2"
    ).fetchall()
    assert rows == [("GB", "2020-02-01", None), ("JP", None, None), ("US", None, None)]


def test_a_new_version_of_the_file_replaces_the_group(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    country_groups.load(con, _write(tmp_path / "g7.yaml", G7), LoadOptions("mine"))
    smaller = G7.replace("      - {iso2: JP}\n", "")
    country_groups.load(con, _write(tmp_path / "g7.yaml", smaller), LoadOptions("mine"))
    assert con.execute("SELECT count(*) FROM country_groups WHERE country_group = 'G7'").fetchone() == (2,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (G7.replace("{iso2: JP}", "{iso2: US}"), "listed more than once: US"),
        (G7.replace("{iso2: JP}", "{iso2: jp}"), "iso2"),
        (G7.replace("valid_from: 2020-02-01", "valid_from: 2020-02-01, valid_to: 2019-01-01"), "not after"),
        (G7.replace("group: G7", "group: g7"), "group"),
    ],
)
def test_bad_files_are_refused_with_the_field_named(tmp_path: Path, text: str, message: str) -> None:
    con = duckdb.connect()
    with pytest.raises(UserError, match=message):
        country_groups.load(con, _write(tmp_path / "bad.yaml", text), LoadOptions("mine"))
