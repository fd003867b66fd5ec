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


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("smoke")
    simulate(load_scenario("smoke"), 3, out)
    return out


def _bills(folder: Path) -> list[dict[str, str]]:
    with (folder / "declarations" / "bills_of_lading.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_lines_through_bill_of_lading_hubs_are_in_the_vendor_file_only(smoke: Path) -> None:
    truth = {r["line_id"]: r for r in _truth(smoke, "lines.csv")}
    bills = _bills(smoke)
    declared = _declarations(smoke, "utf-8")
    assert bills and len(bills) + len(declared) == len(truth)
    for row in bills:
        line = truth[f"{row['Bill of Lading Number']}/{row['Item Number']}"]
        assert (line["route"], line["hub_country"], line["file"]) == ("indirect", "KZ", "bills_of_lading.csv")
        assert Decimal(row["Value (USD)"].replace(",", "")) == Decimal(line["value_usd"])
        assert dt.datetime.strptime(row["Arrival Date"], "%m/%d/%Y").date().isoformat() == line["date"]
    assert all(truth[f"{r['ND']}/{r['G32']}"]["file"] == "ru_imports.csv" for r in declared)
    names = {r["name"] for r in _truth(smoke, "names.csv")}
    assert {r["Shipper"] for r in bills} | {r["Consignee"] for r in bills} <= names


def test_statistics_are_the_lines_summed(smoke: Path) -> None:
    with (smoke / "statistics" / "trade_flows_hs6_monthly.csv").open(encoding="utf-8") as handle:
        stats = list(csv.DictReader(handle))
    reported: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for row in stats:
        reporter = "TW" if row["reporter"] == "Other Asia, nes" else row["reporter"]
        reported[(reporter, row["partner"], row["flow"])] += Decimal(row["value"])
    lines = _truth(smoke, "lines.csv")
    imports = sum((Decimal(r["value_usd"]) for r in lines), Decimal(0))
    recorded = sum(
        (v for (rep, _, flow), v in reported.items() if (rep, flow) == ("RU", "import")), Decimal(0)
    )
    # The target's imports by origin are the declared (CIF) values, to the cent per row.
    assert abs(recorded - imports) < 1
    # Each dispatching country's exports to the target are the same lines at FOB (CIF / 1.06).
    for hub in ("CN", "TR", "KZ"):
        shipped = sum(
            Decimal(r["value_usd"]) for r in lines if r["route"] == "indirect" and r["hub_country"] == hub
        )
        innocent = sum(
            Decimal(r["value_usd"]) for r in lines if r["route"] == "direct" and r["true_origin"] == hub
        )
        assert abs(reported[(hub, "RU", "export")] - (shipped + innocent) / Decimal("1.06")) < 1
    # The maker's country reports exports to the hubs its goods went through, not only to the target.
    assert reported[("TW", "KZ", "export")] > 0 and reported[("TW", "RU", "export")] > 0


def test_consignee_typologies_show_in_the_registry(smoke: Path) -> None:
    entities = {r["entity_id"]: r for r in _truth(smoke, "entities.csv")}
    with (smoke / "registry" / "companies.csv").open(encoding="utf-8") as handle:
        companies = {r["company_id"]: r for r in csv.DictReader(handle)}
    lines = _truth(smoke, "lines.csv")
    consignees = {
        t: {r["consignee_id"] for r in lines if t in r["typologies"].split(";")}
        for t in ("dormant_company", "new_consignee", "residential_address", "shared_address")
    }
    assert all(len(ids) == 1 for ids in consignees.values()), consignees
    (dormant,) = consignees["dormant_company"]
    assert companies[dormant]["incorporation_date"] < "2013-01-01"
    assert min(r["date"] for r in lines if r["consignee_id"] == dormant) >= "2023-01-01"
    (new,) = consignees["new_consignee"]
    assert companies[new]["incorporation_date"] > "2022-02-24"
    (home,) = consignees["residential_address"]
    assert ", кв. " in companies[home]["address"]
    (shared,) = consignees["shared_address"]
    neighbours = [c for c in companies.values() if c["address"] == companies[shared]["address"]]
    assert len(neighbours) >= 4 and entities[shared]["role"] == "importer"
    assert {c["phone"] for c in neighbours} == {companies[shared]["phone"]}  # one office, one phone line
    assert all(c["phone"].startswith("+") for c in companies.values())


def test_innocent_trade_sets_a_base_rate(smoke: Path) -> None:
    lines = _truth(smoke, "lines.csv")
    innocent = [r for r in lines if not r["scheme_id"]]
    assert len(innocent) >= 15
    controlled_origins = {"TW", "DE", "IT", "JP", "US", "KR"}
    machines = {"845710", "845811", "845961"}
    after_controls = [
        r
        for r in innocent
        if r["true_hs6"] in machines and r["true_origin"] in controlled_origins and r["date"] >= "2022-02-24"
    ]
    assert after_controls == []  # an innocent line is never a controlled machine from a controlling country
