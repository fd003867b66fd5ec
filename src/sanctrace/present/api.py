"""HTTP API over the warehouse, first form.

``POST /match/{dataset}`` follows the yente contract (queries keyed by id, each an FtM schema and
properties; responses keyed the same way with ``results`` carrying id, caption, schema, properties,
datasets, score, match, explanations), so existing yente clients can point at sanctrace.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

from sanctrace.errors import UserError
from sanctrace.present.screen_io import ftm_query
from sanctrace.resolve.candidates import CandidateIndex, load_candidates
from sanctrace.resolve.screening import screen_index, search_index
from sanctrace.store.warehouse import connect

READABLE_TABLES = {
    "sources",
    "quarantine",
    "declarations",
    "trade_flows",
    "parties",
    "party_names",
    "party_identifiers",
    "relations",
    "designations",
    "baskets",
    "control_events",
    "shipment_routes",
    "route_monthly",
    "top_parties",
    "route_switches",
    "basket_flows",
    "indirect_estimates",
    "indirect_reconciliation",
    "hub_indicators",
    "screening_matches",
    "maker_aliases",
    "maker_attribution",
    "price_anomalies",
}


def _scope(dataset: str) -> str | None:
    """The dataset a path names: ``default`` and ``all`` mean every loaded list, as in yente."""
    return None if dataset in {"default", "all"} else dataset


class EntityQuery(BaseModel):
    schema_: str = Field(default="LegalEntity", alias="schema")
    properties: dict[str, list[str]] = Field(default_factory=dict)


class MatchRequest(BaseModel):
    queries: dict[str, EntityQuery]


def create_app(db: Path | str, warm: Iterable[str] = ()) -> FastAPI:
    """The app over the warehouse ``db``. ``warm`` names datasets whose /match index is built at
    startup (for today), so the first request does not wait for it (seconds on the full lists)."""
    con = connect(db)
    warm_scopes = list(warm)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for dataset in warm_scopes:
            index_for(_scope(dataset), None)
        yield

    app = FastAPI(title="sanctrace", version="0.1.0", lifespan=lifespan)

    def cursor() -> duckdb.DuckDBPyConnection:
        return con.cursor()

    # Candidate indexes by (dataset scope, as_of day), each with the warehouse state it was built from:
    # building one reads every designated name (seconds on the full lists), a query then takes
    # milliseconds. A new ingest changes the fingerprint and the index is rebuilt on the next query.
    # The entities a match or search returns are described from memory too (captions, aliases, lists of
    # every designated party, read once per warehouse state), not by three queries per request.
    indexes: dict[tuple[str | None, dt.date], tuple[tuple[Any, ...], CandidateIndex]] = {}
    described: dict[tuple[Any, ...], dict[str, _Detail]] = {}

    def fingerprint(cur: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
        return tuple(
            cur.execute(
                "SELECT (SELECT count(*) FROM sources), (SELECT max(loaded_at) FROM sources),"
                " (SELECT count(*) FROM designations), (SELECT count(*) FROM party_names)"
            ).fetchone()
            or ()
        )

    def index_for(scope: str | None, as_of: dt.date | None) -> tuple[CandidateIndex, dict[str, _Detail]]:
        day = as_of or dt.date.today()
        cur = cursor()
        state = fingerprint(cur)
        cached = indexes.get((scope, day))
        if cached is None or cached[0] != state:
            cached = (state, load_candidates(cur, dataset=scope, as_of=day))
            indexes[(scope, day)] = cached
        if state not in described:
            described.clear()
            described[state] = _details(cur, None)
        return cached[1], described[state]

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/sources")
    def sources() -> list[dict[str, Any]]:
        return _records(cursor(), "SELECT * FROM sources ORDER BY source_id", [])

    @app.get("/tables/{name}")
    def table(name: str, limit: int = Query(100, ge=1, le=10_000)) -> list[dict[str, Any]]:
        if name not in READABLE_TABLES:
            raise HTTPException(404, f"unknown table {name!r}")
        try:
            return _records(cursor(), f"SELECT * FROM {name} LIMIT ?", [limit])
        except duckdb.CatalogException as exc:
            raise HTTPException(404, f"table {name!r} has not been computed yet") from exc

    @app.post("/match/{dataset}")
    def match(
        dataset: str,
        body: MatchRequest,
        threshold: float | None = None,
        limit: int = Query(5, ge=1, le=100),
        as_of: dt.date | None = None,
    ) -> dict[str, Any]:
        scope = _scope(dataset)
        responses: dict[str, Any] = {}
        for key, query in body.queries.items():
            entity = {"id": key, "schema": query.schema_, "properties": query.properties}
            try:
                screening_query = ftm_query(entity, fallback_id=key)
            except UserError as exc:
                responses[key] = {"status": 400, "error": str(exc), "results": []}
                continue
            index, details = index_for(scope, as_of)
            matches = screen_index(index, [screening_query], threshold=threshold, limit=limit)
            results = _results(
                details, [(m.entity_id, m.caption, m.score, m.match, m.explanations) for m in matches]
            )
            responses[key] = {
                "status": 200,
                "results": results,
                "total": {"value": len(results), "relation": "eq"},
                "query": entity,
            }
        return {"responses": responses, "limit": limit}

    @app.get("/search/{dataset}")
    def search(
        dataset: str,
        q: str = "",
        schema: str | None = None,
        limit: int = Query(10, ge=0, le=500),
        offset: int = Query(0, ge=0, le=9_499),
        as_of: dt.date | None = None,
    ) -> dict[str, Any]:
        """yente's search shape: ranked entities of the list whose names resemble ``q``."""
        scope = _scope(dataset)
        index, details = index_for(scope, as_of)
        total, found = search_index(index, q, schema=schema, limit=limit, offset=offset)
        results = _results(
            details, [(entity.entity_id, entity.caption, score, None, None) for entity, score in found]
        )
        return {
            "results": results,
            "total": {"value": total, "relation": "eq"},
            "limit": limit,
            "offset": offset,
            "facets": {},
        }

    @app.get("/entities/{entity_id}")
    def entity(entity_id: str) -> dict[str, Any]:
        [found] = _results(_details(cursor(), [entity_id]), [(entity_id, None, None, None, None)])
        if not found["schema"]:
            raise HTTPException(404, f"no entity {entity_id!r}")
        return found

    return app


