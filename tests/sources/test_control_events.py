"""The control timeline file: dates of DOMAIN.md section 3, schema errors as one line."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources import control_events
from sanctrace.sources.base import LoadOptions

EVENTS = Path(str(resources.files("sanctrace").joinpath("config", "control_events.yaml")))


def test_shipped_timeline(con: duckdb.DuckDBPyConnection) -> None:
    report = control_events.load(con, EVENTS, LoadOptions("reference"))
    assert report.rows_accepted == 7
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT event_id, jurisdiction, event_date, basket FROM control_events"
        ).fetchall()
    }
    assert rows["ru-invasion-2022-02-24"] == ("INTL", date(2022, 2, 24), None)
    assert rows["tw-ru-2022-04"] == ("TW", date(2022, 4, 1), None)
    assert rows["tw-ru-2023-01-04"][1] == date(2023, 1, 4)
    assert rows["tw-ru-2024-01-25"][1] == date(2024, 1, 25)
    assert rows["tw-ru-2024-03-08"] == ("TW", date(2024, 3, 8), "machine-tools")
    assert rows["eu-no-russia-clause-2024-03-20"] == ("EU", date(2024, 3, 20), "chpl")
    assert rows["chpl-tier-4b-2024-02-23"] == ("US,EU,GB,JP", date(2024, 2, 23), "chpl-tier-4b")
    (description,) = con.execute(
        "SELECT description FROM control_events WHERE event_id = 'tw-ru-2022-04'"
    ).fetchone() or ("",)
    assert "57 items" in description and "known to the month" in description
    assert control_events.load(con, EVENTS, LoadOptions("reference")).already_loaded


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "events:\n  - {event_id: a, jurisdiction: TW, event_date: 2024-13-01, description: x}\n",
            r"events\[0\]\.event_date",
        ),
        (
            "events:\n  - {event_id: a, jurisdiction: tw, event_date: 2024-01-01, description: x}\n",
            r"events\[0\]\.jurisdiction",
        ),
        (
            "events:\n  - {event_id: a, jurisdiction: TW, event_date: 2024-01-01}\n",
            r"events\[0\]\.description",
        ),
        (
            "events:\n  - {event_id: a, jurisdiction: TW, event_date: 2024-01-01, description: x}\n"
            "  - {event_id: a, jurisdiction: TW, event_date: 2024-01-02, description: y}\n",
            r"duplicate event_id: a",
        ),
        ("- just a list\n", r"expected a mapping"),
    ],
)
def test_invalid_files(con: duckdb.DuckDBPyConnection, tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(body, "utf-8")
    with pytest.raises(UserError, match=message) as caught:
        control_events.load(con, path, LoadOptions("mine"))
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (0,)


def test_event_ids_replace_older_versions(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(
        "events:\n  - {event_id: a, jurisdiction: TW, event_date: 2024-01-01, description: x}\n", "utf-8"
    )
    control_events.load(con, path, LoadOptions("mine"))
    path.write_text(
        "events:\n  - {event_id: a, jurisdiction: TW, event_date: 2024-01-05, description: x}\n", "utf-8"
    )
    control_events.load(con, path, LoadOptions("mine"))
    assert con.execute("SELECT event_date FROM control_events").fetchall() == [(date(2024, 1, 5),)]


def test_sniff() -> None:
    assert control_events.sniff(EVENTS, EVENTS.read_text("utf-8")[:4096])
    assert not control_events.sniff(Path("x.csv"), "events:\n")
