"""The ingest benchmark's steps run on a small file and measure what they claim to."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from benchmarks.pipeline import baseline_typed_read, make_file


def test_typed_read_floor_types_the_numbers_and_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The floor reads the benchmark's own file with the direct write's reader: every line becomes a
    row, and the value and date columns arrive typed, as the direct write receives them."""
    data = tmp_path / "declarations.csv"
    make_file(500, data)
    capsys.readouterr()
    baseline_typed_read(data, tmp_path / "typed.duckdb")
    measured = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert measured["rows"] == 500 and measured["seconds"] > 0
    con = duckdb.connect(str(tmp_path / "typed.duckdb"))
    assert con.execute("SELECT count(*) FROM typed").fetchone() == (500,)
    types = {
        str(t)
        for (t,) in con.execute(
            "SELECT data_type FROM duckdb_columns() WHERE table_name = 'typed'"
        ).fetchall()
    }
    assert {"DATE", "DECIMAL(18,2)", "DOUBLE", "VARCHAR"} <= types
