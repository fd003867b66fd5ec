import datetime as dt
from pathlib import Path

import duckdb

from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path


def test_real_flat_list_counts_and_publication_date(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    # The folder holds metadata.json too: it is read by the loader, not loaded as a file.
    reports = ingest_path(con, shared_data / "ofac_sdn_2026_flat", LoadOptions(dataset="ofac-2026"))
    (report,) = [r for r in reports if r.format == "ofac-sdn-flat"]
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (19_249, 19_249, 0)
    russia = con.execute(
        "SELECT count(DISTINCT party_id) FROM designations WHERE program = 'RUSSIA-EO14024'"
    ).fetchone()
    assert russia == (6_349,)
    assert con.execute("SELECT as_of FROM sources WHERE format = 'ofac-sdn-flat'").fetchone() == (
        dt.date(2026, 8, 20),
    )
    aliases = con.execute("SELECT count(*) FROM party_names WHERE name_type = 'alias'").fetchone()
    assert aliases is not None and aliases[0] > 15_000
