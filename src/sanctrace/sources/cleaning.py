"""SQL expressions that turn vendor text into typed values, so cleaning runs vectorised in DuckDB.

Each builder takes a SQL expression holding trimmed, non-empty text (or NULL) and returns an
expression that is NULL when the text cannot be read; the loaders compare the two to find bad
values. The rules, shared by every loader:

* numbers: spaces, no-break spaces (U+00A0, U+202F) and apostrophes are thousands separators. When a
  value has both ``,`` and ``.``, the one that comes last is the decimal mark (``1.234,56`` and
  ``1,234.56``). A lone ``,`` is the decimal mark when the file uses decimal commas, else a
  thousands separator. Exponents are accepted (spreadsheets write them); ``inf``/``nan`` are not.
* dates: the formats the mapping lists (strptime syntax), then ISO ``YYYY-MM-DD`` with or without time.
* commodity codes: dots, spaces and dashes removed; what remains must be digits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ISO_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")
DAY_FIRST_FORMATS = (
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
MONTH_FIRST_FORMATS = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%Y %H:%M:%S")
TRIM_CHARS = " \t\r\n\u00a0\u202f"
MAX_CODE_DIGITS = 14


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def clean_text(expr: str) -> str:
    """Trimmed text; empty becomes NULL (vendors write empty cells, spaces or no-break spaces).

    trim() is slow in DuckDB, so it runs only on cells that start or end with a trimmed character:
    one ``unicode()`` (the first character's code point) and one ``ends_with`` per character keep the
    common, already-clean cell cheap (half the cost of a starts_with/ends_with pair per character).
    The first-character test also lets through the control characters below the space, which trim()
    then leaves as they are: the same result, and one comparison instead of four.

    Comparisons, not ``IN`` or ``list_contains`` of a constant list: DuckDB rewrites an IN list (and
    from 2.0 a constant ``list_contains`` too) into a join, and a join in the declarations' typed
    read made DuckDB insert rows out of file order, so the row numbers taken from the order were
    wrong past the first 122,880 rows (see staging.run_in_file_order, which now runs such a plan on
    one thread: right, but half as fast).
    """
    return (
        f"CASE WHEN {needs_trim(expr)} THEN nullif(trim({expr}, {sql_literal(TRIM_CHARS)}), '')"
        f" WHEN {expr} = '' THEN NULL ELSE {expr} END"
    )


def needs_trim(expr: str) -> str:
    """True when ``clean_text`` may change the text: it starts or ends with a trimmed character (or
    starts with a control character, or is empty: ``unicode('')`` is -1). See ``clean_text``."""
    low = max(ord(ch) for ch in TRIM_CHARS if ord(ch) <= 32)
    first = [f"unicode({expr}) <= {low}"]
    first += [f"unicode({expr}) = {ord(ch)}" for ch in TRIM_CHARS if ord(ch) > low]
    ends = [f"ends_with({expr}, {sql_literal(ch)})" for ch in TRIM_CHARS]
    return " OR ".join(first + ends)


def quick_number(expr: str, *, decimal_comma: bool) -> str:
    """The text a plain cast reads for the common shapes: digits, plain spaces, one decimal mark.

    ``1 234,56`` in a decimal-comma file, ``1234.56`` anywhere. When a cast of this text succeeds it
    gives what the full rules below give: the text then has at most one ``,`` or ``.`` and no other
    separator, and the full rules read such a text the same way. Any other shape fails the cast and
    takes the full rules (``typed_field`` tries this first; most cells are this simple). One
    exception, handled where the DECIMAL cast is built: DuckDB's DECIMAL cast also reads a ``.``
    after an exponent (``1E0.``), a second mark, so ``typed_field`` keeps exponents from it.
    """
    # A form feed is whitespace to strip_number and to DuckDB's cast, which reads "-" + whitespace as
    # 0: dropping it here keeps the two paths equal. Other whitespace that strip_number removes
    # (tab, CR, LF, no-break spaces) is trimmed off the ends by clean_text, and inside a number it
    # fails the cast. Except at the end: DuckDB reads '0E' + LF as 0 where '0E' is no number (found by
    # the property test), so the other ASCII whitespace goes too.
    spaced = expr
    for code in (32, 12, 9, 10, 13):  # what RE2's \s is in strip_number: not the vertical tab
        spaced = f"replace({spaced}, chr({code}), '')"
    return f"replace({spaced}, ',', '.')" if decimal_comma else spaced


def strip_number(expr: str) -> str:
    """Drop spaces, no-break spaces and apostrophes (thousands separators)."""
    return f"regexp_replace({expr}, '[\\s\u00a0\u202f'']', '', 'g')"


def normalise_number(stripped: str, *, decimal_comma: bool) -> str:
    """Output of ``strip_number`` with the decimal mark resolved: ``1234.56`` (still text)."""
    s = stripped
    lone_comma = f"replace({s}, ',', '.')" if decimal_comma else f"replace({s}, ',', '')"
    return (
        f"CASE WHEN contains({s}, ',') AND contains({s}, '.') THEN"
        f" CASE WHEN strpos(reverse({s}), ',') < strpos(reverse({s}), '.')"
        f" THEN replace(replace({s}, '.', ''), ',', '.') ELSE replace({s}, ',', '') END"
        f" WHEN contains({s}, ',') THEN {lone_comma} ELSE {s} END"
    )


def number(normalised: str) -> str:
    """DOUBLE from the output of ``normalise_number`` (no regular expression: this runs on every cell)."""
    parsed = f"TRY_CAST({normalised} AS DOUBLE)"
    return f"CASE WHEN isfinite({parsed}) THEN {parsed} END"


def decimal(normalised: str, precision: int = 18, scale: int = 2) -> str:
    """DECIMAL from the output of ``normalise_number``; NULL beyond 16 integer digits.

    Parsed as DECIMAL(18, s) and widened: DuckDB's text-to-DECIMAL cast is two orders of magnitude
    slower for precisions above 18 (128-bit storage). Exponent notation goes through DOUBLE.
    """
    narrow = f"DECIMAL(18, {scale})"
    as_double = f"TRY_CAST({normalised} AS DOUBLE)"
    parsed = (
        f"coalesce(TRY_CAST({normalised} AS {narrow}),"
        f" CASE WHEN isfinite({as_double}) THEN TRY_CAST({as_double} AS {narrow}) END)"
    )
    return f"CAST({parsed} AS DECIMAL({precision}, {scale}))" if precision != 18 else parsed


def date_formats(*, day_first: bool, extra: list[str] | None = None) -> list[str]:
    base = list(extra) if extra else list(DAY_FIRST_FORMATS if day_first else MONTH_FIRST_FORMATS)
    return base + [f for f in ISO_DATE_FORMATS if f not in base]


_FORMAT_PATTERNS = {
    "d": "[0-9]{1,2}",
    "m": "[0-9]{1,2}",
    "Y": "[0-9]{4}",
    "y": "[0-9]{2}",
    "H": "[0-9]{1,2}",
    "M": "[0-9]{1,2}",
    "S": "[0-9]{1,2}",
    "f": "[0-9]{1,9}",
    "b": "[A-Za-z]{3}",
    "B": "[A-Za-z]+",
}


_REGEX_SPECIAL = frozenset(".^$*+?()[]{}|\\")


def format_pattern(fmt: str) -> str:
    """A regular expression for the text a strptime format reads (to pick the format cheaply)."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            out.append(_FORMAT_PATTERNS.get(fmt[i + 1], ".+"))
            i += 2
        else:
            out.append("\\" + fmt[i] if fmt[i] in _REGEX_SPECIAL else fmt[i])
            i += 1
    return "".join(out)


def date(expr: str, formats: list[str]) -> str:
    """DATE (unchecked; see ``plausible_date``), or NULL when no format fits.

    The first format whose shape matches decides; one strptime per value, because DuckDB's
    strptime with a list of formats is slow when most formats fail.
    """
    cases = " ".join(
        f"WHEN regexp_full_match({expr}, {sql_literal(format_pattern(f))})"
        f" THEN CAST(try_strptime({expr}, {sql_literal(f)}) AS DATE)"
        for f in formats
    )
    return f"CASE {cases} END"


def plausible_date(parsed: str) -> str:
    """NULL for years no trade record has (a typo such as 0202 or 20233)."""
    return f"CASE WHEN year({parsed}) BETWEEN 1900 AND 2100 THEN {parsed} END"


def digits(expr: str) -> str:
    """The commodity code with dots, spaces and dashes removed (may still hold other characters)."""
    return f"regexp_replace({expr}, '[\\s\u00a0.\\-]', '', 'g')"


def code(digits_expr: str, *, min_len: int, max_len: int = MAX_CODE_DIGITS) -> str:
    """The digits when they form a plausible code, else NULL."""
    return (
        f"CASE WHEN regexp_full_match({digits_expr}, '[0-9]{{{min_len},{max_len}}}') THEN {digits_expr} END"
    )


def country_key(expr: str) -> str:
    """How a country text is looked up in ``country_aliases.alias`` (upper-cased, spaces collapsed)."""
    return f"regexp_replace(upper({expr}), '\\s+', ' ', 'g')"


def country_lookup_query(raw_query: str, overrides: dict[str, str] | None = None) -> str:
    """SELECT (raw, iso2) for the distinct country texts ``raw_query`` yields (one column ``raw``).

    Resolving distinct texts, then joining on the raw text, keeps per-row work to one hash join.

    Aliases come from ``country_aliases``; an alias claimed by two countries is treated as unknown
    rather than guessed. Numeric codes also match with or without leading zeros (``56`` = ``056``).
    ``overrides`` win over the table (trade statistics: Comtrade's 490 "Other Asia, nes" is Taiwan).
    """
    aliases = (
        f"SELECT {country_key('trim(alias)')} AS alias, any_value(iso2) AS iso2 FROM country_aliases"
        " GROUP BY 1 HAVING count(DISTINCT iso2) = 1"
    )
    override_rows = (
        " UNION ALL ".join(
            f"SELECT {sql_literal(k)} AS alias, {sql_literal(v)} AS iso2"
            for k, v in (overrides or {}).items()
        )
        or "SELECT NULL::VARCHAR AS alias, NULL::VARCHAR AS iso2 WHERE false"
    )
    return (
        f"WITH al AS ({aliases}), ov AS ({override_rows}),"
        f" k AS (SELECT raw, {country_key('raw')} AS key FROM (SELECT DISTINCT raw FROM ({raw_query}))"
        " WHERE raw IS NOT NULL)"
        " SELECT k.raw, coalesce(ov.iso2, a1.iso2, a2.iso2, a3.iso2) AS iso2 FROM k"
        " LEFT JOIN ov ON ov.alias = k.key"
        " LEFT JOIN al a1 ON a1.alias = k.key"
        " LEFT JOIN al a2 ON regexp_full_match(k.key, '[0-9]{1,3}') AND a2.alias = lpad(k.key, 3, '0')"
        " LEFT JOIN al a3 ON regexp_full_match(k.key, '0[0-9]+') AND a3.alias = ltrim(k.key, '0')"
    )


@dataclass
class Typed:
    """How one field's text column ``r_<name>`` becomes its typed value, in up to three helper layers.

    Helper columns are computed once per row in nested SELECTs so that the final expression, which
    refers to them several times, does not repeat regular-expression work.
    """

    final: str
    layer1: list[str] = field(default_factory=list)
    layer2: list[str] = field(default_factory=list)
    layer3: list[str] = field(default_factory=list)


def layers(typed: Iterable[Typed]) -> list[list[str]]:
    """The helper columns of several fields, layer by layer (for ``nested``)."""
    fields = list(typed)
    return [
        [c for t in fields for c in t.layer1],
        [c for t in fields for c in t.layer2],
        [c for t in fields for c in t.layer3],
    ]


def typed_field(
    name: str, kind: str, *, decimal_comma: bool, formats: list[str], min_code_len: int, precision: int = 18
) -> Typed | None:
    """The shared kinds; None for a kind the loader handles itself."""
    raw = f"r_{name}"
    if kind == "text":
        return Typed(raw)
    if kind == "integer":
        # One digit (an item number mostly is: every declaration has an item 1) is told by two byte
        # comparisons; the regular expression (~90 ns a cell, three times their cost) reads the rest.
        rule = f"CASE WHEN regexp_full_match({raw}, '[0-9]{{1,9}}') THEN CAST({raw} AS INTEGER) END"
        digit = f"strlen({raw}) = 1 AND {raw} BETWEEN '0' AND '9'"
        return Typed(f"CASE WHEN {digit} THEN CAST({raw} AS INTEGER) ELSE {rule} END")
    if kind in ("decimal", "number"):
        # The quick cast q_ first; the full rules (a regular expression, then the decimal mark) run
        # only on the cells it could not read, which CASE leaves out of the rest of the vector.
        quick = quick_number(raw, decimal_comma=decimal_comma)
        if kind == "decimal":
            # DuckDB's DECIMAL cast reads a '.' after an exponent ('1E0.' is 1, so '.1E0,' in a
            # decimal-comma file would be 0.1 where the full rules read 1; found by the property
            # test). Texts with an exponent, rare in customs data, take the full rules.
            fast = f"TRY_CAST(translate({quick}, 'Ee', '##') AS DECIMAL(18, 2))"
            if precision != 18:
                fast = f"CAST({fast} AS DECIMAL({precision}, 2))"
            final = f"coalesce(q_{name}, {decimal(f'p_{name}', precision)})"
        else:
            fast = f"TRY_CAST({quick} AS DOUBLE)"
            final = f"CASE WHEN isfinite(q_{name}) THEN q_{name} ELSE {number(f'p_{name}')} END"
        return Typed(
            final,
            [f"{fast} AS q_{name}"],
            [f"CASE WHEN q_{name} IS NULL THEN {strip_number(raw)} END AS s_{name}"],
            [f"{normalise_number(f's_{name}', decimal_comma=decimal_comma)} AS p_{name}"],
        )
    if kind == "date":
        return Typed(plausible_date(f"p_{name}"), [f"{date(raw, formats)} AS p_{name}"])
    if kind == "code":
        # Most codes are digits, some with dots or plain spaces (8457.10.100.0, 8457 10 100 0): with
        # those two removed they are the code already, since no other separator is left. The regular
        # expression that removes every separator (~400 ns a cell) then runs only on the other cells,
        # which CASE leaves out of the rest of the vector (coalesce does not: it cost more).
        plain = f"regexp_full_match(p_{name}, '[0-9]{{{min_code_len},{MAX_CODE_DIGITS}}}')"
        full = code(digits(raw), min_len=min_code_len)
        quick = f"replace(replace({raw}, '.', ''), ' ', '') AS p_{name}"
        return Typed(f"CASE WHEN {plain} THEN p_{name} ELSE {full} END", [quick])
    if kind == "country":
        return Typed(f"{name}_c.iso2")
    return None


def nested(source: str, *layers: list[str]) -> str:
    """``source`` with each layer's columns added by one more SELECT *, ... around it."""
    query = source
    for columns in layers:
        if columns:
            query = f"(SELECT *, {', '.join(columns)} FROM {query})"
    return query


def country_joins(lookup: str, fields: list[str]) -> str:
    """Join the lookup table once per country field (``<field>_c.iso2`` is the resolved code)."""
    return " ".join(f"LEFT JOIN {lookup} {f}_c ON {f}_c.raw = t.r_{f}" for f in fields)
