"""Turn the free-text shippers and consignees of customs declarations into parties.

First form of entity resolution: a shared valid registration number (INN, OGRN, ...) puts spellings
in one party; without one, spellings with the same name key and country do. A spelling without a
number joins a numbered party when exactly one numbered party has its key and country, so
"ООО «АЙ МАШИН ТЕХНОЛОДЖИ»" with INN and "OOO AI MASHIN TEKHNOLODZHI" without end up together,
but two distinct companies with the same name and different INNs stay apart. When several numbered
parties have it, it joins one only if that one dominates the others by mentions (decision 0016:
a firm's own number against stray one-off numbers on single lines).

Work is done per DISTINCT (name, identifier, country), never per declaration line; SQL joins the
result back. Party ids are hashes of the cluster key, so re-running yields the same ids.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
from rapidfuzz import fuzz

from sanctrace.resolve._bulk import create_temp_table
from sanctrace.resolve.config import MatchingConfig, SupportRule, default_config
from sanctrace.resolve.identifiers import STRONG_SCHEMES, Identifier, parse_identifiers
from sanctrace.resolve.matcher import Record, match
from sanctrace.resolve.names import TokenWeights, detect_script, name_key, name_tokens

DATASET = "declarations"
PARTY_SCHEMA = "LegalEntity"
_ROLES = ("shipper", "consignee")


def _expr(role: str, column: str) -> str:
    """The cleaned value of a party column, identical in the read and in the join back."""
    if column == "country":
        return f"upper(nullif(trim(d.{role}_country), ''))"
    return f"nullif(trim(d.{role}_{column}), '')"


@dataclass(frozen=True)
class ResolveStats:
    spellings: int  # distinct (name, identifier, country) seen across shippers and consignees
    parties: int
    names: int
    identifiers: int
    invalid_identifiers: int  # kept with valid = false, never used to merge
    shipper_lines: int  # declaration lines whose shipper_party_id is set
    consignee_lines: int


@dataclass(frozen=True)
class _Spelling:
    name: str | None
    identifier: str | None
    country: str | None
    count: int
    source_id: int | None
    row_number: int | None


@dataclass
class _Cluster:
    names: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    identifiers: dict[tuple[str, str], Identifier] = field(default_factory=dict)
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> first (source, row)
    id_evidence: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    first: tuple[int, int] | None = None


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller key wins so the root, hence the party id, does not depend on input order.
            small, large = sorted((ra, rb))
            self.parent[large] = small


def _read_spellings(con: duckdb.DuckDBPyConnection) -> list[_Spelling]:
    selects = [
        f"SELECT {_expr(role, 'name')} AS name, {_expr(role, 'identifier')} AS identifier,"
        f" {_expr(role, 'country')} AS country, d.source_id, d.row_number FROM declarations d"
        for role in _ROLES
    ]
    rows = con.execute(
        "SELECT name, identifier, country, count(*),"
        " arg_min(source_id, (source_id, row_number)), arg_min(row_number, (source_id, row_number))"
        f" FROM ({' UNION ALL '.join(selects)})"
        " WHERE name IS NOT NULL OR identifier IS NOT NULL"
        " GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return [_Spelling(r[0], r[1], r[2], int(r[3]), r[4], r[5]) for r in rows]


def dominant_claimant(support: Mapping[str, int], rule: SupportRule) -> str | None:
    """The numbered cluster an unnumbered spelling joins, given each claimant's mentions under it.

    One claimant takes it (0006). Of several, the best supported takes it only when it dominates the
    rest together (``rule``, decision 0016): a firm's own number seen on hundreds of lines against a
    few stray one-off numbers carrying its name. Comparable claimants, such as namesakes with their
    own numbers, leave it apart, since a wrong merge costs more than a missed one.
    """
    if not support:
        return None
    ranked = sorted(support.items(), key=lambda item: (-item[1], item[0]))
    best, mentions = ranked[0]
    rest = sum(count for _, count in ranked[1:])
    if len(ranked) == 1 or (mentions >= rule.min_mentions and mentions >= rule.ratio * rest):
        return best
    return None


def _cluster(spellings: list[_Spelling], rule: SupportRule) -> dict[_Spelling, str]:
    """Cluster key of every spelling that can be placed (a spelling with neither name key nor id is not).

    A spelling without a number goes to the numbered cluster that ``dominant_claimant`` picks among
    those with its name key and country, support being their mentions under that key and country.
    """
    keys = {s.name: name_key(s.name) for s in spellings if s.name is not None}
    strong: dict[_Spelling, list[str]] = {}
    uf = _UnionFind()
    for s in spellings:
        ids = [
            f"id:{i.scheme}:{i.value}"
            for i in parse_identifiers(s.identifier, s.country)
            if i.scheme in STRONG_SCHEMES and i.valid
        ]
        if ids:
            strong[s] = ids
            for node in ids:
                uf.union(ids[0], node)
    roots_by_name: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for s, ids in strong.items():
        if s.name is not None and keys[s.name]:
            roots_by_name[(keys[s.name], s.country or "")][uf.find(ids[0])] += s.count
    placed: dict[_Spelling, str] = {}
    for s in spellings:
        if s in strong:
            placed[s] = uf.find(strong[s][0])
            continue
        key = keys.get(s.name) if s.name is not None else None
        if not key:
            continue
        root = dominant_claimant(roots_by_name.get((key, s.country or ""), Counter()), rule)
        placed[s] = root or f"name:{s.country or ''}:{key}"
    return placed


_NAMES_COMPARED = 5  # per cluster, its most frequent spellings: enough to judge, bounded cost
_PREFILTER = 75.0  # rapidfuzz token_set_ratio below which a pair is not worth the matcher


def _fuzzy_merge(
    con: duckdb.DuckDBPyConnection,
    spellings: list[_Spelling],
    placed: dict[_Spelling, str],
    cfg: MatchingConfig,
) -> dict[_Spelling, str]:
    """Merge clusters the matcher calls the same party (typos, transliterations the name key misses).

    Blocking, not all pairs: DuckDB pairs the clusters that share a (country, word) block of at most
    ``blocking.dedup_block_max`` clusters (exact keys, plain SQL, runs on Spark as is); Python scores
    each pair once with the calibrated matcher (the one fuzzy implementation). Two clusters with valid
    identifiers never merge, and an unnumbered cluster that several numbered ones reach joins the one
    ``dominant_claimant`` picks, if any, as in the exact stage; a claimant's support is its mentions
    under the names the matcher ties to the unnumbered cluster.
    """
    names: dict[str, Counter[str]] = defaultdict(Counter)
    countries: dict[str, str] = {}
    for s, key in placed.items():
        if s.name is not None:
            names[key][s.name] += s.count
        countries.setdefault(key, s.country or "")
    tokens = {
        key: [name_tokens(n, cfg) for n, _ in counts.most_common(_NAMES_COMPARED)]
        for key, counts in names.items()
    }
    rows = {(key, countries[key], t) for key, lists in tokens.items() for toks in lists for t in toks}
    if not rows:
        return placed
    create_temp_table(
        con, "_dedup_tokens", {"cluster": "VARCHAR", "country": "VARCHAR", "token": "VARCHAR"}, rows
    )
    pairs = con.execute(
        "WITH blocks AS (SELECT country, token FROM _dedup_tokens GROUP BY ALL"
        " HAVING count(*) BETWEEN 2 AND $max)"
        " SELECT DISTINCT a.cluster, b.cluster FROM _dedup_tokens a JOIN blocks USING (country, token)"
        " JOIN _dedup_tokens b USING (country, token)"
        " WHERE a.cluster < b.cluster AND NOT (a.cluster LIKE 'id:%' AND b.cluster LIKE 'id:%')"
        " ORDER BY ALL",
        {"max": cfg.blocking.dedup_block_max},
    ).fetchall()
    con.execute("DROP TABLE _dedup_tokens")
    weights = TokenWeights((toks for lists in tokens.values() for toks in lists), cfg)

    def named(key: str) -> list[tuple[str, tuple[str, ...], int]]:
        counts = names[key].most_common(_NAMES_COMPARED)
        return [(n, tuple(t), c) for (n, c), t in zip(counts, tokens[key], strict=True) if t]

    def record(key: str) -> Record:
        return Record(tuple((n, t) for n, t, _ in named(key)), countries[key] or None)

    joined = {key: [" ".join(t) for t in lists if t] for key, lists in tokens.items()}

    def close(a: str, b: str) -> bool:
        # A matcher score at the dedup threshold needs names that overlap a lot; rapidfuzz (C) rules
        # out the rest first, at a fraction of the matcher's cost.
        return any(fuzz.token_set_ratio(x, y, score_cutoff=_PREFILTER) for x in joined[a] for y in joined[b])

    threshold = cfg.blocking.dedup_threshold
    same: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if close(a, b) and match(record(a), record(b), weights, cfg).score >= threshold:
            same[a].add(b)
            same[b].add(a)

    def support(claimant: str, unnumbered: str) -> int:
        # Mentions of the claimant under the names the matcher ties to the unnumbered cluster, as the
        # name key and country do in the exact stage. Never below one: the claimant reached the
        # threshold as a whole, and a rival counted at zero would hand the spelling to the leader.
        target, country = record(unnumbered), countries[claimant] or None
        tied = sum(
            count
            for name, toks, count in named(claimant)
            if match(Record(((name, toks),), country), target, weights, cfg).score >= threshold
        )
        return max(tied, 1)

    uf = _join(same, _claims(same, support, cfg.blocking.dedup_support))
    return {s: uf.find(key) for s, key in placed.items()}


def _claims(
    same: Mapping[str, set[str]], support: Callable[[str, str], int], rule: SupportRule
) -> dict[str, str | None]:
    """Each unnumbered cluster that several numbered clusters reach, with the one it may join (None:
    ambiguous, it joins nothing). ``support(claimant, unnumbered)`` counts the claimant's mentions."""
    claims: dict[str, str | None] = {}
    for key, near in same.items():
        claimants = sorted(k for k in near if k.startswith("id:"))
        if not key.startswith("id:") and len(claimants) > 1:
            claims[key] = dominant_claimant({c: support(c, key) for c in claimants}, rule)
    return claims


