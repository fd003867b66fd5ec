"""``sanctrace simulate``: build a world from a scenario and a seed, write its files and its truth.

Deterministic: the same scenario and seed give byte-identical files (one seeded random source,
insertion-ordered collections, no clock). Lines stream to disk as they are made; only the
entities and per-month statistics are held in memory, so the line count is bounded by disk only.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sanctrace.simulate.scenario import Scenario
from sanctrace.simulate.shipments import Line, SchemeLines, innocent_lines
from sanctrace.simulate.world import WorldBuilder
from sanctrace.simulate.writers import (
    BillOfLadingWriter,
    DeclarationWriter,
    NameLog,
    Statistics,
    write_makers,
    write_registry,
    write_sanctions,
)


@dataclass(frozen=True)
class SimulationSummary:
    out: Path
    lines: int
    scheme_lines: int
    entities: int


def simulate(scenario: Scenario, seed: int, out: Path, lines: int | None = None) -> SimulationSummary:
    rng = random.Random(f"{scenario.name}:{seed}")
    builder = WorldBuilder(scenario, rng)
    counter = [0]
    schemes = [SchemeLines(builder, s, scenario.target, counter) for s in scenario.schemes]
    for folder in ("declarations", "statistics", "truth"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    names = NameLog()
    declarations = DeclarationWriter(out / "declarations" / "ru_imports.csv", scenario, rng, names)
    bills = (
        BillOfLadingWriter(out / "declarations" / "bills_of_lading.csv", scenario, rng, names)
        if scenario.bill_of_lading_hubs
        else None
    )
    stats = Statistics(scenario)
    bill_hubs = set(scenario.bill_of_lading_hubs)
    written = scheme_lines = 0
    with (out / "truth" / "lines.csv").open("w", encoding="utf-8", newline="") as handle:
        truth = csv.writer(handle)
        truth.writerow(
            [
                "line_id",
                "date",
                "route",
                "hub_country",
                "maker_id",
                "shipper_id",
                "consignee_id",
                "true_origin",
                "declared_origin",
                "true_hs6",
                "declared_hs6",
                "value_usd",
                "scheme_id",
                "typologies",
                "file",
            ]
        )

        def emit(all_lines: Iterator[Line]) -> int:
            count = 0
            for line in all_lines:
                writer = declarations
                if bills is not None and line.route == "indirect" and line.hub in bill_hubs:
                    writer, line.layout = bills, "bill_of_lading"
                writer.write(line)
                truth.writerow(
                    [
                        line.line_id,
                        line.date.isoformat(),
                        line.route,
                        line.hub,
                        line.maker.id if line.maker else "",
                        line.shipper.id,
                        line.consignee.id,
                        line.true_origin,
                        line.declared_origin,
                        line.true_hs6,
                        line.hs[0],
                        f"{line.value_usd:.2f}",
                        line.scheme_id,
                        ";".join(line.typologies),
                        writer.file,
                    ]
                )
                stats.add(line)
                count += 1
            return count

        for scheme in schemes:
            scheme_lines += emit(scheme.lines())
        extra = max(scenario.innocent_lines, (lines or 0) - scheme_lines)
        written = scheme_lines + emit(innocent_lines(builder, scenario, extra, counter))
    declarations.close()
    if bills is not None:
        bills.close()
    stats.write(out / "statistics" / "trade_flows_hs6_monthly.csv")
    write_registry(out / "registry", builder.world, names)
    write_sanctions(out / "sanctions", builder.world, names)
    write_makers(out / "makers", builder.world)
    _truth(out / "truth", scenario, builder, names)
    return SimulationSummary(out, written, scheme_lines, len(builder.world.entities))


def _truth(folder: Path, scenario: Scenario, builder: WorldBuilder, names: NameLog) -> None:
    world = builder.world
    blocked = world.blocked(scenario.end)
    with (folder / "entities.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(
            [
                "entity_id",
                "role",
                "schema",
                "canonical_name",
                "country",
                "designated",
                "designated_on",
                "blocked_by_ownership",
                "scheme_ids",
            ]
        )
        for e in world.entities.values():
            w.writerow(
                [
                    e.id,
                    e.role,
                    e.schema,
                    e.name,
                    e.country,
                    str(bool(e.designated)).lower(),
                    e.designated.isoformat() if e.designated else "",
                    str(e.id in blocked).lower(),
                    ";".join(e.schemes),
                ]
            )
    with (folder / "names.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(["entity_id", "name", "files"])
        for (entity_id, name), files in names.seen.items():
            w.writerow([entity_id, name, ";".join(sorted(files))])
    with (folder / "schemes.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(["scheme_id", "typologies", "entity_ids", "start", "end"])
        for s in scenario.schemes:
            typologies = [
                "direct_supply" if s.direct else "",
                "route_switch" if s.indirect else "",
                "front_company" if s.front_company else "",
                "relabelling" if s.relabel_share else "",
                "splitting" if s.split_factor > 1 else "",
                "undervaluation" if s.price_factor < 1 else "",
                "markup" if s.price_factor > 1 else "",
                "misdeclared_hs" if s.misdeclared_share else "",
                "new_consignee" if s.new_consignee else "",
                "dormant_company" if s.dormant_importer else "",
                f"{s.importer_address}_address" if s.importer_address != "ordinary" else "",
                "ownership_chain" if s.ownership_chain else "",
            ]
            members = [e.id for e in world.entities.values() if s.id in e.schemes]
            legs = [leg for leg in (s.direct, s.indirect) if leg]
            w.writerow(
                [
                    s.id,
                    ";".join(t for t in typologies if t),
                    ";".join(members),
                    min(leg.start for leg in legs).isoformat() if legs else "",
                    max(leg.end for leg in legs).isoformat() if legs else "",
                ]
            )
