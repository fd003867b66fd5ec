"""Fictional company names and the noisy ways files spell them.

Names are built from a small fictional vocabulary so no real firm appears. Variants reproduce what
matchers meet in customs data: legal forms in four languages, English loanwords written in Cyrillic
(``технолоджи``) and romanised back by different systems, Wade-Giles vs pinyin place names,
abbreviations, typos and word order.
"""

from __future__ import annotations

import random

WORDS = [
    "Lotus",
    "Jade",
    "Harbor",
    "Crest",
    "Summit",
    "Pearl",
    "Falcon",
    "Maple",
    "Orchid",
    "Cedar",
    "Peak",
    "River",
    "Bay",
    "Field",
    "Stone",
    "Gate",
    "Wing",
    "Valley",
    "Aurora",
    "Comet",
]
CYRILLIC = {
    "LOTUS": "ЛОТУС",
    "JADE": "ДЖЕЙД",
    "HARBOR": "ХАРБОР",
    "CREST": "КРЕСТ",
    "SUMMIT": "САММИТ",
    "PEARL": "ПЕРЛ",
    "FALCON": "ФАЛКОН",
    "MAPLE": "МЕЙПЛ",
    "ORCHID": "ОРКИД",
    "CEDAR": "СИДАР",
    "PEAK": "ПИК",
    "RIVER": "РИВЕР",
    "BAY": "БЕЙ",
    "FIELD": "ФИЛД",
    "STONE": "СТОУН",
    "GATE": "ГЕЙТ",
    "WING": "ВИНГ",
    "VALLEY": "ВАЛЛИ",
    "AURORA": "АВРОРА",
    "COMET": "КОМЕТ",
    "TECHNOLOGY": "ТЕХНОЛОДЖИ",
    "MACHINERY": "МАШИНЕРИ",
    "TRADING": "ТРЕЙДИНГ",
    "SYSTEMS": "СИСТЕМС",
    "PRECISION": "ПРЕСИЖН",
    "INDUSTRIAL": "ИНДАСТРИАЛ",
    "GROUP": "ГРУПП",
    "SERVICE": "СЕРВИС",
}
HANZI = {
    "LOTUS": "蓮",
    "JADE": "玉",
    "HARBOR": "港",
    "CREST": "冠",
    "SUMMIT": "頂",
    "PEARL": "珠",
    "FALCON": "隼",
    "MAPLE": "楓",
    "ORCHID": "蘭",
    "CEDAR": "杉",
    "PEAK": "峰",
    "RIVER": "川",
    "BAY": "灣",
    "FIELD": "田",
    "STONE": "石",
    "GATE": "門",
    "WING": "翼",
    "VALLEY": "谷",
    "AURORA": "曙",
    "COMET": "彗",
}
# Taiwanese firms write Wade-Giles-style place names; pinyin renders them differently.
TW_CITIES = {"Taichung": "Taizhong", "Kaohsiung": "Gaoxiong", "Taoyuan": "Taoyuan", "Changhua": "Zhanghua"}
ROMANISATIONS = {  # Cyrillic -> Latin, three systems seen in customs data
    "bgn": {"Х": "KH", "Ж": "ZH", "Ц": "TS", "Щ": "SHCH", "Й": "Y", "Ю": "YU", "Я": "YA", "Ы": "Y", "Э": "E"},
    "icao": {
        "Х": "KH",
        "Ж": "ZH",
        "Ц": "TS",
        "Щ": "SHCH",
        "Й": "I",
        "Ю": "IU",
        "Я": "IA",
        "Ы": "Y",
        "Э": "E",
    },
    "gost": {"Х": "X", "Ж": "ZH", "Ц": "CZ", "Щ": "SHH", "Й": "J", "Ю": "YU", "Я": "YA", "Ы": "Y", "Э": "E"},
}
_BASIC = dict(
    zip(
        "АБВГДЕЁЗИКЛМНОПРСТУФЧШЬЪ",
        [
            "A",
            "B",
            "V",
            "G",
            "D",
            "E",
            "E",
            "Z",
            "I",
            "K",
            "L",
            "M",
            "N",
            "O",
            "P",
            "R",
            "S",
            "T",
            "U",
            "F",
            "CH",
            "SH",
            "",
            "",
        ],
        strict=True,
    )
)
LEGAL_FORMS = {
    "RU": ["ООО", "OOO", "LLC", "Limited Liability Company"],
    "TW": ["Co., Ltd.", "CO LTD", "Corp.", "股份有限公司"],
    "CN": ["Co., Ltd.", "CO LTD", "Limited", "有限公司"],
    "TR": ["Ltd. Şti.", "LTD STI", "Dış Ticaret Ltd. Şti.", "A.Ş."],
    "KZ": ["ТОО", "TOO", "LLP"],
    "AE": ["FZE", "FZCO", "L.L.C."],
    "DE": ["GmbH"],
    "IN": ["Pvt. Ltd.", "Private Limited"],
    "IT": ["S.r.l.", "S.p.A."],
}
ABBREVIATIONS = {
    "TECHNOLOGY": "TECH",
    "TRADING": "TRDG",
    "INTERNATIONAL": "INTL",
    "MACHINERY": "MACH",
    "COMPANY": "COMP",
    "SERVICE": "SRVCES",
    "INDUSTRIAL": "IND",
}


def romanise(cyrillic: str, system: str) -> str:
    table = ROMANISATIONS[system]
    return "".join(table.get(ch, _BASIC.get(ch, ch)) for ch in cyrillic.upper())


def to_cyrillic(words: list[str]) -> str:
    return " ".join(CYRILLIC.get(w.upper(), w.upper()) for w in words)


def typo(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if i + 1 < len(text) else text


def abbreviate(text: str) -> str:
    return " ".join(ABBREVIATIONS.get(w.upper().strip(",."), w) for w in text.split())


def variants(core: list[str], country: str, rng: random.Random) -> list[str]:
    """Spellings of one company: the canonical one first, then noisy ones (deterministic per rng)."""
    forms = LEGAL_FORMS.get(country, ["Ltd."])
    english = " ".join(core)
    if country == "RU":
        cyr = to_cyrillic(core)
        out = [
            f"ООО «{cyr}»",
            f'ООО "{cyr}"',
            f"OOO {romanise(cyr, 'bgn')}",
            f"{romanise(cyr, 'gost')} OOO",
            f"{english.upper()} LLC",
            f"OOO {romanise(cyr, 'icao')}",
        ]
    elif country in ("TW", "CN"):
        hanzi = "".join(HANZI.get(w.upper(), "") for w in core)
        out = [
            f"{english} {forms[0]}",
            f"{english.upper()} {forms[1]}",
            f"{english} {forms[2]}",
            f"{hanzi}{forms[3]}" if hanzi else f"{english} {forms[0]}",
        ]
    elif country == "KZ":
        cyr = to_cyrillic(core)
        out = [f"ТОО «{cyr}»", f"TOO {romanise(cyr, 'bgn')}", f"{english} {forms[2]}"]
    else:
        out = [f"{english} {f}" for f in forms]
    out += [typo(out[0], rng), abbreviate(out[-1]), " ".join(reversed(out[0].split(" ", 1)))]
    seen: list[str] = []
    for name in out:
        if name not in seen:
            seen.append(name)
    return seen
