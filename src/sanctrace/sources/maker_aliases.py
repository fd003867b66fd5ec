"""Maker alias files (YAML) into ``maker_aliases``: who makes a brand, and where it is headquartered.

Brand attribution is data: each maker lists its company names and trademarks in any script, with
its HQ country, plus texts that mean "no maker/brand given" (placeholders). The matching key of
each alias is computed by the resolve step (``resolve/makers.py``), which owns name normalisation;
this loader only validates and stores. Schema: ``config_models.MakersFile``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .base import LoadOptions, LoadReport, begin_load, finish_source
from .config_models import MakersFile, looks_like_config, parse_config
from .loading import insert_rows, transaction

FORMAT = "makers"


def sniff(path: Path, head: str) -> bool:
    return looks_like_config(path, head, "makers")


def alias_rows(makers: MakersFile, source_id: int) -> list[tuple[object, ...]]:
    """(maker, maker_name, hq_country, alias, kind, alias_key, source_id) rows of one file."""
    rows: list[tuple[object, ...]] = [
        (maker.id, maker.name, maker.hq_country, alias, kind, None, source_id)
        for maker in makers.makers
        for kind, alias in maker.aliases()
    ]
    rows += [(None, None, None, text, "placeholder", None, source_id) for text in makers.placeholders]
    return rows


def load(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadReport:
    """Validate the whole file first (nothing written if it is wrong), then add its aliases.

    Files add up: the bundled makers and a user's own file are both used. A later file naming a
    maker id already loaded from another file adds aliases to it; if the HQ countries disagree, the
    attribution reports the maker with the alphabetically first one (docs: maker_attribution.sql).
    """
    makers = parse_config(path, MakersFile)
    with transaction(con):
        report = begin_load(con, path, FORMAT, options, encoding="utf-8", publisher=makers.source)
        if report.already_loaded:
            return report
        rows = alias_rows(makers, report.source_id)
        insert_rows(con, "maker_aliases", rows)
        report.rows_read = report.rows_accepted = len(rows)
        return finish_source(con, report)
