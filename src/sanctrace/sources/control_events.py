"""The control timeline (dates export controls took effect) from YAML into ``control_events``.

Schema: ``config_models.ControlEventsFile``. When only the month of an event is known the file
says ``date_precision: month`` and the first day of the month is used; the description says so.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .base import LoadOptions, LoadReport
from .config_models import ControlEvent, ControlEventsFile, looks_like_config, parse_config
from .config_rows import replace_keyed_rows

FORMAT = "control-events"


def sniff(path: Path, head: str) -> bool:
    return looks_like_config(path, head, "events")


def _description(event: ControlEvent) -> str:
    if event.date_precision == "month":
        return f"{event.description} (date known to the month only; first day of the month used)"
    return event.description


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Validate the whole file, then replace the events with the same ``event_id``."""
    events = parse_config(path, ControlEventsFile).events
    return replace_keyed_rows(
        con,
        path,
        FORMAT,
        options,
        table="control_events",
        key_column="event_id",
        keys=[e.event_id for e in events],
        rows=lambda source_id: [
            (e.event_id, e.jurisdiction, e.event_date, _description(e), e.basket, e.reference, source_id)
            for e in events
        ],
    )
