"""The score bound of resolve/prefilter.py: never below the matcher's score, so pruning loses nothing."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from sanctrace.resolve.candidates import CandidateIndex, ListedEntity
from sanctrace.resolve.config import default_config, with_model
from sanctrace.resolve.matcher import align, match
from sanctrace.resolve.names import name_tokens
from sanctrace.resolve.prefilter import Bounds, _Query, _score, length_spread, lengths_near, logit_below
from sanctrace.resolve.screening import ScreeningQuery, _record, screen_index
from tests.conftest import SHARED_DATA

_SCHEMA = {"entity": "Company", "individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_FORMS = ["LLC", "LTD", "OOO", "CO., LTD.", "JSC", "GMBH", "TRADING CO"]


def _entity(
    entity_id: str, names: list[str], schema: str = "Company", country: str | None = None
) -> ListedEntity:
    entity = ListedEntity(entity_id, names[0], schema, country, ["us_ofac_sdn"], ["TEST"])
    for name in dict.fromkeys(names):
        tokens = tuple(name_tokens(name))
        if tokens:
            entity.names.append((name, tokens))
    return entity


def _sdn_index(shared_data: Path, every: int = 6) -> CandidateIndex:
    """Every ``every``-th entry of the 2026 OFAC SDN list, with its alternate names."""
    path = shared_data / "ofac_sdn_2026_flat" / "ofac-sdn.csv"
    entities = []
    with path.open(encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if n % every:
                continue
            aliases = [a.strip() for a in row["alternate_names"].split(";") if a.strip()]
            schema = _SCHEMA.get(row["type"], "LegalEntity")
            entities.append(_entity(f"ofac-{row['uid']}", [row["name"], *aliases], schema))
    return CandidateIndex(entities, default_config())


def _variants(index: CandidateIndex, count: int, seed: int = 7) -> list[ScreeningQuery]:
    """Listed names changed the ways screening must survive (word order, legal form, typo, glued or
    split words, numbers, country), and invented names."""
    rng = random.Random(seed)
    listed = sorted(name for e in index.entities.values() for name, _ in e.names)
    queries = []
    for i in range(count):
        words = rng.choice(listed).replace(",", " ").split()
        change = i % 8
        if change == 0 and len(words) > 1:
            rng.shuffle(words)
        elif change == 1:
            words.append(rng.choice(_FORMS))
        elif change == 2 and len(words) > 1:
            j = rng.randrange(len(words) - 1)
            words[j : j + 2] = [words[j] + words[j + 1]]  # glued
        elif change == 3 and len(words[0]) > 6:
            words[:1] = [words[0][:3], words[0][3:]]  # split
        elif change == 4:
            name = " ".join(words)
            j = rng.randrange(1, max(2, len(name) - 1))
            words = (name[:j] + name[j + 1 : j + 2] + name[j : j + 1] + name[j + 2 :]).split()  # typo
        elif change == 5:
            words.append(str(rng.randint(1, 3)))
        elif change == 6:
            words = [rng.choice(listed).split()[0], rng.choice(["TRADING", "GLOBAL", "GROUP"]), "LLC"]
        country = rng.choice([None, "RU", "IR", "CN"])
        schema = rng.choice(["LegalEntity", "Company", "Person"])
        queries.append(ScreeningQuery(f"q{i}", " ".join(words), schema, country))
    return queries


def _bounded_pairs(index: CandidateIndex, queries: list[ScreeningQuery]) -> tuple[int, int]:
    """Check bound >= score for every blocked pair; return (pairs, pairs the bound keeps)."""
    bounds = Bounds(index.config, index.glued_words)
    below = logit_below(0.5)
    pairs = kept = 0
    for query in queries:
        tokens = tuple(name_tokens(query.name, index.config))
        if not tokens:
            continue
        candidates = index.candidates(tokens, {})
        record = _record(query, tokens, {})
        profiles = [index.profiles[e.entity_id] for e in candidates]
        similarity_min = index.config.weights.token_similarity_min
        prepared = _Query(record, index.weights, profiles, similarity_min, index.glued_words)
        for entity, profile in zip(candidates, profiles, strict=True):
            bound = bounds.logit(prepared, profile)
            candidate = index.records[entity.entity_id]
            result = match(record, candidate, index.weights, index.config)
            assert result.score <= _score(bound), (query.name, entity.caption, result.score, bound)
            ceilings = bounds.ceilings(prepared, profile)
            for (_, c_tokens), ceiling in zip(candidate.names, ceilings, strict=True):
                dice = align(tokens, c_tokens, index.weights, index.config.weights.token_similarity_min)[0]
                assert dice <= ceiling.dice + 1e-12, (query.name, c_tokens, dice, ceiling)
            with_ceilings = match(record, candidate, index.weights, index.config, ceilings)
            assert with_ceilings == result, (query.name, entity.caption)
            pairs += 1
            kept += bound > below
    return pairs, kept


@pytest.fixture(scope="module")
def sdn_index() -> CandidateIndex:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"staged real data not found at {SHARED_DATA}")
    return _sdn_index(SHARED_DATA)


def test_bound_is_never_below_the_score_on_real_sdn_names(sdn_index: CandidateIndex) -> None:
    index = sdn_index
    pairs, kept = _bounded_pairs(index, _variants(index, 400))
    assert pairs > 5_000
    assert kept < pairs / 4  # the bound does prune: most blocked candidates cannot be reported


def test_pruned_screening_equals_exhaustive_scoring_on_real_sdn_names(sdn_index: CandidateIndex) -> None:
    index = sdn_index
    queries = _variants(index, 600, seed=11)
    fast = screen_index(index, queries)
    full = screen_index(index, queries, exhaustive=True)
    assert sum(m.match for m in full) > 200
    assert fast == full  # scores, match flags, features, explanations: all identical
    low = screen_index(index, queries, threshold=0.3, limit=10)
    assert low == screen_index(index, queries, threshold=0.3, limit=10, exhaustive=True)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("MILITARYTECHNICAL BUREAU", ["MILITARY TECHNICAL BUREAU"]),  # glued word
        ("MILITARY TECHNICAL BUREAU", ["MILITARYTECHNICAL BUREAU"]),  # split word
        ("HAO FAN 6", ["HAO FAN 2", "HAO FAN 6"]),  # numbers
        ("ELEKTROPRIBOR", ["CONCERN CSRI ELEKTROPRIBOR JSC", "ELEKTROPRIBOR"]),
        ("TAICHUNG MACHINERY", ["台中精機廠股份有限公司", "TAI CHUNG MACHINERY WORKS"]),
    ],
)
def test_bound_covers_glued_split_and_numbered_names(query: str, names: list[str]) -> None:
    index = CandidateIndex([_entity("e", names), _entity("x", ["UNRELATED NAME"])], default_config())
    found = screen_index(index, [ScreeningQuery("q", query)], threshold=0.0)
    assert found == screen_index(index, [ScreeningQuery("q", query)], threshold=0.0, exhaustive=True)
    assert [m.entity_id for m in found] == ["e"]


def test_glued_words_are_the_words_of_every_split_of_a_pair() -> None:
    """A word near a glued pair is dropped from the bound only if it is one of the pair's two words
    wherever the pair occurs: MARKOVAL is MAR + KOVAL in one name and MARK + OVAL in another."""
    index = CandidateIndex(
        [
            _entity("a", ["ACADEMY OF SCIENCES"]),
            _entity("b", ["MAR KOVAL"]),
            _entity("c", ["MARK OVAL TRADING"]),
        ],
        default_config(),
    )
    assert index.glued_words["ofsciences"] == {"of", "sciences"}
    assert index.glued_words["markoval"] == frozenset()
    assert index.glued_words["ovaltrading"] == {"oval", "trading"}
    queries = [
        ScreeningQuery(f"q{i}", name)
        for i, name in enumerate(["MARKOVAL", "MARK KOVAL", "MAR OVAL", "SCIENCES ACADEMY", "OFSCIENCE"])
    ]
    found = screen_index(index, queries, threshold=0.0, limit=10)
    assert len(found) >= 5
    assert found == screen_index(index, queries, threshold=0.0, limit=10, exhaustive=True)


def test_a_shared_identifier_is_never_pruned() -> None:
    entity = _entity("e", ["ROMASHKA"])
    entity.identifiers["inn"] = {"7704374171"}
    index = CandidateIndex([entity], default_config())
    query = ScreeningQuery("q", "ROMASHKA TOTALLY DIFFERENT WORDS", identifiers={"inn": "7704374171"})
    [found] = screen_index(index, [query])
    assert found.score == 1.0


def test_below_is_the_last_logit_that_rounds_under_the_cut() -> None:
    for cut in (0.3, 0.5, 0.6, 0.9):
        below = logit_below(cut)
        assert _score(below) < cut <= _score(below + 1e-8)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pruning_stays_exact_under_other_model_weights(sdn_index: CandidateIndex, seed: int) -> None:
    """The bound reads the weights from the config: refitted weights, a negative name weight or the
    identifier rule switched off must not make it prune a reportable candidate."""
    rng = random.Random(seed)
    config = sdn_index.config
    weights = {name: round(rng.uniform(-1.5, 3.0), 3) for name, _ in config.model.weights}
    changed = with_model(config, round(rng.uniform(-5.0, -1.0), 3), weights)
    model = changed.model.model_copy(update={"identifier_decides": seed != 2})
    sdn_index.config = changed.model_copy(update={"model": model})
    try:
        queries = _variants(sdn_index, 150, seed=seed)
        fast = screen_index(sdn_index, queries, threshold=0.4, limit=10)
        assert fast and fast == screen_index(sdn_index, queries, threshold=0.4, limit=10, exhaustive=True)
    finally:
        sdn_index.config = config


@given(
    st.text(alphabet="abcdeéжя", min_size=1, max_size=30),
    st.text(alphabet="abcdeéжя", min_size=1, max_size=45),
    st.sampled_from([0.5, 0.7, 0.8, 0.9, 1.0]),
)
def test_a_near_word_has_a_length_within_the_window(probe: str, word: str, similarity_min: float) -> None:
    """The near-word lookup compares a probe only with words of a length in lengths_near: a word
    outside the window must never reach the alignment ratio."""
    cutoff = similarity_min * 100.0 - 1e-6
    low, high = lengths_near(len(probe), length_spread(cutoff))
    if fuzz.ratio(probe, word) >= cutoff:
        assert low <= len(word) <= high
    if similarity_min == 0.8:
        assert low <= len(probe) * 2 / 3 and high >= len(probe) * 1.5  # the exact bounds at 80, kept


def test_the_length_window_is_tight_at_the_edges() -> None:
    # Six letters against nine: 2 * 6 / 15 = 0.8 exactly, the highest ratio these lengths allow.
    assert fuzz.ratio("abcdef", "abcdefghi") == 80.0
    low, high = lengths_near(6, length_spread(80.0 - 1e-6))
    assert low <= 4 and 9 <= high < 11
