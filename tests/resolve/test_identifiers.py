"""Identifier check digits and scheme guessing."""

from __future__ import annotations

from sanctrace.resolve.identifiers import (
    Identifier,
    guess_scheme,
    inn_is_valid,
    is_valid,
    kpp_is_valid,
    normalize_identifier,
    ogrn_is_valid,
    parse_identifiers,
    ubn_is_valid,
    vkn_is_valid,
)


def test_inn_check_digits() -> None:
    assert inn_is_valid("7707083893")  # Sberbank
    assert not inn_is_valid("7707083894")
    assert inn_is_valid("773407989940")  # 12-digit, from the OFAC SDN list
    assert not inn_is_valid("773407989941")
    assert not inn_is_valid("77070838")


def test_ogrn_check_digits() -> None:
    assert ogrn_is_valid("1027700132195")  # Sberbank
    assert not ogrn_is_valid("1027700132196")
    assert ogrn_is_valid("1097746084666")  # KRET, from the OFAC SDN list


def test_other_schemes() -> None:
    assert ubn_is_valid("04595257")
    assert not ubn_is_valid("04595258")
    assert vkn_is_valid("1234567890")
    assert not vkn_is_valid("1234567891")
    assert is_valid("kpp", "773601001") is None


def test_normalisation_strips_separators() -> None:
    assert normalize_identifier(" 7707-083 893 ") == "7707083893"
    assert is_valid("inn", "7707 083 893")


def test_guess_scheme_uses_shape_checks_and_country() -> None:
    assert guess_scheme("7707083893") == "inn"
    assert guess_scheme("7707083893", "TR") == "vkn"
    assert guess_scheme("1027700132195") == "ogrn"
    assert guess_scheme("04595257", "TW") == "ubn"
    assert guess_scheme("IMO 9074729") == "imo"
    assert guess_scheme("hello") is None
    assert guess_scheme("7707083894") is None  # no scheme fits without a country


def test_parse_inn_kpp_pairs() -> None:
    assert parse_identifiers("7707083893/773601001", "RU") == [
        Identifier("inn", "7707083893", True),
        Identifier("kpp", "773601001", None),
    ]
    assert parse_identifiers("7707083894", "RU") == [Identifier("inn", "7707083894", False)]
    assert parse_identifiers("ABC-1", None) == [Identifier("other", "ABC1", None)]
    assert parse_identifiers("  ", "RU") == []


def test_lei_uscc_imo_check_digits() -> None:
    assert is_valid("lei", "253400JT3MQWNDKMJE44")  # Sberbank
    assert not is_valid("lei", "253400JT3MQWNDKMJE45")
    assert is_valid("uscc", "91110108551385082Q")
    assert not is_valid("uscc", "911100001000057327")
    assert is_valid("imo", "IMO 9074729")
    assert not is_valid("imo", "IMO 9074728")
    assert guess_scheme("253400JT3MQWNDKMJE44") == "lei"
    assert guess_scheme("91110108551385082Q") == "uscc"


def test_kpp_shape() -> None:
    assert kpp_is_valid("773601001")
    assert kpp_is_valid("7736AB001")  # reason letters since 2019
    assert not kpp_is_valid("77360100")
    assert not kpp_is_valid("000001001")
    assert guess_scheme("000001001", "RU") is None