def _records(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = cur.execute(sql, params)
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


@dataclass
class _Detail:
    """What yente shows of an entity besides the score: from parties, party_names, designations."""

    known: bool = False  # a parties row exists
    schema: str | None = None
    caption: str | None = None
    country: str | None = None
    dataset: str | None = None
    aliases: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)


def _details(cur: duckdb.DuckDBPyConnection, ids: list[str] | None) -> dict[str, _Detail]:
    """The details of ``ids``, or of every designated party (None), in three queries whatever their
    number."""
    where = (
        "party_id IN (SELECT unnest($ids))"
        if ids is not None
        else "party_id IN (SELECT party_id FROM designations)"
    )
    params = {"ids": ids} if ids is not None else {}
    details: dict[str, _Detail] = defaultdict(_Detail)
    for party_id, schema, caption, country, dataset in cur.execute(
        f"SELECT party_id, schema, caption, country, dataset FROM parties WHERE {where}", params
    ).fetchall():
        details[party_id] = _Detail(True, schema, caption, country, dataset)
    for party_id, name in cur.execute(
        f"SELECT party_id, name FROM party_names WHERE {where} AND name_type <> 'primary'"
        " ORDER BY party_id, name",
        params,
    ).fetchall():
        details[party_id].aliases.append(name)
    for party_id, list_name in cur.execute(
        f"SELECT DISTINCT party_id, list FROM designations WHERE {where} ORDER BY 1, 2", params
    ).fetchall():
        details[party_id].lists.append(list_name)
    return dict(details)


def _results(
    details: dict[str, _Detail], found: list[tuple[str, str | None, float | None, bool | None, Any]]
) -> list[dict[str, Any]]:
    """Entities in the FtM shape yente returns: id, caption, schema, properties, datasets."""
    records = []
    for entity_id, caption, score, is_match, explanations in found:
        detail = details.get(entity_id, _Detail())
        properties: dict[str, list[Any]] = {}
        if detail.known:
            properties["name"] = [detail.caption]
            if detail.country:
                properties["country"] = [detail.country.lower()]
        if detail.aliases:
            properties["alias"] = list(detail.aliases)
        record: dict[str, Any] = {
            "id": entity_id,
            "caption": caption or (detail.caption if detail.known else entity_id),
            "schema": detail.schema,
            "properties": properties,
            "datasets": sorted({*detail.lists, *([detail.dataset] if detail.known else [])}),
        }
        if score is not None:
            record["score"] = round(float(score), 4)
            if is_match is not None:
                record.update({"match": bool(is_match), "explanations": explanations})
        records.append(record)
    return records
