"""The Harmonized System nomenclature (datahub ``harmonized-system`` layout) into ``hs_codes``.

Columns ``section,hscode,description,parent,level``; chapters (2 digits) have parent ``TOTAL``,
and one ``TOTAL`` row sums everything: it is not a code, so it goes to quarantine with its reason.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from sanctrace.errors import UserError

from .base import LoadOptions, LoadReport, QuarantinedRow, begin_load, finish_source, quarantine_rows
from .loading import insert_rows, report_progress, transaction

FORMAT = "hs-nomenclature"
PUBLISHER = "datasets/harmonized-system (datahub; descriptions from UN Comtrade)"
LICENCE = "ODC-PDDL-1.0"
COLUMNS = ("section", "hscode", "description", "parent", "level")
_EDITION_IN_NAME = re.compile(r"hs[ _-]?(\d{4})", re.IGNORECASE)


def sniff(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip().lower()
    return tuple(c.strip() for c in first.split(",")) == COLUMNS


def edition_from_name(path: Path) -> str | None:
    """``hs2022.csv`` -> ``HS2022``: the edition is in the file name in the datahub dataset."""
    match = _EDITION_IN_NAME.search(path.name)
    return f"HS{match.group(1)}" if match else None


def load(
    con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, *, edition: str | None = None
) -> LoadReport:
    """Load one edition; loading another file of the same edition replaces that edition's codes."""
    chosen = edition or edition_from_name(path)
    if chosen is None:
        raise UserError(f"{path}: cannot tell the HS edition; name the file like hs2022.csv")
    chosen = chosen.upper().replace(" ", "")
    with transaction(con):
        report = begin_load(
            con, path, FORMAT, options, encoding="utf-8", publisher=PUBLISHER, licence=LICENCE
        )
        if report.already_loaded:
            return report
        accepted: list[tuple[str, int, str | None, str | None, str, int]] = []
        bad: list[QuarantinedRow] = []
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = [h.strip().lower() for h in next(reader, [])]
                if tuple(header) != COLUMNS:
                    raise UserError(f"{path}: expected columns {','.join(COLUMNS)}, found {','.join(header)}")
                for row_number, cells in enumerate(reader, start=2):
                    report.rows_read += 1
                    report_progress(options.progress, report.rows_read)
                    row, problem = _parse(cells)
                    if row is None:
                        bad.append(QuarantinedRow(row_number, problem[0], problem[1], ",".join(cells)))
                        continue
                    accepted.append((*row, chosen, report.source_id))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UserError(f"{path}: cannot read: {exc}") from exc
        con.execute("DELETE FROM hs_codes WHERE edition = ?", [chosen])
        insert_rows(con, "hs_codes", accepted)
        report.rows_accepted = len(accepted)
        report.rows_quarantined = quarantine_rows(con, report.source_id, bad)
        return finish_source(con, report)


def _parse(
    cells: list[str],
) -> tuple[tuple[str, int, str | None, str | None] | None, tuple[str | None, str]]:
    """A valid row, or None and (column, reason)."""
    if not any(c.strip() for c in cells):
        return None, (None, "empty row")
    if len(cells) != len(COLUMNS):
        return None, (None, f"expected {len(COLUMNS)} columns, found {len(cells)}")
    _section, code, description, parent, level_text = (c.strip() for c in cells)
    if code.upper() == "TOTAL":
        return None, ("hscode", "TOTAL row (sum of all codes, not a code)")
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", code):
        return None, ("hscode", f"not a 2, 4 or 6 digit code: {code!r}")
    if level_text != str(len(code)):
        return None, ("level", f"level {level_text!r} does not match the {len(code)}-digit code")
    parent_code = None if parent.upper() in ("", "TOTAL") else parent
    if parent_code is not None and not code.startswith(parent_code):
        return None, ("parent", f"parent {parent!r} is not a prefix of {code}")
    return (code, len(code), description or None, parent_code), (None, "")
