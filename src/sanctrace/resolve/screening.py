"""Screen parties against designated parties: who in the declarations may be on a sanctions list.

Candidate generation (a token/prefix/identifier index) lives here; scoring is resolve/matcher.py: a
shared valid registration number decides (score 1.0); two different valid numbers of the same scheme
count heavily against a match; otherwise a calibrated logistic model over name features in which words
frequent in the loaded list (LTD, TRADING, GLOBAL, ...) weigh little. Every match says which feature
contributed what.

Candidates are parties with a designation in force at ``as_of`` (a designation without listed_date
counts as in force since ever). ``dataset`` names either a sanctions list (``designations.list``,
e.g. ``us_ofac_sdn``) or a party dataset (``parties.dataset``); a party qualifies when either
equals it, so callers need not know how a loader labelled its rows.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import duckdb

from sanctrace.resolve._bulk import create_temp_table
from sanctrace.resolve.bulkbound import BulkBounds, Survivors
from sanctrace.resolve.candidates import CandidateIndex, ListedEntity, load_candidates, strong_identifiers
from sanctrace.resolve.forked import SharedCounter, run_forked
from sanctrace.resolve.matcher import FeatureResult, MatchResult, NameCeiling, Record, match
from sanctrace.resolve.names import name_tokens
from sanctrace.resolve.parties import DATASET as DECLARATIONS_DATASET

_PERSON = "Person"
_MATCH_COLUMNS = {
    "query_party_id": "VARCHAR",
    "query_caption": "VARCHAR",
    "entity_id": "VARCHAR",
    "caption": "VARCHAR",
    "score": "DOUBLE",
    "match": "BOOLEAN",
    "threshold": "DOUBLE",
    "explanation": "VARCHAR",
    "list": "VARCHAR",
    "program": "VARCHAR",
    "as_of": "DATE",
}
_ORGANISATIONS = frozenset({"Company", "Organization", "PublicBody"})


@dataclass(frozen=True)
class ScreeningQuery:
    id: str
    name: str
    schema: str = "LegalEntity"
    country: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # scheme (inn, ogrn, ...) -> value


@dataclass(frozen=True)
class ScreeningMatch:
    query_id: str
    entity_id: str
    caption: str
    score: float
    match: bool
    datasets: list[str]  # lists of the designations in force at as_of
    programs: list[str]
    features: dict[str, float]  # feature -> contribution to the score (log-odds)
    explanations: list[str]  # one human-readable line per feature
    details: tuple[FeatureResult, ...] = ()  # feature name, value, weight, contribution, detail


@cache  # a handful of schemata
def _incompatible(query_schema: str) -> frozenset[str]:
    """The entity schemata a query of this schema cannot be: a company cannot be a person, and
    LegalEntity (unknown kind) is compatible with both."""
    if query_schema == _PERSON:
        return _ORGANISATIONS
    if query_schema in _ORGANISATIONS:
        return frozenset({_PERSON})
    return frozenset()


def _record(query: ScreeningQuery, tokens: tuple[str, ...], query_ids: dict[str, set[str]]) -> Record:
    return Record(
        ((query.name, tokens),),
        query.country.upper() if query.country else None,
        {scheme: frozenset(values) for scheme, values in query_ids.items()},
    )


def _score(
    record: Record,
    entity: ListedEntity,
    index: CandidateIndex,
    ceilings: tuple[NameCeiling, ...] | None = None,
) -> MatchResult:
    return match(record, index.records[entity.entity_id], index.weights, index.config, ceilings)


_MIN_PARALLEL = 2_000  # below this many queries starting processes costs more than it saves


_MIN_PAUSED = 500  # batches at least this long screen with the garbage collector paused (see below)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection until the block ends (decision 0017, revised).

    A batch keeps what it finds and fills the name caches, so objects survive into the oldest
    generation and Python's collector walks them over and over: the index's ~800,000 objects every
    ~5,000 names (0.7 s a time) until they were frozen, and still the growing results, which cost the
    parent of two workers a second of CPU per 20,000 names while it unpickled theirs. Screening makes
    no reference cycles (a test checks), so reference counting frees everything it drops and pausing
    the collector loses no memory. Nested use leaves an outer pause in place; forked workers inherit it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _screen_parallel(
    index: CandidateIndex,
    queries: list[ScreeningQuery],
    threshold: float | None,
    limit: int,
    workers: int,
    exhaustive: bool,
) -> list[ScreeningMatch]:
    """Split the batch by query id (the names of one party stay together) over forked processes, the
    caller being one of them (decision 0019).

    The chunks are taken from a shared counter, so no process idles while another has a long last
    chunk. The children inherit the index, the chunks and the counter through the fork: nothing is
    pickled on the way in, and only the children's results on the way back.
    """
    by_id: dict[str, list[ScreeningQuery]] = defaultdict(list)
    for query in queries:
        by_id[query.id].append(query)
    groups = list(by_id.values())
    # Small chunks (about 250 parties, 4 to 32 per worker): the last one taken ends the batch.
    count = max(workers * 4, min(workers * 32, len(groups) // 250))
    # Contiguous runs of parties in the order of their first name's words (casefolded, sorted: a cheap
    # stand-in for the tokens, which each process computes for its own chunks): names that share
    # words land in the same chunk, where screening visits them one after another (_screen_serial).
    groups.sort(key=lambda group: sorted(group[0].name.casefold().split()))
    size = -(-len(groups) // count)
    chunks = [[q for group in groups[i : i + size] for q in group] for i in range(0, len(groups), size)]

    taken = SharedCounter()

    def take_chunks() -> list[ScreeningMatch]:
        found: list[ScreeningMatch] = []
        while (at := taken.take()) < len(chunks):
            found += screen_index(index, chunks[at], threshold=threshold, limit=limit, exhaustive=exhaustive)
        return found

    # Paused before the fork, the children's collector never touches (and so copies) the shared
    # index's pages, and the parent's never walks the results it unpickles.
    with _collector_paused():
        found = run_forked(take_chunks, workers - 1, "screening worker")
    return sorted(found, key=lambda m: m.query_id)


def screen_index(
    index: CandidateIndex,
    queries: Iterable[ScreeningQuery],
    *,
    threshold: float | None = None,
    limit: int = 5,
    workers: int = 1,
    exhaustive: bool = False,
) -> list[ScreeningMatch]:
    """Screen queries against an already built index (see ``screen``).

    With ``workers`` > 1 and a large batch, the queries are screened in that many forked processes
    (the index is shared copy-on-write, not rebuilt); the results are the same as with one.

    Candidates whose score provably cannot reach the report floor (resolve/prefilter.py, computed for
    a batch of names at once by resolve/bulkbound.py) are not scored; ``exhaustive`` scores every
    candidate instead, which gives the same results, slower.
    """
    batch = list(queries)
    if workers > 1 and len(batch) >= _MIN_PARALLEL and "fork" in multiprocessing.get_all_start_methods():
        return _screen_parallel(index, batch, threshold, limit, workers, exhaustive)
    if len(batch) < _MIN_PAUSED:  # a /match request: collections stay as they were
        return _screen_serial(index, batch, threshold, limit, exhaustive)
    with _collector_paused():
        return _screen_serial(index, batch, threshold, limit, exhaustive)


_BOUND_BATCH = 256  # names whose candidates the score bound evaluates together (resolve/bulkbound.py)


@dataclass(frozen=True, slots=True)
class _Blocked:
    """A query name with its candidates' positions, as blocking found them."""

    given: int  # position of the query in the input
    query: ScreeningQuery
    record: Record
    positions: list[int]


