"""Screening input and output files, and ``sanctrace screen`` end to end on a small warehouse."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sanctrace.errors import UserError
from sanctrace.present.cli import app
from sanctrace.present.screen_io import read_queries, write_matches
from sanctrace.resolve import screening
from sanctrace.resolve.screening import ScreeningMatch
from sanctrace.store.warehouse import connect


def test_csv_queries_carry_identifier_columns(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("id,name,country,inn,lei\nq1,ООО «Ромашка»,ru,7707083893,\n", "utf-8")
    (query,) = read_queries(path)
    assert (query.id, query.name, query.country) == ("q1", "ООО «Ромашка»", "RU")
    assert query.identifiers == {"inn": "7707083893"}


def test_csv_without_name_column_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("id,title\n1,x\n", "utf-8")
    with pytest.raises(UserError, match="'id' and 'name'"):
        read_queries(path)


def test_ftm_queries_and_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    entity = {"id": "e1", "schema": "Company", "properties": {"name": ["ACME"], "innCode": ["7707083893"]}}
    path.write_text(json.dumps(entity) + "\n\n", "utf-8")
    (query,) = read_queries(path)
    assert (query.id, query.schema, query.identifiers) == ("e1", "Company", {"inn": "7707083893"})
    path.write_text("{not json\n", "utf-8")
    with pytest.raises(UserError, match="line 1"):
        read_queries(path)


def test_matches_written_as_csv_and_jsonl(tmp_path: Path) -> None:
    match = ScreeningMatch(
        query_id="q1",
        entity_id="e1",
        caption="ACME",
        score=0.8123456,
        match=True,
        datasets=["x", "y"],
        programs=["P"],
        features={"name": 0.8},
        explanations=["name: 0.81"],
    )
    write_matches(tmp_path / "m.csv", [match])
    with (tmp_path / "m.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["score"], row["datasets"], row["match"]) == ("0.8123", "x;y", "True")
    write_matches(tmp_path / "m.jsonl", [match])
    record = json.loads((tmp_path / "m.jsonl").read_text("utf-8"))
    assert record["entity_id"] == "e1" and record["explanations"] == ["name: 0.81"]


def _one_listed_company(db: Path) -> None:
    con = connect(db)
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, country, dataset) VALUES"
        " ('sdn-1', 'Company', 'Anka Makine Dis Ticaret Ltd. Sti.', 'TR', 'lists')"
    )
    con.execute(
        "INSERT INTO party_names VALUES"
        " ('sdn-1', 'Anka Makine Dis Ticaret Ltd. Sti.', 'primary', 'Latn', 1, 1)"
    )
    con.execute("INSERT INTO designations VALUES ('sdn-1', 'lists', 'DEMO', DATE '2023-11-02', NULL, 1, 2)")
    con.close()


def test_screen_command_finds_a_listed_company(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _one_listed_company(db)
    queries = tmp_path / "q.csv"
    queries.write_text(
        "id,name,country\na,ANKA MAKINE DIS TICARET,TR\nb,Completely Different Bakery,TR\n", "utf-8"
    )
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(
        app, ["screen", str(queries), "--db", str(db), "--out", str(out), "--as-of", "2024-01-01"]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["query_id"], r["entity_id"], r["match"]) for r in rows] == [("a", "sdn-1", "True")]


def test_screen_command_gives_the_same_file_with_one_or_two_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch large enough to be shared out (2,000 names and more) is screened by forked processes
    from the command, with the warehouse open: the file must not depend on how many. Without the
    option, one process per CPU."""
    asked: list[int] = []
    original = screening.screen_index

    def recording(*args: Any, **kwargs: Any) -> list[ScreeningMatch]:
        if "workers" in kwargs:  # the command's call, not the chunks' calls inside it
            asked.append(kwargs["workers"])
        return original(*args, **kwargs)

    monkeypatch.setattr(screening, "screen_index", recording)
    db = tmp_path / "w.duckdb"
    _one_listed_company(db)
    queries = tmp_path / "q.csv"
    rows = [
        f"q{i},{'ANKA MAKINE DIS TICARET' if i % 3 == 0 else 'ANKA MAKINA'} {i % 7} LTD,TR"
        if i % 2 == 0
        else f"q{i},Bakery Number {i},TR"
        for i in range(2_400)
    ]
    queries.write_text("id,name,country\n" + "\n".join(rows) + "\n", "utf-8")
    written: list[str] = []
    for workers in (["--workers", "1"], ["--workers", "2"], []):
        out = tmp_path / f"hits-{len(written)}.csv"
        result = CliRunner().invoke(
            app, ["screen", str(queries), "--db", str(db), "--out", str(out), *workers]
        )
        assert result.exit_code == 0, result.output
        written.append(out.read_text("utf-8"))
    assert written[0] == written[1] == written[2]
    assert written[0].count("sdn-1") > 300
    assert asked == [1, 2, os.cpu_count() or 1]
