from hypothesis import given
from hypothesis import strategies as st

from sanctrace.sources.ofac_remarks import parse_remarks


def test_russian_tax_and_registration_numbers_get_their_schemes() -> None:
    facts = parse_remarks("Tax ID No. 7707083893 (Russia); Registration Number 1027700132195 (Russia).")
    assert facts.identifiers == [("inn", "7707083893"), ("ogrn", "1027700132195")]


def test_other_identifiers_and_facts() -> None:
    facts = parse_remarks(
        "Registration Number 467323, Doc. 694710 (Panama).; Unified Social Credit Code (USCC) "
        "91110117663725176G (China); Vessel Registration Identification IMO 9187629; "
        "Legal Entity Number 253400V1H6ART1UQ0N98 (Russia); Email Address info@x.example.; "
        "Phone No. 263-4-486946; Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE."
    )
    assert ("registration", "467323") in facts.identifiers
    assert ("uscc", "91110117663725176G") in facts.identifiers
    assert ("imo", "9187629") in facts.identifiers and ("lei", "253400V1H6ART1UQ0N98") in facts.identifiers
    assert (facts.email, facts.phone) == ("info@x.example", "263-4-486946")
    assert facts.linked_to == ["ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE"]


def test_a_tax_id_outside_russia_is_not_an_inn() -> None:
    assert parse_remarks("Tax ID No. 100036386 (Serbia).").identifiers == [("tax", "100036386")]


@given(st.text())
def test_never_raises(text: str) -> None:
    parse_remarks(text)


@given(st.from_regex(r"[0-9]{10}", fullmatch=True), st.text(alphabet="abc ;.", max_size=20))
def test_finds_an_inn_it_is_given(inn: str, noise: str) -> None:
    facts = parse_remarks(f"{noise}; Tax ID No. {inn} (Russia); {noise}")
    assert ("inn", inn) in facts.identifiers
