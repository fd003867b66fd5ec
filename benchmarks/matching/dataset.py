"""A labelled set of record pairs built from real sanctions lists, with no hand labelling.

Positives: a record on one list and a record on another list that carry the same valid registration
number (INN, OGRN, IMO, LEI, USCC ... with check digits) are the same entity. Hard negatives, per
positive: records of the other list whose valid number of the same scheme differs (so they are
certainly another entity) and whose names are the closest by rapidfuzz token-set ratio (near-identical
names, shared legal forms and generic words), plus one drawn at random among those sharing any word.
The split into development and held-out halves is by positive group with a fixed seed, so no entity
is on both sides.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rapidfuzz import fuzz, process

from sanctrace.resolve.identifiers import STRONG_SCHEMES, guess_scheme, is_valid, normalize_identifier
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path
from sanctrace.store.warehouse import connect

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
LISTS = {
    "us_ofac_sdn": "ofac_sdn/2023-12-28",
    "eu_journal": "eu_sanctions_journal",
    "gb_fcdo": "uk_sanctions_list",
    "os_zala": "opensanctions_ftm/zala_cluster.entities.ftm.json",
}
SEED = 20261130
_ALIASES = {"inncode": "inn", "ogrncode": "ogrn", "leicode": "lei", "imonumber": "imo"}


@dataclass
class ListRecord:
    party_id: str
    dataset: str
    schema: str
    caption: str
    country: str | None
    names: list[str] = field(default_factory=list)
    identifiers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class LabelledPair:
    query: ListRecord
    candidate: ListRecord
    label: int  # 1: same entity
    group: str  # the shared identifier of the positive this pair was built around
    kind: str  # positive | near_name | shared_word


def load_records(folder: Path, data: Path = SHARED) -> list[ListRecord]:
    """Ingest the lists with sanctrace's own loaders; keep non-person records with their names and ids."""
    con = connect(folder / "lists.duckdb")
    for dataset, path in LISTS.items():
        ingest_path(con, data / path, LoadOptions(dataset=dataset))
    return _read(con)


def _read(con: duckdb.DuckDBPyConnection) -> list[ListRecord]:
    records = {
        r[0]: ListRecord(r[0], r[1], r[2], r[3], (r[4] or "").upper() or None)
        for r in con.execute(
            "SELECT party_id, dataset, schema, caption, country FROM parties"
            " WHERE dataset IN (SELECT unnest($d)) AND schema <> 'Person' ORDER BY party_id",
            {"d": list(LISTS)},
        ).fetchall()
    }
    for party_id, name in con.execute(
        "SELECT party_id, name FROM party_names ORDER BY party_id, name"
    ).fetchall():
        if party_id in records and name not in records[party_id].names:
            records[party_id].names.append(name)
    for party_id, scheme, value in con.execute(
        "SELECT party_id, scheme, value FROM party_identifiers ORDER BY ALL"
    ).fetchall():
        record = records.get(party_id)
        if record is None:
            continue
        value = normalize_identifier(value)
        scheme = _ALIASES.get(scheme.lower(), scheme.lower())
        if scheme not in STRONG_SCHEMES:
            scheme = guess_scheme(value, record.country) or scheme
        if scheme == "imo" and not value.startswith("IMO"):
            value = "IMO" + value
        if scheme in STRONG_SCHEMES and is_valid(scheme, value):
            record.identifiers[scheme].add(value)
    for record in records.values():
        if record.caption not in record.names:
            record.names.insert(0, record.caption)
    return [r for r in records.values() if r.names]


def _shares_id(a: ListRecord, b: ListRecord) -> bool:
    return any(a.identifiers[s] & b.identifiers.get(s, set()) for s in a.identifiers)


def _conflicts(a: ListRecord, b: ListRecord, scheme: str) -> bool:
    return bool(a.identifiers.get(scheme)) and bool(b.identifiers.get(scheme)) and not _shares_id(a, b)


def build_pairs(records: list[ListRecord], negatives_per_positive: int = 3) -> list[LabelledPair]:
    """Positives across lists by shared valid identifier, and hard negatives for each (see module doc)."""
    rng = random.Random(SEED)
    by_id: dict[tuple[str, str], list[ListRecord]] = defaultdict(list)
    for record in records:
        for scheme, values in record.identifiers.items():
            for value in values:
                by_id[(scheme, value)].append(record)
    by_list: dict[str, list[ListRecord]] = defaultdict(list)
    for record in records:
        by_list[record.dataset].append(record)
    pairs: list[LabelledPair] = []
    seen: set[tuple[str, str]] = set()
    for (scheme, value), group in sorted(by_id.items()):
        for a in group:
            for b in group:
                if a.dataset >= b.dataset or (a.party_id, b.party_id) in seen:
                    continue
                seen.add((a.party_id, b.party_id))
                key = f"{scheme}:{value}"
                pairs.append(LabelledPair(a, b, 1, key, "positive"))
                pairs.extend(_negatives(a, b.dataset, scheme, by_list, key, rng, negatives_per_positive))
    return pairs


def _negatives(
    query: ListRecord,
    dataset: str,
    scheme: str,
    by_list: dict[str, list[ListRecord]],
    group: str,
    rng: random.Random,
    count: int,
) -> list[LabelledPair]:
    pool = [c for c in by_list[dataset] if c.schema == query.schema or scheme != "imo"]
    pool = [c for c in pool if _conflicts(query, c, scheme)]
    if not pool:
        return []
    choices = [c.caption for c in pool]
    near = process.extract(query.caption, choices, scorer=fuzz.token_set_ratio, limit=count - 1)
    chosen = [pool[i] for _, _, i in near]
    out = [LabelledPair(query, c, 0, group, "near_name") for c in chosen]
    words = set(query.caption.casefold().split())
    sharing = [c for c in pool if c not in chosen and words & set(c.caption.casefold().split())]
    if sharing:
        out.append(LabelledPair(query, rng.choice(sharing), 0, group, "shared_word"))
    return out


def split(pairs: list[LabelledPair]) -> tuple[list[LabelledPair], list[LabelledPair]]:
    """Development and held-out halves, by positive group (a seeded hash, stable across runs)."""
    dev: list[LabelledPair] = []
    held: list[LabelledPair] = []
    for pair in pairs:
        digest = hashlib.sha256(f"{SEED}:{pair.group}".encode()).digest()
        (dev if digest[0] % 2 == 0 else held).append(pair)
    return dev, held
