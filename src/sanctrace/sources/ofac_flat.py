"""The flat current-list table of OFAC SDN names and programs (one row per entry).

Layout: ``uid,name,type,programs,alternate_names`` with ``;``-separated programs and alternate
names, as rebuilt daily from OFAC's SDN.CSV and ALT.CSV by the kindrat86/ofac-sdn-json project. A
``metadata.json`` beside the file gives the publication date, used as the version's date. Party ids
(``ofac-<uid>``) and the list name (``us_ofac_sdn``) are those of the legacy CSV loader, so a flat
file loaded into the same dataset as an older legacy set is compared with it as a newer version.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb

from sanctrace.sources.base import LoadOptions, LoadReport, begin_load, finish_source
from sanctrace.sources.list_versions import record_new_version
from sanctrace.sources.loading import insert_rows, transaction
from sanctrace.sources.party_rows import PartyRecord, PartyWriter

FORMAT = "ofac-sdn-flat"
LIST = "us_ofac_sdn"
HEADER = ["uid", "name", "type", "programs", "alternate_names"]
_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "entity": "LegalEntity"}


def sniff(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return [c.strip() for c in first.split(",")] == HEADER


def published(path: Path) -> date | None:
    """The list's publication date from ``metadata.json`` beside the file, if present and readable."""
    meta = path.with_name("metadata.json")
    try:
        value = json.loads(meta.read_text("utf-8")).get("published")
        return date.fromisoformat(str(value)) if value else None
    except (OSError, ValueError, AttributeError):
        return None


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    with transaction(con):
        report = begin_load(
            con,
            path,
            FORMAT,
            options,
            encoding="utf-8",
            publisher="US Department of the Treasury, OFAC (flat rebuild by kindrat86/ofac-sdn-json)",
            licence="Public domain (US federal work); packaging CC0-1.0",
        )
        if report.already_loaded:
            return report
        as_of = published(path)
        con.execute("UPDATE sources SET as_of = ? WHERE source_id = ?", [as_of, report.source_id])
        writer = PartyWriter(con, options.dataset, FORMAT, report.source_id)
        programs: dict[str, list[str]] = {}
        bad = []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                report.rows_read += 1
                uid, name = (row.get("uid") or "").strip(), (row.get("name") or "").strip()
                if not uid.isdigit() or not name:
                    bad.append(
                        (
                            report.source_id,
                            line,
                            "uid" if not uid.isdigit() else "name",
                            "missing uid or name",
                            json.dumps(row, ensure_ascii=False),
                        )
                    )
                    continue
                party_id = f"ofac-{uid}"
                aliases = [a.strip() for a in (row.get("alternate_names") or "").split(";") if a.strip()]
                writer.put(
                    PartyRecord(
                        party_id,
                        _SCHEMAS.get((row.get("type") or "").strip().lower(), "LegalEntity"),
                        name,
                        line,
                        names=[(name, "primary"), *((a, "alias") for a in aliases)],
                    )
                )
                programs[party_id] = sorted(
                    p.strip() for p in (row.get("programs") or "").split(";") if p.strip()
                )
        record_new_version(
            con,
            options.dataset,
            LIST,
            FORMAT,
            report.source_id,
            {
                pid: {
                    "name": writer.parties[pid].caption,
                    "programs": ";".join(progs),
                    "aliases": ";".join(sorted(n for n, t in writer.parties[pid].names if t != "primary")),
                }
                for pid, progs in programs.items()
            },
            as_of,
        )
        writer.flush()
        con.execute(
            "DELETE FROM designations WHERE list = ? AND list_contains(?, party_id)"
            " AND source_id IN (SELECT source_id FROM sources WHERE dataset = ? AND format = ?)",
            [LIST, list(programs), options.dataset, FORMAT],
        )
        insert_rows(
            con,
            "designations",
            [
                (pid, LIST, program, None, None, report.source_id, writer.parties[pid].row_number)
                for pid, progs in programs.items()
                for program in _or_none(progs)
            ],
        )
        insert_rows(con, "quarantine", bad)
        report.rows_accepted, report.rows_quarantined = len(programs), len(bad)
        return finish_source(con, report)


def _or_none(programs: list[str]) -> list[str | None]:
    """One designation per program; an entry without a program still gets one (program NULL)."""
    return list(programs) if programs else [None]
