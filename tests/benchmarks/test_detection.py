"""The detection benchmark runs end to end on a small world and its measures are sane."""

from __future__ import annotations

from pathlib import Path

from benchmarks.detection import build, report, routes, scores, switches

from sanctrace.simulate.run import simulate
from sanctrace.simulate.scenario import load_scenario


def test_scores_count_hits_against_both_sides() -> None:
    result = scores({"a", "b", "c", "d"}, {"a", "b", "x"})
    assert (result.precision, result.recall) == (0.5, 2 / 3)
    assert result.f1 is not None and abs(result.f1 - 4 / 7) < 1e-12
    assert scores(set(), {"a"}).precision is None


def test_detection_report_on_the_smoke_world(tmp_path: Path) -> None:
    simulate(load_scenario("smoke"), 9, tmp_path / "world")
    con = build(tmp_path / "world", tmp_path / "w.duckdb")
    accuracy, confusion, _ = routes(con)
    assert 0.5 < accuracy <= 1.0
    total = con.execute("SELECT count(*) FROM truth_lines").fetchone()
    assert total is not None and sum(int(str(n)) for _, _, n in confusion) == total[0]
    found = switches(con, min_score=None)
    assert found.true == 1  # only S1 has direct supply before its route through hubs
    text = report(con, "smoke", 9, 0)
    assert "route classification accuracy" in text and "relabel suspicion" in text
