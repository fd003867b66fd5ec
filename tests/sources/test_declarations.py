"""Declaration lines: encodings, header layouts, cleaning, quarantine and idempotence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sanctrace.errors import UserError
from sanctrace.sources import cleaning
from sanctrace.sources.base import LoadOptions
from sanctrace.sources.declarations import load, sniff
from sanctrace.sources.encoding import read_head

FIXTURES = Path(__file__).parent / "fixtures"
CP1251 = FIXTURES / "ru_declarations_cp1251.csv"
BOXCODES = FIXTURES / "ru_declarations_boxcodes_utf8bom.csv"
OPTIONS = LoadOptions(dataset="test")
ALIASES = {
    "CN": ["CN", "CHN", "156", "КИТАЙ", "CHINA"],
    "TW": ["TW", "TWN", "158", "ТАЙВАНЬ (КИТАЙ)", "TAIWAN"],
    "RU": ["RU", "RUS", "643", "РОССИЯ"],
    "TR": ["TR", "TUR", "792", "ТУРЦИЯ"],
}


def add_aliases(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        "INSERT INTO country_aliases VALUES (?, ?, 'custom')",
        [(alias, iso2) for iso2, aliases in ALIASES.items() for alias in aliases],
    )


@pytest.fixture
def db(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    add_aliases(con)
    return con


def quarantine(con: duckdb.DuckDBPyConnection, source_id: int) -> set[tuple[int, str | None, str]]:
    rows = con.execute(
        "SELECT row_number, column_name, reason FROM quarantine WHERE source_id = ?", [source_id]
    ).fetchall()
    return {(int(n), c, r) for n, c, r in rows}


def table_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return tuple(
        int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
        for t in ("sources", "declarations", "quarantine")
    )


def test_cp1251_file_with_russian_headers(db: duckdb.DuckDBPyConnection) -> None:
    report = load(db, CP1251, OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (11, 6, 5)
    assert db.execute("SELECT encoding FROM sources").fetchone() == ("cp1251",)
    first = db.execute(
        "SELECT flow, registration_date, release_date, commodity_code, hs6, origin_country, gross_kg,"
        " invoice_value, customs_value, value_usd, consignee_name, manufacturer_text, trademark_text"
        " FROM declarations WHERE row_number = 2"
    ).fetchone()
    assert first == (
        "import",
        date(2023, 1, 11),
        date(2023, 1, 12),
        "8457101000",
        "845710",
        "TW",
        7850.5,
        Decimal("4470000.00"),
        Decimal("410123456.78"),
        Decimal("4470000.00"),
        "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»",
        "I MACHINE TOOLS CO., LTD.",
        "IMT",
    )
    export = db.execute("SELECT flow, origin_country FROM declarations WHERE row_number = 12").fetchone()
    assert export == ("export", "RU")


def test_item_origin_wins_over_declaration_origin(db: duckdb.DuckDBPyConnection) -> None:
    load(db, CP1251, OPTIONS)
    row = db.execute(
        "SELECT origin_country, dispatch_country, trading_country FROM declarations WHERE row_number = 3"
    ).fetchone()
    assert row == ("CN", "TW", "TW")


def test_bad_rows_are_quarantined_at_their_line(db: duckdb.DuckDBPyConnection) -> None:
    report = load(db, CP1251, OPTIONS)
    assert quarantine(db, report.source_id) == {
        (5, "Дата регистрации", "bad date"),
        (6, "Вес брутто", "bad number"),
        (7, "Торгующая страна", "unknown country"),
        (8, "Код ТН ВЭД", "bad commodity code"),
        (9, "Номер товара", "missing value"),
        (10, "line_id", "duplicate line_id"),
        (11, None, "wrong number of fields"),
    }
    accepted = [r[0] for r in db.execute("SELECT row_number FROM declarations ORDER BY 1").fetchall()]
    assert accepted == [2, 3, 4, 6, 7, 12]
    # optional fields that could not be read are NULL, the row kept
    assert db.execute("SELECT gross_kg FROM declarations WHERE row_number = 6").fetchone() == (None,)
    assert db.execute("SELECT trading_country FROM declarations WHERE row_number = 7").fetchone() == (None,)


def test_raw_line_of_a_truncated_row_is_kept(db: duckdb.DuckDBPyConnection) -> None:
    report = load(db, CP1251, OPTIONS)
    raw = db.execute(
        "SELECT raw_text FROM quarantine WHERE source_id = ? AND row_number = 11", [report.source_id]
    ).fetchone()
    assert raw == ("10013160/050623/0004321;6;ИМ;05.06.2023;07.06.2023;ANKA MAKINA",)


def test_utf8_bom_box_codes_and_a_blank_line(db: duckdb.DuckDBPyConnection) -> None:
    report = load(db, BOXCODES, OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (4, 2, 2)
    assert db.execute("SELECT encoding FROM sources").fetchone() == ("utf-8-sig",)
    rows = db.execute(
        "SELECT row_number, registration_date, commodity_code, origin_country, dispatch_country, gross_kg"
        " FROM declarations ORDER BY row_number"
    ).fetchall()
    assert rows[1] == (4, date(2023, 9, 14), "8458912009", "TW", "CN", 3200.0)
    assert quarantine(db, report.source_id) == {(5, "G542", "bad date"), (6, None, "wrong number of fields")}


def test_reingest_changes_nothing(db: duckdb.DuckDBPyConnection) -> None:
    first = load(db, CP1251, OPTIONS)
    before = table_counts(db)
    again = load(db, CP1251, OPTIONS)
    assert again.already_loaded and again.source_id == first.source_id
    assert table_counts(db) == before


def test_overlapping_file_does_not_double_count(db: duckdb.DuckDBPyConnection) -> None:
    load(db, CP1251, OPTIONS)
    second = load(db, BOXCODES, OPTIONS)
    assert (2, "line_id", "line_id already loaded") in quarantine(db, second.source_id)
    count = db.execute(
        "SELECT count(*) FROM declarations WHERE line_id = '10013160/110123/0001234/1'"
    ).fetchone()
    assert count == (1,)


def test_xlsx_workbook(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "declarations.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ND", "G32", "G542", "G33", "G34", "G15", "G46", "G31_1"])
    sheet.append(
        [
            "10013160/010223/0000001",
            1,
            datetime(2023, 2, 1),
            8457101000,
            "TW",
            "КИТАЙ",
            125000.5,
            "ЦЕНТР\nС ЧПУ",
        ]
    )
    sheet.append([None] * 8)
    sheet.append(["10013160/010223/0000001", 2, "02.02.2023", "84.66", "TW", "CN", "1 000,00", "ЧАСТИ"])
    sheet.append(["10013160/010223/0000001", 3, "03.02.2023", 8466930000, "TW", "CN", "abc", "ЧАСТИ"])
    book.save(path)
    assert sniff(path, read_head(path))
    report = load(db, path, OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (3, 2, 1)
    rows = db.execute(
        "SELECT row_number, registration_date, commodity_code, origin_country, dispatch_country, value_usd,"
        " description FROM declarations ORDER BY row_number"
    ).fetchall()
    assert rows[0] == (2, date(2023, 2, 1), "8457101000", "TW", "CN", Decimal("125000.50"), "ЦЕНТР С ЧПУ")
    assert rows[1] == (5, date(2023, 2, 3), "8466930000", "TW", "CN", None, "ЧАСТИ")
    assert quarantine(db, report.source_id) == {(4, "G33", "bad commodity code"), (5, "G46", "bad number")}


def test_header_only_file_loads_nothing(db: duckdb.DuckDBPyConnection) -> None:
    report = load(db, FIXTURES / "header_only.csv", OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "message"),
    [("empty.csv", "empty"), ("binary.csv", "binary"), ("unknown_columns.csv", "no column mapping fits")],
)
def test_unreadable_file_raises_and_writes_nothing(
    db: duckdb.DuckDBPyConnection, name: str, message: str
) -> None:
    with pytest.raises(UserError, match=message) as caught:
        load(db, FIXTURES / name, OPTIONS)
    assert name in str(caught.value)
    assert table_counts(db) == (0, 0, 0)


def test_bill_of_lading_preset(db: duckdb.DuckDBPyConnection) -> None:
    report = load(db, FIXTURES / "bill_of_lading.csv", OPTIONS)
    assert report.rows_accepted == 2
    row = db.execute(
        "SELECT line_id, flow, registration_date, origin_country, destination_country, gross_kg, value_usd,"
        " description FROM declarations WHERE row_number = 2"
    ).fetchone()
    assert row == (
        "MEDUXY123456/1",
        "import",
        date(2023, 3, 15),
        "TW",
        "CN",
        9800.0,
        Decimal("180000.00"),
        "CNC LATHE, VTURN 26 | Notify party: SAME AS CONSIGNEE | Carrier: MSC | Vessel: MSC ANNA"
        " | Container: MSCU1234567",
    )


def test_user_mapping_file(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    mapping = tmp_path / "vendor.yaml"
    mapping.write_text(
        "name: vendor\nparse: {delimiter: '|', decimal_comma: false, day_first: false}\n"
        "fields:\n  declaration_number: [Decl]\n  item_number: [Line]\n  commodity_code: [Code]\n"
        "  value_usd: [USD]\n  registration_date: [Date]\n",
        encoding="utf-8",
    )
    data = tmp_path / "vendor.csv"
    data.write_text("Decl|Line|Code|USD|Date\nA1|1|845710|1,500.25|02/01/2023\n", encoding="utf-8")
    assert not sniff(data, read_head(data))  # no preset fits: the user must name the mapping
    report = load(db, data, LoadOptions(dataset="test", mapping=str(mapping)))
    assert report.rows_accepted == 1
    assert db.execute("SELECT value_usd, registration_date FROM declarations").fetchone() == (
        Decimal("1500.25"),
        date(2023, 2, 1),
    )


def test_mapping_that_does_not_fit_is_refused(db: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UserError, match="does not fit the header"):
        load(db, CP1251, LoadOptions(dataset="test", mapping="bill-of-lading"))
    with pytest.raises(UserError, match="unknown column mapping"):
        load(db, CP1251, LoadOptions(dataset="test", mapping="no-such-preset"))


def test_invalid_mapping_names_the_file(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("name: bad\nfields:\n  declaration_numbr: [ND]\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.yaml"):
        load(db, CP1251, LoadOptions(dataset="test", mapping=str(mapping)))


def test_sniff_recognises_both_presets() -> None:
    assert sniff(CP1251, read_head(CP1251))
    assert sniff(BOXCODES, read_head(BOXCODES))
    assert not sniff(FIXTURES / "unknown_columns.csv", read_head(FIXTURES / "unknown_columns.csv"))


# --- the SQL cleaners, checked against Python on generated values ----------------------------------

_CON = duckdb.connect()


def _eval(expression: str, value: str) -> object:
    row = _CON.execute(f"SELECT {expression} FROM (SELECT ?::VARCHAR AS x)", [value]).fetchone()
    assert row is not None
    return row[0]


def _number(value: str, decimal_comma: bool) -> object:
    stripped = cleaning.strip_number("x")
    normalised = cleaning.normalise_number(f"({stripped})", decimal_comma=decimal_comma)
    return _eval(cleaning.decimal(f"({normalised})"), value)


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
)
def test_russian_numbers(value: Decimal, thousands: str) -> None:
    whole, fraction = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", thousands)
    assert _number(f"{grouped},{fraction}", decimal_comma=True) == value


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_english_numbers(value: Decimal) -> None:
    assert _number(f"{value:,.2f}", decimal_comma=False) == value
    assert _number(f"{value:,.2f}", decimal_comma=True) == value  # both marks: the last one is decimal


def _typed_number(kind: str, value: str, decimal_comma: bool) -> object:
    typed = cleaning.typed_field("x", kind, decimal_comma=decimal_comma, formats=[], min_code_len=6)
    assert typed is not None
    source = cleaning.nested("(SELECT ?::VARCHAR AS r_x)", *cleaning.layers([typed]))
    row = _CON.execute(f"SELECT {typed.final} FROM {source}", [value]).fetchone()
    assert row is not None
    return row[0]


def _full_number(kind: str, value: str, decimal_comma: bool) -> object:
    normalised = cleaning.normalise_number(f"({cleaning.strip_number('x')})", decimal_comma=decimal_comma)
    parse = cleaning.decimal(f"({normalised})") if kind == "decimal" else cleaning.number(f"({normalised})")
    return _eval(parse, value)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="0123456789 ,.'\t\n\f\v\u00a0\u202f+-eE_", max_size=12),
    st.sampled_from(["decimal", "number"]),
    st.booleans(),
)
@example(".1E0,", "decimal", True)  # DuckDB's DECIMAL cast reads '.1E0.' as 0.1
def test_quick_number_cast_agrees_with_the_full_rules(text: str, kind: str, decimal_comma: bool) -> None:
    """The cheap cast tried first never gives another value than the full rules would (on cells as
    clean_text hands them over: ends trimmed, empty is NULL)."""
    text = text.strip(" \t\r\n\u00a0\u202f")
    assume(text)
    assert _typed_number(kind, text, decimal_comma) == _full_number(kind, text, decimal_comma)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("11 130,00", True, Decimal("11130.00")),
        ("1.234,56", True, Decimal("1234.56")),
        ("1,234.56", False, Decimal("1234.56")),
        ("1'234.5", False, Decimal("1234.50")),
        ("1\u00a0234,5", True, Decimal("1234.50")),
        ("12,5", False, Decimal("125.00")),
    ],
)
def test_typed_numbers_take_either_path(text: str, decimal_comma: bool, expected: Decimal) -> None:
    assert _typed_number("decimal", text, decimal_comma) == expected


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="abcxyz!%", min_size=1, max_size=6))
def test_words_are_not_numbers(text: str) -> None:
    assert _number(text, decimal_comma=True) is None


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_day_first_and_iso(value: date) -> None:
    formats = cleaning.date_formats(day_first=True)
    expression = cleaning.plausible_date(f"({cleaning.date('x', formats)})")
    for text in (
        value.strftime("%d.%m.%Y"),
        value.strftime("%d/%m/%Y"),
        value.isoformat(),
        value.strftime("%d.%m.%Y 00:00:00"),
    ):
        assert _eval(expression, text) == value


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=6, max_size=10), st.lists(st.sampled_from([".", " ", "-"])))
def test_codes_lose_their_separators(code: str, separators: list[str]) -> None:
    spaced = "".join(ch + (separators[i] if i < len(separators) else "") for i, ch in enumerate(code))
    expression = cleaning.code(f"({cleaning.digits('x')})", min_len=6)
    assert _eval(expression, spaced) == code
    assert _eval(expression, code[:5]) is None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["8457", "10", "100", "0", ".", " ", "-", "\t", "\f", "\v", "\u00a0", "\u202f", "A", "٣"]
        ),
        max_size=8,
    ).map("".join)
)
def test_code_shortcut_agrees_with_the_full_rule(text: str) -> None:
    """Removing only dots and spaces first never gives another code than removing every separator:
    digits (also non-ASCII ones), other separators, letters, lengths around the bounds."""
    typed = cleaning.typed_field("x", "code", decimal_comma=True, formats=[], min_code_len=6)
    assert typed is not None
    source = cleaning.nested("(SELECT ?::VARCHAR AS r_x)", *cleaning.layers([typed]))
    row = _CON.execute(f"SELECT {typed.final} FROM {source}", [text]).fetchone()
    assert row is not None
    assert row[0] == _eval(cleaning.code(f"({cleaning.digits('x')})", min_len=6), text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0159/:+- .a٣", max_size=3))
def test_one_digit_shortcut_agrees_with_the_integer_rule(text: str) -> None:
    """The single-digit test reads what the regular expression reads, and nothing more."""
    typed = cleaning.typed_field("x", "integer", decimal_comma=True, formats=[], min_code_len=6)
    assert typed is not None
    rule = typed.final.replace("r_x", "x")
    expected = int(text) if text.isascii() and text.isdigit() else None
    assert _eval(rule, text) == expected


_FLOW_PARTS = ["ИМ", "им", "Им", "ЭК", "IM", "im", "EX", "ex", "PORT", "ПОРТ", "порт", "X", " ", "ß"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FLOW_PARTS), max_size=3).map("".join))
def test_flow_shortcut_agrees_with_the_upper_cased_rule(text: str) -> None:
    """Trying the cell as it is before upper() never gives another flow than upper() alone."""
    from sanctrace.sources.declaration_fields import typed
    from sanctrace.sources.mapping import best_preset

    resolved = best_preset(["ND", "G32", "G011", "G542", "G33"])
    assert resolved is not None
    rule = typed(resolved, "flow").final.replace("r_flow", "x")
    upper_only = rule[rule.index("ELSE ") + len("ELSE ") : -len(" END")]
    assert upper_only.startswith("CASE upper(x)")
    assert _eval(rule, text) == _eval(upper_only, text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=" \t\r\n\u00a0\u202faб1,.", max_size=8))
def test_clean_text_is_trim_with_its_shortcut(text: str) -> None:
    """The cheap first/last character test never changes what a plain trim would give."""
    reference = _eval("nullif(trim(x, ' \t\r\n\u00a0\u202f'), '')", text)
    assert _eval(cleaning.clean_text("x"), text) == reference


_ASCII_HEAD = "ND;G32;G542;G33;G34;G31_1\n" + "".join(
    f"1000/{i};1;01.02.2023;8457101000;CN;PLAIN {'x' * 100}\n" for i in range(60)
)
_CYRILLIC_TAIL = "".join(f"2000/{i};1;01.02.2023;8457101000;CN;СТАНОК\n" for i in range(5))


def test_cp1251_after_an_ascii_head_is_still_transcoded(
    db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The head looks like UTF-8, so DuckDB reads the file as it is, rejects the cp1251 lines as not
    UTF-8, and the loader reads it again, transcoded: no line is lost or garbled."""
    path = tmp_path / "mixed.csv"
    path.write_bytes((_ASCII_HEAD + _CYRILLIC_TAIL).encode("cp1251"))
    report = load(db, path, OPTIONS)
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (65, 65, 0)
    assert db.execute("SELECT encoding FROM sources").fetchone() == ("cp1251",)
    descriptions = db.execute("SELECT DISTINCT description FROM declarations WHERE line_id LIKE '2000/%'")
    assert descriptions.fetchall() == [("СТАНОК",)]


