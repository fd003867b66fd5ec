"""HTTP API over the warehouse, first form.

``POST /match/{dataset}`` follows the yente contract (queries keyed by id, each an FtM schema and
properties; responses keyed the same way with ``results`` carrying id, caption, schema, properties,
datasets, score, match, explanations), so existing yente clients can point at sanctrace.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

from sanctrace.errors import UserError
from sanctrace.present.screen_io import ftm_query
from sanctrace.resolve.screening import screen
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


class EntityQuery(BaseModel):
    schema_: str = Field(default="LegalEntity", alias="schema")
    properties: dict[str, list[str]] = Field(default_factory=dict)


class MatchRequest(BaseModel):
    queries: dict[str, EntityQuery]


def create_app(db: Path | str) -> FastAPI:
    con = connect(db)
    app = FastAPI(title="sanctrace", version="0.1.0")

    def cursor() -> duckdb.DuckDBPyConnection:
        return con.cursor()

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
        scope = None if dataset in {"default", "all"} else dataset
        responses: dict[str, Any] = {}
        for key, query in body.queries.items():
            entity = {"id": key, "schema": query.schema_, "properties": query.properties}
            try:
                screening_query = ftm_query(entity, fallback_id=key)
            except UserError as exc:
                responses[key] = {"status": 400, "error": str(exc), "results": []}
                continue
            matches = screen(
                cursor(), [screening_query], dataset=scope, threshold=threshold, as_of=as_of, limit=limit
            )
            results = [
                _result(cursor(), m.entity_id, m.caption, m.score, m.match, m.explanations) for m in matches
            ]
            responses[key] = {
                "status": 200,
                "results": results,
                "total": {"value": len(results), "relation": "eq"},
                "query": entity,
            }
        return {"responses": responses, "limit": limit}

    @app.get("/entities/{entity_id}")
    def entity(entity_id: str) -> dict[str, Any]:
        found = _result(cursor(), entity_id, None, None, None, None)
        if not found["schema"]:
            raise HTTPException(404, f"no entity {entity_id!r}")
        return found

    return app


def _records(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = cur.execute(sql, params)
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _result(
    cur: duckdb.DuckDBPyConnection,
    entity_id: str,
    caption: str | None,
    score: float | None,
    is_match: bool | None,
    explanations: Any,
) -> dict[str, Any]:
    """An entity in the FtM shape yente returns: id, caption, schema, properties, datasets."""
    party = cur.execute(
        "SELECT schema, caption, country, dataset FROM parties WHERE party_id = ?", [entity_id]
    ).fetchone()
    names = [
        r[0]
        for r in cur.execute(
            "SELECT name FROM party_names WHERE party_id = ? AND name_type <> 'primary' ORDER BY name",
            [entity_id],
        ).fetchall()
    ]
    lists = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT list FROM designations WHERE party_id = ? ORDER BY 1", [entity_id]
        ).fetchall()
    ]
    properties: dict[str, list[str]] = {}
    if party:
        properties["name"] = [party[1]]
        if party[2]:
            properties["country"] = [party[2].lower()]
    if names:
        properties["alias"] = names
    record: dict[str, Any] = {
        "id": entity_id,
        "caption": caption or (party[1] if party else entity_id),
        "schema": party[0] if party else None,
        "properties": properties,
        "datasets": sorted({*lists, *([party[3]] if party else [])}),
    }
    if score is not None:
        record.update(
            {"score": round(float(score), 4), "match": bool(is_match), "explanations": explanations}
        )
    return record
