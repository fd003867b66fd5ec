"""Party resolution on a hand-built declarations table."""

from __future__ import annotations

import duckdb
import pytest

from sanctrace.resolve.config import MatchingConfig, SupportRule, default_config
from sanctrace.resolve.parties import dominant_claimant, party_id_for, resolve_declaration_parties

# (line, consignee name, consignee INN, consignee country, shipper name, shipper id, shipper country)
# Countries are ISO-2 codes: the table refuses any other text (migration 011).
LINES = [
    ("D1/1", "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "7707083893", "RU", "I MACHINE TOOLS CO., LTD.", None, "TW"),
    ("D1/2", "ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "7707083893", "RU", "I Machine Tools Co Ltd", None, "TW"),
    ("D2/1", "I MACHINE TECHNOLOGY LLC", "7707083893/773601001", "RU", "Foo Makina Ltd. Şti.", None, "TR"),
    ("D3/1", "OOO AI MASHIN TEKHNOLODZHI", None, "RU", "FOO MAKINA", None, "TR"),
    ("D4/1", "ООО «РОМАШКА»", "7736632467", "RU", "I MACHINE TOOLS CO LTD", None, "TW"),
    ("D4/2", "ООО «РОМАШКА»", "7728795098", "RU", None, None, None),
    ("D5/1", "ООО РОМАШКА", None, "RU", "   ", None, None),
    ("D6/1", "ООО «БАГ»", "7707083894", "RU", None, None, None),
]


def _insert(con: duckdb.DuckDBPyConnection) -> None:
    for row_number, line in enumerate(LINES, start=2):
        line_id, c_name, c_id, c_country, s_name, s_id, s_country = line
        con.execute(
            "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
            " consignee_name, consignee_identifier, consignee_country, shipper_name, shipper_identifier,"
            " shipper_country) VALUES (?, ?, 7, ?, ?, ?, ?, ?, ?, ?)",
            [*line_id.split("/"), row_number, c_name, c_id, c_country, s_name, s_id, s_country],
        )


def _party_of(con: duckdb.DuckDBPyConnection, line_id: str, role: str) -> str | None:
    row = con.execute(f"SELECT {role}_party_id FROM declarations WHERE line_id = ?", [line_id]).fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def test_same_inn_and_unambiguous_spellings_form_one_party(con: duckdb.DuckDBPyConnection) -> None:
    _insert(con)
    resolve_declaration_parties(con)
    importer = party_id_for("id:inn:7707083893")
    for line in ("D1/1", "D1/2", "D2/1", "D3/1"):
        assert _party_of(con, line, "consignee") == importer
    names = con.execute(
        "SELECT name, name_type, script, row_number FROM party_names WHERE party_id = ? ORDER BY name",
        [importer],
    ).fetchall()
    assert names == [
        ("I MACHINE TECHNOLOGY LLC", "alias", "Latn", 4),
        ("OOO AI MASHIN TEKHNOLODZHI", "alias", "Latn", 5),
        ("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "primary", "Cyrl", 2),
    ]
    ids = con.execute(
        "SELECT scheme, value, valid FROM party_identifiers WHERE party_id = ? ORDER BY scheme", [importer]
    ).fetchall()
    assert ids == [("inn", "7707083893", True), ("kpp", "773601001", None)]
    caption = con.execute("SELECT caption, country, dataset FROM parties WHERE party_id = ?", [importer])
    assert caption.fetchone() == ("ООО «АЙ МАШИН ТЕХНОЛОДЖИ»", "RU", "declarations")


def test_name_and_country_cluster_without_identifiers(con: duckdb.DuckDBPyConnection) -> None:
    _insert(con)
    resolve_declaration_parties(con)
    maker = _party_of(con, "D1/1", "shipper")
    assert maker is not None
    assert _party_of(con, "D1/2", "shipper") == maker  # country case does not matter
    assert _party_of(con, "D4/1", "shipper") == maker
    assert _party_of(con, "D2/1", "shipper") == _party_of(con, "D3/1", "shipper") != maker
    assert _party_of(con, "D5/1", "shipper") is None  # blank name, no identifier


def test_different_inns_stay_apart_and_ambiguous_names_do_not_join(con: duckdb.DuckDBPyConnection) -> None:
    _insert(con)
    resolve_declaration_parties(con)
    first, second, unnumbered = (_party_of(con, line, "consignee") for line in ("D4/1", "D4/2", "D5/1"))
    assert len({first, second, unnumbered}) == 3


def test_invalid_identifier_is_kept_but_not_trusted(con: duckdb.DuckDBPyConnection) -> None:
    _insert(con)
    stats = resolve_declaration_parties(con)
    bad = _party_of(con, "D6/1", "consignee")
    assert bad == party_id_for("name:RU:bag")
    row = con.execute("SELECT scheme, valid FROM party_identifiers WHERE party_id = ?", [bad]).fetchone()
    assert row == ("inn", False)
    assert stats.invalid_identifiers == 1


def test_rerun_is_idempotent(con: duckdb.DuckDBPyConnection) -> None:
    _insert(con)
    first = resolve_declaration_parties(con)
    snapshot = {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("parties", "party_names", "party_identifiers")
    }
    links = con.execute("SELECT line_id, shipper_party_id, consignee_party_id FROM declarations ORDER BY 1")
    before = links.fetchall()
    second = resolve_declaration_parties(con)
    assert second == first
    for table, rows in snapshot.items():
        assert con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == rows
    after = con.execute("SELECT line_id, shipper_party_id, consignee_party_id FROM declarations ORDER BY 1")
    assert after.fetchall() == before
    assert first.consignee_lines == 8
    assert first.shipper_lines == 5  # D4/2, D5/1 (blank) and D6/1 have no shipper


def test_other_datasets_are_left_alone(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO parties (party_id, schema, caption, dataset) VALUES ('x', 'Company', 'X', 'us_ofac_sdn')"
    )
    con.execute("INSERT INTO party_names (party_id, name, name_type) VALUES ('x', 'X', 'primary')")
    _insert(con)
    resolve_declaration_parties(con)
    resolve_declaration_parties(con)
    assert con.execute("SELECT count(*) FROM parties WHERE dataset = 'us_ofac_sdn'").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM party_names WHERE party_id = 'x'").fetchone() == (1,)


def _lines(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str | None, str]]) -> None:
    for n, (name, identifier, country) in enumerate(rows, start=1):
        con.execute(
            "INSERT INTO declaration_lines (declaration_number, item_number, source_id, row_number,"
            " consignee_name, consignee_identifier, consignee_country) VALUES (?, 1, 7, ?, ?, ?, ?)",
            [f"F{n}", n, name, identifier, country],
        )


def test_typo_joins_the_numbered_party_through_the_matcher(con: duckdb.DuckDBPyConnection) -> None:
    _lines(
        con,
        [
            ("OOO ELEKTROPRIBOR KAZAN", "7707083893", "RU"),
            ("ELEKTROPRYBOR KAZAN LLC", None, "RU"),  # a typo the name key keeps apart
            ("ELEKTROPRIBOR KAZAN", None, "KZ"),  # another country: another block, not compared
            ("VOLGA RIVER SHIPPING", None, "RU"),
        ],
    )
    resolve_declaration_parties(con)
    parties = [_party_of(con, f"F{n}/1", "consignee") for n in range(1, 5)]
    assert parties[0] == parties[1] == party_id_for("id:inn:7707083893")
    assert len({parties[0], parties[2], parties[3]}) == 3


def test_fuzzy_stage_never_joins_two_numbered_parties(con: duckdb.DuckDBPyConnection) -> None:
    _lines(
        con,
        [
            ("OOO ELEKTROPRIBOR KAZAN", "7707083893", "RU"),
            ("AO ELEKTROPRIBOR KAZAN", "7736632467", "RU"),  # namesake, another INN
            ("ELEKTROPRYBOR KAZAN LLC", None, "RU"),  # matches both numbered parties: ambiguous
        ],
    )
    resolve_declaration_parties(con)
    parties = [_party_of(con, f"F{n}/1", "consignee") for n in range(1, 4)]
    assert len(set(parties)) == 3


# --- support-weighted ambiguity (decision 0016) -------------------------------------------------------

FIRM_INN, STRAY_INN = "7707083893", "7736632467"  # both valid: a firm's own number, a one-off


EXACT = ("ООО «ОРКИД БЕЙ СЕРВИС»", "ООО ОРКИД БЕЙ СЕРВИС")  # one name key: the exact stage decides
FUZZY = ("OOO ELEKTROPRIBOR KAZAN", "ELEKTROPRYBOR KAZAN LLC")  # a typo: the matcher's stage decides


def _claimed(con: duckdb.DuckDBPyConnection, names: tuple[str, str], firm: int, stray: int) -> list[str]:
    """Consignee lines in RU: the numbered name ``firm`` times with the firm's INN and ``stray`` times
    with another valid INN, then the unnumbered spelling 3 times; the first line id of each group."""
    numbered, unnumbered = names
    groups = [(numbered, FIRM_INN, firm), (numbered, STRAY_INN, stray), (unnumbered, None, 3)]
    rows = [(name, inn, "RU") for name, inn, times in groups for _ in range(times)]
    _lines(con, rows)
    return [f"F{n}/1" for n in (1, firm + 1, firm + stray + 1)]


def _with_support(ratio: float, min_mentions: int) -> MatchingConfig:
    base = default_config()
    rule = SupportRule(ratio=ratio, min_mentions=min_mentions)
    return base.model_copy(update={"blocking": base.blocking.model_copy(update={"dedup_support": rule})})


@pytest.mark.parametrize("names", [EXACT, FUZZY], ids=["exact", "fuzzy"])
def test_dominant_numbered_party_takes_the_unnumbered_spelling(
    con: duckdb.DuckDBPyConnection, names: tuple[str, str]
) -> None:
    firm, stray, unnumbered = _claimed(con, names, firm=30, stray=1)
    resolve_declaration_parties(con)
    assert _party_of(con, unnumbered, "consignee") == _party_of(con, firm, "consignee")
    assert _party_of(con, firm, "consignee") == party_id_for(f"id:inn:{FIRM_INN}")
    # The stray number keeps its own party: two valid numbers never merge, whatever the support.
    assert _party_of(con, stray, "consignee") == party_id_for(f"id:inn:{STRAY_INN}")


@pytest.mark.parametrize(
    ("names", "firm", "stray"),
    [(EXACT, 25, 5), (FUZZY, 25, 4), (EXACT, 12, 1), (FUZZY, 12, 1)],
    ids=["exact-comparable", "fuzzy-comparable", "exact-too-few", "fuzzy-too-few"],
)
def test_without_a_dominant_numbered_party_the_spelling_stays_apart(
    con: duckdb.DuckDBPyConnection, names: tuple[str, str], firm: int, stray: int
) -> None:
    # 25 against 5 or 4: comparable, as namesakes with numbers of their own would be (below the
    # ratio of 10); 12 against 1 passes the ratio but not the minimum of 20 mentions.
    lines = _claimed(con, names, firm, stray)
    resolve_declaration_parties(con)
    assert len({_party_of(con, line, "consignee") for line in lines}) == 3


def test_support_thresholds_come_from_the_config(con: duckdb.DuckDBPyConnection) -> None:
    firm, _, unnumbered = _claimed(con, EXACT, firm=12, stray=1)
    resolve_declaration_parties(con, _with_support(ratio=10, min_mentions=10))
    assert _party_of(con, unnumbered, "consignee") == _party_of(con, firm, "consignee")
    resolve_declaration_parties(con, _with_support(ratio=20, min_mentions=10))
    assert _party_of(con, unnumbered, "consignee") != _party_of(con, firm, "consignee")


RULE = SupportRule(ratio=10, min_mentions=20)


def test_dominant_claimant_rule() -> None:
    assert dominant_claimant({}, RULE) is None
    assert dominant_claimant({"id:a": 1}, RULE) == "id:a"  # one claimant: 0006, whatever its support
    assert dominant_claimant({"id:a": 30, "id:b": 2, "id:c": 1}, RULE) == "id:a"  # 30 >= 10 x 3
    assert dominant_claimant({"id:a": 30, "id:b": 2, "id:c": 2}, RULE) is None  # 30 < 10 x 4
    assert dominant_claimant({"id:a": 19, "id:b": 1}, RULE) is None  # below min_mentions
    assert dominant_claimant({"id:b": 20, "id:a": 20}, SupportRule(ratio=1.01, min_mentions=1)) is None
