"""Dataset descriptors: every shipped YAML is valid, every loader format has one, assertions warn."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.descriptors import all_descriptors, descriptor_for_format, parse_descriptor
from sanctrace.sources.ingest import format_names, ingest_path

OFAC_FIXTURE = Path(__file__).parent / "fixtures" / "ofac" / "2024-01-15"


def test_every_shipped_descriptor_parses_and_formats_are_unique() -> None:
    formats = [fmt for d in all_descriptors() for fmt in d.formats]
    assert len(formats) == len(set(formats))


def test_every_main_format_has_a_descriptor() -> None:
    missing = [f for f in format_names() if not f.endswith("-part") and descriptor_for_format(f) is None]
    assert missing == []


def test_a_bad_descriptor_is_a_one_line_user_error() -> None:
    with pytest.raises(UserError, match=r"x\.yaml: not a valid dataset descriptor"):
        parse_descriptor("name: x\nformats: nope\n", "x.yaml")
    with pytest.raises(UserError, match="unknown table"):
        parse_descriptor(
            "name: x\ntitle: t\npublisher: p\nurl: u\nlicence: l\nformats: [a]\n"
            "assertions: {min: {nope: 1}}\n",
            "x.yaml",
        )


def test_a_small_list_loads_with_a_warning_and_the_publisher_is_recorded(
    con: duckdb.DuckDBPyConnection,
) -> None:
    reports = ingest_path(con, OFAC_FIXTURE, LoadOptions(dataset="ofac"))
    (main,) = [r for r in reports if r.format == "ofac-sdn"]
    assert main.rows_accepted == 3
    assert any("us_ofac_sdn: parties = 3 below the expected minimum" in w for w in main.warnings)
    licence = con.execute("SELECT licence FROM sources WHERE source_id = ?", [main.source_id]).fetchone()
    assert licence is not None and "Public domain" in str(licence[0])
    comext = con.execute("SELECT publisher FROM sources WHERE format = 'country-codes'").fetchone()
    assert comext is not None and comext[0]  # bundled reference loads are described too
