"""Company registries through the documented CSV template (docs/inputs/registry.md).

Four files, each its own format: companies, officers, owners, payments. Ids in the files are local
to the dataset, so a party is ``<dataset>:<company_id>``; an officer or owner named without an id
is scoped to the company (``<dataset>:<company_id>:officer:<name>``) so namesakes in different
companies are not merged here (that is the resolve layer's call, with evidence).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from sanctrace.errors import UserError

from .base import LoadOptions, LoadReport, QuarantinedRow, begin_load, finish_source, quarantine_rows
from .countries import CountryResolver
from .loading import parse_date, parse_decimal, report_progress, transaction
from .party_rows import PartyRecord, PartyWriter, RelationRecord

COMPANIES, OFFICERS, OWNERS, PAYMENTS = (
    "registry-companies",
    "registry-officers",
    "registry-owners",
    "registry-payments",
)
FORMATS: tuple[str, ...] = (COMPANIES, OFFICERS, OWNERS, PAYMENTS)

# Identifier columns of companies.csv -> party_identifiers.scheme
IDENTIFIER_COLUMNS = {
    "inn": "inn",
    "ogrn": "ogrn",
    "kpp": "kpp",
    "ubn": "ubn",
    "uscc": "uscc",
    "vkn": "vkn",
    "lei": "lei",
    "imo": "imo",
    "registration_number": "registration",
}
_REQUIRED = {
    COMPANIES: ("company_id", "name"),
    OFFICERS: ("company_id", "role"),
    OWNERS: ("company_id",),
    PAYMENTS: ("payer_id", "payee_id", "amount"),
}
_OWNER_SCHEMAS = {"person": "Person", "company": "Company", "": "LegalEntity"}


class RowError(ValueError):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def _header(head: str) -> list[str]:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [c.strip().lower() for c in next(csv.reader([first], delimiter=delimiter), [])]


def sniff_format(path: Path, head: str) -> str | None:
    """Which of the four registry files this is, from its header."""
    cols = set(_header(head))
    if {"payer_id", "payee_id", "amount"} <= cols:
        return PAYMENTS
    if "company_id" not in cols:
        return None
    if "owner_id" in cols or "owner_name" in cols:
        return OWNERS
    if "role" in cols and ("person_id" in cols or "officer_name" in cols):
        return OFFICERS
    if "name" in cols:
        return COMPANIES
    return None


def sniff(path: Path, head: str) -> bool:
    return sniff_format(path, head) is not None


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]
    raw: str

    def get(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def date(self, column: str) -> date | None:
        try:
            return parse_date(self.get(column))
        except ValueError as exc:
            raise RowError(column, f"{column}: {exc}") from None


def _rows(path: Path, fmt: str) -> Iterator[_Row]:
    """Data rows with the file line they start on; UTF-8 (with or without BOM), else cp1251."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")
    lines = text.splitlines(keepends=True)
    header = _header(text)
    missing = [c for c in _REQUIRED[fmt] if c not in header]
    if fmt == OFFICERS and "person_id" not in header and "officer_name" not in header:
        missing.append("person_id or officer_name")
    if fmt == OWNERS and "owner_id" not in header and "owner_name" not in header:
        missing.append("owner_id or owner_name")
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)} for {fmt} (see docs/inputs/registry.md)"
        )
    delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines[1:], delimiter=delimiter)
    line = 2
    while True:
        start = line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UserError(f"{path}: line {start}: {exc}") from exc
        line = reader.line_num + 2
        if not any(c.strip() for c in cells):
            continue
        yield _Row(
            start, dict(zip(header, cells, strict=False)), "".join(lines[start - 1 : line - 1]).rstrip()
        )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


