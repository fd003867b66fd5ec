"""Read screening queries from CSV or FollowTheMoney JSON lines; write matches as CSV or JSON lines.

The CSV contract is the one in the README: ``id``, ``name``, optional ``schema``, ``country`` and
identifier columns named after their scheme (``inn``, ``ogrn``, ``lei``, ...).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sanctrace.errors import UserError
from sanctrace.resolve.screening import ScreeningMatch, ScreeningQuery

IDENTIFIER_COLUMNS = ("inn", "ogrn", "kpp", "ubn", "uscc", "vkn", "lei", "imo", "registration_number")
_FTM_IDENTIFIERS = {
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "kppCode": "kpp",
    "leiCode": "lei",
    "imoNumber": "imo",
    "registrationNumber": "registration_number",
    "taxNumber": "tax_number",
}


def read_queries(path: Path) -> list[ScreeningQuery]:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.suffix.lower() in {".json", ".jsonl", ".ndjson"}:
        return list(_read_ftm(path))
    return list(_read_csv(path))


def _read_csv(path: Path) -> Iterator[ScreeningQuery]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or [])
        if not {"id", "name"} <= fields:
            raise UserError(f"{path}: screening CSV needs columns 'id' and 'name' (found {sorted(fields)})")
        for line, row in enumerate(reader, start=2):
            if not (row.get("id") or "").strip() or not (row.get("name") or "").strip():
                raise UserError(f"{path}: row {line}: empty id or name")
            identifiers = {
                scheme: row[scheme].strip()
                for scheme in IDENTIFIER_COLUMNS
                if (row.get(scheme) or "").strip()
            }
            yield ScreeningQuery(
                id=row["id"].strip(),
                name=row["name"].strip(),
                schema=(row.get("schema") or "LegalEntity").strip() or "LegalEntity",
                country=(row.get("country") or "").strip().upper() or None,
                identifiers=identifiers,
            )


def _read_ftm(path: Path) -> Iterator[ScreeningQuery]:
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entity = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}: line {line_number}: not JSON ({exc.msg})") from exc
            yield ftm_query(entity, fallback_id=f"line-{line_number}")


def ftm_query(entity: dict[str, Any], fallback_id: str) -> ScreeningQuery:
    """A screening query from one FtM entity (also the body of a yente ``/match`` query)."""
    props: dict[str, list[str]] = entity.get("properties") or {}
    names = props.get("name") or []
    if not names:
        raise UserError(f"entity {entity.get('id', fallback_id)}: no 'name' property")
    identifiers = {
        scheme: values[0] for prop, scheme in _FTM_IDENTIFIERS.items() if (values := props.get(prop))
    }
    countries = props.get("country") or props.get("jurisdiction") or []
    return ScreeningQuery(
        id=str(entity.get("id") or fallback_id),
        name=names[0],
        schema=str(entity.get("schema") or "LegalEntity"),
        country=countries[0].upper() if countries else None,
        identifiers=identifiers,
    )


def write_matches(path: Path, matches: Sequence[ScreeningMatch]) -> None:
    rows = [match_record(m) for m in matches]
    if path.suffix.lower() in {".json", ".jsonl", ".ndjson"}:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["query_id", "entity_id", "caption", "score", "match", "datasets", "explanations"],
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    **row,
                    "datasets": ";".join(row["datasets"]),
                    "explanations": json.dumps(row["explanations"]),
                }
            )


def match_record(match: ScreeningMatch) -> dict[str, Any]:
    return {
        "query_id": match.query_id,
        "entity_id": match.entity_id,
        "caption": match.caption,
        "score": round(float(match.score), 4),
        "match": bool(match.match),
        "datasets": list(match.datasets),
        "explanations": match.explanations,
    }
