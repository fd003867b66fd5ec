"""The candidate index of screening: designated parties in force at one date, blocked by name token,
token prefix and identifier, with what the matcher and the score bound need of each, precomputed.

Built once per screening run (or kept by a server); resolve/screening.py asks it for a few dozen
candidates per query name and scores them.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb

from sanctrace.resolve._bulk import create_temp_table
from sanctrace.resolve.bulkbound import FlatProfiles
from sanctrace.resolve.config import MatchingConfig, default_config
from sanctrace.resolve.identifiers import STRONG_SCHEMES, guess_scheme, is_valid, normalize_identifier
from sanctrace.resolve.matcher import Record
from sanctrace.resolve.names import TokenWeights, name_tokens
from sanctrace.resolve.prefilter import Profile, glued_words

_PREFIX_DISCOUNT = 0.5
# FollowTheMoney property names a caller may use instead of scheme codes.
_SCHEME_ALIASES = {
    "inncode": "inn",
    "ogrncode": "ogrn",
    "leicode": "lei",
    "imonumber": "imo",
    "ogrnip": "ogrn",
}


@dataclass(slots=True)
class ListedEntity:
    entity_id: str
    caption: str
    schema: str
    country: str | None
    lists: list[str]
    programs: list[str]
    names: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    identifiers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def strong_identifiers(pairs: Iterable[tuple[str, str]], country: str | None) -> dict[str, set[str]]:
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


class CandidateIndex:
    """Designated parties in force at one date, indexed by name token, token prefix and identifier.

    Built once per screening run (or kept by a server) so each query looks at a few dozen
    candidates, not the whole list: a blocking index, never all pairs. A candidate's blocking score
    is the summed rarity (log inverse posting size) of the keys it shares with the query, so a rare
    word such as ELEKTROPRIBOR outranks LTD or TRADING; a shared valid identifier is a direct lookup
    and always makes the candidate list.
    """

    def __init__(self, entities: list[ListedEntity], config: MatchingConfig) -> None:
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
        # For the score bound: which words make up each glued pair of the listed names.
        self.glued_words = glued_words(self.profiles_at)
        # The same profiles as flat arrays, on which the bound is computed for all of a query's
        # candidates at once (resolve/bulkbound.py).
        self.flat = FlatProfiles(self.profiles_at, self.glued_words)
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

    def candidates(self, tokens: tuple[str, ...], identifiers: dict[str, set[str]]) -> list[ListedEntity]:
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

    def entity_at(self, at: int) -> ListedEntity:
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
        r[0]: ListedEntity(r[0], r[1], r[2], r[3], [x for x in r[4] if x], [x for x in r[5] if x])
        for r in rows
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
            entity.identifiers = strong_identifiers(id_pairs[entity.entity_id], entity.country)
    return CandidateIndex(list(entities.values()), cfg)
