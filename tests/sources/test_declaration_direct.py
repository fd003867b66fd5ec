"""The direct write gives what the SQL path gives: the same rows, line numbers and quarantine entries.

Each file is loaded twice into fresh warehouses, once as ``load`` does it (the direct write, with the
SQL path for the rows it cannot decide) and once with the direct write switched off (the SQL path
alone, the reference of docs/decisions/0012). Files mix every kind of value the two could read
differently.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.sources import declaration_direct, declarations
from sanctrace.sources.base import LoadOptions, LoadReport
from sanctrace.sources.cleaning import clean_text, country_lookup_query
from sanctrace.sources.declaration_fields import fields_filled
from sanctrace.sources.declarations import load
from sanctrace.sources.ingest import ensure_reference
from sanctrace.sources.staging import keeps_file_order
from sanctrace.store.warehouse import connect

FIXTURES = Path(__file__).parent / "fixtures"
OPTIONS = LoadOptions(dataset="test")
HEADER = "ND;G32;G011;G542;G022;G082;G15;G16;G34;G33;G35;G46;G31_1"
CLEAN = ["10013160/110123/{n:07d}", "1", "ИМ", "11.01.2023", "Shipper {n}", "ООО «Получатель»", "КИТАЙ",
         "КИТАЙ", "ТАЙВАНЬ (КИТАЙ)", "8457 10 100 0", "10 306,00", "1 234,50", "СТАНОК {n}"]  # fmt: skip
VARIANTS: dict[int, list[str]] = {
    1: ["1", "01", "-1", "+1", "x", "", " 2 ", "1.0"],
    2: ["ИМ", "ЭК", "им", "XX", "", " ЭК"],
    3: ["11.01.2023", "2023-01-11", "11.01.0202", "31.02.2023", "", "1.1.2023", "11.01.2023 10:00",
        "11/01/2023"],
    6: ["КИТАЙ", "Китай", "китай", "Kitay", "156", "056", "", " КИТАЙ ", "TAIWAN", "Taiwan", "CN", "cn"],
    7: ["КИТАЙ", "", " КИТАЙ", "CN", "\u00a0"],
    8: ["ТАЙВАНЬ (КИТАЙ)", "", "Тайвань (Китай)", "Неведомая", "TW", "  ", " TW", "\u00a0"],
    9: ["8457 10 100 0", "8457.10", "", "84571010001234567", "84A7101000", "8457-10-100-0", " 8457101000 "],
    10: ["10 306,00", "1\u00a0234,50", "1.234,50", "abc", "inf", "1e3", "", " 12,5 ", "-5", "+5", "1_000",
         "1,2,3"],
    11: ["1 234,50", "1,235", "1,225", "99999999999999999999", "nan", "1 2 3", "0,5", ",5", "1,"],
    4: ["Shipper {n}", '"Ship ""{n}"" Ltd"', "  padded  ", "\u00a0nbsp\u00a0"],
}  # fmt: skip


def dirty_file(path: Path, rows: int, seed: int, *, multiline: bool = False) -> None:
    """A Russian-layout file where most rows carry one or two odd values, plus broken lines; with
    ``multiline``, some quoted names hold a line break."""
    rng = random.Random(seed)
    lines = [HEADER]
    for n in range(rows):
        cells = [c.format(n=n) for c in CLEAN]
        if multiline and rng.random() < 0.05:
            cells[4] = f'"Shipper\n{n}"'
        for column in rng.sample(sorted(VARIANTS), rng.choice([0, 1, 1, 2])):
            cells[column] = rng.choice(VARIANTS[column]).format(n=n)
        line = ";".join(cells)
        roll = rng.random()
        if roll < 0.03:
            line = lines[-1] if len(lines) > 1 else line  # a repeated line id
        elif roll < 0.05:
            line = ";".join(cells[:5])  # too few fields
        elif roll < 0.06:
            line += ";extra"  # too many
        elif roll < 0.08:
            lines.append("")  # a blank line before this one
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def outcome(con: duckdb.DuckDBPyConnection, reports: list[LoadReport]) -> dict[str, Any]:
    return {
        "reports": [(r.rows_read, r.rows_accepted, r.rows_quarantined) for r in reports],
        # Source ids aside: a direct write rolled back (see test_quoted_line_breaks...) used one up.
        "declarations": con.execute(
            "SELECT * EXCLUDE (source_id) FROM declarations ORDER BY source_id, row_number"
        ).fetchall(),
        "quarantine": con.execute("SELECT * EXCLUDE (source_id) FROM quarantine ORDER BY ALL").fetchall(),
        # hs6 is derived by the view from the national code, never stored by a load (migration 010).
        "hs6": con.execute(
            "SELECT (SELECT count(hs6) FROM declaration_lines), count(hs6) = count(commodity_code)"
            " FROM declarations"
        ).fetchall(),
        # A direct write undone (rolled back, or discarded after its first transaction) leaves no trace.
        "sources": con.execute("SELECT count(*), count(*) FILTER (WHERE pending) FROM sources").fetchall(),
    }


def load_all(paths: list[Path]) -> dict[str, Any]:
    con = connect(":memory:")
    ensure_reference(con)
    try:
        return outcome(con, [load(con, p, OPTIONS) for p in paths])
    finally:
        con.close()


def both(paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], dict[str, Any]]:
    """(direct write, SQL path alone) for the same files; checks the direct write ran."""
    calls: list[int] = []
    original = declaration_direct.write

    def counted(con: duckdb.DuckDBPyConnection, plan: declaration_direct.DirectPlan, source_id: int) -> None:
        calls.append(source_id)
        original(con, plan, source_id)

    with monkeypatch.context() as patch:
        patch.setattr(declaration_direct, "write", counted)
        direct = load_all(paths)
    assert calls, "the direct write did not run"
    with monkeypatch.context() as patch:
        patch.setattr(declaration_direct, "plan", lambda *args, **kwargs: None)
        reference = load_all(paths)
    return direct, reference


@pytest.mark.parametrize(("seed", "multiline"), [(1, False), (2, False), (3, True)])
def test_dirty_file_loads_as_on_the_sql_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, multiline: bool
) -> None:
    """Seed 3 has quoted line breaks: the direct write rolls back and the SQL path loads it."""
    path = tmp_path / "dirty.csv"
    dirty_file(path, 400, seed, multiline=multiline)
    direct, reference = both([path], monkeypatch)
    assert direct["reports"] == reference["reports"]
    assert direct["declarations"] == reference["declarations"]
    assert direct["quarantine"] == reference["quarantine"]
    assert len(direct["quarantine"]) > 50  # the file did exercise the SQL path
    assert direct["hs6"] == reference["hs6"] == [(0, True)]


def test_dirty_file_with_every_rule_field_read_untrimmed_loads_as_on_the_sql_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No head rows looked at: item number, flow, code, countries and the optional text fields are
    read as they are. Their padded or blank cells (the file has them) must be marked and typed by
    the SQL path, or (text) trimmed after the write."""
    monkeypatch.setattr(declaration_direct, "HEAD_ROWS", 0)
    seen: list[set[str]] = []
    original = declaration_direct.untrimmed_fields

    def recording(*args: Any) -> set[str]:
        seen.append(original(*args))
        return seen[-1]

    monkeypatch.setattr(declaration_direct, "untrimmed_fields", recording)
    path = tmp_path / "dirty.csv"
    dirty_file(path, 400, 1)
    direct, reference = both([path], monkeypatch)
    # origin_country falls back from G34 to G16: a blank or padded G34 must not hide G16.
    assert {
        "item_number",
        "flow",
        "commodity_code",
        "dispatch_country",
        "origin_country",
        "shipper_name",
    } <= seen[0]
    assert direct == reference