def _refused(unnumbered: str, other: str, claims: Mapping[str, str | None]) -> bool:
    """Whether a claimed cluster may not join ``other``: an ambiguous one joins nothing, a dominated
    one no numbered cluster but its dominant claimant."""
    if unnumbered not in claims:
        return False
    chosen = claims[unnumbered]
    return chosen is None or (other.startswith("id:") and other != chosen)


def _join(same: Mapping[str, set[str]], claims: Mapping[str, str | None]) -> _UnionFind:
    """Connected components of the matched pairs, except that two numbered clusters never end up
    together (0006) and a claimed unnumbered cluster follows ``claims``."""
    uf = _UnionFind()
    numbered: dict[str, bool] = {}
    for a in sorted(same):
        for b in sorted(same[a]):
            if a > b or _refused(a, b, claims) or _refused(b, a, claims):
                continue
            ra, rb = uf.find(a), uf.find(b)
            if ra == rb:
                continue
            has_a = numbered.get(ra, ra.startswith("id:"))
            has_b = numbered.get(rb, rb.startswith("id:"))
            if has_a and has_b:
                continue  # would put two numbered parties together
            uf.union(ra, rb)
            numbered[uf.find(ra)] = has_a or has_b
    return uf


def party_id_for(cluster_key: str) -> str:
    """Stable party id of a declaration cluster: the same key always gives the same id."""
    return "decl:" + hashlib.sha1(cluster_key.encode("utf-8")).hexdigest()[:16]


