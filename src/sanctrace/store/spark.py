"""Run the analytics on Apache Spark: copy the inputs over as Parquet, bring the results back.

For a user whose data outgrew one machine the warehouse tables would live in Parquet already; this
bridge makes the same path usable from the CLI today (``sanctrace analyze --engine spark``) and keeps
the report reading DuckDB whichever engine computed the tables.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from sanctrace.errors import UserError
from sanctrace.store.executor import SparkEngine, export_tables_to_parquet


def local_session(master: str = "local[*]") -> Any:
    """A quiet local Spark session; a clear error when pyspark or Java is missing."""
    if shutil.which("java") is None:
        raise UserError("the Spark engine needs Java (java not found on PATH); use --engine duckdb")
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UserError("the Spark engine needs pyspark: pip install pyspark") from exc
    session = (
        SparkSession.builder.master(master)
        .appName("sanctrace")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def copy_to_spark(
    con: duckdb.DuckDBPyConnection, engine: SparkEngine, tables: Sequence[str], folder: Path
) -> None:
    for table, path in export_tables_to_parquet(con, tables, folder / "inputs").items():
        engine.register_parquet(table, path)


def copy_back(
    engine: SparkEngine, con: duckdb.DuckDBPyConnection, tables: Sequence[str], folder: Path
) -> None:
    """Write each Spark result as Parquet and load it into the DuckDB table of the same name.

    The DuckDB tables must exist (``DuckDBEngine.create_empty``) so the rows take DuckDB's types;
    columns are matched by name.
    """
    for table in tables:
        target = folder / "outputs" / table
        engine.spark.table(table).write.mode("overwrite").parquet(str(target))
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [str(target / "*.parquet")])