def test_fields_padded_in_the_head_keep_their_trimming(tmp_path: Path) -> None:
    """A field whose cell is padded or blank in the first rows is trimmed in the insert for the whole
    file; so is a required text field. A rule field with a fallback column is read untrimmed when
    none of its columns is padded in the head."""
    rows = [[c.format(n=n) for c in CLEAN] for n in range(3)]
    rows[1][6] = " КИТАЙ"  # G15, the dispatch country
    rows[2][9] = "\u00a0"  # G33, the commodity code: a blank cell
    path = tmp_path / "head.csv"
    path.write_text("\n".join([HEADER, *(";".join(r) for r in rows)]) + "\n", "utf-8")
    con = connect(":memory:")
    ensure_reference(con)
    resolved = declarations._choose_mapping(path, HEADER.split(";"), OPTIONS)
    fields = fields_filled(resolved)
    head = declaration_direct.head_rows(path, ";", 1000)
    assert len(head) == 3 and head[1][6] == " КИТАЙ"
    untrimmed = declaration_direct.untrimmed_fields(resolved, fields, head)
    # declaration_number is required: trimmed.
    assert untrimmed == {
        "item_number",
        "flow",
        "origin_country",
        "shipper_name",
        "consignee_name",
        "description",
    }
    rows[0][7] = "КИТАЙ "  # G16, the origin country's fallback column
    padded_fallback = declaration_direct.untrimmed_fields(resolved, fields, [rows[0]])
    assert "origin_country" not in padded_fallback and "dispatch_country" in padded_fallback
    clean_head = declaration_direct.untrimmed_fields(resolved, fields, head[:1])
    assert clean_head == untrimmed | {"dispatch_country", "commodity_code"}


