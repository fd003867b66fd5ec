"""Screening against designated parties: names, identifiers, dates, lists."""

from __future__ import annotations

import csv
import gc
import json
import os
import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sanctrace.resolve import screening
from sanctrace.resolve.candidates import CandidateIndex, load_candidates
from sanctrace.resolve.config import default_config
from sanctrace.resolve.matcher import FEATURES, Record, match
from sanctrace.resolve.parties import resolve_declaration_parties
from sanctrace.resolve.screening import (
    ScreeningQuery,
    screen,
    screen_index,
    screen_parties,
    search_index,
)

AS_OF = date(2024, 1, 1)


def designate(
    con: duckdb.DuckDBPyConnection,
    party_id: str,
    caption: str,
    *,
    aliases: tuple[str, ...] = (),
    identifiers: dict[str, str] | None = None,
    country: str | None = "RU",
    schema: str = "Company",
    lists: tuple[str, ...] = ("us_ofac_sdn",),
    listed: date | None = date(2022, 3, 1),
    delisted: date | None = None,
) -> None:
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, country, dataset) VALUES (?, ?, ?, ?, ?)",
        [party_id, schema, caption, country, lists[0]],
    )
    for i, name in enumerate((caption, *aliases)):
        con.execute(
            "INSERT INTO party_names (party_id, name, name_type) VALUES (?, ?, ?)",
            [party_id, name, "primary" if i == 0 else "alias"],
        )
    for scheme, value in (identifiers or {}).items():
        con.execute(
            "INSERT INTO party_identifiers (party_id, scheme, value) VALUES (?, ?, ?)",
            [party_id, scheme, value],
        )
    for list_name in lists:
        con.execute(
            "INSERT INTO designations (party_id, list, program, listed_date, delisted_date)"
            " VALUES (?, ?, ?, ?, ?)",
            [party_id, list_name, "RUSSIA-EO14024", listed, delisted],
        )


def one(
    con: duckdb.DuckDBPyConnection, query: ScreeningQuery, **kwargs: object
) -> list[tuple[str, float, bool]]:
    results = screen(con, [query], as_of=kwargs.pop("as_of", AS_OF), **kwargs)  # type: ignore[arg-type]
    return [(m.entity_id, m.score, m.match) for m in results]


def test_variant_spelling_is_found_with_explanations(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "imt", "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", aliases=("I MACHINE TECHNOLOGY LLC",))
    designate(con, "other", "ООО «РОМАШКА»")
    [found] = screen(con, [ScreeningQuery("q1", "OOO AI MASHIN TEKHNOLODZHI", country="RU")], as_of=AS_OF)
    assert (found.entity_id, found.match, found.datasets, found.programs) == (
        "imt",
        True,
        ["us_ofac_sdn"],
        ["RUSSIA-EO14024"],
    )
    assert 0.9 <= found.score < 1.0  # a name alone never reaches the certainty of an identifier
    assert {"name_overlap", "name_coverage"} <= set(found.features) <= set(FEATURES)
    # The loanword table maps the Cyrillic spelling back to the English words.
    assert "machine=machine" in found.explanations[0]
    overlap = next(d for d in found.details if d.name == "name_overlap")
    assert overlap.value == 1.0 and overlap.contribution == pytest.approx(overlap.weight)
    [english] = screen(con, [ScreeningQuery("q2", "I Machine Technology, LLC")], as_of=AS_OF)
    assert english.entity_id == "imt"


def test_designation_dates_are_respected(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "gone", "LAVINA PULS", delisted=date(2023, 6, 1))
    designate(con, "later", "AKUTA", listed=date(2024, 5, 1))
    assert one(con, ScreeningQuery("q", "ООО «ЛАВИНА ПУЛЬС»")) == []
    assert one(con, ScreeningQuery("q", "ЗАО «АКУТА»")) == []
    assert one(con, ScreeningQuery("q", "ЗАО «АКУТА»"), as_of=date(2024, 6, 1))[0][0] == "later"
    assert one(con, ScreeningQuery("q", "ООО «ЛАВИНА ПУЛЬС»"), as_of=date(2023, 1, 1))[0][0] == "gone"


