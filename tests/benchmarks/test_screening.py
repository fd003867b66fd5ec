"""The screening speed benchmark runs end to end on tiny inputs (timings are printed, never asserted)."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
from benchmarks.screening import _inn, make_parties, report

from sanctrace.resolve.identifiers import is_valid

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"


def test_invented_inns_pass_the_check_digit() -> None:
    rng = random.Random(1)
    assert all(is_valid("inn", _inn(rng)) for _ in range(50))


def test_party_mentions_are_shipper_and_consignee_of_half_as_many_lines(tmp_path: Path) -> None:
    make_parties(40, tmp_path / "p.duckdb")
    con = duckdb.connect(str(tmp_path / "p.duckdb"))
    assert con.execute(
        "SELECT count(*), count(shipper_name), count(consignee_name) FROM declarations"
    ).fetchone() == (
        20,
        20,
        20,
    )


def test_report_on_tiny_inputs(tmp_path: Path) -> None:
    text = report(20, 40, 5, tmp_path, data=FIXTURES, lists={"us_ofac_sdn": "ofac/2024-06-01"})
    assert "names/s" in text and "p95" in text and "party mentions" in text
    assert "target ≥ 2,000 names/s" in text and "target p95 < 50 ms" in text
    assert "| batch screening (sanctrace, blocking index, 1 process) | 20 |" in text
    assert "(the median of 3 runs: " in text  # the target's figure is not one lucky run