def test_overlapping_files_as_on_the_sql_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second file repeating line ids of the first: 'line_id already loaded', as on the SQL path."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    dirty_file(first, 200, 7)
    text = first.read_text("utf-8").splitlines()
    second.write_text("\n".join([text[0], *text[100:], *text[150:160]]) + "\n", "utf-8")
    direct, reference = both([first, second], monkeypatch)
    assert direct == reference
    assert any(row[2] == "line_id already loaded" for row in direct["quarantine"])


@pytest.mark.parametrize(
    "name", ["ru_declarations_cp1251.csv", "ru_declarations_boxcodes_utf8bom.csv", "bill_of_lading.csv"]
)
def test_fixtures_load_as_on_the_sql_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    direct, reference = both([FIXTURES / name], monkeypatch)
    assert direct == reference


_NUMBER = st.text(alphabet="0123456789 ,.-+e_\u00a0", max_size=10)
_DATE = st.text(alphabet="0123456789./-: ", min_size=6, max_size=12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers=st.lists(st.tuples(_NUMBER, _NUMBER, _DATE), min_size=1, max_size=12))
def test_reader_typed_values_read_as_the_sql_rules(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, numbers: list[tuple[str, ...]]
) -> None:
    """Whatever text a number or date cell holds, the reader's value (or its refusal, which sends the
    row to the SQL path) ends as the SQL rules' value: generated separators, signs, exponents,
    spaces and date shapes."""
    path = tmp_path_factory.mktemp("typed") / "typed.csv"
    lines = [HEADER]
    for n, (weight, value, day) in enumerate(numbers):
        cells = [c.format(n=n) for c in CLEAN]
        cells[10], cells[11], cells[3] = weight, value, day
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    direct, reference = both([path], monkeypatch)
    assert direct == reference


