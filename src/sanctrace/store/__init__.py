"""The warehouse: DuckDB schema and migrations, Parquet exchange, and the engine executor."""
