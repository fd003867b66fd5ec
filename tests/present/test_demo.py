"""End to end: the simulated demo world through ingest, resolve, analyze and the report.

Figures are checked against the world's own truth (truth/*.csv written by the simulator): scheme S1
of the default scenario is a Taiwanese maker shipping directly to its front importer until the
end of May 2023, then through China and Türkiye; its first hub trader is listed in February 2024.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from sanctrace.present.demo import run_demo
from sanctrace.store.warehouse import connect


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, duckdb.DuckDBPyConnection]]:
    out = tmp_path_factory.mktemp("demo")
    report = run_demo(out)
    con = connect(out / "demo.duckdb")
    yield report, out / "world" / "truth", con
    con.close()


def _truth(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _importer_inn(con: duckdb.DuckDBPyConnection, truth: Path) -> tuple[str, list[dict[str, str]]]:
    lines = [r for r in _truth(truth, "lines.csv") if r["scheme_id"] == "S1"]
    consignee = lines[0]["consignee_id"]
    with (truth.parent / "registry" / "companies.csv").open(encoding="utf-8") as handle:
        inn = next(r["inn"] for r in csv.DictReader(handle) if r["company_id"] == consignee)
    return inn, lines


def test_every_declaration_line_loads(demo: tuple[Path, Path, duckdb.DuckDBPyConnection]) -> None:
    _, truth, con = demo
    expected = len(_truth(truth, "lines.csv"))
    rows = con.execute(
        "SELECT path, rows_read, rows_accepted, rows_quarantined FROM sources WHERE format = 'declarations'"
    ).fetchall()
    assert sorted(Path(r[0]).name for r in rows) == ["bills_of_lading.csv", "ru_imports.csv"]
    assert tuple(sum(r[i] for r in rows) for i in (1, 2, 3)) == (expected, expected, 0)
    loaded = con.execute("SELECT list(line_id) FROM declarations").fetchone()
    assert loaded is not None and set(loaded[0]) == {r["line_id"] for r in _truth(truth, "lines.csv")}


def test_direct_and_indirect_values_match_the_truth(
    demo: tuple[Path, Path, duckdb.DuckDBPyConnection],
) -> None:
    _, truth, con = demo
    _, lines = _importer_inn(con, truth)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        expected[line["hub_country"] or line["route"]] += Decimal(line["value_usd"])
    found = dict(
        con.execute(
            "SELECT coalesce(r.hub_country, r.route), sum(r.value_usd) FROM shipment_routes r"
            " WHERE list_contains(?, r.line_id) GROUP BY ALL",
            [[line["line_id"] for line in lines]],
        ).fetchall()
    )
    assert found == expected
    assert set(found) == {"direct", "CN", "TR"}


def test_route_switch_of_the_front_importer(demo: tuple[Path, Path, duckdb.DuckDBPyConnection]) -> None:
    _, truth, con = demo
    inn, _ = _importer_inn(con, truth)
    party = con.execute(
        "SELECT consignee_party_id, count(*) FROM declarations WHERE consignee_identifier = ?"
        " GROUP BY ALL ORDER BY 2 DESC LIMIT 1",
        [inn],
    ).fetchone()
    assert party is not None
    switch = con.execute(
        "SELECT last_direct_date, first_indirect_date, switched, hubs FROM route_switches"
        " WHERE basket = 'machine-tools' AND consignee_key = ?",
        [party[0]],
    ).fetchone()
    assert switch is not None
    last_direct, first_indirect, switched, hubs = switch
    assert last_direct <= dt.date(2023, 5, 31) < first_indirect and switched
    assert hubs == "CN,TR"


def test_spellings_with_one_valid_inn_are_one_party(
    demo: tuple[Path, Path, duckdb.DuckDBPyConnection],
) -> None:
    _, truth, con = demo
    inn, _ = _importer_inn(con, truth)
    row = con.execute(
        "SELECT count(DISTINCT consignee_party_id), count(DISTINCT consignee_name) FROM declarations"
        " WHERE consignee_identifier = ?",
        [inn],
    ).fetchone()
    assert row is not None and row[0] == 1 and row[1] >= 2


def test_screening_finds_the_listed_hub_trader(demo: tuple[Path, Path, duckdb.DuckDBPyConnection]) -> None:
    _, truth, con = demo
    listed = {
        r["canonical_name"]
        for r in _truth(truth, "entities.csv")
        if r["designated"] == "true" and r["role"] == "hub_trader"
    }
    assert len(listed) == 1
    hits = con.execute("SELECT m.caption FROM screening_matches m WHERE m.match").fetchall()
    assert any(caption.upper().startswith(next(iter(listed)).split()[0].upper()) for (caption,) in hits)


def test_report_is_one_offline_html_file(demo: tuple[Path, Path, duckdb.DuckDBPyConnection]) -> None:
    report, _, con = demo
    html = report.read_text("utf-8")
    assert report.suffix == ".html"
    sha = con.execute("SELECT sha256 FROM sources WHERE format = 'declarations'").fetchone()
    assert sha is not None and str(sha[0]) in html
    assert "via CN" in html and "via TR" in html
    assert _external_references(html) == []


def _external_references(html: str) -> list[str]:
    """src/href attributes that would fetch something (plotly.js's own code may mention URLs)."""
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


def test_report_shows_relabel_suspects_that_the_truth_confirms(
    demo: tuple[Path, Path, duckdb.DuckDBPyConnection],
) -> None:
    report, truth, _ = demo
    html = report.read_text("utf-8")
    assert "Makers and relabelling" in html and "Price anomalies" in html
    relabelled = {r["line_id"] for r in _truth(truth, "lines.csv") if "relabelling" in r["typologies"]}
    shown = {line for line in relabelled if f"<code>{line}</code>" in html}
    assert shown, "no truly relabelled line is listed in the report"