def _blocked(
    index: CandidateIndex, query: ScreeningQuery, given: int, tokens: tuple[str, ...]
) -> _Blocked | None:
    """The query's candidates, without the query's own party and the schemata it cannot be."""
    query_ids = strong_identifiers(query.identifiers.items(), query.country)
    if not tokens and not query_ids:
        return None
    own = index.position.get(query.id)  # a listed party screened against its own list
    excluded = _incompatible(query.schema)
    schema_at = index.schema_at
    positions = [
        at
        for at in index.candidate_positions(tokens, query_ids)
        if at != own and schema_at[at] not in excluded
    ]
    return _Blocked(given, query, _record(query, tokens, query_ids), positions)


class _BestMatches:
    """Per (query id, entity): the best match and the input position of its query, which breaks ties
    as input order would (the first name of a party to reach the score keeps it)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.found: dict[tuple[str, str], tuple[ScreeningMatch, int]] = {}

    def offer(self, blocked: _Blocked, entity: ListedEntity, result: MatchResult) -> None:
        query, given, score = blocked.query, blocked.given, result.score
        key = (query.id, entity.entity_id)
        held = self.found.get(key)
        if held is not None and (held[0].score > score or (held[0].score == score and held[1] < given)):
            return
        self.found[key] = (
            ScreeningMatch(
                query_id=query.id,
                entity_id=entity.entity_id,
                caption=entity.caption,
                score=score,
                match=score >= self.threshold,
                datasets=list(entity.lists),
                programs=list(entity.programs),
                features=result.contributions(),
                explanations=result.explanations(),
                details=result.features,
            ),
            given,
        )

    def ranked(self, limit: int) -> list[ScreeningMatch]:
        """At most ``limit`` per query id, best first, query ids in order."""
        by_query: dict[str, list[ScreeningMatch]] = defaultdict(list)
        for found, _at in self.found.values():
            by_query[found.query_id].append(found)
        results = []
        for query_id in sorted(by_query):
            ranked = sorted(by_query[query_id], key=lambda m: (-m.score, m.entity_id))
            results.extend(ranked[:limit])
        return results


def _screen_serial(
    index: CandidateIndex,
    queries: list[ScreeningQuery],
    threshold: float | None,
    limit: int,
    exhaustive: bool,
) -> list[ScreeningMatch]:
    config = index.config
    threshold = config.model.match_threshold if threshold is None else threshold
    lowest = min(config.weights.report_floor, threshold)  # the lowest score that is reported
    bounds = None if exhaustive else BulkBounds(config, index.flat)
    best = _BestMatches(threshold)
    records_at = index.records_at
    # Names in the order of their sorted words: neighbours share words, so blocking postings and the
    # listed parties they block are still in the CPU caches for the next name (about 5 % faster on
    # the benchmark's names; the results do not depend on the order).
    tokenised = [
        (sorted(tokens := tuple(name_tokens(q.name, config))), given, tokens)
        for given, q in enumerate(queries)
    ]
    tokenised.sort()
    for start in range(0, len(tokenised), _BOUND_BATCH):
        # The bound is computed for a batch of names at once, then each name's surviving candidates
        # are scored by the matcher.
        batch = [
            blocked
            for _key, given, tokens in tokenised[start : start + _BOUND_BATCH]
            if (blocked := _blocked(index, queries[given], given, tokens)) is not None
        ]
        if bounds is None:
            kept: list[Survivors] = [[(i, None) for i in range(len(b.positions))] for b in batch]
        else:
            kept = bounds.survivors([(b.record, b.positions) for b in batch], index.weights, lowest)
        for blocked, survivors in zip(batch, kept, strict=True):
            for i, ceilings in survivors:
                at = blocked.positions[i]
                result = match(blocked.record, records_at[at], index.weights, config, ceilings)
                if result.score >= lowest:
                    best.offer(blocked, index.entity_at(at), result)
    return best.ranked(limit)


# FtM schemata and the ones that extend them, as far as the lists use them.
_DESCENDANTS = {
    "Thing": None,
    "LegalEntity": None,
    "Organization": frozenset({"Organization", "Company", "PublicBody"}),
}


def _is_a(entity_schema: str, schema: str | None) -> bool:
    """Whether an entity of ``entity_schema`` is a ``schema`` (None, Thing and LegalEntity: anything)."""
    if schema is None:
        return True
    if schema in _DESCENDANTS:
        kinds = _DESCENDANTS[schema]
        return kinds is None or entity_schema in kinds
    return entity_schema == schema


def search_index(
    index: CandidateIndex, text: str, *, schema: str | None = None, limit: int = 10, offset: int = 0
) -> tuple[int, list[tuple[ListedEntity, float]]]:
    """Free-text search over an index: the blocked candidates of ``text`` ranked by the matcher's
    score (no report floor, no threshold), with the number of candidates found.

    What yente's /search does with a full-text index; here the same blocking and scoring as
    screening, so a search and a match of the same name agree.
    """
    tokens = tuple(name_tokens(text, index.config))
    if not tokens:
        return 0, []
    record = _record(ScreeningQuery("search", text, schema or "LegalEntity"), tokens, {})
    scored = [
        (entity, _score(record, entity, index).score)
        for entity in index.candidates(tokens, {})
        if _is_a(entity.schema, schema)
    ]
    scored.sort(key=lambda item: (-item[1], item[0].entity_id))
    return len(scored), scored[offset : offset + limit]


def screen(
    con: duckdb.DuckDBPyConnection,
    queries: Iterable[ScreeningQuery],
    *,
    dataset: str | None = None,
    threshold: float | None = None,
    as_of: date | None = None,
    limit: int = 5,
    workers: int = 1,
) -> list[ScreeningMatch]:
    """Best designated candidates for each query, at most ``limit`` per query id, best first.

    Candidates scoring below the config's report floor are left out; ``match`` tells whether a
    returned candidate reached ``threshold`` (default: the config's ``model.match_threshold``).
    Several queries may share an id (one per known name
    of a party): the best score per (query id, entity) is kept. ``workers`` processes share a large
    batch (see ``screen_index``); the results do not depend on it.
    """
    index = load_candidates(con, dataset=dataset, as_of=as_of)
    return screen_index(index, queries, threshold=threshold, limit=limit, workers=workers)


def declaration_queries(con: duckdb.DuckDBPyConnection) -> list[ScreeningQuery]:
    """One query per name of each party resolved from declarations, with the party's identifiers."""
    parties = con.execute(
        "SELECT party_id, schema, country FROM parties WHERE dataset = ? ORDER BY party_id",
        [DECLARATIONS_DATASET],
    ).fetchall()
    names: dict[str, list[str]] = defaultdict(list)
    for party_id, name in con.execute(
        "SELECT n.party_id, n.name FROM party_names n JOIN parties p USING (party_id)"
        " WHERE p.dataset = ? ORDER BY n.party_id, n.name",
        [DECLARATIONS_DATASET],
    ).fetchall():
        names[party_id].append(name)
    identifiers: dict[str, dict[str, str]] = defaultdict(dict)
    for party_id, scheme, value in con.execute(
        "SELECT i.party_id, i.scheme, i.value FROM party_identifiers i JOIN parties p USING (party_id)"
        " WHERE p.dataset = ? AND i.valid ORDER BY i.party_id, i.scheme, i.value",
        [DECLARATIONS_DATASET],
    ).fetchall():
        identifiers[party_id].setdefault(scheme, value)
    return [
        ScreeningQuery(party_id, name, schema, country, identifiers[party_id])
        for party_id, schema, country in parties
        for name in names[party_id]
    ]


def screen_parties(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date | None = None,
    threshold: float | None = None,
    workers: int = 1,
) -> int:
    """Screen every declarations party against all designated parties into ``screening_matches``.

    Replaces the rows of the same as_of, so re-running is idempotent. Near misses above the report
    floor are stored too (``match`` false) so an analyst can review them; returns the number of
    matches (rows with ``match`` true).
    """
    day = as_of or date.today()
    captions = dict(
        con.execute(
            "SELECT party_id, caption FROM parties WHERE dataset = ?", [DECLARATIONS_DATASET]
        ).fetchall()
    )
    index = load_candidates(con, as_of=day)
    threshold = index.config.model.match_threshold if threshold is None else threshold
    results = screen_index(index, declaration_queries(con), threshold=threshold, limit=10, workers=workers)
    rows = [
        (
            m.query_id,
            captions.get(m.query_id),
            m.entity_id,
            m.caption,
            m.score,
            m.match,
            threshold,
            json.dumps(
                {
                    "features": m.features,
                    "explanations": m.explanations,
                    "details": [
                        {"feature": d.name, "value": d.value, "weight": d.weight}
                        | {"contribution": d.contribution}
                        for d in m.details
                    ],
                },
                ensure_ascii=False,
            ),
            "; ".join(m.datasets) or None,
            "; ".join(m.programs) or None,
            day,
        )
        for m in results
    ]
    create_temp_table(con, "_screen_rows", _MATCH_COLUMNS, rows)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM screening_matches WHERE as_of = ?", [day])
        con.execute(f"INSERT INTO screening_matches ({', '.join(_MATCH_COLUMNS)}) SELECT * FROM _screen_rows")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _screen_rows")
    return sum(1 for m in results if m.match)
