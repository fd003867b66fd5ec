"""Check digits of the identifiers that decide entity matches when present.

Pure functions, no I/O: a wrong check digit is evidence of a typo or a made-up number, so loaders
store the verdict in ``party_identifiers.valid`` instead of rejecting the row.
"""

from __future__ import annotations

import re

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_SEPARATORS = re.compile(r"[\s\-.]")

# Schemes whose check digits this module verifies; any other scheme gets valid = NULL.
VERIFIED_SCHEMES = frozenset({"inn", "ogrn"})


def compact(value: str) -> str:
    """Drop the spaces, dashes and dots people type inside numbers."""
    return _SEPARATORS.sub("", value.strip())


def _weighted_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """Russian taxpayer number: 10 digits (companies) or 12 digits (individuals)."""
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 10:
        return _weighted_digit(value[:9], _INN10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _weighted_digit(value[:10], _INN12_WEIGHTS_11) == int(value[10]) and _weighted_digit(
            value[:11], _INN12_WEIGHTS_12
        ) == int(value[11])
    return False


def ogrn_is_valid(value: str) -> bool:
    """Russian state registration number: OGRN (13 digits) or OGRNIP (15 digits, sole traders)."""
    if not value.isascii() or not value.isdigit() or value[0] == "0":
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def check_identifier(scheme: str, value: str) -> bool | None:
    """The ``valid`` column: True/False for verified schemes, None when there is nothing to check."""
    digits = compact(value)
    if scheme == "inn":
        return inn_is_valid(digits)
    if scheme == "ogrn":
        return ogrn_is_valid(digits)
    return None
