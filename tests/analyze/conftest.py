"""The fixture warehouse with every analysis built on DuckDB, default parameters (target RU).

Built once per session: the tests only read it.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse


@pytest.fixture(scope="session")
def analysed() -> Iterator[duckdb.DuckDBPyConnection]:
    con = build_warehouse()
    run_analyses(DuckDBEngine(con), AnalysisParams())
    yield con
    con.close()