def test_shared_identifier_decides(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "sber", "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA", identifiers={"inn": "7707083893"})
    [found] = screen(
        con, [ScreeningQuery("q", "Some Other Name", identifiers={"innCode": "7707 083 893"})], as_of=AS_OF
    )
    assert (found.entity_id, found.score, found.match) == ("sber", 1.0, True)
    assert found.explanations[0] == "inn 7707083893 shared: decisive"


def test_conflicting_identifier_pushes_below_threshold(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "sbt", "JOINT STOCK COMPANY SBERBANK TECHNOLOGIES", identifiers={"inn": "7736632467"})
    same_name = ScreeningQuery("q", "AO Sberbank Technologies", identifiers={"inn": "7707083893"})
    [(entity, score, match)] = one(con, ScreeningQuery("q", "AO Sberbank Technologies"))
    assert match and entity == "sbt"
    assert one(con, same_name, threshold=0.0)[0][1] < 0.7 <= score
    assert all(not m for _, _, m in one(con, same_name))
    # An invalid number in the query is not evidence either way.
    bad = ScreeningQuery("q", "AO Sberbank Technologies", identifiers={"inn": "7707083894"})
    assert one(con, bad)[0][1] == score


def test_generic_words_cannot_carry_a_match(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "omega", "OMEGA GLOBAL TRADING GROUP LTD")
    assert [m for m in one(con, ScreeningQuery("q", "ALFA GLOBAL TRADING GROUP LLC")) if m[2]] == []
    assert one(con, ScreeningQuery("q", "Omega Global Trading Group"))[0][2]


def test_country_mismatch_lowers_the_score(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "akuta", "ZAO AKUTA", country="RU")
    home = one(con, ScreeningQuery("q", "Akuta", country="RU"))[0][1]
    abroad = screen(con, [ScreeningQuery("q", "Akuta", country="TR")], as_of=AS_OF)[0]
    assert abroad.score < home
    assert abroad.features["country_mismatch"] == default_config().model.weight("country_mismatch") < 0


def test_dataset_filter_and_person_company_gate(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "akuta", "ZAO AKUTA", lists=("us_ofac_sdn",))
    designate(con, "akuta_eu", "AKUTA", lists=("eu_fsf",))
    designate(con, "person", "AKUTA, Ivan", schema="Person", lists=("eu_fsf",))
    query = ScreeningQuery("q", "Akuta", schema="Company")
    assert {e for e, _, _ in one(con, query)} == {"akuta", "akuta_eu"}
    assert {e for e, _, _ in one(con, query, dataset="eu_fsf")} == {"akuta_eu"}
    assert {e for e, _, _ in one(con, query, dataset="us_ofac_sdn")} == {"akuta"}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("Company", {"akuta", "akuta_org"}),
        ("Organization", {"akuta", "akuta_org"}),
        ("Person", {"ivan"}),
        ("LegalEntity", {"akuta", "akuta_org", "ivan"}),
    ],
)
def test_a_company_is_never_screened_against_a_person_nor_a_person_against_a_company(
    con: duckdb.DuckDBPyConnection, schema: str, expected: set[str]
) -> None:
    designate(con, "akuta", "AKUTA", schema="Company")
    designate(con, "akuta_org", "AKUTA", schema="Organization")
    designate(con, "ivan", "AKUTA", schema="Person")
    assert {e for e, _, _ in one(con, ScreeningQuery("q", "Akuta", schema=schema))} == expected


def test_blocking_only_offers_candidates_that_share_a_token(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "a", "LAVINA PULS")
    designate(con, "b", "AKUTA")
    designate(con, "c", "POWER MACHINES")
    index = load_candidates(con, as_of=AS_OF)
    assert [e.entity_id for e in index.candidates(("lavina", "pulse"), {})] == ["a"]
    assert [e.entity_id for e in index.candidates(("powr", "machinery"), {})] == ["c"]  # prefix "mach"


