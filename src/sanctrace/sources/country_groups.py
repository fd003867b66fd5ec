"""Country groups (EU27, ...) from YAML into ``country_groups``.

Schema: ``config_models.CountryGroupsFile``. A group is data, not SQL: hub_indicators reads a
group's members from this table, so an analyst adds G7 or the Eurasian Economic Union by adding a
file rather than editing a query.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .base import LoadOptions, LoadReport
from .config_models import CountryGroupsFile, looks_like_config, parse_config
from .config_rows import replace_keyed_rows

FORMAT = "country-groups"


def sniff(path: Path, head: str) -> bool:
    return looks_like_config(path, head, "groups")


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Validate the whole file, then replace the groups it defines (a group is defined by one file)."""
    groups = parse_config(path, CountryGroupsFile).groups
    return replace_keyed_rows(
        con,
        path,
        FORMAT,
        options,
        table="country_groups",
        key_column="country_group",
        keys=[g.group for g in groups],
        rows=lambda source_id: [
            (g.group, m.iso2, m.valid_from, m.valid_to, g.description, source_id)
            for g in groups
            for m in g.members
        ],
    )
