"""The conformance suite covers every analytics SQL file, and each one with real rows to compare."""

from __future__ import annotations

from pathlib import Path

import pytest

import sanctrace.analyze
from sanctrace.analyze.pipeline import run_analyses
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse
from tests.conformance.test_engines import CONFORMANCE_QUERIES, PARAM_SETS

SQL_FOLDER = Path(sanctrace.analyze.__file__).parent / "sql"


def test_every_sql_file_is_a_conformance_case() -> None:
    on_disk = sorted(path.stem for path in SQL_FOLDER.glob("*.sql"))
    assert on_disk, f"no SQL files found in {SQL_FOLDER}"
    assert on_disk == sorted(CONFORMANCE_QUERIES)


@pytest.mark.parametrize("label", sorted(PARAM_SETS))
def test_every_query_is_built_and_has_rows_on_the_fixture(label: str) -> None:
    con = build_warehouse()
    engine = DuckDBEngine(con)
    written = run_analyses(engine, PARAM_SETS[label])
    empty = [table for table in written if not engine.read_table(table).rows]
    con.close()
    assert sorted(written) == sorted(CONFORMANCE_QUERIES)
    assert empty == [], f"extend tests/analyze/fixture_warehouse.py so these return rows: {empty}"


def test_param_sets_take_both_origin_paths() -> None:
    origins = {params.origin for params in PARAM_SETS.values()}
    assert None in origins and len(origins) > 1
