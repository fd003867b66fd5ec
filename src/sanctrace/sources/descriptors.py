"""Dataset descriptors: who publishes a format's data, under which licence, what a load should yield.

In the manner of zavod's dataset YAML, each file in ``config/datasets/`` names the formats it covers,
their publisher and licence (filled into ``sources`` when a loader left them empty, and shown in the
report's appendix) and assertions on the rows a load writes per table. A failed assertion is a
warning on the load report — an unusually small SDN file is worth a look, not a refusal to load it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadReport

COUNTED_TABLES = (
    "declarations",
    "trade_flows",
    "parties",
    "party_names",
    "party_identifiers",
    "relations",
    "designations",
    "baskets",
    "control_events",
    "hs_codes",
)


class Assertions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: dict[str, int] = Field(default_factory=dict)
    max: dict[str, int] = Field(default_factory=dict)


class Descriptor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    publisher: str
    url: str
    licence: str
    formats: list[str]
    assertions: Assertions = Field(default_factory=Assertions)


def parse_descriptor(text: str, origin: str) -> Descriptor:
    try:
        descriptor = Descriptor.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()[0:3]
        raise UserError(f"{origin}: not a valid dataset descriptor: {' '.join(first)}") from exc
    asserted = set(descriptor.assertions.min) | set(descriptor.assertions.max)
    unknown = sorted(asserted - set(COUNTED_TABLES))
    if unknown:
        raise UserError(f"{origin}: assertions on unknown table(s) {', '.join(unknown)}")
    return descriptor


@cache
def all_descriptors() -> tuple[Descriptor, ...]:
    folder = resources.files("sanctrace").joinpath("config", "datasets")
    return tuple(
        parse_descriptor(entry.read_text("utf-8"), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    )


def descriptor_for_format(fmt: str) -> Descriptor | None:
    return next((d for d in all_descriptors() if fmt in d.formats), None)


def apply_descriptor(con: duckdb.DuckDBPyConnection, report: LoadReport) -> None:
    """Fill publisher/licence where the loader left them empty; check the row-count assertions."""
    descriptor = descriptor_for_format(report.format)
    if descriptor is None or report.already_loaded:
        return
    con.execute(
        "UPDATE sources SET publisher = coalesce(publisher, ?), licence = coalesce(licence, ?)"
        " WHERE source_id = ?",
        [descriptor.publisher, descriptor.licence, report.source_id],
    )
    for table in sorted(set(descriptor.assertions.min) | set(descriptor.assertions.max)):
        row = con.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [report.source_id]).fetchone()
        count = int(row[0]) if row else 0
        low, high = descriptor.assertions.min.get(table), descriptor.assertions.max.get(table)
        if low is not None and count < low:
            report.warnings.append(
                f"{descriptor.name}: {table} = {count:,} below the expected minimum {low:,}"
            )
        if high is not None and count > high:
            report.warnings.append(
                f"{descriptor.name}: {table} = {count:,} above the expected maximum {high:,}"
            )
