"""EU sanctions annexes as transcribed from the Official Journal (OpenSanctions' journal CSV layout).

One row is one designation in one legal context: an act (``celex``), an annex, a record number in
that annex. Party ids are ``eu-<celex>-<annex>-<recordId>`` — stable for the entry across versions
of the act, and deliberately not merged across annexes or acts: the same company listed in two
annexes is two rows here and one entity only after resolution. Multi-valued cells are
``;``-separated; aliases often carry the original-script name in parentheses, which becomes a name
of its own. ``registrationNumber`` cells such as ``7704730655 (Tax ID/INN)`` are split into scheme
and value by the hint in parentheses.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date, datetime
from pathlib import Path

import duckdb

from sanctrace.sources.base import LoadOptions, LoadReport, begin_load, finish_source
from sanctrace.sources.loading import insert_rows, parse_date, transaction
from sanctrace.sources.party_rows import PartyRecord, PartyWriter

FORMAT = "eu-journal"
LIST = "eu_journal"
HEADER = {"celex", "recordId", "programKey", "annex", "schema", "name"}
REQUIRED = HEADER - {"recordId"}  # some annexes (e.g. Reg. 833/2014 XIV) number no records
_DIRECT_IDS = {
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "kppCode": "kpp",
    "leiCode": "lei",
    "imoNumber": "imo",
    "okpoCode": "okpo",
    "swiftBic": "bic",
}
_HINTS = [("inn", "inn"), ("ogrn", "ogrn"), ("kpp", "kpp"), ("imo", "imo"), ("tax", "tax")]
_HINTED = re.compile(r"^\s*(?P<value>[^()]+?)\s*(?:\((?P<hint>[^)]*)\))?\s*$")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


def sniff(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return {c.strip() for c in first.split(",")} >= HEADER


def _start_date(text: str | None) -> date | None:
    """``24.9.2004`` mostly; some annexes write ``12 March 2022``."""
    if text and text.strip() and text.strip()[0].isdigit() and " " in text.strip():
        return datetime.strptime(text.strip(), "%d %B %Y").date()
    return parse_date(text)


def _digest(text: str) -> str:
    """A stable stand-in for a missing record number: the entry's name, hashed."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _first(cell: str | None) -> str | None:
    values = _split(cell)
    return values[0] if values else None


def _names(row: dict[str, str]) -> list[tuple[str, str]]:
    """Every name with its type; a non-Latin name in parentheses becomes a name of its own."""
    names = [(row["name"].strip(), "primary")]
    for column, name_type in (("alias", "alias"), ("weakAlias", "weak_alias"), ("previousName", "previous")):
        for value in _split(row.get(column)):
            inner = [m.strip() for m in _PARENTHESES.findall(value) if not m.isascii()]
            outer = _PARENTHESES.sub("", value).strip() if inner else value
            names += [(n, name_type) for n in [outer, *inner] if n]
    return names


def _identifiers(row: dict[str, str]) -> list[tuple[str, str]]:
    found = [(scheme, v) for column, scheme in _DIRECT_IDS.items() for v in _split(row.get(column))]
    for column, default in (("registrationNumber", "registration"), ("taxNumber", "tax"), ("idNumber", "id")):
        for value in _split(row.get(column)):
            match = _HINTED.match(value)
            if not match:
                continue
            hint = (match.group("hint") or "").lower()
            scheme = next((s for word, s in _HINTS if word in hint), default)
            found.append((scheme, match.group("value")))
    return found


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    with transaction(con):
        report = begin_load(
            con,
            path,
            FORMAT,
            options,
            encoding="utf-8",
            publisher="Council of the European Union (Official Journal); transcription by OpenSanctions",
            licence="EU legal acts: reuse under Commission Decision 2011/833/EU; transcription MIT",
        )
        if report.already_loaded:
            return report
        writer = PartyWriter(con, options.dataset, FORMAT, report.source_id)
        designations: list[tuple[object, ...]] = []
        bad: list[tuple[object, ...]] = []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                report.rows_read += 1
                missing = sorted(c for c in REQUIRED if not (row.get(c) or "").strip())
                if missing:
                    bad.append(
                        (report.source_id, line, missing[0], f"missing {missing[0]}", str(row.get("name")))
                    )
                    continue
                try:
                    listed = _start_date(row.get("startDate"))
                except ValueError:
                    listed = None
                    bad.append((report.source_id, line, "startDate", "bad date", row.get("startDate")))
                record = (row.get("recordId") or "").strip() or "n" + _digest(row["name"])
                party_id = f"eu-{row['celex']}-{row['annex']}-{record}".replace(" ", "")
                writer.put(
                    PartyRecord(
                        party_id,
                        row["schema"].strip(),
                        row["name"].strip(),
                        line,
                        address=_first(row.get("address")),
                        phone=_first(row.get("phone")),
                        website=_first(row.get("website")),
                        names=_names(row),
                        identifiers=_identifiers(row),
                    )
                )
                program = f"{row['programKey'].strip()} {row['annex'].strip()}"
                designations.append((party_id, LIST, program, listed, None, report.source_id, line))
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
