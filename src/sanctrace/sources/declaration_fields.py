"""How each ``declarations`` field is read from a mapped file, as SQL over reader columns ``c1 .. cN``.

Shared by the two ways a declarations file is loaded (``declarations``: typed in SQL, row by row;
``declaration_direct``: typed by DuckDB's reader and written straight to the table), so both read a
field's text the same way.
"""

from __future__ import annotations

from sanctrace.sources import cleaning as sql
from sanctrace.sources.mapping import DECLARATION_FIELDS, ResolvedMapping

MIN_CODE_DIGITS = 6
BAD_VALUE_REASONS = {
    "integer": "bad item number",
    "decimal": "bad number",
    "number": "bad number",
    "date": "bad date",
    "code": "bad commodity code",
    "country": "unknown country",
    "flow": "unknown flow",
}


def column_label(resolved: ResolvedMapping, header: list[str], name: str) -> str:
    """The SQL giving the header a field's value came from (for quarantine.column_name).

    A literal unless the field has a fallback column; only then is it a per-row column ``h_<name>``.
    """
    positions = resolved.columns.get(name, [])
    if not positions:
        return sql.sql_literal(name)
    if len(positions) == 1:
        return sql.sql_literal(header[positions[0]])
    first, second = positions
    return (
        f"CASE WHEN {sql.clean_text(f'c{first + 1}')} IS NOT NULL"
        f" THEN {sql.sql_literal(header[first])} ELSE {sql.sql_literal(header[second])} END"
    )


def raw_value(resolved: ResolvedMapping, name: str, *, trimmed: bool = True) -> str | None:
    """The field's text: the first of its columns' cells that is there, else its default.

    ``trimmed=False`` takes the cells as read (the direct write's ``untrimmed_fields``): a blank or
    padded cell is then kept, not passed over for the next column as a trimmed (hence NULL) one
    is. Only rule fields are read so from more than one column, and such a cell fails their rule,
    so the row is marked and the SQL path falls back to the next column."""
    positions = resolved.columns.get(name, [])
    default = resolved.mapping.defaults.get(name)
    parts = [sql.clean_text(f"c{p + 1}") if trimmed else f"c{p + 1}" for p in positions]
    if default is not None:
        parts.append(sql.sql_literal(default))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def typed(resolved: ResolvedMapping, name: str) -> sql.Typed:
    kind = DECLARATION_FIELDS[name]
    parse = resolved.mapping.parse
    if kind == "flow":
        values = {"IMPORT": "import", "EXPORT": "export", **resolved.mapping.flow_values}
        cases = " ".join(f"WHEN {sql.sql_literal(k)} THEN {sql.sql_literal(v)}" for k, v in values.items())
        # The keys are upper case, as files mostly write them: the text itself is tried first, and
        # upper() (~65 ns a cell, four times the cost of the comparisons) runs only when none matches.
        return sql.Typed(f"CASE r_{name} {cases} ELSE CASE upper(r_{name}) {cases} END END")
    typed = sql.typed_field(
        name,
        kind,
        decimal_comma=parse.decimal_comma,
        min_code_len=MIN_CODE_DIGITS,
        formats=sql.date_formats(day_first=parse.day_first, extra=parse.date_formats),
    )
    assert typed is not None, kind
    return typed


def source(resolved: ResolvedMapping, header: list[str], fields: list[str], rows: str) -> str:
    """``rows`` (columns c1 .. cN) as trimmed text ``r_<field>`` plus typed helper columns, nested.

    Each layer is its own projection, so an expression that refers to a helper column several times
    does not repeat the work behind it (the clean-text CASE, a regular expression).
    """
    select = []
    for name in fields:
        select.append(f"{raw_value(resolved, name)} AS r_{name}")
        if len(resolved.columns.get(name, [])) > 1:
            select.append(f"{column_label(resolved, header, name)} AS h_{name}")
    extras = [
        f"{sql.sql_literal(label + ': ')} || {sql.clean_text(f'c{p + 1}')}"
        for label, p in resolved.extras.items()
    ]
    select.append(f"concat_ws(' | ', {', '.join(extras)})" if extras else "NULL::VARCHAR")
    select[-1] += " AS r_extras"
    per_field = [typed(resolved, f) for f in fields]
    return sql.nested(f"(SELECT {', '.join(select)} FROM {rows})", *sql.layers(per_field))


def fields_filled(resolved: ResolvedMapping) -> list[str]:
    """The fields the mapping fills for this file (from a column or a default)."""
    return [f for f in DECLARATION_FIELDS if raw_value(resolved, f) is not None]


def is_country(name: str) -> bool:
    return DECLARATION_FIELDS[name] == "country"


def outputs(fields: list[str]) -> list[tuple[str, str]]:
    """(column of ``declarations``, its value in ``_val``) for every column a file fills.

    Countries are still text in ``_val`` (see ``_clean``).
    """
    outputs = []
    for c in (c for c in DECLARATION_FIELDS if c in fields):
        value = f"r_{c}" if is_country(c) else f"v_{c}"
        if c == "description":
            value = (
                "CASE WHEN coalesce(r_extras, '') = '' THEN v_description"
                " ELSE concat_ws(' | ', v_description, r_extras) END"
            )
        outputs.append((c, value))
    if "description" not in fields:
        outputs.append(("description", "nullif(r_extras, '')"))
    # No hs6: the view ``declarations`` derives it from the national code (migration 010).
    return outputs
