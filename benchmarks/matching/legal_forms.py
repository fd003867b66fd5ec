"""Regenerate ``sanctrace/config/legal_forms_gleif.csv`` from the GLEIF ELF code list (dev tool).

``python -m benchmarks.matching.legal_forms ../shared/data/name_matching/gleif_elf_codes_1.4.1.csv``

Keeps the active abbreviations (local and transliterated) of every jurisdiction, casefolded and with
punctuation turned into spaces, plus full local names written in CJK scripts (which carry no word
boundaries and end company names unsegmented) that are company forms. GLEIF data is CC0.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "src" / "sanctrace" / "config" / "legal_forms_gleif.csv"
_CJK_COUNTRIES = {"CN", "TW", "HK", "MO", "JP", "KR"}
# Only company forms: the CN list also names courts, temples and trade unions.
_CJK_COMPANY_ENDINGS = ("公司", "会社", "會社", "企业", "企業", "合作社", "組合")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in text)


def extract(source: Path) -> list[tuple[str, str, str]]:
    rows: set[tuple[str, str, str]] = set()
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["ELF Status ACTV/INAC"] != "ACTV":
                continue
            country = row["Country Code (ISO 3166-1)"]
            for field in ("Abbreviations Local language", "Abbreviations transliterated"):
                for part in row[field].split(";"):
                    form = _clean(part)
                    if form and len(form) >= 2 and not form.isdigit():
                        rows.add((country, form, "abbreviation"))
            local = row["Entity Legal Form name Local name"].strip()
            if country in _CJK_COUNTRIES and _is_cjk(local) and local.endswith(_CJK_COMPANY_ENDINGS):
                rows.add((country, unicodedata.normalize("NFKC", local), "cjk_name"))
    return sorted(rows)


def main() -> None:
    rows = extract(Path(sys.argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["country", "form", "kind"])
        writer.writerows(rows)
    print(f"{len(rows)} legal forms -> {OUT}")


if __name__ == "__main__":
    main()