def test_rows_numbered_in_file_order_on_one_thread_when_the_plan_would_reorder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard: an insert whose plan is not BATCH_INSERT runs on one thread, keeping file order."""
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for n in range(300_000):
            cells = [c.format(n=n) for c in CLEAN]
            cells[0] = f"10013160/110123/{n + 2:07d}"
            handle.write(";".join(cells) + "\n")
    original = declaration_direct.write
    seen: list[bool] = []

    def with_join(
        con: duckdb.DuckDBPyConnection, plan: declaration_direct.DirectPlan, source_id: int
    ) -> None:
        # The same rows through a join with a one-row table: DuckDB plans a plain INSERT.
        insert = plan.insert.replace(
            " SELECT ", " SELECT j.* EXCLUDE (one) FROM (SELECT 1 AS one) o JOIN (SELECT 1 AS one, ", 1
        )
        insert += ") j ON j.one = o.one"
        seen.append(keeps_file_order(con, insert, [source_id]))
        original(con, declaration_direct.DirectPlan(insert, plan.suspect), source_id)

    monkeypatch.setattr(declaration_direct, "write", with_join)
    con = connect(":memory:")
    ensure_reference(con)
    report = load(con, path, OPTIONS)
    assert seen == [False]
    assert report.rows_accepted == 300_000
    wrong = con.execute(
        "SELECT count(*) FROM declarations WHERE row_number <> CAST(right(declaration_number, 7) AS BIGINT)"
    ).fetchone()
    assert wrong == (0,)


@pytest.mark.parametrize("path_taken", ["direct", "sql"])
def test_each_paths_typed_read_is_planned_as_a_parallel_batch_write(
    path_taken: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The direct insert's plan, and the SQL path's typed read into its staging table, keep file order
    without the one-thread guard. An expression DuckDB turns into a join (an IN list; from DuckDB 2.0 a
    constant ``list_contains``) would make every load run on one thread, at half the speed and with
    nothing else failing."""
    from sanctrace.sources import staging

    path = tmp_path / "clean.csv"
    path.write_text(HEADER + "\n" + ";".join(c.format(n=1) for c in CLEAN) + "\n", "utf-8")
    seen: list[bool] = []

    def recording(
        con: duckdb.DuckDBPyConnection, statement: str, parameters: list[object] | None = None
    ) -> None:
        seen.append(keeps_file_order(con, statement, parameters))
        staging.run_in_file_order(con, statement, parameters)

    monkeypatch.setattr(declaration_direct, "run_in_file_order", recording)
    monkeypatch.setattr(declarations, "run_in_file_order", recording)
    if path_taken == "sql":
        monkeypatch.setattr(declaration_direct, "plan", lambda *args, **kwargs: None)
    con = connect(":memory:")
    ensure_reference(con)
    assert load(con, path, OPTIONS).rows_accepted == 1
    assert seen == [True]


def test_a_file_with_many_leftovers_takes_the_sql_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past MAX_LEFTOVERS the direct write rolls back and the SQL path loads the file, same result."""

    monkeypatch.setattr(declarations, "MAX_LEFTOVERS", 5)
    path = tmp_path / "dirty.csv"
    dirty_file(path, 200, 11)
    direct, reference = both([path], monkeypatch)
    assert direct == reference


def test_a_load_stopped_between_its_two_transactions_is_removed_when_the_warehouse_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are committed before they are numbered (``sources.pending``); a process that stops
    there leaves them, unnumbered, and the next writable open removes them before anything reads."""
    path = tmp_path / "dirty.csv"
    dirty_file(path, 200, 5)
    warehouse = tmp_path / "w.duckdb"
    con = connect(warehouse)
    ensure_reference(con)

    def stopped(*args: Any) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(declarations, "_finish_direct", stopped)
        patch.setattr(declarations, "discard_load", lambda *args: None)  # the process is gone
        with pytest.raises(KeyboardInterrupt):
            load(con, path, OPTIONS)
    left = con.execute("SELECT count(*), max(row_number) FROM declarations").fetchone()
    assert left is not None and left[0] > 150 and left[1] == 0  # written, not numbered
    assert con.execute("SELECT count(*) FROM sources WHERE pending").fetchone() == (1,)
    con.close()
    con = connect(warehouse)
    assert con.execute("SELECT count(*) FROM declarations").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM sources WHERE format = 'declarations'").fetchone() == (0,)
    report = load(con, path, OPTIONS)  # the same file loads afresh, not as "already loaded"
    assert not report.already_loaded and report.rows_accepted > 150
    assert con.execute("SELECT min(row_number) FROM declarations").fetchone() == (2,)
    con.close()
    assert load_all([path]) == outcome_of_fresh_load(path, warehouse)


