"""The packaged reference data loads offline, through the ordinary loaders, once."""

from __future__ import annotations

import duckdb

from sanctrace.sources.bundled import DATASET, load_bundled_reference


def test_loads_everything_once(con: duckdb.DuckDBPyConnection) -> None:
    reports = load_bundled_reference(con)
    assert [r.format for r in reports] == [
        "country-codes",
        "hs-nomenclature",
        "basket",
        "basket",
        "basket",
        "control-events",
        "makers",
        "country-groups",
    ]
    assert all(r.dataset == DATASET and not r.already_loaded for r in reports)
    assert sum(r.rows_quarantined for r in reports) == 1  # the HS TOTAL row
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()
        for t in ("countries", "hs_codes", "baskets", "control_events", "country_groups")
    }
    assert counts == {
        "countries": (249,),
        "hs_codes": (6939,),
        "baskets": (66,),
        "control_events": (7,),
        "country_groups": (27,),
    }
    again = load_bundled_reference(con)
    assert all(r.already_loaded for r in again)
    assert con.execute("SELECT count(*) FROM baskets").fetchone() == (66,)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (8,)


def test_control_events_name_shipped_baskets(con: duckdb.DuckDBPyConnection) -> None:
    load_bundled_reference(con)
    dangling = con.execute(
        "SELECT event_id FROM control_events WHERE basket IS NOT NULL"
        " AND basket NOT IN (SELECT basket FROM baskets)"
    ).fetchall()
    assert dangling == []
