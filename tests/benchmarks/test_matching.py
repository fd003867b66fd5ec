"""The matching benchmark's labelled pairs, split and config writer (no real data needed)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.matching.__main__ import best_threshold, metrics, write_model
from benchmarks.matching.dataset import ListRecord, build_pairs, split

from sanctrace.resolve.config import default_config, load_matching_config, with_model


def record(party_id: str, dataset: str, caption: str, inn: str) -> ListRecord:
    rec = ListRecord(party_id, dataset, "Company", caption, None, [caption])
    rec.identifiers["inn"].add(inn)
    return rec


def test_positives_share_a_number_across_lists_and_negatives_conflict() -> None:
    records = [
        record("a1", "eu", "SBERBANK TECHNOLOGIES", "7736632467"),
        record("b1", "us", "JSC SBERBANK TECHNOLOGIES", "7736632467"),
        record("b2", "us", "SBERBANK LEASING", "7707083893"),
        record("b3", "us", "ROMASHKA", "7704374171"),
        record("a2", "eu", "OTHER ON THE SAME LIST", "7707083893"),
    ]
    pairs = build_pairs(records, negatives_per_positive=2)
    positives = {(p.query.party_id, p.candidate.party_id) for p in pairs if p.label}
    assert positives == {("a1", "b1"), ("a2", "b2")}  # never two records of one list
    negatives = [p for p in pairs if not p.label]
    assert negatives and all(p.query.identifiers["inn"] != p.candidate.identifiers["inn"] for p in negatives)
    assert ("a1", "b2") in {(p.query.party_id, p.candidate.party_id) for p in negatives}
    dev, held = split(pairs)
    assert sorted(map(id, dev + held)) == sorted(map(id, pairs))
    assert {p.group for p in dev}.isdisjoint({p.group for p in held})


def test_metrics_and_threshold() -> None:
    m = metrics("x", "names", [0.9, 0.8, 0.4, 0.2], [1, 0, 1, 0], 0.5, 0.0)
    assert (m.precision, m.recall) == (0.5, 0.5)
    assert best_threshold([0.9, 0.8, 0.4, 0.2], [1, 1, 0, 0]) == 0.8


def test_write_model_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "sanctrace" / "config" / "matching.yaml"
    target = tmp_path / "matching.yaml"
    target.write_text(source.read_text("utf-8"), "utf-8")
    config = default_config()
    weights = {name: 0.5 for name, _ in config.model.weights}
    write_model(with_model(config, -1.25, weights), target)
    written = load_matching_config(target)
    assert written.model.bias == -1.25
    assert dict(written.model.weights) == weights
    assert written.blocking == config.blocking and written.loanwords == config.loanwords
