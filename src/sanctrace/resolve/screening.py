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
import math
import multiprocessing
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import duckdb

from sanctrace.resolve._bulk import create_temp_table
from sanctrace.resolve.config import MatchingConfig, default_config
from sanctrace.resolve.forked import SharedCounter, run_forked
from sanctrace.resolve.identifiers import STRONG_SCHEMES, guess_scheme, is_valid, normalize_identifier
from sanctrace.resolve.matcher import FeatureResult, MatchResult, NameCeiling, Record, match
from sanctrace.resolve.names import TokenWeights, name_tokens
from sanctrace.resolve.parties import DATASET as DECLARATIONS_DATASET
from sanctrace.resolve.prefilter import Bounds, Profile

# FollowTheMoney property names a caller may use instead of scheme codes.
_SCHEME_ALIASES = {
    "inncode": "inn",
    "ogrncode": "ogrn",
    "leicode": "lei",
    "imonumber": "imo",
    "ogrnip": "ogrn",
}
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
_PREFIX_DISCOUNT = 0.5


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


@dataclass(slots=True)
class _Entity:
    entity_id: str
    caption: str
    schema: str
    country: str | None
    lists: list[str]
    programs: list[str]
    names: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    identifiers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _strong_identifiers(pairs: Iterable[tuple[str, str]], country: str | None) -> dict[str, set[str]]:
    """Valid identifiers of decisive schemes only: an unchecked number must not decide a match."""
    found: dict[str, set[str]] = defaultdict(set)
    for scheme, raw in pairs:
        value = normalize_identifier(raw)
        scheme = _SCHEME_ALIASES.get(scheme.lower(), scheme.lower())
        if scheme not in STRONG_SCHEMES:
            scheme = guess_scheme(value, country) or scheme
        if scheme in STRONG_SCHEMES and is_valid(scheme, value):
            found[scheme].add(value)
    return found


@cache  # a handful of schemata
def _incompatible(query_schema: str) -> frozenset[str]:
    """The entity schemata a query of this schema cannot be: a company cannot be a person, and
    LegalEntity (unknown kind) is compatible with both."""
    if query_schema == _PERSON:
        return _ORGANISATIONS
    if query_schema in _ORGANISATIONS:
        return frozenset({_PERSON})
    return frozenset()


class CandidateIndex:
    """Designated parties in force at one date, indexed by name token, token prefix and identifier.

    Built once per screening run (or kept by a server) so each query looks at a few dozen
    candidates, not the whole list: a blocking index, never all pairs. A candidate's blocking score
    is the summed rarity (log inverse posting size) of the keys it shares with the query, so a rare
    word such as ELEKTROPRIBOR outranks LTD or TRADING; a shared valid identifier is a direct lookup
    and always makes the candidate list.
    """

    def __init__(self, entities: list[_Entity], config: MatchingConfig) -> None:
        self.config = config
        self.entities = {e.entity_id: e for e in entities}
        # Postings hold positions in entity id order, not the ids: small ints hash and compare faster
        # than strings in the per-query sums, and sorting positions sorts by id.
        self._by_position = [self.entities[entity_id] for entity_id in sorted(self.entities)]
        position = {entity.entity_id: at for at, entity in enumerate(self._by_position)}
        self.tokens: dict[str, set[int]] = defaultdict(set)
        self.ids: dict[tuple[str, str], set[int]] = defaultdict(set)
        # Word weights learned from this list: a word most designated names carry identifies little.
        self.weights = TokenWeights((tokens for e in entities for _, tokens in e.names), config)
        self.records = {
            e.entity_id: Record(
                _first_per_tokens(e.names),
                e.country.upper() if e.country else None,
                {scheme: frozenset(values) for scheme, values in e.identifiers.items()},
            )
            for e in entities
        }
        # What the score bound of resolve/prefilter.py needs of each candidate, computed once here
        # (and shared copy-on-write by forked workers) rather than per query.
        self.profiles = {
            entity_id: Profile.of(record, self.weights) for entity_id, record in self.records.items()
        }
        # The same by position, for the per-query loop: a list index reads no entity and hashes no id.
        self.position = position
        self.records_at = [self.records[e.entity_id] for e in self._by_position]
        self.profiles_at = [self.profiles[e.entity_id] for e in self._by_position]
        self.schema_at = [sys.intern(e.schema) for e in self._by_position]
        for entity in entities:
            for _name, tokens in entity.names:
                for key in self._keys(tokens):
                    self.tokens[key].add(position[entity.entity_id])
            for scheme, values in entity.identifiers.items():
                for value in values:
                    self.ids[(scheme, value)].add(position[entity.entity_id])
        size = len(self.entities) + 1
        # A prefix key is weaker evidence than the whole word: it also blocks typos and endings.
        self.rarity = {
            key: math.log(size / len(ids)) * (_PREFIX_DISCOUNT if key.startswith("^") else 1.0)
            for key, ids in self.tokens.items()
        }

    def _keys(self, tokens: Iterable[str]) -> set[str]:
        size = self.config.blocking.prefix_length
        keys = set()
        for token in tokens:
            keys.add(token)
            if len(token) > size:
                keys.add("^" + token[:size])
        return keys

    def candidates(self, tokens: tuple[str, ...], identifiers: dict[str, set[str]]) -> list[_Entity]:
        """At most ``blocking.max_candidates`` by blocking score, plus every identifier hit."""
        entities = self._by_position
        return [entities[at] for at in self.candidate_positions(tokens, identifiers)]

    def candidate_positions(self, tokens: tuple[str, ...], identifiers: dict[str, set[str]]) -> list[int]:
        """``candidates`` as positions (see ``entity_at``), best first."""
        distinctive = tuple(t for t in tokens if t not in self.config.generic_words) or tokens
        # Keys in a fixed order (largest posting first, then by key) so that the float sums, and so the
        # ranking of ties, do not depend on string hashing; the largest posting is counted in C.
        postings = sorted(
            ((key, found) for key in self._keys(distinctive) if (found := self.tokens.get(key))),
            key=lambda item: (-len(item[1]), item[0]),
        )
        overlap: dict[int, float] = {}
        if postings:
            key, found = postings[0]
            overlap = dict.fromkeys(found, 0.0 + self.rarity[key])
            for key, found in postings[1:]:
                rarity = self.rarity[key]
                # Set operations (C code) split the posting: entities already counted get the rarity
                # added, one by one; new ones start at it (0.0 + rarity, the same float).
                counted = found & overlap.keys()
                for at in counted:
                    overlap[at] += rarity
                overlap.update(dict.fromkeys(found - counted, rarity))
        chosen = _best(overlap, self.config.blocking.max_candidates)
        for scheme, values in identifiers.items():
            for value in values:
                chosen.extend(self.ids.get((scheme, value), ()))
        return list(dict.fromkeys(chosen)) if identifiers else chosen

    def entity_at(self, at: int) -> _Entity:
        return self._by_position[at]


