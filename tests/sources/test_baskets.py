"""Goods baskets: the shipped CHPL and machine-tool baskets, and the schema's one-line errors."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import baskets
from sanctrace.sources.base import LoadOptions

BASKETS = Path(str(resources.files("sanctrace").joinpath("config", "baskets")))
OPTIONS = LoadOptions("reference")


def test_chpl_matches_the_staged_list(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    report = baskets.load(con, BASKETS / "chpl.yaml", OPTIONS)
    assert report.rows_accepted == 50
    with (shared_data / "chpl" / "chpl_hs6_2024-02.csv").open(encoding="utf-8") as handle:
        staged = {
            (r["hs6"], r["tier"].removeprefix("TIER_").replace("_", ".")) for r in csv.DictReader(handle)
        }
    loaded = set(con.execute("SELECT hs_prefix, tier FROM baskets WHERE basket = 'chpl'").fetchall())
    assert loaded == staged


def test_chpl_tiers_and_dates(con: duckdb.DuckDBPyConnection) -> None:
    baskets.load(con, BASKETS / "chpl.yaml", OPTIONS)
    tiers = dict(
        con.execute("SELECT tier, count(*) FROM baskets WHERE basket = 'chpl' GROUP BY 1").fetchall()
    )
    assert tiers == {"1": 4, "2": 5, "3.A": 16, "3.B": 9, "4.A": 11, "4.B": 5}
    tier_4b = con.execute(
        "SELECT hs_prefix, effective_from FROM baskets WHERE basket = 'chpl' AND tier = '4.B' ORDER BY 1"
    ).fetchall()
    assert tier_4b == [(c, date(2024, 2, 23)) for c in ("845710", "845811", "845891", "845961", "846693")]
    assert con.execute(
        "SELECT DISTINCT effective_from, version FROM baskets WHERE tier <> '4.B'"
    ).fetchall() == [(date(2023, 6, 1), "2024-02-23")]


def test_machine_tools_and_tier_4b_baskets(con: duckdb.DuckDBPyConnection) -> None:
    baskets.load(con, BASKETS / "machine-tools.yaml", OPTIONS)
    baskets.load(con, BASKETS / "chpl-tier-4b.yaml", OPTIONS)
    prefixes = [
        p
        for (p,) in con.execute(
            "SELECT hs_prefix FROM baskets WHERE basket = 'machine-tools' ORDER BY 1"
        ).fetchall()
    ]
    assert prefixes == [str(h) for h in range(8456, 8467)]
    # every tier-4.B code falls inside the machine-tool headings
    assert con.execute(
        "SELECT count(*) FROM baskets b WHERE basket = 'chpl-tier-4b' AND EXISTS (SELECT 1 FROM baskets m"
        " WHERE m.basket = 'machine-tools' AND starts_with(b.hs_prefix, m.hs_prefix))"
    ).fetchone() == (5,)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nversion: 1\ndescription: test\n" + body, "utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "entries:\n  - hs_prefix: 845710\n",
            r"mine\.yaml: entries\[0\]\.hs_prefix: must be a quoted string",
        ),
        ("entries:\n  - hs_prefix: '8'\n", r"entries\[0\]\.hs_prefix: String should match pattern"),
        ("entries:\n  - {hs_prefix: '8458', effective_from: 2024-02-30}\n", r"entries\[0\]\.effective_from"),
        (
            "entries:\n  - {hs_prefix: '8458', effective_from: 2024-03-01, effective_to: 2024-01-01}\n",
            r"entries\[0\]: effective_to 2024-01-01 is before effective_from 2024-03-01",
        ),
        ("entries:\n  - {hs_prefix: '8458'}\n  - {hs_prefix: '8458', tier: x}\n", r"listed twice"),
        ("entries: []\n", r"entries: List should have at least 1 item"),
        ("entries:\n  - {hs_prefix: '8458', colour: red}\n", r"entries\[0\]\.colour: Extra inputs"),
        ("entries:\n  - {hs_prefix: '8458'\n", r"mine\.yaml: line \d+: invalid YAML"),
    ],
)
def test_invalid_files_write_nothing(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(UserError, match=message) as caught:
        baskets.load(con, _write(tmp_path, body), OPTIONS)
    assert "\n" not in str(caught.value)
    assert con.execute(
        "SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM baskets)"
    ).fetchone() == (0,)


def test_new_version_replaces_and_same_file_is_a_no_op(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = _write(tmp_path, "entries:\n  - {hs_prefix: '8458'}\n  - {hs_prefix: '8459'}\n")
    baskets.load(con, first, OPTIONS)
    assert baskets.load(con, first, OPTIONS).already_loaded
    first.write_text(
        "name: mine\nversion: 2024-05-01\ndescription: t\nentries:\n"
        "  - {hs_prefix: '8458', effective_from: 2023-01-01, effective_to: 2023-12-31}\n"
        "  - {hs_prefix: '8458', effective_from: 2024-06-01}\n",
        "utf-8",
    )
    baskets.load(con, first, OPTIONS)
    assert con.execute("SELECT hs_prefix, version FROM baskets ORDER BY effective_from").fetchall() == [
        ("8458", "2024-05-01"),
        ("8458", "2024-05-01"),
    ]


def test_sniff(tmp_path: Path) -> None:
    path = BASKETS / "chpl.yaml"
    assert baskets.sniff(path, path.read_text("utf-8")[:4096])
    assert not baskets.sniff(path, "events:\n  - event_id: x\n")
