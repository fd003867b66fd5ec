"""Countries and every spelling of them that inputs use, from the datasets/country-codes CSV.

Customs files, trade statistics and registries name countries by ISO codes, Comtrade codes,
English or Russian names. All of them resolve through ``country_aliases`` to one ISO-2 code.
Hong Kong, Macao and Taiwan are separate customs territories and never alias to China.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from sanctrace.errors import UserError

from .base import LoadOptions, LoadReport, QuarantinedRow, begin_load, finish_source, quarantine_rows
from .config_models import CountryAliasesFile, parse_config
from .loading import insert_rows, transaction

FORMAT = "country-codes"
PUBLISHER = "datasets/country-codes (datahub)"
LICENCE = "ODC-PDDL-1.0"

_COL_ISO2 = "ISO3166-1-Alpha-2"
_COL_ISO3 = "ISO3166-1-Alpha-3"
_COL_NUMERIC = "ISO3166-1-numeric"
_NAME_EN_COLUMNS = (
    "official_name_en",
    "UNTERM English Short",
    "UNTERM English Formal",
    "CLDR display name",
    "ISO4217-currency_country_name",
)
_NAME_RU_COLUMNS = ("official_name_ru", "UNTERM Russian Short", "UNTERM Russian Formal")
_SPACES = re.compile(r"\s+")


def alias_key(text: str) -> str:
    """The form aliases are stored and looked up in: trimmed, upper-cased, Ё folded to Е.

    Numeric codes are zero-padded to three digits so ``4``, ``04`` and ``004`` all find Afghanistan.
    """
    key = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().upper().replace("Ё", "Е")
    if key.isdigit() and len(key) < 3:
        key = key.zfill(3)
    return key


def _unterm(text: str) -> str:
    """UNTERM writes 'Russian Federation (the)' and 'the Russian Federation'; people write neither."""
    value = text.strip()
    value = value.removesuffix(" (the)")
    if value.lower().startswith("the "):
        value = value[4:]
    return value


def default_country_codes_path() -> Path:
    """The packaged copy of the country-codes CSV (see data/reference/NOTICE.md)."""
    return Path(str(resources.files("sanctrace").joinpath("data", "reference", "country-codes.csv")))


def default_aliases_path() -> Path:
    return Path(str(resources.files("sanctrace").joinpath("config", "country_aliases.yaml")))


def sniff(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    return _COL_ISO2 in first and _COL_ISO3 in first


@dataclass(frozen=True)
class _Alias:
    alias: str
    iso2: str
    kind: str
    row_number: int | None


class _AliasSet:
    """Collects aliases, keeping the first meaning of each and recording every conflict."""

    def __init__(self) -> None:
        self.meaning: dict[str, _Alias] = {}
        self.conflicts: list[QuarantinedRow] = []

    def add(self, text: str, iso2: str, kind: str, row_number: int | None, origin: str) -> None:
        key = alias_key(text)
        if not key:
            return
        existing = self.meaning.get(key)
        if existing is None:
            self.meaning[key] = _Alias(key, iso2, kind, row_number)
        elif existing.iso2 != iso2:
            self.conflicts.append(
                QuarantinedRow(
                    row_number,
                    kind,
                    f"alias maps to two countries: kept {existing.iso2}, dropped {iso2}",
                    f"{origin}: {key}",
                )
            )


def load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: LoadOptions,
    *,
    aliases_path: Path | None = None,
) -> LoadReport:
    """Load the CSV and the extra aliases (the packaged ``config/country_aliases.yaml`` by default).

    Countries are reference data with one truth: a load replaces ``countries`` and ``country_aliases``.
    """
    extra = parse_config(aliases_path or default_aliases_path(), CountryAliasesFile)
    with transaction(con):
        report = begin_load(
            con, path, FORMAT, options, encoding="utf-8", publisher=PUBLISHER, licence=LICENCE
        )
        if report.already_loaded:
            return report
        rows_read, countries, aliases, bad = _read_csv(path)
        for iso2, alias_set in extra.countries.items():
            if iso2 not in countries:
                bad.append(
                    QuarantinedRow(
                        None,
                        "countries",
                        f"alias file names unknown country {iso2}",
                        str(aliases_path or "country_aliases.yaml"),
                    )
                )
                continue
            for kind, text in alias_set.by_kind():
                aliases.add(text, iso2, kind, None, "country_aliases.yaml")
        con.execute("DELETE FROM countries")
        con.execute("DELETE FROM country_aliases")
        insert_rows(
            con,
            "countries",
            [(*row, report.source_id) for row in countries.values()],
        )
        insert_rows(
            con,
            "country_aliases",
            [(a.alias, a.iso2, a.kind) for a in aliases.meaning.values()],
        )
        report.rows_read = rows_read
        report.rows_accepted = len(countries)
        report.rows_quarantined = quarantine_rows(con, report.source_id, [*bad, *aliases.conflicts])
        return finish_source(con, report)


def _read_csv(
    path: Path,
) -> tuple[
    int,
    dict[str, tuple[str, str | None, str | None, str | None, str | None]],
    _AliasSet,
    list[QuarantinedRow],
]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path}: cannot read country codes: {exc}") from exc
    if rows and _COL_ISO2 not in rows[0]:
        raise UserError(f"{path}: column {_COL_ISO2} not found; is this the datasets/country-codes CSV?")
    countries: dict[str, tuple[str, str | None, str | None, str | None, str | None]] = {}
    aliases = _AliasSet()
    bad: list[QuarantinedRow] = []
    numbered = list(enumerate(rows, start=2))
    for row_number, row in numbered:
        iso2 = (row.get(_COL_ISO2) or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", iso2):
            bad.append(
                QuarantinedRow(
                    row_number,
                    _COL_ISO2,
                    "missing or malformed ISO-2 code",
                    ",".join(v or "" for v in row.values())[:500],
                )
            )
            continue
        if iso2 in countries:
            bad.append(QuarantinedRow(row_number, _COL_ISO2, f"duplicate ISO-2 code {iso2}", iso2))
            continue
        iso3 = (row.get(_COL_ISO3) or "").strip().upper() or None
        numeric_text = (row.get(_COL_NUMERIC) or "").strip()
        numeric = numeric_text.zfill(3) if numeric_text.isdigit() else None
        name_en = (row.get("official_name_en") or row.get("CLDR display name") or "").strip() or None
        name_ru = (row.get("official_name_ru") or row.get("UNTERM Russian Short") or "").strip() or None
        countries[iso2] = (iso2, iso3, numeric, name_en, name_ru)
        aliases.add(iso2, iso2, "iso2", row_number, "csv")
        if iso3:
            aliases.add(iso3, iso2, "iso3", row_number, "csv")
        if numeric:
            aliases.add(numeric, iso2, "numeric", row_number, "csv")
    # Names after every code, so a name can never shadow a code.
    for row_number, row in numbered:
        iso2 = (row.get(_COL_ISO2) or "").strip().upper()
        if iso2 not in countries:
            continue
        for column in _NAME_EN_COLUMNS:
            aliases.add(_unterm(row.get(column) or ""), iso2, "name_en", row_number, column)
        for column in _NAME_RU_COLUMNS:
            aliases.add(row.get(column) or "", iso2, "name_ru", row_number, column)
    return len(rows), countries, aliases, bad


class CountryResolver:
    """Turns whatever an input calls a country into ISO-2, using the loaded ``country_aliases``.

    With no aliases loaded it still accepts two-letter codes, so a loader works on an empty warehouse.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute("SELECT alias, iso2 FROM country_aliases").fetchall()
        self._aliases = {str(alias): str(iso2) for alias, iso2 in rows}

    def resolve(self, text: str | None) -> str | None:
        """ISO-2 for ``text``; None when empty; raises ValueError when the spelling is unknown."""
        if text is None or not text.strip():
            return None
        key = alias_key(text)
        found = self._aliases.get(key)
        if found is not None:
            return found
        if not self._aliases and re.fullmatch(r"[A-Z]{2}", key):
            return key
        raise ValueError(f"unknown country {text.strip()!r}")