def _best(overlap: dict[int, float], size: int) -> list[int]:
    """The ``size`` positions with the highest overlap, ties to the lower position (the entity id
    first in order), best first: what ``heapq.nsmallest(size, key=(-overlap, position))`` gives, with
    sorts in C instead of a key function per entity. Many entities often tie at the cut (all that share
    one common word), so only those are sorted by position, and only as many as are needed."""
    tied: list[int] = []
    if len(overlap) > size:
        floor = sorted(overlap.values(), reverse=True)[size - 1]
        above = [at for at, value in overlap.items() if value > floor]
        tied = sorted(at for at, value in overlap.items() if value == floor)[: size - len(above)]
    else:
        above = list(overlap)
    above.sort()
    above.sort(key=overlap.__getitem__, reverse=True)  # stable: position order among equals
    return above + tied


def _first_per_tokens(names: list[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The names, without those whose tokens an earlier name has ("ACME LLC" after "Acme, L.L.C.").

    Every name feature of the matcher and every bound of the prefilter is a function of the tokens
    that keeps the first of several equal values, so a later name with the same tokens can change no
    score and no explanation; about one listed name in eleven is such a repeat, and each would be
    aligned again for every query that blocks its party.
    """
    first: dict[tuple[str, ...], str] = {}
    for name, tokens in names:
        first.setdefault(tokens, name)
    return tuple((name, tokens) for tokens, name in first.items())


def load_candidates(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str | None = None,
    as_of: date | None = None,
    config: MatchingConfig | None = None,
) -> CandidateIndex:
    """Index the parties with a designation in force at ``as_of`` (default: today)."""
    cfg = config or default_config()
    day = as_of or date.today()
    rows = con.execute(
        "SELECT p.party_id, p.caption, p.schema, p.country,"
        " list(DISTINCT d.list ORDER BY d.list), list(DISTINCT d.program ORDER BY d.program)"
        " FROM parties p JOIN designations d ON d.party_id = p.party_id"
        " WHERE (d.listed_date IS NULL OR d.listed_date <= $day)"
        " AND (d.delisted_date IS NULL OR d.delisted_date > $day)"
        " AND ($dataset IS NULL OR d.list = $dataset OR p.dataset = $dataset)"
        " GROUP BY ALL ORDER BY p.party_id",
        {"day": day, "dataset": dataset},
    ).fetchall()
    entities = {
        r[0]: _Entity(r[0], r[1], r[2], r[3], [x for x in r[4] if x], [x for x in r[5] if x]) for r in rows
    }
    if entities:
        create_temp_table(con, "_screen_ids", {"party_id": "VARCHAR"}, ([e] for e in entities))
        names = con.execute(
            "SELECT DISTINCT n.party_id, n.name FROM party_names n JOIN _screen_ids USING (party_id)"
            " ORDER BY ALL"
        ).fetchall()
        idents = con.execute(
            "SELECT i.party_id, i.scheme, i.value FROM party_identifiers i JOIN _screen_ids USING (party_id)"
        ).fetchall()
        con.execute("DROP TABLE _screen_ids")
        by_party: dict[str, set[str]] = defaultdict(set)
        for party_id, name in names:
            by_party[party_id].add(name)
        id_pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for party_id, scheme, value in idents:
            id_pairs[party_id].append((scheme, value))
        for entity in entities.values():
            for name in sorted(by_party[entity.entity_id] | {entity.caption}):
                tokens = tuple(name_tokens(name, cfg))
                if tokens:
                    entity.names.append((name, tokens))
            entity.identifiers = _strong_identifiers(id_pairs[entity.entity_id], entity.country)
    return CandidateIndex(list(entities.values()), cfg)


def _record(query: ScreeningQuery, tokens: tuple[str, ...], query_ids: dict[str, set[str]]) -> Record:
    return Record(
        ((query.name, tokens),),
        query.country.upper() if query.country else None,
        {scheme: frozenset(values) for scheme, values in query_ids.items()},
    )


def _score(
    record: Record, entity: _Entity, index: CandidateIndex, ceilings: tuple[NameCeiling, ...] | None = None
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

    Candidates whose score provably cannot reach the report floor (resolve/prefilter.py) are not
    scored; ``exhaustive`` scores every candidate instead, which gives the same results, slower.
    """
    batch = list(queries)
    if workers > 1 and len(batch) >= _MIN_PARALLEL and "fork" in multiprocessing.get_all_start_methods():
        return _screen_parallel(index, batch, threshold, limit, workers, exhaustive)
    if len(batch) < _MIN_PAUSED:  # a /match request: collections stay as they were
        return _screen_serial(index, batch, threshold, limit, exhaustive)
    with _collector_paused():
        return _screen_serial(index, batch, threshold, limit, exhaustive)


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
    bounds = None if exhaustive else Bounds(config)
    # Per (query id, entity): the best match and the input position of its query, which breaks ties
    # as input order would (the first name of a party to reach the score keeps it).
    best: dict[tuple[str, str], tuple[ScreeningMatch, int]] = {}
    # Names in the order of their sorted words: neighbours share words, so blocking postings and the
    # listed parties they block are still in the CPU caches for the next name (about 5 % faster on
    # the benchmark's names; the results do not depend on the order).
    tokenised = [
        (sorted(tokens := tuple(name_tokens(q.name, config))), given, tokens)
        for given, q in enumerate(queries)
    ]
    tokenised.sort()
    for _key, given, tokens in tokenised:
        query = queries[given]
        query_ids = _strong_identifiers(query.identifiers.items(), query.country)
        if not tokens and not query_ids:
            continue
        record = _record(query, tokens, query_ids)
        own = index.position.get(query.id)  # a listed party screened against its own list
        excluded, schema_at = _incompatible(query.schema), index.schema_at
        positions = [
            at
            for at in index.candidate_positions(tokens, query_ids)
            if at != own and schema_at[at] not in excluded
        ]
        scored: list[tuple[int, tuple[NameCeiling, ...] | None]] = [(at, None) for at in positions]
        if bounds is not None and positions:
            profiles_at = index.profiles_at
            kept = bounds.survivors(record, index.weights, [profiles_at[at] for at in positions], lowest)
            scored = [(positions[i], ceilings) for i, ceilings in kept]
        for at, ceilings in scored:
            result = match(record, index.records_at[at], index.weights, config, ceilings)
            score = result.score
            if score < lowest:
                continue
            entity = index.entity_at(at)
            key = (query.id, entity.entity_id)
            held = best.get(key)
            if held is not None and (held[0].score > score or (held[0].score == score and held[1] < given)):
                continue
            best[key] = (
                ScreeningMatch(
                    query_id=query.id,
                    entity_id=entity.entity_id,
                    caption=entity.caption,
                    score=score,
                    match=score >= threshold,
                    datasets=list(entity.lists),
                    programs=list(entity.programs),
                    features=result.contributions(),
                    explanations=result.explanations(),
                    details=result.features,
                ),
                given,
            )
    by_query: dict[str, list[ScreeningMatch]] = defaultdict(list)
    for found, _at in best.values():
        by_query[found.query_id].append(found)
    results = []
    for query_id in sorted(by_query):
        ranked = sorted(by_query[query_id], key=lambda m: (-m.score, m.entity_id))
        results.extend(ranked[:limit])
    return results


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
) -> tuple[int, list[tuple[_Entity, float]]]:
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
) -> list[ScreeningMatch]:
    """Best designated candidates for each query, at most ``limit`` per query id, best first.

    Candidates scoring below the config's report floor are left out; ``match`` tells whether a
    returned candidate reached ``threshold`` (default: the config's ``model.match_threshold``).
    Several queries may share an id (one per known name
    of a party): the best score per (query id, entity) is kept.
    """
    index = load_candidates(con, dataset=dataset, as_of=as_of)
    return screen_index(index, queries, threshold=threshold, limit=limit)


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
    con: duckdb.DuckDBPyConnection, *, as_of: date | None = None, threshold: float | None = None
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
    results = screen_index(index, declaration_queries(con), threshold=threshold, limit=10)
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
