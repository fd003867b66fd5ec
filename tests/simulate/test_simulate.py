"""The simulator: deterministic, the truth agrees with the files, case B's figures, loads via ingest."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanctrace.simulate.ownership import blocked_by_ownership
from sanctrace.simulate.run import simulate
from sanctrace.simulate.scenario import load_scenario
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _declarations(folder: Path, encoding: str) -> list[dict[str, str]]:
    with (folder / "declarations" / "ru_imports.csv").open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _truth(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "truth" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _money(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace(",", "."))


@pytest.fixture(scope="module")
def case_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("case-b")
    simulate(load_scenario("case-b"), 11, out)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    smoke = load_scenario("smoke")
    simulate(smoke, 5, tmp_path / "a")
    simulate(smoke, 5, tmp_path / "b")
    simulate(smoke, 6, tmp_path / "c")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_case_b_figures(case_b: Path) -> None:
    lines = [r for r in _truth(case_b, "lines.csv") if r["scheme_id"] == "S1"]
    assert len(lines) == 63
    direct = [r for r in lines if r["route"] == "direct"]
    assert sum(Decimal(r["value_usd"]) for r in direct) == Decimal("4470000.00")
    assert max(dt.date.fromisoformat(r["date"]) for r in direct) <= dt.date(2023, 5, 31)
    assert min(dt.date.fromisoformat(r["date"]) for r in lines) >= dt.date(2023, 1, 1)
    assert sum(Decimal(r["value_usd"]) for r in lines) > Decimal("20000000")
    assert {r["hub_country"] for r in lines if r["route"] == "indirect"} == {"CN", "TR"}
    assert len({r["consignee_id"] for r in lines}) == 1
    entities = {r["entity_id"]: r for r in _truth(case_b, "entities.csv")}
    plants = [e for e in entities.values() if e["role"] == "end_user"]
    assert sum(e["designated"] == "true" for e in plants) == 2
    blocked = {e["role"] for e in entities.values() if e["blocked_by_ownership"] == "true"}
    assert blocked == {"innocent", "end_user"}  # the 50 % holding, and the plant it owns 50 % of
    assert all(e["designated"] == "false" for e in entities.values() if e["blocked_by_ownership"] == "true")


def test_truth_agrees_with_the_declaration_file(case_b: Path) -> None:
    truth = {r["line_id"]: r for r in _truth(case_b, "lines.csv")}
    rows = _declarations(case_b, "cp1251")
    assert len(rows) == len(truth)
    by_route: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        line = truth[f"{row['ND']}/{row['G32']}"]
        assert _money(row["G46"]) == Decimal(line["value_usd"])
        assert dt.datetime.strptime(row["G542"], "%d.%m.%Y").date().isoformat() == line["date"]
        by_route[(line["route"], line["date"][:7])] += _money(row["G46"])
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in truth.values():
        expected[(line["route"], line["date"][:7])] += Decimal(line["value_usd"])
    assert by_route == expected


def test_every_name_written_is_in_names_csv(case_b: Path) -> None:
    known = {(r["name"]) for r in _truth(case_b, "names.csv")}
    written = set()
    for row in _declarations(case_b, "cp1251"):
        written |= {row["G022"], row["G082"]} | ({row["G31_11"]} - {"ОТСУТСТВУЕТ"})
    with (case_b / "registry" / "companies.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            written |= {row["name"], *filter(None, row["alt_names"].split(";"))}
    assert written <= known


def test_ofac_examples_of_the_fifty_percent_rule() -> None:
    assert blocked_by_ownership({"X"}, [("X", "A", 50), ("A", "B", 50)]) == {"A", "B"}
    assert blocked_by_ownership({"X"}, [("X", "A", 50), ("X", "B", 50), ("A", "C", 25), ("B", "C", 25)]) == {
        "A",
        "B",
        "C",
    }
    assert blocked_by_ownership({"X"}, [("X", "A", 49), ("A", "B", 100)]) == set()


def test_smoke_world_loads_through_ingest_without_surprises(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    out = tmp_path / "world"
    summary = simulate(load_scenario("smoke"), 3, out)
    reports = []
    for folder, dataset in (
        ("declarations", "sim"),
        ("statistics", "sim-stats"),
        ("registry", "sim-registry"),
        ("sanctions", "sim-lists"),
    ):
        reports += ingest_path(con, out / folder, LoadOptions(dataset))
    quarantined = {
        r.path.name: r.rows_quarantined for r in reports if r.rows_quarantined and r.dataset != "reference"
    }
    assert quarantined == {}
    loaded = con.execute("SELECT count(*) FROM declarations").fetchone()
    assert loaded == (summary.lines,)
    formats = {r.format for r in reports}
    assert {"declarations", "trade-flows", "registry-companies", "ftm", "ofac-sdn"} <= formats
    listed = con.execute(
        "SELECT count(DISTINCT party_id) FROM designations WHERE list = 'us_ofac_sdn'"
    ).fetchone()
    assert listed is not None and listed[0] >= 2