def test_a_copy_of_a_loaded_file_is_found_loaded(tmp_path: Path) -> None:
    """Loaded again under another path: the same source, nothing written (the digest decides)."""
    first, copy = tmp_path / "a.csv", tmp_path / "copy.csv"
    dirty_file(first, 300, 8)
    copy.write_bytes(first.read_bytes())
    con = connect(":memory:")
    ensure_reference(con)
    loaded = load(con, first, OPTIONS)
    before = con.execute(
        "SELECT (SELECT count(*) FROM declarations), (SELECT count(*) FROM sources)"
    ).fetchone()
    again = load(con, copy, OPTIONS)
    assert again.already_loaded and again.source_id == loaded.source_id
    assert (again.rows_read, again.rows_accepted) == (loaded.rows_read, loaded.rows_accepted)
    after = con.execute(
        "SELECT (SELECT count(*) FROM declarations), (SELECT count(*) FROM sources)"
    ).fetchone()
    assert after == before


def test_bare_crs_past_the_head_load_as_on_the_sql_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head shows LF line ends, the rest of the file bare CRs: the byte scan finds them and the
    file is rewritten before DuckDB reads it (DuckDB's reader fails on such a file read as it is)."""
    path = tmp_path / "cr.csv"
    rows = [";".join(c.format(n=n) for c in CLEAN) for n in range(120)]
    head = "\n".join([HEADER, *rows[:60]]) + "\n"
    assert len(head.encode()) > 4096  # past the head the loader reads first
    path.write_bytes((head + "\r".join(rows[60:]) + "\r").encode())
    direct, reference = both([path], monkeypatch)
    assert direct == reference
    assert direct["reports"] == [(120, 120, 0)]
    assert [row[3] for row in direct["declarations"]] == list(range(2, 122))  # row_number


def outcome_of_fresh_load(path: Path, warehouse: Path) -> dict[str, Any]:
    con = connect(warehouse, read_only=True)
    try:
        reports = [
            LoadReport(path, "declarations", "test", int(r[0]), int(r[1]), int(r[2]), int(r[3]))
            for r in con.execute(
                "SELECT source_id, rows_read, rows_accepted, rows_quarantined FROM sources"
                " WHERE format = 'declarations'"
            ).fetchall()
        ]
        return outcome(con, reports)
    finally:
        con.close()


def test_country_lookup_gives_every_spelling_the_sql_path_code(tmp_path: Path) -> None:
    """Each known spelling, each padding label of the blocked ENUM and texts it does not know get
    the code ``cleaning.country_lookup_query`` gives (NULL where that gives none)."""
    con = connect(tmp_path / "w.duckdb")
    ensure_reference(con)
    declaration_direct.create_country_lookup(con)
    con.execute(
        "CREATE TEMP TABLE texts AS SELECT x::VARCHAR AS raw FROM"
        " (SELECT unnest(enum_range(NULL::decl_direct_country)) AS x)"
        " UNION ALL SELECT * FROM (VALUES ('Неведомая'), ('056'), ('КИТАЙ '), ('zz')) v(raw)"
    )
    sql_path = dict(con.execute(country_lookup_query("SELECT raw FROM texts")).fetchall())
    direct = dict(con.execute("SELECT raw, decl_direct_iso(raw) FROM texts").fetchall())
    padding = [raw for raw in direct if raw.startswith(" ")]
    assert len(direct) > 5000 and padding  # the aliases and the pads are all there
    trimmed = con.execute(f"SELECT count(*) FROM texts WHERE raw LIKE ' %' AND {clean_text('raw')} = raw")
    assert trimmed.fetchone() == (0,)  # no cleaned cell is a pad, whatever block the pad is in
    assert {raw: direct[raw] for raw in direct if raw not in padding and sql_path[raw] is not None} == {
        raw: code for raw, code in sql_path.items() if raw not in padding and code is not None
    }
    assert direct["Неведомая"] is None and direct["КИТАЙ "] is None  # marked for the SQL path
    assert all(direct[raw] is None for raw in padding)  # a cell read untrimmed never hits a pad


_GUARD = duckdb.connect()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2030), max_size=4))
def test_country_guard_is_the_first_code_point_test(text: str) -> None:
    """The lookup's byte comparison refuses exactly the texts whose first code point is at most the
    space (and the empty text), as ``unicode(x) > 32`` does."""
    row = _GUARD.execute("SELECT ?::VARCHAR >= '!', unicode(?::VARCHAR) > 32", [text, text]).fetchone()
    assert row is not None
    assert row[0] == row[1] == (text != "" and ord(text[0]) > 32)
