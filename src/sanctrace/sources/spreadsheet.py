"""Turn the first sheet of an .xlsx workbook into a UTF-8 CSV, so spreadsheets share the CSV path.

Cells become text the cleaners understand: dates as ISO, whole numbers without ``.0`` (commodity
codes stored as numbers), other numbers in plain notation. Line breaks inside cells become spaces so
that CSV line N is worksheet row N and row numbers in the quarantine point at the worksheet row.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sanctrace.errors import UserError
from sanctrace.sources.staging import csv_from_rows

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def is_xlsx(path: Path) -> bool:
    if path.suffix.lower() in XLSX_SUFFIXES:
        return True
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04" and zipfile.is_zipfile(path)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _rows(path: Path, limit: int | None = None) -> list[list[str]]:
    import openpyxl  # imported late: only spreadsheet users pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise UserError(f"{path}: cannot read as an .xlsx workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True, max_row=limit):
            rows.append([cell_text(v) for v in row])
        return rows
    finally:
        workbook.close()


def xlsx_header(path: Path) -> list[str]:
    rows = _rows(path, limit=1)
    return [c.strip() for c in rows[0]] if rows else []


def xlsx_to_csv(path: Path, target: Path) -> None:
    rows = _rows(path)
    if not rows or not any(rows[0]):
        raise UserError(f"{path}: the first worksheet is empty (no header row)")
    width = max(len(r) for r in rows)
    csv_from_rows([r + [""] * (width - len(r)) for r in rows], target)
