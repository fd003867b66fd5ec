"""Findings: routes, flows, hubs, top parties; SQL files run by the engine executor.

Each ``sql/<name>.sql`` is one SELECT, materialised into table ``<name>`` by
``pipeline.run_analyses`` on DuckDB or Spark; the header comment of each file is its documentation.
"""
