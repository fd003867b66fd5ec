import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from sanctrace.analyze.pipeline import AnalysisParams
from sanctrace.errors import UserError
from sanctrace.store.executor import (
    DuckDBEngine,
    ParamValue,
    SqlQuery,
    export_tables_to_parquet,
    list_queries,
    literal,
    load_query,
    render,
)

Q = SqlQuery("q", "SELECT * FROM t WHERE a = $alpha AND (b = $beta OR $beta IS NULL)")


def test_params_are_the_sorted_distinct_names() -> None:
    assert Q.params == ("alpha", "beta")
    assert SqlQuery("n", "SELECT 1").params == ()


def test_missing_parameter_is_a_user_error_on_both_paths(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UserError, match="needs parameter\\(s\\): beta"):
        render(Q, {"alpha": 1}, "spark")
    with pytest.raises(UserError, match="alpha, beta"):
        DuckDBEngine(con).fetch(SqlQuery("q", "SELECT $alpha + $beta AS x"), {})


def test_extra_parameters_are_ignored(con: duckdb.DuckDBPyConnection) -> None:
    result = DuckDBEngine(con).fetch(SqlQuery("q", "SELECT $x AS x"), {"x": 2, "unused": "y"})
    assert result.rows == [(2,)] and result.dicts() == [{"x": 2}]


@pytest.mark.parametrize(
    ("value", "spark_sql"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (42, "42"),
        (Decimal("1.50"), "1.50"),
        (dt.date(2023, 1, 4), "CAST('2023-01-04' AS DATE)"),
        (dt.datetime(2023, 1, 4, 10, 30), "CAST('2023-01-04 10:30:00' AS TIMESTAMP)"),
        ("O'Brien", "'O\\'Brien'"),
    ],
)
def test_literal_rendering(value: ParamValue, spark_sql: str) -> None:
    assert literal(value).sql(dialect="spark") == spark_sql


@pytest.mark.parametrize("value", ["O'Brien", "a -- b", "x'; DROP TABLE t; --", "АЙ МАШИН", None])
def test_string_literals_round_trip(con: duckdb.DuckDBPyConnection, value: str | None) -> None:
    text = render(SqlQuery("q", "SELECT $v AS v"), {"v": value}, "duckdb")
    assert con.execute(text).fetchall() == [(value,)]


def test_date_literal_round_trips(con: duckdb.DuckDBPyConnection) -> None:
    text = render(SqlQuery("q", "SELECT $d AS d"), {"d": dt.date(2024, 2, 23)}, "duckdb")
    assert con.execute(text).fetchall() == [(dt.date(2024, 2, 23),)]


def test_interval_parameter_becomes_a_spark_interval() -> None:
    query = SqlQuery("q", "SELECT d - INTERVAL ($months) MONTH AS s FROM t")
    assert "INTERVAL '6' MONTH" in render(query, {"months": 6}, "spark")
    with pytest.raises(UserError, match="whole number"):
        render(query, {"months": 1.5}, "spark")


@pytest.mark.parametrize("name", list_queries("sanctrace.analyze"))
def test_transpiled_analytics_have_no_placeholders(name: str) -> None:
    query = load_query("sanctrace.analyze", name)
    text = render(query, AnalysisParams(origin="TW").sql_values(), "spark")
    assert "$" not in text
    assert not list(sqlglot.parse_one(text, read="spark").find_all(exp.Placeholder))


def test_unknown_query_is_a_user_error() -> None:
    with pytest.raises(UserError, match="no analytics query named 'nope'"):
        load_query("sanctrace.analyze", "nope")


def test_query_file_must_hold_one_select(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "extra_queries"
    (package / "sql").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sql" / "two.sql").write_text("SELECT 1;\nSELECT 2;\n")
    (package / "sql" / "ddl.sql").write_text("DROP TABLE declarations")
    (package / "sql" / "ok.sql").write_text("-- header\nSELECT 1 AS x;\n-- trailing note\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(UserError, match="exactly one SELECT"):
        load_query("extra_queries", "two")
    with pytest.raises(UserError, match="exactly one SELECT"):
        load_query("extra_queries", "ddl")
    assert load_query("extra_queries", "ok").text.startswith("-- header")
    assert list_queries("extra_queries") == ["ddl", "ok", "two"]


def test_materialize_and_read_table(con: duckdb.DuckDBPyConnection) -> None:
    engine = DuckDBEngine(con)
    query = SqlQuery("q", "SELECT $x AS x, $d AS d;\n")
    engine.materialize(query, "scratch", {"x": "a", "d": dt.date(2023, 5, 1)})
    assert engine.read_table("scratch").dicts() == [{"x": "a", "d": dt.date(2023, 5, 1)}]
    with pytest.raises(UserError, match="not a valid table name"):
        engine.read_table("scratch; DROP TABLE declarations")


def _kind(con: duckdb.DuckDBPyConnection, name: str) -> str:
    sql = "SELECT table_type FROM information_schema.tables WHERE table_name = ?"
    row = con.execute(sql, [name]).fetchone()
    assert row is not None
    return str(row[0])


def test_a_query_marked_view_becomes_a_view_with_its_parameters_written_in(
    con: duckdb.DuckDBPyConnection,
) -> None:
    engine = DuckDBEngine(con)
    con.execute("CREATE TABLE src (v INTEGER)")
    con.execute("INSERT INTO src VALUES (1), (5)")
    view = SqlQuery("v", "-- materialize: view\nSELECT v FROM src WHERE v > $low")
    table = SqlQuery("v", "SELECT v FROM src WHERE v > $low")
    assert view.as_view and not table.as_view
    engine.materialize(table, "scratch", {"low": 0})
    assert _kind(con, "scratch") == "BASE TABLE"
    engine.materialize(view, "scratch", {"low": 2})  # a table of that name is replaced by the view
    assert _kind(con, "scratch") == "VIEW"
    con.execute("INSERT INTO src VALUES (9)")  # computed when read
    assert sorted(engine.read_table("scratch").rows) == [(5,), (9,)]
    engine.materialize(table, "scratch", {"low": 6})  # and back
    assert _kind(con, "scratch") == "BASE TABLE"
    assert engine.read_table("scratch").rows == [(9,)]


def test_export_to_parquet_survives_a_quote_in_the_path(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    con.execute("INSERT INTO control_events VALUES ('e', 'TW', DATE '2023-01-04', 'x', NULL, NULL, 1)")
    written = export_tables_to_parquet(con, ["control_events"], tmp_path / "it's")
    path = written["control_events"]
    assert path.is_file()
    count = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
    assert count == (1,)
