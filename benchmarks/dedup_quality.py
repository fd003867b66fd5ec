"""``python -m benchmarks.dedup_quality [--scenario S] [--seed N]``: how well declaration-party dedup
merges, against the simulator's truth.

A world is simulated, its declarations loaded through the ordinary ingest path and resolved with
``resolve_declaration_parties`` (resolve/parties.py). Every party mention (the shipper and the
consignee of each line) has a true entity (``truth/lines.csv``: ``shipper_id``, ``consignee_id``) and
a found party (``declarations.shipper_party_id`` / ``consignee_party_id``). Pairwise over mentions:

- precision: of the pairs of mentions put in one party, the share that are one true entity;
- recall: of the pairs of mentions of one true entity, the share put in one party.

Baseline in the same run: grouping mentions by their exact spelling (upper-cased, trimmed), which
never merges wrongly unless two entities share a spelling, and never merges two spellings.
Results go to the "Dedup quality against the simulator's truth" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.simulated import load_truth, run_on_world, world_parser
from sanctrace.resolve.parties import resolve_declaration_parties
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ensure_reference, ingest_path
from sanctrace.store.warehouse import connect

SPELLING = "nullif(upper(trim({role}_name)), '')"


@dataclass(frozen=True)
class Pairwise:
    mentions: int
    groups: int  # found parties (or spellings)
    entities: int  # true entities
    true_pairs: int
    found_pairs: int
    both: int  # pairs found together that are truly one entity

    @property
    def precision(self) -> float | None:
        return self.both / self.found_pairs if self.found_pairs else None

    @property
    def recall(self) -> float | None:
        return self.both / self.true_pairs if self.true_pairs else None


def load_world(world: Path, db: Path) -> duckdb.DuckDBPyConnection:
    """The world's declarations in a warehouse, parties resolved, with the truth of every line."""
    con = connect(db)
    ensure_reference(con)
    ingest_path(con, world / "declarations", LoadOptions("sim-declarations"))
    resolve_declaration_parties(con)
    load_truth(con, world)
    return con


def pairwise(con: duckdb.DuckDBPyConnection, group: str = "{role}_party_id") -> Pairwise:
    """Pairwise counts of the mentions grouped by ``group`` (an SQL expression over ``declarations``
    with ``{role}`` for shipper or consignee) against their true entities. Mentions without a group
    (no name at all) are left out."""
    mentions = " UNION ALL ".join(
        f"SELECT {group.format(role=role)} AS found, t.{role}_id AS entity"
        " FROM declarations JOIN truth_lines t USING (line_id)"
        for role in ("shipper", "consignee")
    )
    row = con.execute(
        f"""
        WITH mentions AS (SELECT * FROM ({mentions}) WHERE found IS NOT NULL),
        cells AS (SELECT found, entity, count(*) AS n FROM mentions GROUP BY ALL),
        found AS (SELECT sum(n) AS n FROM cells GROUP BY found),
        truth AS (SELECT sum(n) AS n FROM cells GROUP BY entity)
        SELECT (SELECT sum(n) FROM cells), (SELECT count(*) FROM found), (SELECT count(*) FROM truth),
               (SELECT sum(n * (n - 1) // 2) FROM truth), (SELECT sum(n * (n - 1) // 2) FROM found),
               (SELECT sum(n * (n - 1) // 2) FROM cells)
        """
    ).fetchone()
    assert row is not None
    return Pairwise(*(int(value or 0) for value in row))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def report(con: duckdb.DuckDBPyConnection, scenario: str, seed: int, lines: int) -> str:
    found, spelling = pairwise(con), pairwise(con, SPELLING)
    out = [
        f"Scenario `{scenario}`, seed {seed}, {lines:,} lines: {found.mentions:,} party mentions "
        f"(shipper and consignee of each line) of {found.entities:,} true entities; pairs over mentions "
        "(a party on many lines weighs more).",
        "",
        "| grouping | groups | pairs found | true pairs | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, result in (
        ("sanctrace dedup (`resolve_declaration_parties`)", found),
        ("exact spelling, upper-cased and trimmed (baseline)", spelling),
    ):
        out.append(
            f"| {label} | {result.groups:,} | {result.found_pairs:,} | {result.true_pairs:,} |"
            f" {_pct(result.precision)} | {_pct(result.recall)} |"
        )
    return "\n".join(out)


def main() -> None:
    args = world_parser(__doc__, seed=7).parse_args()
    run_on_world(args, build=load_world, report=report, title="Dedup quality against the simulator's truth")


if __name__ == "__main__":
    main()
