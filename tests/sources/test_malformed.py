"""A corpus of malformed declaration files, each with its expected outcome (never a traceback).

The files are built here from one good row so each differs from a clean file in one way only.
Outcome: either (read, accepted, quarantined) plus the reasons recorded, or a UserError whose
one-line message is matched.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanctrace.errors import UserError
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.ingest import ingest_path

HEADER = "ND;G32;G011;G542;G022;G082;G15;G34;G33;G46\n"
ROW = (
    "10013160/110123/{n:07d};1;ИМ;11.01.2023;Shipper {n};ООО «Получатель»;КИТАЙ;ТАЙВАНЬ (КИТАЙ);"
    "8457 10 100 0;1 234,50\n"
)


def rows(count: int) -> str:
    return "".join(ROW.format(n=i) for i in range(count))


def one(n: int) -> str:
    return ROW.format(n=n)


# name: (file bytes, expected (read, accepted, quarantined) or an error pattern, reasons expected)
CORPUS: dict[str, tuple[bytes, tuple[int, int, int] | str, set[str]]] = {
    "truncated mid-row": ((HEADER + rows(3) + one(9)[:40]).encode(), (4, 3, 1), {"wrong number of fields"}),
    "shifted columns (a stray delimiter)": (
        (HEADER + rows(2) + one(7).replace("Shipper 7", "Shipper;7")).encode(),
        (3, 2, 1),
        {"wrong number of fields"},
    ),
    "cp1251 throughout": ((HEADER + rows(3)).encode("cp1251"), (3, 3, 0), set()),
    "UTF-8 with one latin-1 byte": (
        (HEADER + rows(2)).encode().replace(b"Shipper 1", "Café".encode("latin-1")),
        (2, 2, 0),
        set(),
    ),
    "a 5 MB field": (
        (HEADER + rows(1) + one(5).replace("Shipper 5", "X" * 5_000_000)).encode(),
        (2, 2, 0),
        set(),
    ),
    "UTF-8 BOM": (("\ufeff" + HEADER + rows(2)).encode(), (2, 2, 0), set()),
    "mixed line endings (LF, CRLF, bare CR)": (
        (
            HEADER.replace("\n", "\r\n")
            + one(1)
            + one(2).replace("\n", "\r\n")
            + one(3).replace("\n", "\r")
            + one(4)
        ).encode(),
        (4, 4, 0),
        set(),
    ),
    "header only": (HEADER.encode(), (0, 0, 0), set()),
    "header repeated mid-file": (
        (HEADER + rows(2) + HEADER + one(8)).encode(),
        (4, 3, 1),
        {"bad item number", "bad commodity code"},
    ),
    "blank lines only": (b"\n\n\n", "the file is empty", set()),
    "empty": (b"", "the file is empty", set()),
    "NUL bytes (binary or UTF-16)": (
        (HEADER + rows(2)).encode().replace(b"Shipper 1", b"Ship\x00per"),
        "not a text file",
        set(),
    ),
    "binary": (bytes(range(256)) * 10, "not a text file", set()),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_malformed_file(case: str, con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    data, expected, reasons = CORPUS[case]
    path = tmp_path / "declarations.csv"
    path.write_bytes(data)
    if isinstance(expected, str):
        with pytest.raises(UserError, match=expected):
            ingest_path(con, path, LoadOptions("m"), "declarations")
        assert con.execute("SELECT count(*) FROM declarations").fetchone() == (0,)
        return
    report = ingest_path(con, path, LoadOptions("m"), "declarations")[-1]
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == expected
    found = {
        r[0]
        for r in con.execute(
            "SELECT reason FROM quarantine WHERE source_id = ?", [report.source_id]
        ).fetchall()
    }
    assert reasons <= found
    assert con.execute("SELECT count(*) FROM declarations").fetchone() == (expected[1],)


def test_rows_keep_their_line_numbers_across_bare_cr_endings(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes((HEADER + one(1).replace("\n", "\r") + one(2).replace("\n", "\r") + one(3)).encode())
    ingest_path(con, path, LoadOptions("m"), "declarations")
    lines = con.execute("SELECT shipper_name, row_number FROM declarations ORDER BY row_number").fetchall()
    assert lines == [("Shipper 1", 2), ("Shipper 2", 3), ("Shipper 3", 4)]


def test_stray_bytes_are_replaced_and_the_encoding_says_so(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes((HEADER + rows(2)).encode().replace(b"Shipper 1", "Café".encode("latin-1")))
    ingest_path(con, path, LoadOptions("m"), "declarations")
    assert con.execute("SELECT encoding FROM sources WHERE format = 'declarations'").fetchone() == (
        "utf-8 (invalid bytes replaced by U+FFFD)",
    )
    names = {r[0] for r in con.execute("SELECT consignee_name FROM declarations").fetchall()}
    assert names == {"ООО «Получатель»"}  # the Cyrillic is intact, not read as cp1251
