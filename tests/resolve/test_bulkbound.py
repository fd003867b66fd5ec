"""The bulk score bound of resolve/bulkbound.py: the same bound and ceilings as prefilter.py, the
reference, for every blocked candidate; batches change nothing; queries it does not handle fall back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrace.resolve.bulkbound import _MAX_TOKENS, BulkBounds
from sanctrace.resolve.candidates import CandidateIndex
from sanctrace.resolve.config import default_config
from sanctrace.resolve.matcher import Record
from sanctrace.resolve.names import name_tokens
from sanctrace.resolve.prefilter import Bounds, _Query
from sanctrace.resolve.screening import ScreeningQuery, _record, screen_index
from tests.conftest import SHARED_DATA
from tests.resolve.test_prefilter import _entity, _sdn_index, _variants


@pytest.fixture(scope="module")
def sdn_index() -> CandidateIndex:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"staged real data not found at {SHARED_DATA}")
    return _sdn_index(SHARED_DATA)


def _blocked(index: CandidateIndex, queries: list[ScreeningQuery]) -> list[tuple[Record, list[int]]]:
    found = []
    for query in queries:
        tokens = tuple(name_tokens(query.name, index.config))
        if tokens:
            found.append((_record(query, tokens, {}), index.candidate_positions(tokens, {})))
    return found


def test_bulk_bound_and_ceilings_equal_the_reference_on_real_sdn_names(sdn_index: CandidateIndex) -> None:
    index = sdn_index
    bulk = BulkBounds(index.config, index.flat)
    reference = Bounds(index.config, index.glued_words)
    similarity_min = index.config.weights.token_similarity_min
    pairs = glued = 0
    for record, positions in _blocked(index, _variants(index, 400, seed=5)):
        profiles = [index.profiles_at[at] for at in positions]
        prepared = _Query(record, index.weights, profiles, similarity_min, index.glued_words)
        glued += bool(prepared.glued or prepared.pairs)
        logits = bulk.logits(record, index.weights, positions)
        ceilings = bulk.ceilings(record, index.weights, positions)
        for profile, logit, ceiling in zip(profiles, logits, ceilings, strict=True):
            assert logit == pytest.approx(reference.logit(prepared, profile), abs=1e-9)
            expected = reference.ceilings(prepared, profile)
            assert len(ceiling) == len(expected)
            for mine, theirs in zip(ceiling, expected, strict=True):
                assert mine.dice == pytest.approx(theirs.dice, abs=1e-12)
                assert mine.phonetic == pytest.approx(theirs.phonetic, abs=1e-12)
            pairs += 1
    assert pairs > 5_000
    assert glued > 20  # the glued-word and glued-pair paths were exercised


def test_a_batch_gives_what_each_query_gives_alone(sdn_index: CandidateIndex) -> None:
    index = sdn_index
    bulk = BulkBounds(index.config, index.flat)
    blocked = _blocked(index, _variants(index, 120, seed=9))
    together = bulk.survivors(blocked, index.weights, 0.5)
    alone = [bulk.survivors([item], index.weights, 0.5)[0] for item in blocked]
    assert together == alone
    assert sum(map(len, together)) > 20


def test_queries_the_bulk_bound_does_not_take_fall_back_to_the_reference() -> None:
    """More words than the masks hold, or no candidate: the results are the matcher's all the same."""
    words = [f"W{i:02d}X" for i in range(_MAX_TOKENS + 5)]
    index = CandidateIndex(
        [_entity("long", [" ".join(words)]), _entity("short", ["ALFA OMEGA TRADING"])], default_config()
    )
    queries = [
        ScreeningQuery("q1", " ".join(reversed(words))),
        ScreeningQuery("q2", "ALFA OMEGA"),
        ScreeningQuery("q3", "NOTHING ALIKE"),
    ]
    found = screen_index(index, queries, threshold=0.0, limit=10)
    assert found == screen_index(index, queries, threshold=0.0, limit=10, exhaustive=True)
    assert {m.query_id for m in found if m.match} == {"q1", "q2"}


# Few syllables, so that generated names share words, glue and split into each other's words, repeat
# a word, carry numbers and differ by a letter: the cases where the bound's rules are subtle.
_SYLLABLES = ["AL", "ALF", "FA", "OM", "EGA", "OMEGA", "ALFA", "TRADE", "TRADING", "1", "2", "LLC", "A"]
_WORDS = st.lists(st.sampled_from(_SYLLABLES), min_size=1, max_size=3).map("".join)
_NAMES = st.lists(_WORDS, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(_NAMES, min_size=1, max_size=3), min_size=1, max_size=8),
    st.lists(st.tuples(_NAMES, st.sampled_from([None, "RU", "CN"])), min_size=1, max_size=12),
)
def test_pruned_screening_equals_exhaustive_on_generated_names(
    listed: list[list[str]], queries: list[tuple[str, str | None]]
) -> None:
    entities = [_entity(f"e{i}", names, country=["RU", None][i % 2]) for i, names in enumerate(listed)]
    index = CandidateIndex([e for e in entities if e.names], default_config())
    batch = [ScreeningQuery(f"q{i}", name, country=country) for i, (name, country) in enumerate(queries)]
    # At the default threshold (the report floor prunes) and at a low one (more survive).
    for threshold in (None, 0.3):
        found = screen_index(index, batch, threshold=threshold, limit=10)
        assert found == screen_index(index, batch, threshold=threshold, limit=10, exhaustive=True)
