"""Company identifiers: normalise, check digits, and guess the scheme of a bare number.

A valid registration number decides a match outright, so a value only counts as an identifier
when its check digits agree; invalid values are still kept (``valid = False``) as evidence.
Russian INN/OGRN checks come from sanctrace.sources.identifiers (shared with the loaders), Taiwan UBN
and Turkish VKN are written here, LEI, Chinese USCC and IMO use rigour's validators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rigour.ids import IMO, LEI, USCC

# The loaders' check digits (sources layer) are the single implementation of INN and OGRN/OGRNIP;
# re-exported here so resolve callers have one module for every scheme.
from sanctrace.sources.identifiers import inn_is_valid, ogrn_is_valid

__all__ = [
    "STRONG_SCHEMES",
    "Identifier",
    "guess_scheme",
    "inn_is_valid",
    "is_valid",
    "kpp_is_valid",
    "normalize_identifier",
    "ogrn_is_valid",
    "parse_identifiers",
    "ubn_is_valid",
    "vkn_is_valid",
]

_UBN_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)
_SEPARATORS = re.compile(r"[\s\-./]")
# Schemes whose check digits make a value usable as a decisive key.
STRONG_SCHEMES = frozenset({"inn", "ogrn", "ubn", "uscc", "vkn", "lei", "imo"})


@dataclass(frozen=True)
class Identifier:
    scheme: str
    value: str
    valid: bool | None  # None: the scheme has no check digits


def ubn_is_valid(value: str) -> bool:
    """Taiwan unified business number (8 digits); the divisor became 5 in 2023, 10 before."""
    if len(value) != 8 or not value.isdigit() or not value.isascii():
        return False
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(value, _UBN_WEIGHTS, strict=True))
    candidates = {total, total + 1} if value[6] == "7" else {total}
    return any(t % 5 == 0 for t in candidates)


def vkn_is_valid(value: str) -> bool:
    """Turkish tax number (vergi kimlik numarası, 10 digits)."""
    if len(value) != 10 or not value.isdigit() or not value.isascii():
        return False
    check = 0
    for i, digit in enumerate(reversed(value[:9]), 1):
        c1 = (int(digit) + i) % 10
        if c1:
            check += (c1 * 2**i) % 9 or 9
    return (10 - check) % 10 == int(value[9])


_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def kpp_is_valid(value: str) -> bool:
    """Russian tax registration reason code: 4 digits of the tax office, 2 of the reason, 3 serial.

    KPP has no check digit, and all branches of a company share its INN but not its KPP, so it is never
    decisive: this only checks the shape (reason letters A-Z are allowed since 2019).
    """
    return bool(_KPP.match(value)) and value[:4] != "0000"


def normalize_identifier(value: str) -> str:
    """Upper-case, without spaces, dashes, dots or slashes, and without an "IMO" prefix's space."""
    return _SEPARATORS.sub("", value).upper()


def is_valid(scheme: str, value: str) -> bool | None:
    """Check digits of ``value`` under ``scheme``; ``None`` when the scheme has none to check."""
    value = normalize_identifier(value)
    if scheme == "inn":
        return inn_is_valid(value)
    if scheme == "ogrn":
        return ogrn_is_valid(value)
    if scheme == "ubn":
        return ubn_is_valid(value)
    if scheme == "vkn":
        return vkn_is_valid(value)
    if scheme == "lei":
        return bool(LEI.is_valid(value))
    if scheme == "uscc":
        return bool(USCC.is_valid(value))
    if scheme == "imo":
        return bool(IMO.is_valid(value))
    return None


def guess_scheme(value: str, country: str | None = None) -> str | None:
    """Most likely scheme of a bare identifier, from its shape, check digits and the party's country.

    The country breaks ties between schemes of the same length (10 digits: Russian INN or Turkish VKN);
    without one, the scheme whose check digits pass wins. ``None``: no known scheme fits.
    """
    value = normalize_identifier(value)
    country = (country or "").upper() or None
    if value.startswith("IMO") and value[3:].isdigit():
        return "imo"
    if len(value) == 20 and value.isalnum() and LEI.is_valid(value):
        return "lei"
    if len(value) == 18 and value.isalnum() and (country == "CN" or USCC.is_valid(value)):
        return "uscc"
    if not value.isdigit() or not value.isascii():
        return None
    if len(value) == 8 and (country == "TW" or (country is None and ubn_is_valid(value))):
        return "ubn"
    if len(value) == 10:
        if country == "TR":
            return "vkn"
        if country == "RU" or inn_is_valid(value):
            return "inn"
        return "vkn" if vkn_is_valid(value) else None
    if len(value) == 12 and country in (None, "RU", "BY", "KZ"):
        return "inn" if country == "RU" or inn_is_valid(value) else None
    if len(value) in (13, 15) and (country in (None, "RU") and (country == "RU" or ogrn_is_valid(value))):
        return "ogrn"
    if len(value) == 9 and country == "RU" and kpp_is_valid(value):
        return "kpp"
    return None


def parse_identifiers(raw: str | None, country: str | None = None) -> list[Identifier]:
    """Every identifier in a declaration field such as ``"7707083893/773601001"`` (INN/KPP).

    Unrecognised values are kept under scheme ``other`` so nothing seen in the data is dropped.
    """
    if raw is None or not raw.strip():
        return []
    found = []
    for part in re.split(r"[/,;|]", raw):
        value = normalize_identifier(part)
        if not value:
            continue
        scheme = guess_scheme(value, country)
        if scheme is None:
            found.append(Identifier("other", value, None))
        else:
            found.append(Identifier(scheme, value, is_valid(scheme, value)))
    return found