def test_rare_words_rank_candidates_before_common_ones(con: duckdb.DuckDBPyConnection) -> None:
    for i in range(30):
        designate(con, f"t{i:02}", f"NORDIC TRADING {i} LLC")
    designate(con, "elek", "ELEKTROPRIBOR HOLDING")
    index = load_candidates(con, as_of=AS_OF)
    index.config = index.config.model_copy(
        update={"blocking": index.config.blocking.model_copy(update={"max_candidates": 3})}
    )
    # NORDIC is shared with 30 names, ELEKTROPRIBOR with one: the rare word's owner comes first.
    found = index.candidates(("nordic", "elektropribor"), {})
    assert found[0].entity_id == "elek" and len(found) == 3


def test_identifier_hits_join_the_candidates_beyond_the_limit(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "named", "ROMASHKA")
    designate(con, "numbered", "SOMETHING ELSE", identifiers={"inn": "7707083893"})
    index = load_candidates(con, as_of=AS_OF)
    found = index.candidates(("romashka",), {"inn": {"7707083893"}})
    assert [e.entity_id for e in found] == ["named", "numbered"]


def test_search_ranks_by_score_and_filters_schema(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "c1", "ALMAZ OPTICS LLC")
    designate(con, "c2", "ALMAZ ROCKET WORKS")
    designate(con, "p1", "ALMAZ IVANOV", schema="Person")
    index = load_candidates(con, as_of=AS_OF)
    total, found = search_index(index, "almaz optics")
    assert total == 3 and found[0][0].entity_id == "c1"
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
    assert {e.entity_id for e, _ in search_index(index, "almaz", schema="Person")[1]} == {"p1"}
    assert "p1" not in {e.entity_id for e, _ in search_index(index, "almaz", schema="Organization")[1]}
    assert search_index(index, "almaz", limit=1, offset=1)[1][0][0].entity_id != found[0][0].entity_id


