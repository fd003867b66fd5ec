import datetime as dt
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
        ("basket_flows", "indirect_estimates"),
        ("basket_lines", "indirect_estimates"),
        ("indirect_estimates", "indirect_reconciliation"),
        ("basket_flows", "hub_indicators"),
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
        {"cif_fob_low": 1.2, "cif_fob_high": 1.1},
        {"cif_fob_low": 0},
        {"cif_fob_high": float("nan")},
        {"cif_fob_high": "1.1"},
        {"lag_months": -1},
        {"lag_months": 13},
        {"lag_months": True},
        {"baseline_from": dt.date(2022, 1, 1)},
        {"baseline_to": dt.date(2022, 3, 31)},
        {"post_to": dt.date(2022, 2, 1)},
        {"post_from": "2022-03"},
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


def test_periods_are_whole_months_and_the_defaults_are_documented() -> None:
    values = AnalysisParams(baseline_from=dt.date(2019, 1, 15), post_to=dt.date(2022, 11, 30)).sql_values()
    assert values["baseline_from"] == dt.date(2019, 1, 1)
    assert values["baseline_to"] == dt.date(2021, 12, 1)
    assert values["post_from"] == dt.date(2022, 3, 1)
    assert values["post_to"] == dt.date(2022, 11, 1)
    assert (values["cif_fob_low"], values["cif_fob_high"], values["lag_months"]) == (1.0, 1.12, 2)
    assert AnalysisParams().sql_values()["post_to"] is None


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


def test_basket_period_and_event_narrow_every_analysis() -> None:
    con = build_warehouse()
    params = AnalysisParams(
        basket="tw_machine_tools",
        period_from=dt.date(2023, 6, 1),
        period_to=dt.date(2023, 8, 31),
        control_event="tw-mid-2023",
    )
    run_analyses(DuckDBEngine(con), params)
    baskets = con.execute("SELECT DISTINCT basket FROM basket_lines").fetchall()
    dates = con.execute(
        "SELECT min(registration_date), max(registration_date), count(*) FILTER (registration_date IS NULL)"
        " FROM shipment_routes"
    ).fetchone()
    events = con.execute("SELECT DISTINCT event_id FROM control_event_windows").fetchall()
    all_lines = con.execute("SELECT count(*) FROM declarations").fetchone()
    scoped_lines = con.execute("SELECT count(*) FROM shipment_routes").fetchone()
    con.close()
    assert baskets == [("tw_machine_tools",)]
    assert dates is not None and dates[0] >= dt.date(2023, 6, 1) and dates[1] <= dt.date(2023, 8, 31)
    assert dates[2] == 0  # undated lines cannot be placed in a period
    assert events == [("tw-mid-2023",)]
    assert all_lines is not None and scoped_lines is not None and 0 < scoped_lines[0] < all_lines[0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period_from": dt.date(2024, 1, 1), "period_to": dt.date(2023, 1, 1)},
        {"basket": " "},
        {"control_event": ""},
    ],
)
def test_scope_parameters_are_checked(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UserError):
        AnalysisParams(**kwargs)
