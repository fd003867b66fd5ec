"""``sanctrace analyze --engine spark`` stores the same tables, with the same types, as DuckDB."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from sanctrace.analyze.pipeline import AnalysisParams
from sanctrace.present import steps
from sanctrace.present.demo import run_demo
from sanctrace.store.warehouse import connect

pytestmark = pytest.mark.spark


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java, which is not installed")
def test_spark_results_replace_duckdb_results_identically(tmp_path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        run_demo(tmp_path)
    con = connect(tmp_path / "demo.duckdb")
    query = "SELECT * FROM route_monthly ORDER BY ALL"
    duck_rows = con.execute(query).fetchall()
    duck_types = con.execute("DESCRIBE route_monthly").fetchall()
    steps.analyze_on_spark(con, AnalysisParams())
    assert con.execute("DESCRIBE route_monthly").fetchall() == duck_types
    assert con.execute(query).fetchall() == duck_rows
    switches = con.execute("SELECT count(*) FROM route_switches WHERE switched").fetchone()
    assert switches is not None and switches[0] >= 1