def test_utf8_with_a_stray_byte_after_the_head(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    text = (_ASCII_HEAD + _CYRILLIC_TAIL).encode("utf-8")
    path.write_bytes(text.replace("СТАНОК".encode(), "СТАНОК".encode() + b"\xe9", 1))
    report = load(db, path, OPTIONS)
    assert (report.rows_read, report.rows_accepted) == (65, 65)
    assert db.execute("SELECT encoding FROM sources").fetchone() == (
        "utf-8 (invalid bytes replaced by U+FFFD)",
    )


def test_line_numbers_do_not_depend_on_the_session_insertion_order(db: duckdb.DuckDBPyConnection) -> None:
    """Rows are numbered by their order in the typed table, so the loader keeps insertion order for
    that statement whatever the session says, and puts the setting back."""
    db.execute("SET preserve_insertion_order = false")
    report = load(db, CP1251, OPTIONS)
    accepted = [r[0] for r in db.execute("SELECT row_number FROM declarations ORDER BY 1").fetchall()]
    assert accepted == [2, 3, 4, 6, 7, 12]
    assert (10, "line_id", "duplicate line_id") in quarantine(db, report.source_id)
    assert db.execute("SELECT current_setting('preserve_insertion_order')").fetchone() == (False,)


# --- row numbers past DuckDB's first row group (122,880 rows) ----------------------------------------

_MANY = 500_000  # four row groups; with long lines, many read buffers read in parallel


_SHIPPER = "SHIPPER " * 40  # long lines: a file of many read buffers


def _numbered_file(path: Path, blank_after: int | None = None) -> None:
    """A clean Russian-layout file whose declaration numbers say which line each row is on."""
    header = "ND;G32;G011;G542;G022;G082;G15;G34;G33;G46\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header)
        line = 2
        for n in range(_MANY):
            if n == blank_after:
                handle.write("\n")
                line += 1
            number = f"10013160/110123/{line:07d}"
            handle.write(f"{number};1;ИМ;11.01.2023;{_SHIPPER};C;КИТАЙ;КИТАЙ;8457101000;1 234,50\n")
            line += 1


@pytest.mark.parametrize("blank_after", [None, 200_000])
def test_row_numbers_hold_past_the_first_row_group(
    db: duckdb.DuckDBPyConnection, tmp_path: Path, blank_after: int | None
) -> None:
    """Every row's number is its line, on a file larger than one of DuckDB's row groups (rows are
    numbered by their order in the typed read, which a join in its plan would scramble)."""
    path = tmp_path / "many.csv"
    _numbered_file(path, blank_after)
    report = load(db, path, OPTIONS)
    assert report.rows_accepted == _MANY
    wrong = db.execute(
        "SELECT count(*) FROM declarations WHERE row_number <> CAST(right(declaration_number, 7) AS BIGINT)"
    ).fetchone()
    assert wrong == (0,)


def test_a_read_whose_plan_would_reorder_runs_in_order(tmp_path: Path) -> None:
    """The guard itself: an IN list that DuckDB turns into a join still gives rows in file order."""
    from sanctrace.sources.staging import keeps_file_order, run_in_file_order

    path = tmp_path / "n.csv"
    path.write_text("n\n" + "".join(f"{i}\n" for i in range(_MANY)), "utf-8")
    con = duckdb.connect()
    create = (
        f"CREATE TEMP TABLE t AS SELECT n, n % 10 IN (1, 2, 3, 4, 5, 6, 7) AS flag"
        f" FROM read_csv('{path.as_posix()}', header=true, columns={{'n': 'BIGINT'}})"
    )
    assert not keeps_file_order(con, create)  # the case the guard is for
    run_in_file_order(con, create)
    assert con.execute("SELECT count(*) FROM t WHERE rowid <> n").fetchone() == (0,)
