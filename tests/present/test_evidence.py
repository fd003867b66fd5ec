"""The lines behind a route_switches row, found back in declarations, with an origin set."""

from __future__ import annotations

import datetime as dt

from sanctrace.analyze.pipeline import AnalysisParams, run_analyses
from sanctrace.present.report import evidence
from sanctrace.store.executor import DuckDBEngine
from tests.analyze.fixture_warehouse import build_warehouse, line_id


def test_switch_evidence_under_an_origin_includes_lines_relabelled_from_it() -> None:
    con = build_warehouse()
    # A basket for the milling machines of URAL STANKI OOO: lines 19-23 made in TW, 24 a TW maker's
    # machine declared as made in CN and shipped from CN (a relabel suspect), 25 TW-made via CN.
    con.execute(
        "INSERT INTO baskets VALUES ('mills', '845961', NULL, 'Milling machines', ?, NULL, 'test', 99)",
        [dt.date(2020, 1, 1)],
    )
    run_analyses(DuckDBEngine(con), AnalysisParams(origin="TW"))
    counted = con.execute(
        "SELECT direct_lines + indirect_lines + other_lines, relabel_lines FROM route_switches"
        " WHERE basket = 'mills' AND consignee_key = 'URAL STANKI OOO'"
    ).fetchone()
    assert counted is not None and counted[1] == 1
    scope = evidence.Scope("mills", "RU", "TW")
    plain = evidence.find_lines(con, "consignee", scope, "URAL STANKI OOO", "URAL STANKI OOO")
    found = evidence.find_lines(
        con, "consignee", scope, "URAL STANKI OOO", "URAL STANKI OOO", relabelled=True
    )
    assert plain is not None and found is not None
    assert line_id(24) in {r["line_id"] for r in found.lines}
    assert line_id(24) not in {r["line_id"] for r in plain.lines}
    assert found.total_lines == counted[0]
