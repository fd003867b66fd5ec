"""Versions of a sanctions list in one dataset: what was added, removed and changed.

Each load of a list stores a signature per entry in ``list_entries``. When an earlier version of the
same list is in the same dataset, the two are compared: ``list_changes`` gets one row per party
added, removed or changed (with the fields that changed). The newer version's rows replace the
older ones party by party (the loaders key parties by stable ids); a removed party keeps its rows,
and its open designations get ``delisted_date`` = the new version's date, so screening "as of" an
earlier date still sees it. See docs/decisions/0004-list-versions.md.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb

from sanctrace.sources.loading import insert_rows


def record_new_version(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    list_name: str,
    fmt: str,
    source_id: int,
    signatures: dict[str, dict[str, str]],
    as_of: date | None,
) -> dict[str, int]:
    """Store this version's entries, compare with the previous version; return counts per change."""
    previous = con.execute(
        "SELECT max(source_id) FROM list_entries WHERE dataset = ? AND list = ? AND source_id <> ?",
        [dataset, list_name, source_id],
    ).fetchone()
    previous_id = previous[0] if previous else None
    insert_rows(
        con,
        "list_entries",
        [
            (dataset, list_name, source_id, pid, json.dumps(sig, sort_keys=True))
            for pid, sig in signatures.items()
        ],
    )
    if previous_id is None:
        return {}
    old = {
        str(pid): json.loads(sig)
        for pid, sig in con.execute(
            "SELECT party_id, signature FROM list_entries WHERE source_id = ?", [previous_id]
        ).fetchall()
    }
    changes: list[tuple[str, str | None]] = [(pid, None) for pid in signatures if pid not in old]
    added = len(changes)
    removed = [pid for pid in old if pid not in signatures]
    changes += [(pid, None) for pid in removed]
    changed = []
    for pid, sig in signatures.items():
        if pid in old:  # compare only the fields both versions carry
            fields = [k for k in sorted(sig.keys() & old[pid].keys()) if sig[k] != old[pid][k]]
            if fields:
                changed.append((pid, ";".join(fields)))
    kinds = ["added"] * added + ["removed"] * len(removed)
    rows = [
        (dataset, list_name, source_id, int(previous_id), pid, kind, fields, _now(con))
        for (pid, fields), kind in zip(changes, kinds, strict=True)
    ]
    rows += [
        (dataset, list_name, source_id, int(previous_id), pid, "changed", f, _now(con)) for pid, f in changed
    ]
    insert_rows(con, "list_changes", rows)
    if removed:
        con.execute(
            "UPDATE designations SET delisted_date = coalesce(?, current_date)"
            " WHERE list = ? AND delisted_date IS NULL AND list_contains(?, party_id)",
            [as_of, list_name, removed],
        )
    return {"added": added, "removed": len(removed), "changed": len(changed)}


def _now(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT CAST(current_timestamp AS TIMESTAMP)").fetchone()
    assert row is not None
    return str(row[0])
