"""The dedup quality benchmark: pairwise counts on a hand-made truth, then end to end on a small world."""

from __future__ import annotations

from pathlib import Path

import duckdb
from benchmarks.dedup_quality import SPELLING, load_world, pairwise, report

from sanctrace.simulate.run import simulate
from sanctrace.simulate.scenario import load_scenario


def test_pairwise_counts_pairs_of_mentions() -> None:
    con = duckdb.connect()
    # Lines 1-3: entity A as "ALFA" twice (party p1) and "ALFA LLC" once (party p2); line 4: entity B
    # written "ALFA" too, put in p1 (a wrong merge). Consignees all entity C, one party.
    con.execute(
        "CREATE TABLE declarations AS SELECT * FROM (VALUES"
        " ('1', 'ALFA', 'p1', 'CEE', 'c'), ('2', 'ALFA', 'p1', 'CEE', 'c'),"
        " ('3', 'ALFA LLC', 'p2', 'CEE', 'c'), ('4', 'alfa ', 'p1', 'CEE', 'c'))"
        " AS t(line_id, shipper_name, shipper_party_id, consignee_name, consignee_party_id)"
    )
    con.execute(
        "CREATE TABLE truth_lines AS SELECT * FROM (VALUES ('1', 'A', 'C'), ('2', 'A', 'C'),"
        " ('3', 'A', 'C'), ('4', 'B', 'C')) AS t(line_id, shipper_id, consignee_id)"
    )
    found = pairwise(con)
    # true pairs: A has 3 mentions (3 pairs), C has 4 (6 pairs); found: p1 3 mentions (3), c 4 (6);
    # both: (p1, A) 2 mentions (1 pair) + (c, C) 6 pairs.
    assert (found.mentions, found.groups, found.entities) == (8, 3, 3)
    assert (found.true_pairs, found.found_pairs, found.both) == (9, 9, 7)
    assert found.precision == found.recall == 7 / 9
    spelling = pairwise(con, SPELLING)
    assert (spelling.groups, spelling.found_pairs, spelling.both) == (3, 9, 7)


def test_report_on_the_smoke_world(tmp_path: Path) -> None:
    summary = simulate(load_scenario("smoke"), 9, tmp_path / "world")
    con = load_world(tmp_path / "world", tmp_path / "w.duckdb")
    found = pairwise(con)
    assert found.mentions == 2 * summary.lines
    assert found.precision is not None and found.recall is not None
    assert 0.5 < found.precision <= 1.0 and 0.5 < found.recall <= 1.0
    assert found.recall >= pairwise(con, SPELLING).recall  # type: ignore[operator]
    text = report(con, "smoke", 9, summary.lines)
    assert "precision" in text and "exact spelling" in text
