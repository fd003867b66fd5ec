"""FollowTheMoney JSON lines (OpenSanctions / Aleph exports and delta files), without the FtM library.

One entity per line, or ``{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`` per line in a delta file.
Only the schemas the warehouse models are read: parties (Person, Company, Organization,
LegalEntity, PublicBody, Vessel), Sanction -> ``designations``, Ownership / Directorship / Employment /
Payment / Family / Associate / UnknownLink -> ``relations``, Address to fill party addresses,
Passport / Identification to add identifiers to their holder. Any other schema is quarantined with
its reason. ``party_id`` and ``relation_id`` are the FtM ids, so ``export_ftm`` writes them back.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from sanctrace.errors import UserError

from .base import LoadOptions, LoadReport, QuarantinedRow, begin_load, finish_source, quarantine_rows
from .loading import insert_rows, parse_date, parse_decimal, report_progress, transaction
from .party_rows import PartyRecord, PartyWriter, RelationRecord

FORMAT = "ftm"

PARTY_SCHEMAS = frozenset({"Person", "Company", "Organization", "LegalEntity", "PublicBody", "Vessel"})
NAME_PROPS = {"name": "primary", "alias": "alias", "weakAlias": "weak_alias", "previousName": "previous"}
IDENTIFIER_PROPS = {
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "kppCode": "kpp",
    "leiCode": "lei",
    "imoNumber": "imo",
    "registrationNumber": "registration",
    "taxNumber": "tax",
    "okpoCode": "okpo",
    "swiftBic": "bic",
    "bikCode": "bik",
    "idNumber": "id",
    "passportNumber": "passport",
    "vatCode": "vat",
    "mmsi": "mmsi",
    "uniqueEntityId": "uei",
    "dunsCode": "duns",
    "permId": "permid",
}
# relation kind, subject property, object property, role property
RELATION_SCHEMAS = {
    "Ownership": ("ownership", "owner", "asset", "role"),
    "Directorship": ("officer", "director", "organization", "role"),
    "Employment": ("officer", "employee", "employer", "role"),
    "Payment": ("payment", "payer", "beneficiary", "purpose"),
    "Family": ("linked", "person", "relative", "relationship"),
    "Associate": ("linked", "person", "associate", "relationship"),
    "UnknownLink": ("linked", "subject", "object", "role"),
}
_ID_DOCUMENTS = {"Passport": "passport", "Identification": "id"}


class EntityError(ValueError):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def sniff(path: Path, head: str) -> bool:
    name = path.name.lower()
    if name.endswith((".ftm.json", ".delta.json", ".ftm.jsonl")):
        return True
    start = head.lstrip()[:400]
    return start.startswith("{") and (
        start.startswith('{"op"') or ('"schema"' in head[:4096] and '"properties"' in head[:4096])
    )


@dataclass(frozen=True)
class _Line:
    number: int
    entity: dict[str, Any]
    raw: str


def _values(entity: dict[str, Any], prop: str) -> list[str]:
    values = entity.get("properties", {}).get(prop, [])
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values if v is not None and str(v).strip()] if isinstance(values, list) else []


def _first(entity: dict[str, Any], prop: str) -> str | None:
    values = _values(entity, prop)
    return values[0].strip() if values else None


def _date(entity: dict[str, Any], prop: str, *, earliest: bool = False) -> date | None:
    parsed = []
    for value in _values(entity, prop):
        try:
            found = parse_date(value, partial=True)
        except ValueError as exc:
            raise EntityError(prop, f"{prop}: {exc}") from None
        if found is not None:
            parsed.append(found)
    if not parsed:
        return None
    return min(parsed) if earliest else parsed[0]


def _country(entity: dict[str, Any]) -> str | None:
    for prop in ("country", "jurisdiction", "nationality", "flag"):
        for value in _values(entity, prop):
            if len(value.strip()) == 2 and value.strip().isalpha():
                return value.strip().upper()
    return None


class _Loader:
    def __init__(self, con: duckdb.DuckDBPyConnection, options: LoadOptions, source_id: int) -> None:
        self.con = con
        self.dataset = options.dataset
        self.source_id = source_id
        self.writer = PartyWriter(con, options.dataset, FORMAT, source_id)
        self.designations: list[tuple[str, str, str | None, date | None, date | None, int]] = []
        self.addresses: dict[str, str] = {}
        self.address_refs: dict[str, list[str]] = {}

    def party(self, line: _Line) -> None:
        e = line.entity
        names = [(v, kind) for prop, kind in NAME_PROPS.items() for v in _values(e, prop)]
        caption = str(e.get("caption") or (names[0][0] if names else e["id"]))
        if not any(kind == "primary" for _, kind in names):
            names.insert(0, (caption, "primary"))
        self.writer.put(
            PartyRecord(
                e["id"],
                e["schema"],
                caption,
                line.number,
                country=_country(e),
                incorporation_date=_date(e, "incorporationDate", earliest=True),
                dissolution_date=_date(e, "dissolutionDate"),
                address=_first(e, "address"),
                phone=_first(e, "phone"),
                website=_first(e, "website"),
                names=names,
                identifiers=[
                    (scheme, v) for prop, scheme in IDENTIFIER_PROPS.items() for v in _values(e, prop)
                ],
            )
        )
        self.address_refs[e["id"]] = _values(e, "addressEntity")

    def sanction(self, line: _Line) -> None:
        e = line.entity
        party_id = _first(e, "entity")
        if party_id is None:
            raise EntityError("entity", "Sanction without entity")
        datasets = e.get("datasets") or []
        listed_on = str(datasets[0]) if datasets else _first(e, "authority")
        if not listed_on:
            raise EntityError("datasets", "Sanction without datasets or authority: cannot name the list")
        program = _first(e, "program") or _first(e, "programId")
        listed = _date(e, "listingDate") or _date(e, "startDate")
        self.designations.append((party_id, listed_on, program, listed, _date(e, "endDate"), line.number))

    def relation(self, line: _Line) -> None:
        e = line.entity
        kind, subject_prop, object_prop, role_prop = RELATION_SCHEMAS[e["schema"]]
        subject, obj = _first(e, subject_prop), _first(e, object_prop)
        if subject is None or obj is None:
            raise EntityError(
                subject_prop if subject is None else object_prop,
                f"{e['schema']} without {subject_prop if subject is None else object_prop}",
            )
        percent = None
        if kind == "ownership":
            try:
                value = parse_decimal(_first(e, "percentage"))
            except ValueError as exc:
                raise EntityError("percentage", str(exc)) from None
            if value is not None and not 0 <= value <= 100:
                raise EntityError("percentage", f"percentage {value} outside 0-100")
            percent = float(value) if value is not None else None
        amount: Decimal | None = None
        if kind == "payment":
            try:
                amount = parse_decimal(_first(e, "amount"))
            except ValueError as exc:
                raise EntityError("amount", str(exc)) from None
        start = _date(e, "startDate") or (_date(e, "date") if kind == "payment" else None)
        end = _date(e, "endDate") or (_date(e, "date") if kind == "payment" else None)
        currency = _first(e, "currency")
        self.writer.relate(
            RelationRecord(
                e["id"],
                kind,
                subject,
                obj,
                line.number,
                percent=percent,
                role=_first(e, role_prop),
                amount=amount,
                currency=currency.upper() if currency else None,
                start_date=start,
                end_date=end,
            )
        )

    def apply(self, line: _Line) -> None:
        schema = line.entity["schema"]
        if schema in PARTY_SCHEMAS:
            self.party(line)
        elif schema == "Sanction":
            self.sanction(line)
        elif schema in RELATION_SCHEMAS:
            self.relation(line)
        elif schema == "Address":
            full = _first(line.entity, "full") or line.entity.get("caption")
            if not full:
                raise EntityError("full", "Address without text")
            self.addresses[line.entity["id"]] = str(full)
        elif schema in _ID_DOCUMENTS:
            self.id_document(line)
        else:
            raise EntityError(None, f"FtM schema {schema} is not loaded")

    def id_document(self, line: _Line) -> None:
        e = line.entity
        holder, number = _first(e, "holder"), _first(e, "number")
        record = self.writer.parties.get(holder or "")
        if number is None or record is None:
            raise EntityError("number", f"{e['schema']} without number or without its holder in the file")
        record.identifiers.append((_ID_DOCUMENTS[e["schema"]], number))

    def finish(self, deleted: list[tuple[int, str, str]]) -> list[QuarantinedRow]:
        """Write everything. ``deleted``: (line, id, raw) of DEL ops; returns those that matched nothing."""
        for party_id, refs in self.address_refs.items():
            record = self.writer.parties[party_id]
            if record.address is None:
                record.address = next((self.addresses[r] for r in refs if r in self.addresses), None)
        unmatched = self._delete([entity_id for _, entity_id, _ in deleted])
        keys = sorted({(d[0], d[1], d[2] or "") for d in self.designations})
        if keys:
            self.con.execute(
                "DELETE FROM designations WHERE list_contains(?, [party_id, list, coalesce(program, '')])"
                " AND source_id IN (SELECT source_id FROM sources WHERE dataset = ? AND format = ?)",
                [[list(k) for k in keys], self.dataset, FORMAT],
            )
        self.writer.flush()
        if self.designations:
            insert_rows(
                self.con,
                "designations",
                [
                    (p, li, prog, start, end, self.source_id, n)
                    for p, li, prog, start, end, n in self.designations
                ],
            )
        return [
            QuarantinedRow(n, "id", "DEL of an id that is no loaded party or relation (nothing deleted)", raw)
            for n, entity_id, raw in deleted
            if entity_id in unmatched
        ]

    def _delete(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        found = {
            str(r[0])
            for r in self.con.execute(
                "SELECT party_id FROM parties WHERE list_contains(?, party_id)"
                " UNION SELECT relation_id FROM relations WHERE list_contains(?, relation_id)",
                [ids, ids],
            ).fetchall()
        }
        self.writer.delete_parties(ids)
        self.writer.delete_relations(ids)
        self.con.execute(
            "DELETE FROM designations WHERE list_contains(?, party_id)"
            " AND source_id IN (SELECT source_id FROM sources WHERE dataset = ? AND format = ?)",
            [ids, self.dataset, FORMAT],
        )
        return set(ids) - found


def _parse_line(number: int, text: str) -> tuple[str, _Line]:
    """(op, line) for one JSON line; raises EntityError for anything unusable."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EntityError(None, f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise EntityError(None, "line is not a JSON object")
    op = "ADD"
    if "op" in data:
        op = str(data["op"]).upper()
        data = data.get("entity")
        if op not in ("ADD", "MOD", "DEL") or not isinstance(data, dict):
            raise EntityError("op", f"unknown delta op {op!r} or missing entity")
    if not data.get("id"):
        raise EntityError("id", "entity without id")
    if op != "DEL" and not data.get("schema"):
        raise EntityError("schema", "entity without schema")
    if op != "DEL" and not isinstance(data.get("properties", {}), dict):
        raise EntityError("properties", "properties is not an object")
    return op, _Line(number, data, text)


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Load a FtM entities file or delta file; within a file the last op on an id wins."""
    with transaction(con):
        report = begin_load(con, path, FORMAT, options, encoding="utf-8")
        if report.already_loaded:
            return report
        final: dict[str, tuple[str, _Line]] = {}
        bad: list[QuarantinedRow] = []
        try:
            with path.open(encoding="utf-8-sig") as handle:
                for number, text in enumerate(handle, start=1):
                    if not text.strip():
                        continue
                    report.rows_read += 1
                    report_progress(options.progress, report.rows_read)
                    try:
                        op, line = _parse_line(number, text.strip())
                    except EntityError as exc:
                        bad.append(QuarantinedRow(number, exc.column, str(exc), text.strip()[:2000]))
                        continue
                    earlier = final.pop(line.entity["id"], None)
                    if earlier is not None and op == "ADD" and earlier[0] == "ADD":
                        bad.append(
                            QuarantinedRow(
                                earlier[1].number,
                                "id",
                                "duplicate id (a later line wins)",
                                earlier[1].raw[:2000],
                            )
                        )
                    final[line.entity["id"]] = (op, line)
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: cannot read: {exc}") from exc
        loader = _Loader(con, options, report.source_id)
        deleted: list[tuple[int, str, str]] = []
        ordered = sorted(final.values(), key=lambda item: item[1].number)
        # Parties first, so identity documents find their holder whatever the line order.
        ordered.sort(key=lambda item: item[1].entity.get("schema") not in PARTY_SCHEMAS)
        for op, line in ordered:
            if op == "DEL":
                deleted.append((line.number, line.entity["id"], line.raw[:2000]))
                continue
            try:
                loader.apply(line)
            except EntityError as exc:
                bad.append(QuarantinedRow(line.number, exc.column, str(exc), line.raw[:2000]))
        bad.extend(loader.finish(deleted))
        report.rows_quarantined = quarantine_rows(con, report.source_id, bad)
        report.rows_accepted = report.rows_read - report.rows_quarantined
        return finish_source(con, report)


# --- export -------------------------------------------------------------------------------------

_SCHEME_PROPS = {scheme: prop for prop, scheme in IDENTIFIER_PROPS.items()} | {
    "ubn": "registrationNumber",
    "uscc": "registrationNumber",
    "vkn": "taxNumber",
}
_NAME_TYPE_PROPS = {kind: prop for prop, kind in NAME_PROPS.items()}
_RELATION_EXPORT = {
    "ownership": ("Ownership", "owner", "asset", "role"),
    "officer": ("Directorship", "director", "organization", "role"),
    "payment": ("Payment", "payer", "beneficiary", "purpose"),
}


def _add(props: dict[str, list[str]], prop: str, value: object) -> None:
    if value is None or value == "":
        return
    text = value.isoformat() if isinstance(value, date) else str(value)
    if text not in props.setdefault(prop, []):
        props[prop].append(text)


def _number(value: object) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_ftm(con: duckdb.DuckDBPyConnection, dataset: str | None) -> Iterator[dict[str, Any]]:
    """Parties, relations and designations of ``dataset`` (all when None) as FtM entities."""
    in_dataset = "(SELECT source_id FROM sources WHERE ? IS NULL OR dataset = ?)"
    names: dict[str, list[tuple[str, str]]] = {}
    for party_id, name, name_type in con.execute(
        f"SELECT party_id, name, name_type FROM party_names WHERE source_id IN {in_dataset}"
        " ORDER BY source_id, row_number, rowid",
        [dataset, dataset],
    ).fetchall():
        names.setdefault(party_id, []).append((name, name_type))
    identifiers: dict[str, list[tuple[str, str]]] = {}
    for party_id, scheme, value in con.execute(
        f"SELECT party_id, scheme, value FROM party_identifiers WHERE source_id IN {in_dataset}"
        " ORDER BY source_id, row_number, rowid",
        [dataset, dataset],
    ).fetchall():
        identifiers.setdefault(party_id, []).append((scheme, value))
    parties = con.execute(
        "SELECT party_id, schema, caption, country, incorporation_date, dissolution_date, address, phone,"
        " website, dataset FROM parties WHERE ? IS NULL OR dataset = ? ORDER BY party_id",
        [dataset, dataset],
    ).fetchall()
    for party_id, schema, caption, country, incorporated, dissolved, address, phone, website, ds in parties:
        props: dict[str, list[str]] = {}
        for name, name_type in names.get(party_id, []):
            _add(props, _NAME_TYPE_PROPS.get(name_type, "alias"), name)
        _add(props, "country", country.lower() if country else None)
        _add(props, "incorporationDate", incorporated)
        _add(props, "dissolutionDate", dissolved)
        _add(props, "address", address)
        _add(props, "phone", phone)
        _add(props, "website", website)
        for scheme, value in identifiers.get(party_id, []):
            _add(props, _SCHEME_PROPS.get(scheme, "registrationNumber"), value)
        yield {"id": party_id, "schema": schema, "caption": caption, "properties": props, "datasets": [ds]}
    relations = con.execute(
        "SELECT relation_id, kind, subject_id, object_id, percent, role, amount, currency, start_date,"
        f" end_date FROM relations WHERE source_id IN {in_dataset} ORDER BY relation_id",
        [dataset, dataset],
    ).fetchall()
    for relation_id, kind, subject, obj, percent, role, amount, currency, start, end in relations:
        schema, subject_prop, object_prop, role_prop = _RELATION_EXPORT.get(
            kind, ("UnknownLink", "subject", "object", "role")
        )
        props = {subject_prop: [subject], object_prop: [obj]}
        _add(props, role_prop, role if kind in ("ownership", "officer", "payment", "linked") else kind)
        _add(props, "percentage", _number(percent) if percent is not None else None)
        _add(props, "amount", _number(amount) if amount is not None else None)
        _add(props, "currency", currency)
        _add(props, "startDate", start)
        _add(props, "endDate", end)
        yield {
            "id": relation_id,
            "schema": schema,
            "caption": schema,
            "properties": props,
            "datasets": [dataset] if dataset else [],
        }
    designations = con.execute(
        "SELECT party_id, list, program, listed_date, delisted_date FROM designations"
        f" WHERE source_id IN {in_dataset} ORDER BY party_id, list, program, listed_date",
        [dataset, dataset],
    ).fetchall()
    occurrences: Counter[str] = Counter()
    for party_id, listed_on, program, listed, delisted in designations:
        key = f"{party_id}|{listed_on}|{program}|{listed}|{delisted}"
        occurrences[key] += 1
        key += f"|{occurrences[key]}"  # identical designations from different lines stay distinct
        props = {"entity": [party_id]}
        _add(props, "program", program)
        _add(props, "listingDate", listed)
        _add(props, "endDate", delisted)
        yield {
            "id": "sanction-" + hashlib.sha1(key.encode()).hexdigest()[:20],
            "schema": "Sanction",
            "caption": "Sanction",
            "properties": props,
            "datasets": [listed_on],
        }
