from pathlib import Path
from typing import Any

import pytest

from sanctrace.analyze import pipeline
from sanctrace.analyze.pipeline import AnalysisParams, analysis_queries, run_analyses
from sanctrace.errors import UserError
from sanctrace.store.executor import DuckDBEngine, SqlQuery, list_queries
from tests.analyze.fixture_warehouse import build_warehouse

SQL_FOLDER = Path(pipeline.__file__).parent / "sql"


def test_every_query_runs_after_the_tables_it_reads() -> None:
    order = [q.name for q in analysis_queries()]
    assert sorted(order) == list_queries("sanctrace.analyze")
    for reader, source in [
        ("basket_lines", "route_monthly"),
        ("shipment_routes", "route_monthly"),
        ("shipment_routes", "top_parties"),
        ("basket_lines", "route_switches"),
        ("basket_lines", "control_event_windows"),
    ]:
        assert order.index(reader) < order.index(source)


def test_run_analyses_writes_every_table_and_reports_progress() -> None:
    con = build_warehouse()
    messages: list[str] = []
    written = run_analyses(DuckDBEngine(con), AnalysisParams(), messages.append)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert written == [q.name for q in analysis_queries()]
    assert set(written) <= tables
    assert messages == [f"duckdb: building {name}" for name in written]


def test_running_twice_gives_the_same_tables() -> None:
    con = build_warehouse()
    engine = DuckDBEngine(con)
    run_analyses(engine, AnalysisParams())
    first = engine.read_table("route_monthly").rows
    run_analyses(engine, AnalysisParams())
    assert sorted(engine.read_table("route_monthly").rows, key=repr) == sorted(first, key=repr)
    con.close()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target": "ru"},
        {"target": "RUS"},
        {"origin": ""},
        {"top_n": 0},
        {"top_n": True},
        {"window_months": 0},
        {"window_months": 1.5},
        {"price_z": 0},
        {"price_z": float("nan")},
        {"price_z": True},
        {"markup_ratio": 1.0},
        {"price_min_lines": 2},
        {"price_min_lines": 5.0},
        {"split_window_days": -1},
        {"split_min_lines": 1},
    ],
)
def test_bad_parameters_are_user_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UserError):
        AnalysisParams(**kwargs)


def test_sql_parameter_unknown_to_the_pipeline_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    rogue = SqlQuery("rogue", "SELECT * FROM declarations WHERE hs6 = $basket_code")
    monkeypatch.setattr(pipeline, "analysis_queries", lambda: [rogue])
    con = build_warehouse()
    with pytest.raises(UserError, match="basket_code"):
        run_analyses(DuckDBEngine(con), AnalysisParams())
    con.close()


def test_cycle_between_queries_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    queries = {"a": SqlQuery("a", "SELECT * FROM b"), "b": SqlQuery("b", "SELECT * FROM a")}
    monkeypatch.setattr(pipeline, "list_queries", lambda package: sorted(queries))
    monkeypatch.setattr(pipeline, "load_query", lambda package, name: queries[name])
    with pytest.raises(UserError, match="cycle: a, b"):
        analysis_queries()


def test_every_sql_file_has_a_header_comment() -> None:
    files = sorted(SQL_FOLDER.glob("*.sql"))
    assert files
    for path in files:
        head = path.read_text("utf-8").splitlines()[0]
        assert head.startswith(f"-- {path.stem}:"), path.name
