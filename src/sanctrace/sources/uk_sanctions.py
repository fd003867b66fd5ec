"""The UK Sanctions List (FCDO) as normalised tables: subjects, names, identifiers, dates of birth.

The set is loaded from ``subjects.csv`` with its siblings ``subject_names.csv`` and
``subject_identifiers.csv`` (each its own ``sources`` row). ``subject_dobs.csv`` is recognised but
not stored: the warehouse has no column for dates of birth yet, and the report says so rather than
pretending to load it. Party ids are ``gb-<unique_id>``; the regime is the id's prefix (RUS, BLR…).
Business registration numbers are often several numbers in one cell (``INN: 4703142849 OGRN:
1144703004380``, ``7704734000/770301001 (Russia)``): each number is split out and named by the
label before it and its length.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions, LoadReport, begin_load, finish_source
from sanctrace.sources.file_sets import load_part_through_main
from sanctrace.sources.loading import insert_rows, parse_date, transaction
from sanctrace.sources.party_rows import PartyRecord, PartyWriter

FORMAT = "uk-sanctions"
PART_FORMAT = "uk-sanctions-part"
LIST = "gb_fcdo_sanctions"
PUBLISHER = "UK Foreign, Commonwealth & Development Office (FCDO); tables by covyr/uk-sanctions-list"
LICENCE = "Open Government Licence v3.0"
MAIN, NAMES, IDENTIFIERS, DOBS = (
    "subjects.csv",
    "subject_names.csv",
    "subject_identifiers.csv",
    "subject_dobs.csv",
)
_HEADERS = {
    MAIN: "unique_id,subject_type",
    NAMES: "name_id,unique_id,name_type",
    IDENTIFIERS: "id,unique_id,ofsi_group_id,raw_value",
    DOBS: "dob_id,unique_id",
}
_SCHEMAS = {"individual": "Person", "entity": "LegalEntity", "ship": "Vessel"}
_NUMBER = re.compile(r"(?P<label>[A-Za-zА-Яа-я/ .]*?)[\s:.\-–()]*(?P<value>\d{7,}(?:/\d{9})?)")


def _is(path: Path, head: str, name: str) -> bool:
    return path.name == name and head.lstrip("\ufeff").startswith(_HEADERS[name])


def sniff(path: Path, head: str) -> bool:
    return _is(path, head, MAIN)


def sniff_part(path: Path, head: str) -> bool:
    return any(_is(path, head, name) for name in (NAMES, IDENTIFIERS, DOBS))


def split_numbers(raw: str) -> list[tuple[str, str]]:
    """(scheme, value) for every number in a registration cell; never raises."""
    found: list[tuple[str, str]] = []
    for match in _NUMBER.finditer(raw or ""):
        label = match.group("label").upper()
        value = match.group("value")
        if "/" in value:  # INN/KPP pair as Russian registries print it
            inn, kpp = value.split("/")
            found += [("inn" if len(inn) in (10, 12) else "registration", inn), ("kpp", kpp)]
            continue
        if any(w in label for w in ("OGRN", "ОГРН", "PSRN", "BIN")) and len(value) in (13, 15):
            found.append(("ogrn", value))
        elif any(w in label for w in ("INN", "ИНН", "TIN")) and len(value) in (10, 12):
            found.append(("inn", value))
        elif any(w in label for w in ("KPP", "КПП")) and len(value) == 9:
            found.append(("kpp", value))
        else:
            found.append(("registration", value))
    return found


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(enumerate(csv.DictReader(handle), start=2))


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    if path.name != MAIN:
        raise UserError(f"{path}: the UK list loads from its {MAIN}")
    with transaction(con):
        report = begin_load(
            con, path, FORMAT, options, encoding="utf-8", publisher=PUBLISHER, licence=LICENCE
        )
        if report.already_loaded:
            return report
        writer = PartyWriter(con, options.dataset, FORMAT, report.source_id)
        designations: list[tuple[object, ...]] = []
        bad: list[tuple[object, ...]] = []
        for line, row in _rows(path):
            report.rows_read += 1
            uid = (row.get("unique_id") or "").strip()
            try:
                listed = parse_date((row.get("date_designated") or "").replace("/", "."))
            except ValueError:
                listed = None
                bad.append(
                    (report.source_id, line, "date_designated", "bad date", row.get("date_designated"))
                )
            if not uid:
                bad.append((report.source_id, line, "unique_id", "missing unique_id", str(row)))
                continue
            party_id = f"gb-{uid}"
            writer.put(
                PartyRecord(
                    party_id, _SCHEMAS.get((row.get("subject_type") or "").lower(), "LegalEntity"), uid, line
                )
            )
            designations.append(
                (party_id, LIST, re.sub(r"\d+$", "", uid), listed, None, report.source_id, line)
            )
        _names(con, path.with_name(NAMES), options, writer)
        _identifiers(con, path.with_name(IDENTIFIERS), options, writer)
        _dobs(con, path.with_name(DOBS), options)
        writer.flush()
        con.execute(
            "DELETE FROM designations WHERE list = ? AND list_contains(?, party_id)",
            [LIST, [d[0] for d in designations]],
        )
        insert_rows(con, "designations", designations)
        insert_rows(con, "quarantine", bad)
        report.rows_accepted = len(designations)
        report.rows_quarantined = report.rows_read - len(designations)
        return finish_source(con, report)


def _part(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> int | None:
    if not path.is_file():
        return None
    return begin_load(
        con, path, PART_FORMAT, options, encoding="utf-8", publisher=PUBLISHER, licence=LICENCE
    ).source_id


def _count(
    con: duckdb.DuckDBPyConnection,
    source_id: int,
    read: int,
    accepted: int,
    bad: Sequence[tuple[object, ...]],
) -> None:
    insert_rows(con, "quarantine", list(bad))
    con.execute(
        "UPDATE sources SET rows_read = ?, rows_accepted = ?, rows_quarantined = ? WHERE source_id = ?",
        [read, accepted, len(bad), source_id],
    )


def _names(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, writer: PartyWriter) -> None:
    source_id = _part(con, path, options)
    if source_id is None:
        return
    rows, bad, accepted = _rows(path), [], 0
    for line, row in rows:
        record = writer.parties.get(f"gb-{(row.get('unique_id') or '').strip()}")
        name = " ".join((row.get("full_name") or row.get("name_6") or "").split())
        if record is None or not name:
            bad.append((source_id, line, "unique_id", "no subject with this id, or no name", str(row)))
            continue
        kind = (row.get("name_type") or "").strip()
        name_type = (
            "primary"
            if kind == "primary"
            else ("weak_alias" if row.get("alias_strength") == "low_quality_aka" else "alias")
        )
        if name_type == "primary" and record.caption == record.party_id[3:]:
            record.caption = name
        record.names.append(
            (name, name_type if record.caption == name or name_type != "primary" else "alias")
        )
        accepted += 1
    _count(con, source_id, len(rows), accepted, bad)


def _identifiers(
    con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, writer: PartyWriter
) -> None:
    source_id = _part(con, path, options)
    if source_id is None:
        return
    rows, bad, accepted = _rows(path), [], 0
    for line, row in rows:
        record = writer.parties.get(f"gb-{(row.get('unique_id') or '').strip()}")
        raw = (row.get("raw_value") or "").strip()
        if record is None or not raw:
            bad.append((source_id, line, "unique_id", "no subject with this id, or no value", str(row)))
            continue
        kind = (row.get("identifier_type") or "").strip()
        if kind == "business_registration_numbers":
            record.identifiers.extend(split_numbers(raw))
        elif kind == "imo":
            record.identifiers.append(("imo", raw))
        else:
            record.identifiers.append((kind or "other", raw))
        accepted += 1
    _count(con, source_id, len(rows), accepted, bad)


def _dobs(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> None:
    source_id = _part(con, path, options)
    if source_id is not None:
        rows = _rows(path)
        _count(con, source_id, len(rows), 0, [])
        con.execute(
            "UPDATE sources SET licence = licence || ' — dates of birth not stored yet' WHERE source_id = ?",
            [source_id],
        )


def load_part(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    report = load_part_through_main(
        con, path, options, main_name=MAIN, part_format=PART_FORMAT, load_main=load
    )
    if path.name == DOBS:
        report.note = "read with subjects.csv; dates of birth are not stored yet (no warehouse column)"
    return report
