"""OFAC's legacy CSV sets: the SDN list (sdn/add/alt/sdn_comments) and the consolidated non-SDN list.

The files are headerless, use ``-0-`` for empty, end with a 0x1A byte, and put several programs in
one field (``PROG1] [PROG2``). A set is loaded from its main file (``sdn.csv`` or ``cons_prim.csv``);
the sibling files in the same folder are read with it and each gets its own ``sources`` row. Given a
folder, ``ingest`` meets the siblings as ``ofac-sdn-part`` files and reports them as loaded with the
main file. A set may lack siblings (OFAC's newer sdn.csv files circulate alone): what exists loads.

Party ids are ``ofac-<ent_num>``, stable across versions, so a newer version of the list in the same
dataset replaces the older one and ``list_changes`` records what was added, removed and changed
(see docs/decisions/0004-list-versions.md). Entity type: individual -> Person, vessel -> Vessel,
aircraft -> Airplane, blank (OFAC's "entity") -> LegalEntity.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions, LoadReport, QuarantinedRow, begin_load, finish_source
from sanctrace.sources.file_sets import load_part_through_main
from sanctrace.sources.list_versions import record_new_version
from sanctrace.sources.loading import insert_rows, transaction
from sanctrace.sources.ofac_remarks import parse_remarks
from sanctrace.sources.party_rows import PartyRecord, PartyWriter, RelationRecord

FORMAT = "ofac-sdn"
PART_FORMAT = "ofac-sdn-part"
PUBLISHER = "US Department of the Treasury, Office of Foreign Assets Control"
LICENCE = "Public domain (US federal work, 17 U.S.C. 105)"


@dataclass(frozen=True)
class SetLayout:
    main: str
    add: str
    alt: str
    comments: str
    list_name: str


LAYOUTS = (
    SetLayout("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv", "us_ofac_sdn"),
    SetLayout("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv", "us_ofac_cons"),
)
_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_ALIAS_TYPES = {"aka": "alias", "fka": "previous", "nka": "alias"}
_HEAD = re.compile(r'^\d+,"')


def _layout_of(path: Path) -> tuple[SetLayout, str] | None:
    for layout in LAYOUTS:
        for role in ("main", "add", "alt", "comments"):
            if path.name.lower() == getattr(layout, role):
                return layout, role
    return None


def sniff(path: Path, head: str) -> bool:
    found = _layout_of(path)
    return found is not None and found[1] == "main" and bool(_HEAD.match(head.lstrip("\ufeff")))


def sniff_part(path: Path, head: str) -> bool:
    found = _layout_of(path)
    body = head.lstrip("\ufeff")
    return (
        found is not None
        and found[1] != "main"
        and (bool(re.match(r"^\d+,", body)) or not body.strip("\x1a \r\n"))
    )


def _rows(path: Path) -> list[tuple[int, list[str | None]]]:
    """(line number, cells) with ``-0-`` as None; the trailing 0x1A and blank lines dropped."""
    raw = path.read_bytes().rstrip(b"\x1a\r\n ")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if cells:
            rows.append((number, [None if c.strip() in ("-0-", "") else c.strip() for c in cells]))
    return rows


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    found = _layout_of(path)
    if found is None or found[1] != "main":
        raise UserError(f"{path}: not the main file of an OFAC set (sdn.csv or cons_prim.csv)")
    layout = found[0]
    with transaction(con):
        report = begin_load(
            con, path, FORMAT, options, encoding="ascii", publisher=PUBLISHER, licence=LICENCE
        )
        if report.already_loaded:
            return report
        _SetLoader(con, path, layout, options, report).run()
        return finish_source(con, report)


def load_part(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """A sibling file: loaded with its main file, which must sit in the same folder."""
    found = _layout_of(path)
    assert found is not None
    return load_part_through_main(
        con, path, options, main_name=found[0].main, part_format=PART_FORMAT, load_main=load
    )


class _SetLoader:
    """One OFAC set into parties, names, identifiers, relations and designations."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        layout: SetLayout,
        options: LoadOptions,
        report: LoadReport,
    ) -> None:
        self.con, self.path, self.layout, self.options, self.report = con, path, layout, options, report
        self.writer = PartyWriter(con, options.dataset, FORMAT, report.source_id)
        self.quarantined: list[QuarantinedRow] = []
        self.read_siblings: set[str] = set()

    def run(self) -> None:
        main_rows = _rows(self.path)
        records: dict[str, PartyRecord] = {}
        programs: dict[str, list[str]] = {}
        remarks: dict[str, str] = {}
        for line, cells in main_rows:
            if len(cells) != 12 or not (cells[0] or "").isdigit() or not cells[1]:
                self.quarantined.append(
                    QuarantinedRow(line, None, "malformed OFAC row", ",".join(c or "" for c in cells))
                )
                continue
            party_id = f"ofac-{cells[0]}"
            records[party_id] = PartyRecord(
                party_id,
                _SCHEMAS.get((cells[2] or "").lower(), "LegalEntity"),
                str(cells[1]),
                line,
                names=[(str(cells[1]), "primary")],
            )
            programs[party_id] = [p.strip(" []") for p in (cells[3] or "").split("] [") if p.strip(" []")]
            remarks[party_id] = cells[11] or ""
        self.report.rows_read = len(main_rows)
        self._siblings(records, remarks)
        self._facts(records, remarks)
        for record in records.values():
            self.writer.put(record)
        record_new_version(
            self.con,
            self.options.dataset,
            self.layout.list_name,
            FORMAT,
            self.report.source_id,
            {pid: _signature(r, programs[pid], self.read_siblings) for pid, r in records.items()},
            _as_of(self.path),
        )
        self.writer.flush()
        self._designations(records, programs)
        self.report.rows_accepted = len(records)
        self.report.rows_quarantined = sum(1 for q in self.quarantined if q.column is None)
        insert_rows(
            self.con,
            "quarantine",
            [(self.report.source_id, q.row_number, q.column, q.reason, q.raw_text) for q in self.quarantined],
        )

    def _sibling(self, name: str) -> tuple[int | None, list[tuple[int, list[str | None]]]]:
        path = self.path.with_name(name)
        if not path.is_file():
            self.quarantined.append(QuarantinedRow(None, name, "sibling file absent: not loaded", str(path)))
            return None, []
        part = begin_load(
            self.con, path, PART_FORMAT, self.options, encoding="ascii", publisher=PUBLISHER, licence=LICENCE
        )
        return part.source_id, _rows(path)

    def _siblings(self, records: dict[str, PartyRecord], remarks: dict[str, str]) -> None:
        for name, width, apply in (
            (self.layout.add, 6, self._address),
            (self.layout.alt, 5, self._alias),
            (self.layout.comments, 2, self._comment),
        ):
            source_id, rows = self._sibling(name)
            if source_id is None:
                continue
            self.read_siblings.add(name)
            accepted = 0
            bad: list[tuple[int | None, str | None, str, str | None]] = []
            for line, cells in rows:
                party_id = f"ofac-{cells[0]}" if cells and cells[0] else ""
                if len(cells) != width:
                    bad.append(
                        (
                            line,
                            None,
                            f"malformed row: {len(cells)} fields, {width} expected",
                            ",".join(c or "" for c in cells),
                        )
                    )
                elif party_id not in records:
                    bad.append(
                        (
                            line,
                            "ent_num",
                            "no entry with this ent_num in the main file",
                            ",".join(c or "" for c in cells),
                        )
                    )
                else:
                    apply(records[party_id], cells, remarks)
                    accepted += 1
            insert_rows(self.con, "quarantine", [(source_id, *b) for b in bad])
            self.con.execute(
                "UPDATE sources SET rows_read = ?, rows_accepted = ?, rows_quarantined = ?"
                " WHERE source_id = ?",
                [len(rows), accepted, len(bad), source_id],
            )

    @staticmethod
    def _address(record: PartyRecord, cells: list[str | None], remarks: dict[str, str]) -> None:
        text = ", ".join(c for c in cells[2:5] if c)
        if text and record.address is None:
            record.address = text

    @staticmethod
    def _alias(record: PartyRecord, cells: list[str | None], remarks: dict[str, str]) -> None:
        if cells[3]:
            record.names.append((cells[3], _ALIAS_TYPES.get((cells[2] or "").lower(), "alias")))

    @staticmethod
    def _comment(record: PartyRecord, cells: list[str | None], remarks: dict[str, str]) -> None:
        remarks[record.party_id] = (remarks.get(record.party_id) or "") + (cells[1] or "")

    def _facts(self, records: dict[str, PartyRecord], remarks: dict[str, str]) -> None:
        by_name: dict[str, str] = {}
        for pid, r in records.items():  # primary names win over aliases
            for name, _ in sorted(r.names, key=lambda n: n[1] != "primary"):
                by_name.setdefault(name.upper(), pid)
        for party_id, record in records.items():
            facts = parse_remarks(remarks.get(party_id))
            record.identifiers.extend(facts.identifiers)
            record.website, record.phone = facts.website, facts.phone
            record.incorporation_date = facts.established
            for index, name in enumerate(facts.linked_to):
                target = by_name.get(name.upper())
                if target is None:
                    self.quarantined.append(
                        QuarantinedRow(
                            record.row_number, "Remarks", "Linked To: no entry with this exact name", name
                        )
                    )
                    continue
                self.writer.relate(
                    RelationRecord(
                        f"{party_id}:linked:{index}", "linked", party_id, target, record.row_number
                    )
                )

    def _designations(self, records: dict[str, PartyRecord], programs: dict[str, list[str]]) -> None:
        self.con.execute(
            "DELETE FROM designations WHERE list = ? AND list_contains(?, party_id)"
            " AND source_id IN (SELECT source_id FROM sources WHERE dataset = ? AND format = ?)",
            [self.layout.list_name, list(records), self.options.dataset, FORMAT],
        )
        insert_rows(
            self.con,
            "designations",
            [
                (
                    pid,
                    self.layout.list_name,
                    program,
                    None,
                    None,
                    self.report.source_id,
                    records[pid].row_number,
                )
                for pid in records
                for program in _or_none(programs[pid])
            ],
        )


def _signature(record: PartyRecord, programs: list[str], siblings: set[str]) -> dict[str, str]:
    """The fields two versions are compared on; those of an absent sibling file are left out,
    so a version published without alt.csv does not count every entry as changed."""
    signature = {
        "name": record.caption,
        "programs": ";".join(sorted(programs)),
        "identifiers": ";".join(sorted(f"{s}:{v}" for s, v in record.identifiers)),
    }
    if any(name.endswith("alt.csv") for name in siblings):
        signature["aliases"] = ";".join(sorted(n for n, t in record.names if t != "primary"))
    if any(name.endswith("add.csv") for name in siblings):
        signature["address"] = record.address or ""
    return signature


def _as_of(path: Path) -> date | None:
    """The publication date when a folder in the path is named after it (OFAC files carry none)."""
    for part in reversed(path.parts):
        match = re.search(r"(\d{4})-(\d{2})-(\d{2})", part)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None


def _or_none(programs: list[str]) -> list[str | None]:
    """One designation per program; an entry without a program still gets one (program NULL)."""
    return list(programs) if programs else [None]
