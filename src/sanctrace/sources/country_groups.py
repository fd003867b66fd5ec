"""Country groups (EU27, ...) from YAML into ``country_groups``.

Schema: ``config_models.CountryGroupsFile``. A group is data, not SQL: hub_indicators reads a
group's members from this table, so an analyst adds G7 or the Eurasian Economic Union by adding a
file rather than editing a query.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .base import LoadOptions, LoadReport, begin_load, finish_source
from .config_models import CountryGroupsFile, parse_config
from .loading import insert_rows, transaction

FORMAT = "country-groups"


def sniff(path: Path, head: str) -> bool:
    return path.suffix.lower() in (".yaml", ".yml") and re.search(r"^groups:", head, re.MULTILINE) is not None


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Validate the whole file, then replace the groups it defines (a group is defined by one file)."""
    groups = parse_config(path, CountryGroupsFile).groups
    with transaction(con):
        report = begin_load(con, path, FORMAT, options, encoding="utf-8")
        if report.already_loaded:
            return report
        con.execute(
            "DELETE FROM country_groups WHERE list_contains(?, country_group)", [[g.group for g in groups]]
        )
        rows = [
            (g.group, m.iso2, m.valid_from, m.valid_to, g.description, report.source_id)
            for g in groups
            for m in g.members
        ]
        insert_rows(con, "country_groups", rows)
        report.rows_read = report.rows_accepted = len(rows)
        return finish_source(con, report)
