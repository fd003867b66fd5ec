"""HS nomenclature: the real HS 2022 file gives 97 chapters, 1,229 headings, 5,613 subheadings."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import hs_nomenclature
from sanctrace.sources.base import LoadOptions

HS2022 = Path(str(resources.files("sanctrace").joinpath("data", "reference", "hs2022.csv")))


def test_hs2022_counts(con: duckdb.DuckDBPyConnection) -> None:
    report = hs_nomenclature.load(con, HS2022, LoadOptions("reference"))
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (6940, 6939, 1)
    levels = dict(
        con.execute("SELECT level, count(*) FROM hs_codes WHERE edition = 'HS2022' GROUP BY 1").fetchall()
    )
    assert levels == {2: 97, 4: 1229, 6: 5613}
    assert con.execute("SELECT row_number, column_name, reason FROM quarantine").fetchall() == [
        (6941, "hscode", "TOTAL row (sum of all codes, not a code)")
    ]
    assert con.execute("SELECT parent FROM hs_codes WHERE code = '84'").fetchone() == (None,)
    assert con.execute("SELECT parent, level FROM hs_codes WHERE code = '845710'").fetchone() == ("8457", 6)
    assert con.execute("SELECT count(DISTINCT source_id) FROM hs_codes").fetchone() == (1,)


def test_hs2017_empty_row_is_quarantined(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    report = hs_nomenclature.load(con, shared_data / "hs_nomenclature" / "hs2017.csv", LoadOptions("ref"))
    assert report.rows_quarantined == 2
    assert {r for (r,) in con.execute("SELECT reason FROM quarantine").fetchall()} == {
        "empty row",
        "TOTAL row (sum of all codes, not a code)",
    }
    assert con.execute("SELECT count(*) FROM hs_codes WHERE edition = 'HS2017' AND level = 4").fetchone() == (
        1223,
    )


def test_reload_and_edition(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    assert hs_nomenclature.edition_from_name(Path("HS-2017.csv")) == "HS2017"
    path = tmp_path / "nomenclature.csv"
    path.write_text(
        "section,hscode,description,parent,level\nXVI,84,Machinery,TOTAL,2\nXVI,8457,x,84,5\n"
        "XVI,8458,Lathes,85,4\n,,,,\n",
        "utf-8",
    )
    with pytest.raises(UserError, match="edition"):
        hs_nomenclature.load(con, path, LoadOptions("ref"))
    report = hs_nomenclature.load(con, path, LoadOptions("ref"), edition="hs2022")
    assert report.rows_accepted == 1 and report.rows_quarantined == 3
    assert hs_nomenclature.load(con, path, LoadOptions("ref"), edition="hs2022").already_loaded
    assert con.execute("SELECT code, edition FROM hs_codes").fetchall() == [("84", "HS2022")]


def test_wrong_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "hs2022.csv"
    path.write_text("code,text\n84,x\n", "utf-8")
    with pytest.raises(UserError, match="expected columns"):
        hs_nomenclature.load(con, path, LoadOptions("ref"))
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (0,)


def test_sniff() -> None:
    assert hs_nomenclature.sniff(HS2022, "\ufeffsection,hscode,description,parent,level\nI,01,x,TOTAL,2")
    assert not hs_nomenclature.sniff(HS2022, "hs6,tier,hs4,hs2022_description\n")
