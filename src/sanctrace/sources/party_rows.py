"""Writing parties, their names, identifiers and relations: shared by the registry and FtM loaders.

Keys: a party is its ``party_id``; loading it again (a newer file of the same format and dataset)
replaces its ``parties`` row and the names and identifiers that came from that format and dataset,
while names from other files stay as evidence. Parties that are only mentioned (an owner, an
officer, a payer) get a stub row that never overwrites a fuller one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb
from rigour.text.scripts import codepoint_script

from .identifiers import check_identifier, compact
from .loading import insert_rows

# Unicode script names (as rigour reports them) -> ISO 15924 codes.
_ISO15924 = {
    "Latin": "Latn",
    "Cyrillic": "Cyrl",
    "Han": "Hani",
    "Greek": "Grek",
    "Arabic": "Arab",
    "Hebrew": "Hebr",
    "Hangul": "Hang",
    "Hiragana": "Jpan",
    "Katakana": "Jpan",
    "Armenian": "Armn",
    "Georgian": "Geor",
    "Thai": "Thai",
    "Devanagari": "Deva",
    "Khmer": "Khmr",
    "Bengali": "Beng",
    "Tamil": "Taml",
    "Mongolian": "Mong",
    "Ethiopic": "Ethi",
    "Lao": "Laoo",
    "Myanmar": "Mymr",
}


def script_of(text: str) -> str | None:
    """ISO 15924 code of the script most letters of ``text`` are in (Japanese kana + kanji: Jpan)."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            name = codepoint_script(ord(char))
            if name and name not in ("Common", "Inherited"):
                counts[_ISO15924.get(name, name[:4].title())] += 1
    if not counts:
        return None
    if "Jpan" in counts and "Hani" in counts:
        counts["Jpan"] += counts.pop("Hani")
    return counts.most_common(1)[0][0]


@dataclass
class PartyRecord:
    party_id: str
    schema: str
    caption: str
    row_number: int | None
    country: str | None = None
    incorporation_date: date | None = None
    dissolution_date: date | None = None
    address: str | None = None
    phone: str | None = None
    website: str | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, name_type)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)


@dataclass(frozen=True)
class RelationRecord:
    relation_id: str
    kind: str
    subject_id: str
    object_id: str
    row_number: int | None
    percent: float | None = None
    role: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    start_date: date | None = None
    end_date: date | None = None


class PartyWriter:
    """Collects the rows of one file and writes them in bulk at ``flush``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, dataset: str, fmt: str, source_id: int) -> None:
        self.con, self.dataset, self.fmt, self.source_id = con, dataset, fmt, source_id
        self.parties: dict[str, PartyRecord] = {}
        self.stubs: dict[str, PartyRecord] = {}
        self.relations: dict[str, RelationRecord] = {}

    def put(self, record: PartyRecord) -> None:
        self.parties[record.party_id] = record

    def stub(
        self, party_id: str, schema: str, caption: str, row_number: int | None, *, named: bool = True
    ) -> None:
        """A party only mentioned by another row; ``named`` is False when the caption is just an id."""
        if party_id not in self.stubs:
            self.stubs[party_id] = PartyRecord(
                party_id,
                schema,
                caption,
                row_number,
                names=[(caption, "primary")] if named and caption else [],
            )

    def relate(self, relation: RelationRecord) -> None:
        self.relations[relation.relation_id] = relation

    def _same_origin(self) -> str:
        return "(SELECT source_id FROM sources WHERE dataset = ? AND format = ?)"

    def delete_parties(self, ids: list[str]) -> None:
        """Remove parties (and their names and identifiers from this format and dataset)."""
        if not ids:
            return
        self.con.execute("DELETE FROM parties WHERE list_contains(?, party_id)", [ids])
        for table in ("party_names", "party_identifiers"):
            self.con.execute(
                f"DELETE FROM {table} WHERE list_contains(?, party_id)"
                f" AND source_id IN {self._same_origin()}",
                [ids, self.dataset, self.fmt],
            )

    def delete_relations(self, ids: list[str]) -> None:
        if ids:
            self.con.execute("DELETE FROM relations WHERE list_contains(?, relation_id)", [ids])

    def flush(self) -> None:
        self.delete_parties(list(self.parties))
        self.delete_relations(list(self.relations))
        self._insert(list(self.parties.values()))
        stubs = [s for pid, s in self.stubs.items() if pid not in self.parties]
        existing = (
            {
                str(row[0])
                for row in self.con.execute(
                    "SELECT party_id FROM parties WHERE list_contains(?, party_id)",
                    [[s.party_id for s in stubs]],
                ).fetchall()
            }
            if stubs
            else set()
        )
        self._insert([s for s in stubs if s.party_id not in existing])
        if not self.relations:
            return
        insert_rows(
            self.con,
            "relations",
            [
                (
                    r.relation_id,
                    r.kind,
                    r.subject_id,
                    r.object_id,
                    r.percent,
                    r.role,
                    r.amount,
                    r.currency,
                    r.start_date,
                    r.end_date,
                    self.source_id,
                    r.row_number,
                )
                for r in self.relations.values()
            ],
        )

    def _insert(self, records: list[PartyRecord]) -> None:
        if not records:
            return
        insert_rows(
            self.con,
            "parties",
            [
                (
                    p.party_id,
                    p.schema,
                    p.caption,
                    p.country,
                    p.incorporation_date,
                    p.dissolution_date,
                    p.address,
                    p.phone,
                    p.website,
                    self.dataset,
                    self.source_id,
                    p.row_number,
                )
                for p in records
            ],
        )
        names = []
        identifiers = []
        for p in records:
            seen_names: set[str] = set()
            for name, name_type in p.names:
                clean = " ".join(name.split())
                if clean and clean not in seen_names:
                    seen_names.add(clean)
                    names.append(
                        (p.party_id, clean, name_type, script_of(clean), self.source_id, p.row_number)
                    )
            seen_ids: set[tuple[str, str]] = set()
            for scheme, value in p.identifiers:
                clean = compact(value)
                if clean and (scheme, clean) not in seen_ids:
                    seen_ids.add((scheme, clean))
                    identifiers.append(
                        (
                            p.party_id,
                            scheme,
                            clean,
                            check_identifier(scheme, clean),
                            self.source_id,
                            p.row_number,
                        )
                    )
        if names:
            insert_rows(self.con, "party_names", names)
        if identifiers:
            insert_rows(self.con, "party_identifiers", identifiers)