class _Loader:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, options: LoadOptions, fmt: str, source_id: int
    ) -> None:
        self.ds = options.dataset
        self.writer = PartyWriter(con, options.dataset, fmt, source_id)
        self.countries = CountryResolver(con)
        self.seen: Counter[str] = Counter()

    def pid(self, local_id: str) -> str:
        return f"{self.ds}:{local_id}"

    def company(self, row: _Row) -> None:
        company_id, name = row.get("company_id"), row.get("name")
        if not company_id:
            raise RowError("company_id", "missing company_id")
        if not name:
            raise RowError("name", "missing name")
        try:
            country = self.countries.resolve(row.get("country"))
        except ValueError as exc:
            raise RowError("country", str(exc)) from None
        earlier = self.writer.parties.get(self.pid(company_id))
        if earlier is not None:
            raise RowError(
                "company_id", f"duplicate company_id {company_id} (first on line {earlier.row_number})"
            )
        record = PartyRecord(
            self.pid(company_id),
            "Company",
            name,
            row.number,
            country=country,
            incorporation_date=row.date("incorporation_date"),
            dissolution_date=row.date("dissolution_date"),
            address=row.get("address") or None,
            phone=row.get("phone") or None,
            website=row.get("website") or None,
            names=[(name, "primary"), *((alias, "alias") for alias in _split(row.get("alt_names")))],
            identifiers=[
                (scheme, value)
                for column, scheme in IDENTIFIER_COLUMNS.items()
                for value in _split(row.get(column))
            ],
        )
        self.writer.put(record)

    def officer(self, row: _Row) -> None:
        company_id, person_id, name = row.get("company_id"), row.get("person_id"), row.get("officer_name")
        if not company_id:
            raise RowError("company_id", "missing company_id")
        if not person_id and not name:
            raise RowError("person_id", "missing person_id and officer_name")
        start, end = row.date("start_date"), row.date("end_date")
        officer_id = self.pid(person_id) if person_id else self.pid(f"{company_id}:officer:{_key(name)}")
        role = row.get("role") or None
        self.writer.stub(officer_id, "Person", name or person_id, row.number, named=bool(name))
        self.writer.stub(self.pid(company_id), "Company", company_id, row.number, named=False)
        relation_id = f"{self.ds}:officer:{company_id}:{officer_id}:{role or ''}:{start or ''}"
        self.writer.relate(
            RelationRecord(
                relation_id,
                "officer",
                officer_id,
                self.pid(company_id),
                row.number,
                role=role,
                start_date=start,
                end_date=end,
            )
        )

    def owner(self, row: _Row) -> None:
        company_id, owner_id, name = row.get("company_id"), row.get("owner_id"), row.get("owner_name")
        if not company_id:
            raise RowError("company_id", "missing company_id")
        if not owner_id and not name:
            raise RowError("owner_id", "missing owner_id and owner_name")
        owner_type = row.get("owner_type").lower()
        if owner_type not in _OWNER_SCHEMAS:
            raise RowError("owner_type", f"owner_type must be person or company, not {owner_type!r}")
        try:
            percent = parse_decimal(row.get("percent"))
        except ValueError as exc:
            raise RowError("percent", str(exc)) from None
        if percent is not None and not 0 <= percent <= 100:
            raise RowError("percent", f"percent {percent} outside 0-100")
        start, end = row.date("start_date"), row.date("end_date")
        holder = self.pid(owner_id) if owner_id else self.pid(f"{company_id}:owner:{_key(name)}")
        self.writer.stub(holder, _OWNER_SCHEMAS[owner_type], name or owner_id, row.number, named=bool(name))
        self.writer.stub(self.pid(company_id), "Company", company_id, row.number, named=False)
        relation_id = f"{self.ds}:ownership:{company_id}:{holder}:{start or ''}"
        self.writer.relate(
            RelationRecord(
                relation_id,
                "ownership",
                holder,
                self.pid(company_id),
                row.number,
                percent=float(percent) if percent is not None else None,
                start_date=start,
                end_date=end,
            )
        )

    def payment(self, row: _Row) -> None:
        payer, payee = row.get("payer_id"), row.get("payee_id")
        if not payer or not payee:
            raise RowError("payer_id" if not payer else "payee_id", "missing payer_id or payee_id")
        try:
            amount = parse_decimal(row.get("amount"))
        except ValueError as exc:
            raise RowError("amount", str(exc)) from None
        if amount is None:
            raise RowError("amount", "missing amount")
        currency = row.get("currency").upper() or None
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            raise RowError("currency", f"currency must be a 3-letter code, not {currency!r}")
        when = row.date("date")
        for local in (payer, payee):
            self.writer.stub(self.pid(local), "LegalEntity", local, row.number, named=False)
        key = f"{payer}:{payee}:{when or ''}:{amount}:{currency or ''}"
        self.seen[key] += 1
        self.writer.relate(
            RelationRecord(
                f"{self.ds}:payment:{key}:{self.seen[key]}",
                "payment",
                self.pid(payer),
                self.pid(payee),
                row.number,
                amount=amount,
                currency=currency,
                start_date=when,
                end_date=when,
            )
        )


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, fmt: str) -> LoadReport:
    """Load one registry file; bad rows go to quarantine with their line and reason."""
    if fmt not in FORMATS:
        raise UserError(f"{path}: unknown registry format {fmt!r} (expected one of {', '.join(FORMATS)})")
    with transaction(con):
        report = begin_load(con, path, fmt, options, encoding="utf-8")
        if report.already_loaded:
            return report
        loader = _Loader(con, options, fmt, report.source_id)
        handle: Callable[[_Row], None] = {
            COMPANIES: loader.company,
            OFFICERS: loader.officer,
            OWNERS: loader.owner,
            PAYMENTS: loader.payment,
        }[fmt]
        bad: list[QuarantinedRow] = []
        for row in _rows(path, fmt):
            report.rows_read += 1
            report_progress(options.progress, report.rows_read)
            try:
                handle(row)
            except RowError as exc:
                bad.append(QuarantinedRow(row.number, exc.column, str(exc), row.raw))
                continue
            report.rows_accepted += 1
        loader.writer.flush()
        report.rows_quarantined = quarantine_rows(con, report.source_id, bad)
        return finish_source(con, report)
