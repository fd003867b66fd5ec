"""Goods baskets (CHPL, machine tools, ...) from YAML files into ``baskets``.

A basket is versioned data: one row per HS prefix with the dates the control was in force, so
each shipment can be judged against the rules of its own date. Schema: ``config_models.BasketFile``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .base import LoadOptions, LoadReport
from .config_models import BasketFile, looks_like_config, parse_config
from .config_rows import replace_keyed_rows

FORMAT = "basket"


def sniff(path: Path, head: str) -> bool:
    return looks_like_config(path, head, "entries", "name")


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Validate the whole file first (nothing written if it is wrong), then replace the basket.

    Loading a new version of a basket replaces the rows of that basket name, so a basket never
    holds two versions at once; the ``version`` column says which one is loaded.
    """
    basket = parse_config(path, BasketFile)
    return replace_keyed_rows(
        con,
        path,
        FORMAT,
        options,
        table="baskets",
        key_column="basket",
        keys=[basket.name],
        rows=lambda source_id: [
            (
                basket.name,
                e.hs_prefix,
                e.tier,
                e.description,
                e.effective_from,
                e.effective_to,
                basket.version,
                source_id,
            )
            for e in basket.entries
        ],
        publisher=basket.source,
    )
