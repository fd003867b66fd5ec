"""The HTTP API answers the yente /match contract against designations in the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from sanctrace.present.api import create_app
from sanctrace.resolve.candidates import CandidateIndex, load_candidates
from sanctrace.store.warehouse import connect


def _warehouse(path: Path) -> Path:
    con = connect(path)
    con.execute(
        "INSERT INTO sources (source_id, path, sha256, format, dataset, loaded_at)"
        " VALUES (1, 'list.json', 'abc', 'ftm', 'demo_sanctions', current_timestamp)"
    )
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, country, dataset, source_id)"
        " VALUES ('sdn-1', 'Company', 'Anka Makine Dis Ticaret Ltd. Sti.', 'TR', 'demo_sanctions', 1)"
    )
    con.execute(
        "INSERT INTO party_names VALUES ('sdn-1', 'Anka Makine Dis Ticaret Ltd. Sti.', 'primary', 'Latn',"
        " 1, 1)"
    )
    con.execute(
        "INSERT INTO designations VALUES ('sdn-1', 'demo_sanctions', 'DEMO', DATE '2023-11-02', NULL, 1, 2)"
    )
    con.close()
    return path


def test_match_follows_the_yente_contract(tmp_path: Path) -> None:
    client = TestClient(create_app(_warehouse(tmp_path / "w.duckdb")))
    body = {
        "queries": {
            "q1": {
                "schema": "Company",
                "properties": {"name": ["ANKA MAKINE DIS TICARET LTD STI"], "country": ["tr"]},
            }
        }
    }
    response = client.post("/match/default", json=body)
    assert response.status_code == 200
    results = response.json()["responses"]["q1"]["results"]
    assert results and results[0]["id"] == "sdn-1"
    first = results[0]
    assert {"id", "caption", "schema", "properties", "datasets", "score", "match", "explanations"} <= set(
        first
    )
    assert first["match"] is True and first["schema"] == "Company"


def test_match_respects_as_of(tmp_path: Path) -> None:
    client = TestClient(create_app(_warehouse(tmp_path / "w.duckdb")))
    body = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["Anka Makine Dis Ticaret"]}}}}
    response = client.post("/match/default", params={"as_of": "2023-01-01"}, json=body)
    assert response.json()["responses"]["q1"]["results"] == []


def test_entities_and_tables(tmp_path: Path) -> None:
    client = TestClient(create_app(_warehouse(tmp_path / "w.duckdb")))
    assert client.get("/entities/sdn-1").json()["caption"] == "Anka Makine Dis Ticaret Ltd. Sti."
    assert client.get("/entities/nobody").status_code == 404
    assert client.get("/tables/sources").json()[0]["sha256"] == "abc"
    assert client.get("/tables/not_a_table").status_code == 404
    assert client.get("/health").json() == {"status": "ok"}


def test_search_follows_the_yente_shape(tmp_path: Path) -> None:
    client = TestClient(create_app(_warehouse(tmp_path / "w.duckdb")))
    response = client.get("/search/default", params={"q": "anka makine", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert {"results", "total", "limit", "offset"} <= set(body)
    assert body["total"] == {"value": 1, "relation": "eq"} and (body["limit"], body["offset"]) == (5, 0)
    (first,) = body["results"]
    assert first["id"] == "sdn-1" and first["datasets"] == ["demo_sanctions"]
    assert {"id", "caption", "schema", "properties", "datasets", "score"} <= set(first)
    assert 0 < first["score"] <= 1


def test_search_filters_schema_and_pages(tmp_path: Path) -> None:
    client = TestClient(create_app(_warehouse(tmp_path / "w.duckdb")))
    assert client.get("/search/default", params={"q": "anka", "schema": "Person"}).json()["results"] == []
    assert client.get("/search/default", params={"q": "anka", "schema": "Organization"}).json()["results"]
    assert client.get("/search/default", params={"q": "anka", "offset": 1}).json()["results"] == []
    assert client.get("/search/default", params={"q": ""}).json()["total"]["value"] == 0
    assert client.get("/search/other_list", params={"q": "anka"}).json()["results"] == []


def test_match_sees_a_list_loaded_after_the_first_query(tmp_path: Path) -> None:
    db = _warehouse(tmp_path / "w.duckdb")
    app = create_app(db)
    client = TestClient(app)
    body = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["Borealis Optics Trading"]}}}}
    assert client.post("/match/default", json=body).json()["responses"]["q1"]["results"] == []
    con = connect(db)
    con.execute(
        "INSERT INTO sources (source_id, path, sha256, format, dataset, loaded_at)"
        " VALUES (2, 'more.json', 'def', 'ftm', 'demo_sanctions', current_timestamp)"
    )
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, country, dataset, source_id)"
        " VALUES ('sdn-2', 'Company', 'Borealis Optics Trading', NULL, 'demo_sanctions', 2)"
    )
    con.execute(
        "INSERT INTO party_names VALUES ('sdn-2', 'Borealis Optics Trading', 'primary', 'Latn', 2, 1)"
    )
    con.execute("INSERT INTO designations VALUES ('sdn-2', 'demo_sanctions', 'DEMO', NULL, NULL, 2, 1)")
    con.close()
    results = client.post("/match/default", json=body).json()["responses"]["q1"]["results"]
    assert [r["id"] for r in results] == ["sdn-2"]


def test_warm_index_is_built_before_the_first_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``warm``, startup builds the index, and the first /match reuses it instead of waiting."""
    from sanctrace.present import api

    built: list[str | None] = []

    def counting(con: duckdb.DuckDBPyConnection, **kwargs: Any) -> CandidateIndex:
        built.append(kwargs.get("dataset"))
        return load_candidates(con, **kwargs)

    monkeypatch.setattr(api, "load_candidates", counting)
    body = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["ANKA MAKINE DIS TICARET"]}}}}
    with TestClient(create_app(_warehouse(tmp_path / "w.duckdb"), warm=["default"])) as client:
        assert built == [None]
        assert client.post("/match/default", json=body).json()["responses"]["q1"]["results"]
        assert built == [None]