def test_screen_parties_writes_matches_idempotently(con: duckdb.DuckDBPyConnection) -> None:
    designate(con, "imt", "I MACHINE TECHNOLOGY LLC", identifiers={"inn": "7707083893"})
    for i, (name, inn) in enumerate([("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "7707083893"), ("ООО «РОМАШКА»", None)]):
        con.execute(
            "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
            " consignee_name, consignee_identifier, consignee_country) VALUES (?, 1, 1, ?, ?, ?, 'RU')",
            [f"D{i}", i + 2, name, inn],
        )
    resolve_declaration_parties(con)
    assert screen_parties(con, as_of=AS_OF) == 1
    assert screen_parties(con, as_of=AS_OF) == 1
    rows = con.execute(
        "SELECT query_caption, entity_id, score, match, list, program, as_of, explanation"
        " FROM screening_matches"
    ).fetchall()
    assert len(rows) == 1
    caption, entity, score, match, list_name, program, as_of, explanation = rows[0]
    assert (caption, entity, score, match, list_name, program, as_of) == (
        "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»",
        "imt",
        1.0,
        True,
        "us_ofac_sdn",
        "RUSSIA-EO14024",
        AS_OF,
    )
    assert json.loads(explanation)["explanations"][0].startswith("inn 7707083893 shared")
    assert json.loads(explanation)["details"] == [
        {"feature": "identifier_match", "value": 1.0, "weight": 0.0, "contribution": 0.0}
    ]


def _sdn_entries(path: Path, ids: set[str]) -> list[tuple[str, str, str | None]]:
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if row and row[0] in ids:
                tax = re.search(r"Tax ID No\. (\d+)", row[11])
                entries.append((row[0], row[1], tax.group(1) if tax else None))
    return entries


def test_real_sdn_names_are_found_from_cyrillic_variants(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    sdn = shared_data / "ofac_sdn" / "russia_subset_2023-12-28" / "sdn.csv"
    entries = _sdn_entries(sdn, {"17255", "23563", "35136", "35159", "35260", "36410"})
    assert len(entries) == 6
    for ent_num, name, tax_id in entries:
        designate(con, f"ofac-{ent_num}", name, identifiers={"inn": tax_id} if tax_id else None)
    variants = {
        "ООО «ЛАВИНА ПУЛЬС»": "ofac-35260",
        "ЗАО «АКУТА»": "ofac-35159",
        "Power Machines, AO": "ofac-23563",
        "Novilab Mobile OOO": "ofac-35136",
        "SBERBANK TECHNOLOGIES JSC": "ofac-36410",
    }
    queries = [ScreeningQuery(name, name, country="RU") for name in variants]
    best = {m.query_id: m for m in screen(con, queries, as_of=AS_OF, limit=1)}
    assert {q: m.entity_id for q, m in best.items() if m.match} == variants
    by_inn = screen(
        con, [ScreeningQuery("q", "ООО «ЛАВИНА»", identifiers={"inn": "7704374171"})], as_of=AS_OF
    )
    assert (by_inn[0].entity_id, by_inn[0].score) == ("ofac-35260", 1.0)


def _parallel_index(con: duckdb.DuckDBPyConnection) -> tuple[CandidateIndex, list[ScreeningQuery]]:
    designate(con, "imt", "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", aliases=("I MACHINE TECHNOLOGY LLC",))
    designate(con, "rom", "ООО «РОМАШКА»")
    designate(con, "elek", "ELEKTROPRIBOR HOLDING")
    names = ["OOO AI MASHIN TEKHNOLODZHI", "ROMASHKA LLC", "ELEKTROPRIBOR", "I MACHINE TECH", "NOBODY"]
    queries = [ScreeningQuery(f"q{i % 7}", names[i % len(names)]) for i in range(40)]
    return load_candidates(con, as_of=AS_OF), queries


def test_parallel_batch_gives_the_serial_results(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    index, queries = _parallel_index(con)
    serial = screen_index(index, queries)
    # Each chunk takes a while and notes which process screened it, so that both take some.
    real = screening._screen_serial

    def slow(*args: object) -> list[screening.ScreeningMatch]:
        time.sleep(0.05)
        with (tmp_path / "pids").open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(screening, "_screen_serial", slow)
    monkeypatch.setattr(screening, "_MIN_PARALLEL", 0)
    parallel = screen_index(index, queries, workers=2)
    assert serial and [(m.query_id, m.entity_id, m.score, m.explanations) for m in parallel] == [
        (m.query_id, m.entity_id, m.score, m.explanations) for m in serial
    ]
    pids = (tmp_path / "pids").read_text().split()
    assert len(pids) == 7 and os.getpid() in map(int, pids) and len(set(pids)) == 2


def _raise_in_child() -> None:
    raise ValueError("broken record in the child")


def _die_in_child() -> None:
    os._exit(3)


@pytest.mark.parametrize(
    ("trouble", "error"),
    [
        (_raise_in_child, r"(?s)screening worker \d+ failed.*broken record in the child"),
        (_die_in_child, r"screening worker \d+ ended with code 3"),
    ],
)
def test_a_worker_in_trouble_fails_the_batch_with_its_reason(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, trouble: Callable[[], None], error: str
) -> None:
    index, queries = _parallel_index(con)
    parent = os.getpid()
    real = screening._screen_serial

    def troubled(*args: object) -> list[screening.ScreeningMatch]:
        if os.getpid() != parent:
            trouble()
        time.sleep(0.05)  # leaves chunks for the child
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(screening, "_screen_serial", troubled)
    monkeypatch.setattr(screening, "_MIN_PARALLEL", 0)
    with pytest.raises(RuntimeError, match=error):
        screen_index(index, queries, workers=2)


def test_a_party_keeps_the_first_of_its_names_that_reaches_a_score_whatever_the_screening_order(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Screening visits names in the order of their sorted words (for the CPU caches): DELTA's name
    # comes before GAMMA's there, while the party listed GAMMA's first. Both score the same against
    # ALFA BETA, and the reported match must explain the first name given, as in input order.
    designate(con, "ab", "ALFA BETA")
    designate(con, "aa", "OMEGA")  # ALFA BETA is not the first listed party: positions are not inputs
    index = load_candidates(con, as_of=AS_OF)
    gamma, delta = ScreeningQuery("p", "ALFA BETA GAMMA"), ScreeningQuery("p", "ALFA BETA DELTA")
    alone = {q.name: screen_index(index, [q])[0] for q in (gamma, delta)}
    assert alone[gamma.name].score == alone[delta.name].score >= 0.5
    assert alone[gamma.name].explanations != alone[delta.name].explanations
    for first, second in ((gamma, delta), (delta, gamma)):
        (found,) = screen_index(index, [first, second])
        assert found.explanations == alone[first.name].explanations


def test_repeated_spellings_are_compared_once_with_the_same_results(con: duckdb.DuckDBPyConnection) -> None:
    # "ELEKTROPRIBOR HOLDING" and "Elektropribor, Holding" have the same tokens: the index keeps the
    # first, and scores and explanations are those of the full list of names.
    designate(con, "elek", "ELEKTROPRIBOR HOLDING", aliases=("Elektropribor, Holding", "EPH"))
    index = load_candidates(con, as_of=AS_OF)
    names = [name for name, _ in index.records["elek"].names]
    assert names == ["ELEKTROPRIBOR HOLDING", "EPH"]
    full = Record(
        tuple(index.entities["elek"].names), index.records["elek"].country, index.records["elek"].identifiers
    )
    query = screening._record(
        ScreeningQuery("q", "ELEKTROPRIBOR HOLDINGS"), ("elektropribor", "holdings"), {}
    )
    kept = match(query, index.records["elek"], index.weights, index.config)
    every = match(query, full, index.weights, index.config)
    assert len(full.names) == 3 and kept == every and kept.score > 0.5


def test_a_batch_screens_with_the_collector_paused_and_resumes_it_after(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    designate(con, "elek", "ELEKTROPRIBOR HOLDING")
    index = load_candidates(con, as_of=AS_OF)
    seen: list[bool] = []
    real = screening._screen_serial

    def spy(*args: object) -> list[screening.ScreeningMatch]:
        seen.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(screening, "_screen_serial", spy)
    monkeypatch.setattr(screening, "_MIN_PAUSED", 3)
    queries = [ScreeningQuery(f"q{i}", "ELEKTROPRIBOR") for i in range(3)]
    assert gc.isenabled()
    assert screen_index(index, queries[:2]) and screen_index(index, queries)
    assert seen == [True, False]  # a short list (a /match request) is left alone; a batch is paused
    assert gc.isenabled()
    # Inside an outer pause (a forked worker), the batch leaves it in place.
    gc.disable()
    try:
        screen_index(index, queries)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_screening_leaves_no_reference_cycles_so_pausing_the_collector_loses_no_memory(
    con: duckdb.DuckDBPyConnection,
) -> None:
    for n, name in enumerate(["ELEKTROPRIBOR HOLDING", "NORD AXIS LTD", "TAICHUNG MACHINERY WORKS"]):
        designate(con, f"e{n}", name)
    index = load_candidates(con, as_of=AS_OF)
    names = ["ELEKTROPRIBOR", "NORD AXIS", "TAI CHUNG MACHINERY", "UNKNOWN TRADING LLC", ""]
    queries = [ScreeningQuery(f"q{i}", names[i % len(names)], country="RU") for i in range(50)]
    gc.collect()
    gc.disable()
    try:
        found = screening._screen_serial(index, queries, None, 5, False)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert found and unreachable == 0
