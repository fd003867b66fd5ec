"""The control timeline (dates export controls took effect) from YAML into ``control_events``.

Schema: ``config_models.ControlEventsFile``. When only the month of an event is known the file
says ``date_precision: month`` and the first day of the month is used; the description says so.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .base import LoadOptions, LoadReport, begin_load, finish_source
from .config_models import ControlEvent, ControlEventsFile, parse_config
from .loading import insert_rows, transaction

FORMAT = "control-events"


def sniff(path: Path, head: str) -> bool:
    return path.suffix.lower() in (".yaml", ".yml") and re.search(r"^events:", head, re.MULTILINE) is not None


def _description(event: ControlEvent) -> str:
    if event.date_precision == "month":
        return f"{event.description} (date known to the month only; first day of the month used)"
    return event.description


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Validate the whole file, then replace the events with the same ``event_id``."""
    events = parse_config(path, ControlEventsFile).events
    with transaction(con):
        report = begin_load(con, path, FORMAT, options, encoding="utf-8")
        if report.already_loaded:
            return report
        ids = [e.event_id for e in events]
        con.execute("DELETE FROM control_events WHERE list_contains(?, event_id)", [ids])
        insert_rows(
            con,
            "control_events",
            [
                (
                    e.event_id,
                    e.jurisdiction,
                    e.event_date,
                    _description(e),
                    e.basket,
                    e.reference,
                    report.source_id,
                )
                for e in events
            ],
        )
        report.rows_read = report.rows_accepted = len(events)
        return finish_source(con, report)
