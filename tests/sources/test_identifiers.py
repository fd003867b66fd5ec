"""Check digits of INN and OGRN/OGRNIP, against known real numbers and generated ones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum.ru import inn as stdnum_inn

from sanctrace.sources.identifiers import check_identifier, compact, inn_is_valid, ogrn_is_valid

_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _digit(body: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10)


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def test_known_real_numbers() -> None:
    assert inn_is_valid("7707083893")  # Sberbank
    assert ogrn_is_valid("1027700132195")  # Sberbank
    assert inn_is_valid("183116181362")  # a 12-digit personal INN from the OpenSanctions fixture
    assert not inn_is_valid("7707083894")
    assert not ogrn_is_valid("1027700132196")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_inn10_with_computed_digit_is_valid(body: str) -> None:
    value = body + _digit(body, _W10)
    assert inn_is_valid(value)
    assert stdnum_inn.is_valid(value)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_inn12_with_computed_digits_is_valid(body: str) -> None:
    eleven = body + _digit(body, _W11)
    value = eleven + _digit(eleven, _W12)
    assert inn_is_valid(value)
    assert stdnum_inn.is_valid(value)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(1, 9))
def test_inn10_changed_check_digit_is_invalid(value: str, delta: int) -> None:
    good = value[:9] + _digit(value[:9], _W10)
    bad = good[:9] + str((int(good[9]) + delta) % 10)
    assert not inn_is_valid(bad)


@given(st.integers(10**11, 10**12 - 1), st.integers(1, 9))
def test_ogrn13(number: int, delta: int) -> None:
    body = str(number)
    good = body + str(number % 11 % 10)
    assert ogrn_is_valid(good)
    assert not ogrn_is_valid(body + str((number % 11 % 10 + delta) % 10))


@given(st.integers(10**13, 10**14 - 1))
def test_ogrnip15_uses_mod_13_last_digit(number: int) -> None:
    assert ogrn_is_valid(str(number) + str(number % 13 % 10))


@given(st.text(max_size=20))
def test_never_raises_on_garbage(text: str) -> None:
    assert inn_is_valid(text) in (True, False)
    assert ogrn_is_valid(text) in (True, False)


def test_wrong_lengths_and_schemes() -> None:
    assert not inn_is_valid("770708389")
    assert not ogrn_is_valid("0027700132195")  # a leading zero is never issued
    assert check_identifier("inn", "7707 083 893") is True
    assert check_identifier("kpp", "773601001") is None
    assert compact(" 77-07.083 893 ") == "7707083893"
