"""End to end: the demo world through the public ingest path, resolve, analyze and the report.

The figures asserted are those the demo world was built to reproduce (reference case B): 63
shipments to the front importer from January 2023, $4.47M direct until the end of May 2023, the rest
($15.83M) via China and Türkiye.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanctrace.present.demo import run_demo
from sanctrace.store.warehouse import connect

FRONT_IMPORTER = "ООО «ЛОТУС ПИК ТЕХНОЛОДЖИ»"  # its usual spelling; some lines use others
FRONT_IMPORTER_INN = "7701452382"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    out = tmp_path_factory.mktemp("demo")
    report = run_demo(out)
    con = connect(out / "demo.duckdb")
    yield report, con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple[object, ...]:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return tuple(row)


def test_declarations_file_counts_and_quarantine(demo: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    assert _one(
        con, "SELECT rows_read, rows_accepted, rows_quarantined FROM sources WHERE format = 'declarations'"
    ) == (129, 128, 1)
    reasons = {r[0] for r in con.execute("SELECT reason FROM quarantine").fetchall()}
    assert len(reasons) >= 2


def test_case_b_shipments_to_the_front_importer(demo: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    lines, total = _one(
        con,
        "SELECT count(*), sum(value_usd) FROM declarations"
        " WHERE consignee_identifier = ? AND registration_date >= DATE '2023-01-01'",
        [FRONT_IMPORTER_INN],
    )
    assert lines == 63
    assert total == Decimal("20300000.00")


def test_direct_and_indirect_split_by_route(demo: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    rows = dict(
        con.execute(
            "SELECT coalesce(r.hub_country, r.route), sum(r.value_usd) FROM shipment_routes r"
            " JOIN declarations d USING (line_id) WHERE d.consignee_identifier = ? GROUP BY ALL",
            [FRONT_IMPORTER_INN],
        ).fetchall()
    )
    assert rows["direct"] == Decimal("4470000.00")
    assert set(rows) == {"direct", "CN", "TR"}
    assert rows["CN"] + rows["TR"] == Decimal("15830000.00")


def test_route_switch_of_the_front_importer(demo: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    last_direct, first_indirect, direct_value, hubs = _one(
        con,
        "SELECT last_direct_date, first_indirect_date, direct_value, hubs FROM route_switches"
        " WHERE basket = 'machine-tools' AND consignee_label = ?",
        [FRONT_IMPORTER],
    )
    assert isinstance(last_direct, dt.date) and isinstance(first_indirect, dt.date)
    assert last_direct <= dt.date(2023, 5, 31) < first_indirect
    assert direct_value == Decimal("4470000.00")
    assert hubs == "CN,TR"


def test_top_consignee_in_the_machine_tool_basket(demo: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    (label,) = _one(
        con,
        "SELECT label FROM top_parties WHERE basket = 'machine-tools' AND role = 'consignee' AND rank = 1",
    )
    assert label == FRONT_IMPORTER


def test_resolution_merges_spellings_and_screening_finds_the_listed_hub(
    demo: tuple[Path, duckdb.DuckDBPyConnection],
) -> None:
    _, con = demo
    (unresolved,) = _one(con, "SELECT count(*) FROM declarations WHERE consignee_party_id IS NULL")
    assert unresolved == 0
    importer_parties, spellings = _one(
        con,
        "SELECT count(DISTINCT consignee_party_id), count(DISTINCT consignee_name) FROM declarations"
        " WHERE consignee_identifier = ?",
        [FRONT_IMPORTER_INN],
    )
    assert (importer_parties, spellings) == (1, 3)
    hits = con.execute(
        "SELECT p.caption, m.entity_id FROM screening_matches m"
        " JOIN parties p ON p.party_id = m.query_party_id WHERE m.match"
    ).fetchall()
    assert any(entity == "demo-sdn-anka-makine" for _, entity in hits)


def test_report_is_one_offline_html_file(demo: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    report, con = demo
    html = report.read_text("utf-8")
    assert report.suffix == ".html"
    assert "ЛОТУС ПИК" in html
    (sha,) = _one(con, "SELECT sha256 FROM sources WHERE format = 'declarations'")
    assert str(sha) in html
    assert _external_references(html) == []


def _external_references(html: str) -> list[str]:
    """src/href attributes that would fetch something (plotly.js's own code may mention URLs)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(
                f"{tag} {name}={value}"
                for name, value in attrs
                if name in {"src", "href"} and value and value.startswith(("http:", "https:", "//"))
            )

    Collector().feed(html)
    return found
