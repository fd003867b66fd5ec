"""dbt-adapters style conformance: every analytics query gives the same rows on DuckDB and Spark.

The queries are enumerated from the package, so a new ``.sql`` file is compared automatically;
test_coverage.py fails if one escapes this list or returns nothing on the fixture.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.store.executor import DuckDBEngine, Result, SparkEngine, export_tables_to_parquet, list_queries
from tests.analyze.fixture_warehouse import INPUT_TABLES, build_warehouse
from tests.conformance.compare import differences

CONFORMANCE_QUERIES = list_queries("sanctrace.analyze")

# The NULL-origin path ($origin IS NULL) and the literal path, with non-default sizes.
PARAM_SETS = {
    "all_origins": AnalysisParams(),
    "origin_tw": AnalysisParams(origin="TW", top_n=2, window_months=3),
    "scoped": AnalysisParams(
        basket="tw_machine_tools",
        period_from=dt.date(2023, 1, 1),
        period_to=dt.date(2023, 12, 31),
        control_event="tw-mid-2023",
    ),
}

Outputs = dict[tuple[str, str], tuple[Result, Result]]


@pytest.fixture(scope="module")
def outputs(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    con = build_warehouse()
    folder: Path = tmp_path_factory.mktemp("conformance_parquet")
    spark_engine = SparkEngine(spark)
    for table, path in export_tables_to_parquet(con, INPUT_TABLES, folder).items():
        spark_engine.register_parquet(table, path)
    duck_engine = DuckDBEngine(con)
    found: Outputs = {}
    for label, params in PARAM_SETS.items():
        duck_tables = run_analyses(duck_engine, params)
        spark_tables = run_analyses(spark_engine, params)
        assert duck_tables == spark_tables
        for table in duck_tables:
            found[(label, table)] = (duck_engine.read_table(table), spark_engine.read_table(table))
    con.close()
    return found


@pytest.mark.spark
@pytest.mark.parametrize("label", sorted(PARAM_SETS))
@pytest.mark.parametrize("query", CONFORMANCE_QUERIES)
def test_duckdb_and_spark_agree(outputs: Outputs, query: str, label: str) -> None:
    duck, spark = outputs[(label, query)]
    assert duck.rows, f"{query} returned no rows on the fixture: the comparison would prove nothing"
    assert differences(duck, spark) == []
