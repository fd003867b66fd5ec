"""Facts OFAC keeps in the free-text Remarks field of its legacy CSV files.

The legacy SDN/consolidated CSV has no identifier columns: tax numbers, registration numbers, IMO
numbers, websites, establishment dates and "Linked To" ties are written into ``Remarks`` as
``;``-separated phrases, e.g. ``Tax ID No. 7707083893 (Russia); Registration Number 1027700132195
(Russia); Linked To: SOME COMPANY.``. This module turns those phrases into typed facts; anything it
does not recognise is simply left in the text, which stays available in the raw file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

# A value runs to the next "(country)", ";", "," or the end of the text.
_VALUE = r"(?P<value>[A-Za-z0-9][^;,()]*?)"
_COUNTRY = r"\s*(?:\((?P<country>[^)]+)\))?\.?\s*(?=[;,]|$)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("uscc", re.compile(r"Unified Social Credit Code \(USCC\)\s+" + _VALUE + _COUNTRY)),
    ("lei", re.compile(r"Legal Entity Number\s+" + _VALUE + _COUNTRY)),
    ("imo", re.compile(r"(?:Vessel Registration Identification\s+)?IMO\s+(?P<value>\d{7})\b" + _COUNTRY)),
    ("tax", re.compile(r"(?:Tax ID No\.|Taxpayer Identification Number)\s+" + _VALUE + _COUNTRY)),
    ("registration", re.compile(r"(?:Registration Number|Registration ID)\s+" + _VALUE + _COUNTRY)),
    ("kpp", re.compile(r"Government Gazette Number\s+" + _VALUE + _COUNTRY)),
]
_WEBSITE = re.compile(r"Website\s+(?P<value>\S+?)\.?(?:;|$)")
_EMAIL = re.compile(r"Email Address\s+(?P<value>\S+@\S+?)\.?(?:;|$)")
_PHONE = re.compile(r"(?:Phone No\.|Telephone:?|Phone Number)\s+(?P<value>[+\d][\d\s\-()]+\d)")
_ESTABLISHED = re.compile(r"Organization Established Date\s+(?P<value>(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4})")
_LINKED = re.compile(r"Linked To:\s+(?P<value>[^;]+?)\.?\s*(?:;|$)")


@dataclass
class Remarks:
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    established: date | None = None
    linked_to: list[str] = field(default_factory=list)


def _scheme(kind: str, value: str, country: str | None) -> str:
    """Name the scheme precisely where the country and length make it certain."""
    digits = value.isdigit()
    russian = (country or "").strip().lower() == "russia"
    if kind == "tax" and russian and digits and len(value) in (10, 12):
        return "inn"
    if kind == "registration" and russian and digits and len(value) in (13, 15):
        return "ogrn"
    if kind == "kpp":
        return "registration"
    return kind


def parse_date(text: str) -> date | None:
    for fmt in ("%d %b %Y", "%b %Y", "%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_remarks(text: str | None) -> Remarks:
    """Every recognised fact of one Remarks text; never raises."""
    found = Remarks()
    if not text:
        return found
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            value = match.group("value").strip().rstrip(".")
            scheme = _scheme(kind, value, match.groupdict().get("country"))
            if (scheme, value) not in found.identifiers:
                found.identifiers.append((scheme, value))
    if website := _WEBSITE.search(text):
        found.website = website.group("value")
    if email := _EMAIL.search(text):
        found.email = email.group("value")
    if phone := _PHONE.search(text):
        found.phone = phone.group("value").strip()
    if established := _ESTABLISHED.search(text):
        found.established = parse_date(established.group("value"))
    found.linked_to = [m.group("value").strip() for m in _LINKED.finditer(text)]
    return found