def resolve_declaration_parties(
    con: duckdb.DuckDBPyConnection, config: MatchingConfig | None = None
) -> ResolveStats:
    """Rebuild the 'declarations' parties from the declarations table and link every line to them.

    Idempotent: the dataset's parties, names and identifiers are replaced, not appended to, and ids
    are derived from cluster keys.
    """
    spellings = _read_spellings(con)
    cfg = config or default_config()
    placed = _fuzzy_merge(con, spellings, _cluster(spellings, cfg.blocking.dedup_support), cfg)
    clusters: dict[str, _Cluster] = defaultdict(_Cluster)
    for s, key in placed.items():
        c = clusters[party_id_for(key)]
        where = (s.source_id or 0, s.row_number or 0)
        c.first = min(c.first, where) if c.first else where
        if s.name is not None:
            c.names[s.name] += s.count
            c.evidence[s.name] = min(c.evidence.get(s.name, where), where)
        if s.country:
            c.countries[s.country] += s.count
        for ident in parse_identifiers(s.identifier, s.country):
            c.identifiers.setdefault((ident.scheme, ident.value), ident)
            c.id_evidence[(ident.scheme, ident.value)] = min(
                c.id_evidence.get((ident.scheme, ident.value), where), where
            )

    party_rows, name_rows, id_rows = [], [], []
    for pid, c in sorted(clusters.items()):
        ranked = sorted(c.names.items(), key=lambda item: (-item[1], c.evidence[item[0]], item[0]))
        caption = ranked[0][0] if ranked else " ".join(next(iter(sorted(c.identifiers))))
        country = c.countries.most_common(1)[0][0] if c.countries else None
        first = c.first or (None, None)
        party_rows.append((pid, PARTY_SCHEMA, caption, country, DATASET, first[0], first[1]))
        for rank, (name, _count) in enumerate(ranked):
            src, row = c.evidence[name]
            name_rows.append((pid, name, "primary" if rank == 0 else "alias", detect_script(name), src, row))
        for (scheme, value), ident in sorted(c.identifiers.items()):
            src, row = c.id_evidence[(scheme, value)]
            id_rows.append((pid, scheme, value, ident.valid, src, row))

    map_rows = [(s.name, s.identifier, s.country, party_id_for(key)) for s, key in placed.items()]
    create_temp_table(
        con,
        "_resolve_map",
        {"name": "VARCHAR", "identifier": "VARCHAR", "country": "VARCHAR", "party_id": "VARCHAR"},
        map_rows,
    )
    create_temp_table(
        con,
        "_resolve_parties",
        {
            "party_id": "VARCHAR",
            "schema": "VARCHAR",
            "caption": "VARCHAR",
            "country": "VARCHAR",
            "dataset": "VARCHAR",
            "source_id": "INTEGER",
            "row_number": "BIGINT",
        },
        party_rows,
    )
    create_temp_table(
        con,
        "_resolve_names",
        {
            "party_id": "VARCHAR",
            "name": "VARCHAR",
            "name_type": "VARCHAR",
            "script": "VARCHAR",
            "source_id": "INTEGER",
            "row_number": "BIGINT",
        },
        name_rows,
    )
    create_temp_table(
        con,
        "_resolve_ids",
        {
            "party_id": "VARCHAR",
            "scheme": "VARCHAR",
            "value": "VARCHAR",
            "valid": "BOOLEAN",
            "source_id": "INTEGER",
            "row_number": "BIGINT",
        },
        id_rows,
    )
    con.execute("BEGIN TRANSACTION")
    try:
        _replace_dataset(con)
        _link_lines(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for table in ("_resolve_map", "_resolve_parties", "_resolve_names", "_resolve_ids"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    linked = con.execute(
        "SELECT count(shipper_party_id), count(consignee_party_id) FROM declarations"
    ).fetchone()
    assert linked is not None
    return ResolveStats(
        spellings=len(spellings),
        parties=len(party_rows),
        names=len(name_rows),
        identifiers=len(id_rows),
        invalid_identifiers=sum(1 for r in id_rows if r[3] is False),
        shipper_lines=int(linked[0]),
        consignee_lines=int(linked[1]),
    )


def _replace_dataset(con: duckdb.DuckDBPyConnection) -> None:
    existing = f"SELECT party_id FROM parties WHERE dataset = '{DATASET}'"
    con.execute(f"DELETE FROM party_names WHERE party_id IN ({existing})")
    con.execute(f"DELETE FROM party_identifiers WHERE party_id IN ({existing})")
    con.execute(f"DELETE FROM parties WHERE dataset = '{DATASET}'")
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, country, dataset, source_id, row_number)"
        " SELECT * FROM _resolve_parties"
    )
    con.execute(
        "INSERT INTO party_names (party_id, name, name_type, script, source_id, row_number)"
        " SELECT * FROM _resolve_names"
    )
    con.execute(
        "INSERT INTO party_identifiers (party_id, scheme, value, valid, source_id, row_number)"
        " SELECT * FROM _resolve_ids"
    )


def _link_lines(con: duckdb.DuckDBPyConnection) -> None:
    for role in _ROLES:
        con.execute(
            f"UPDATE declaration_lines AS d SET {role}_party_id = m.party_id FROM _resolve_map m"
            f" WHERE coalesce({_expr(role, 'name')}, '') = coalesce(m.name, '')"
            f" AND coalesce({_expr(role, 'identifier')}, '') = coalesce(m.identifier, '')"
            f" AND coalesce({_expr(role, 'country')}, '') = coalesce(m.country, '')"
        )
        # Lines whose spelling no longer maps to a party (edited data) must not keep a stale id.
        con.execute(
            f"UPDATE declaration_lines SET {role}_party_id = NULL WHERE {role}_party_id LIKE 'decl:%'"
            f" AND {role}_party_id NOT IN (SELECT party_id FROM parties WHERE dataset = '{DATASET}')"
        )
