"""The reference data shipped inside the package, loaded through the same loaders as user files.

A new warehouse needs countries (to normalise every input), the HS 2022 nomenclature, the goods
baskets, the control timeline, the maker aliases and the country groups before anything else makes
sense; all of it
works offline.
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from pathlib import Path

import duckdb

from . import baskets, control_events, countries, country_groups, hs_nomenclature, maker_aliases
from .base import LoadOptions, LoadReport

DATASET = "reference"


def load_bundled_reference(con: duckdb.DuckDBPyConnection) -> list[LoadReport]:
    """Load countries, HS 2022, every basket and the control events into dataset ``reference``.

    Idempotent like every load: files already in the warehouse are reported as already loaded.
    """
    options = LoadOptions(dataset=DATASET)
    package = resources.files("sanctrace")
    with ExitStack() as stack:

        def path(*parts: str) -> Path:
            return stack.enter_context(resources.as_file(package.joinpath(*parts)))

        reports = [
            countries.load(
                con,
                path("data", "reference", "country-codes.csv"),
                options,
                aliases_path=path("config", "country_aliases.yaml"),
            ),
            hs_nomenclature.load(con, path("data", "reference", "hs2022.csv"), options),
        ]
        basket_dir = path("config", "baskets")
        for basket_file in sorted(basket_dir.glob("*.yaml")):
            reports.append(baskets.load(con, basket_file, options))
        reports.append(control_events.load(con, path("config", "control_events.yaml"), options))
    return reports + load_bundled_makers(con) + load_bundled_country_groups(con)


def load_bundled_country_groups(con: duckdb.DuckDBPyConnection) -> list[LoadReport]:
    """``config/country_groups.yaml`` into dataset ``reference`` (idempotent)."""
    options = LoadOptions(dataset=DATASET)
    with resources.as_file(resources.files("sanctrace").joinpath("config", "country_groups.yaml")) as file:
        return [country_groups.load(con, Path(file), options)]


def load_bundled_makers(con: duckdb.DuckDBPyConnection) -> list[LoadReport]:
    """Every maker alias file in ``config/makers/`` into dataset ``reference`` (idempotent)."""
    options = LoadOptions(dataset=DATASET)
    with resources.as_file(resources.files("sanctrace").joinpath("config", "makers")) as folder:
        return [maker_aliases.load(con, file, options) for file in sorted(Path(folder).glob("*.yaml"))]
