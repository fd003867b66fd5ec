"""Write the bundled demo world: a small synthetic case with fictional names.

Shape of reference case B (DOMAIN.md §2): a Taiwanese maker ships CNC machines directly to its
Moscow front importer until the end of May 2023 (14 shipments, $4.47M), then through a Chinese and
a Turkish trader (49 shipments, $15.83M): 63 shipments, $20.3M from January 2023. Around it: 2021–22
direct trade that collapses, re-routing through Kazakhstan, innocent uncontrolled goods, a
registry with a former owner shared by maker and importer, payments to defence plants, and
designations. Every company and person here is invented.

Run ``python scripts/make_demo_world.py`` to regenerate ``src/sanctrace/data/demo`` (deterministic).
The simulator (issue 3) will replace this script.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "sanctrace" / "data" / "demo"
SEED = 20230531


def inn10(prefix9: str) -> str:
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    check = sum(int(d) * w for d, w in zip(prefix9, weights, strict=True)) % 11 % 10
    return prefix9 + str(check)


def ogrn13(prefix12: str) -> str:
    return prefix12 + str(int(prefix12) % 11 % 10)


MAKER = {
    "id": "lotus-peak",
    "name": "Lotus Peak Machinery Co., Ltd.",
    "alt": "蓮峰機械股份有限公司",
    "country": "TW",
    "ubn": "24567814",
    "brand": "LOTUS PEAK",
}
MAKER2 = {
    "id": "jade-river",
    "name": "Jade River Precision Industry Corp.",
    "alt": "玉川精密工業股份有限公司",
    "country": "TW",
    "ubn": "53219873",
    "brand": "JADERIVER",
}
MAKER_DE = {
    "id": "weiss-falk",
    "name": "Weiss & Falk Werkzeugmaschinen GmbH",
    "country": "DE",
    "brand": "WEISS&FALK",
}
FRONT = {
    "id": "lotus-pik-tech",
    "name": "OOO LOTUS PIK TEKHNOLODZHI",
    "ru": "ООО «ЛОТУС ПИК ТЕХНОЛОДЖИ»",
    "en": "Lotus Peak Technology LLC",
    "variants": ["OOO LOTUS PIK TEKHNOLODZHI", 'ООО "ЛОТУС ПИК ТЕХНОЛОДЖИ"'],
    "country": "RU",
    "inn": inn10("770145238"),
    "ogrn": ogrn13("115774601234"),
    "incorporated": "2011-04-12",
    "address": "Москва, ул. Тестовая, д. 7",
}
IMPORTER2 = {
    "id": "stanko-region",
    "name": "OOO STANKOIMPORT-REGION",
    "ru": "ООО «СТАНКОИМПОРТ-РЕГИОН»",
    "country": "RU",
    "inn": inn10("662304417"),
    "ogrn": ogrn13("109667201552"),
    "incorporated": "2009-02-03",
    "address": "Екатеринбург, ул. Примерная, д. 15",
}
HUB_CN = {
    "id": "bright-harbor",
    "name": "Shenzhen Bright Harbor Trading Co., Ltd.",
    "country": "CN",
    "variants": ["SHENZHEN BRIGHT HARBOR TRADING CO LTD", "Bright Harbor Trading (Shenzhen) Co., Ltd."],
    "uscc": "91440300MA5F8K2L3P",
    "incorporated": "2022-06-20",
    "address": "Shenzhen, Futian, Demo Rd 88",
}
HUB_TR = {
    "id": "anka-makine",
    "name": "Anka Makine Dis Ticaret Ltd. Sti.",
    "tr": "Anka Makine Dış Ticaret Ltd. Şti.",
    "country": "TR",
    "vkn": "0680123464",
    "incorporated": "2022-09-14",
    "address": "Istanbul, Ornek Sk. 5",
}
HUB_KZ = {
    "id": "almaty-techsnab",
    "name": "TOO ALMATY TECHSNAB",
    "country": "KZ",
    "incorporated": "2022-04-01",
    "address": "Almaty, Demo St 3",
}
END_USERS = [
    {
        "id": "zaryad-plant",
        "name": "AO ZAVOD PRETSIZIONNYKH PRIBOROV ZARYAD",
        "ru": "АО «ЗАВОД ПРЕЦИЗИОННЫХ ПРИБОРОВ ЗАРЯД»",
        "country": "RU",
        "inn": inn10("503201884"),
        "designated": "2023-02-24",
    },
    {
        "id": "severny-mech",
        "name": "PAO SEVERNY MEKHANICHESKY ZAVOD",
        "ru": "ПАО «СЕВЕРНЫЙ МЕХАНИЧЕСКИЙ ЗАВОД»",
        "country": "RU",
        "inn": inn10("290100327"),
        "designated": None,
    },
]
MODELS = [
    ("845710", "8457 10 100 0", "ОБРАБАТЫВАЮЩИЙ ЦЕНТР ВЕРТИКАЛЬНЫЙ С ЧПУ", "-V"),
    ("845811", "8458.11.410.0", "ТОКАРНЫЙ СТАНОК ГОРИЗОНТАЛЬНЫЙ С ЧПУ", "-T"),
    ("845961", "8459 61 100 0", "ФРЕЗЕРНЫЙ СТАНОК С ЧПУ", "-M"),
]
COUNTRY_TEXT = {
    "TW": ["ТАЙВАНЬ (КИТАЙ)", "TW"],
    "CN": ["КИТАЙ", "CN"],
    "TR": ["ТУРЦИЯ", "TR"],
    "RU": ["РОССИЯ", "RU"],
    "DE": ["ГЕРМАНИЯ", "DE"],
    "KZ": ["КАЗАХСТАН", "KZ"],
}
HEADER = [
    "ND",
    "G32",
    "G011",
    "G021",
    "G022",
    "G023",
    "G0231",
    "G081",
    "G082",
    "G083",
    "G0831",
    "G11",
    "G15",
    "G16",
    "G34",
    "G17",
    "G31_1",
    "G31_11",
    "G31_12",
    "G33",
    "G35",
    "G38",
    "G41",
    "G41A",
    "G202",
    "G221",
    "G222",
    "G45",
    "G46",
    "G542",
]


def split_total(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / Decimal(str(sum(weights)))
    values = [(Decimal(str(w)) * scale).quantize(Decimal("0.01")) for w in weights]
    values[-1] += total - sum(values)
    return values


def spread_dates(rng: random.Random, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    span = (end - start).days
    return sorted(start + dt.timedelta(days=rng.randint(0, span)) for _ in range(n))


def money(value: Decimal) -> str:
    whole, cents = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{grouped},{cents}"


class Declarations:
    """Declaration lines as a vendor export has them: spellings vary, identifiers are sometimes missing."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[list[str]] = []
        self.serial = 1000

    def spelling(self, party: dict[str, str], usual: str) -> str:
        variants: list[str] = party.get("variants", [])  # type: ignore[assignment]
        if variants and self.rng.random() < 0.3:
            return self.rng.choice(variants)
        return usual

    def identifier(self, party: dict[str, str]) -> str:
        value = party.get("inn") or party.get("ubn") or party.get("vkn") or ""
        return "" if self.rng.random() < 0.15 else value

    def add(
        self,
        date: dt.date,
        shipper: dict[str, str],
        consignee: dict[str, str],
        origin: str,
        dispatch: str,
        trading: str,
        hs: tuple[str, str, str, str],
        value: Decimal,
        maker: dict[str, str] | None,
        qty: int = 1,
    ) -> None:
        self.serial += 1
        nd = f"10013160/{date:%d%m%y}/{self.serial:07d}"
        text = lambda c: self.rng.choice(COUNTRY_TEXT[c])  # noqa: E731
        prefix = (maker["brand"][:2] if maker else "") + hs[3][-2:]
        model = f"{prefix}{self.rng.choice([650, 850, 1050, 1300])}"
        description = f"{hs[2]} МОДЕЛЬ {model}, СЕРИЙНЫЙ НОМЕР {date:%y}{self.serial:05d}, {qty} ШТ"
        if maker is None:
            description = hs[2]
        net = Decimal(self.rng.randint(2500, 9000) * qty)
        self.rows.append(
            [
                nd,
                "1",
                "ИМ",
                self.identifier(shipper),
                self.spelling(shipper, shipper["name"]),
                shipper.get("address", ""),
                text(shipper["country"]),
                consignee.get("inn", ""),
                self.spelling(consignee, consignee.get("ru", consignee["name"])),
                consignee.get("address", ""),
                text(consignee["country"]),
                text(trading),
                text(dispatch),
                text(origin),
                text(origin),
                text("RU"),
                description,
                maker["name"].upper() if maker else "ОТСУТСТВУЕТ",
                maker["brand"] if maker else "ОТСУТСТВУЕТ",
                hs[1],
                money(net * Decimal("1.08")),
                money(net),
                str(qty),
                "ШТ",
                self.rng.choice(["FCA", "CIP", "DAP", "EXW"]),
                "USD",
                money(value),
                money(value * Decimal("92.5")),
                money(value),
                date.strftime("%d.%m.%Y"),
            ]
        )


def build() -> None:
    rng = random.Random(SEED)
    decl = Declarations(rng)
    # Case B: 14 direct shipments Jan–May 2023 ($4.47M), 49 indirect Jun–Dec 2023 via CN/TR ($15.83M).
    direct_dates = spread_dates(rng, dt.date(2023, 1, 10), dt.date(2023, 5, 26), 14)
    for date, value in zip(direct_dates, split_total(rng, Decimal("4470000.00"), 14), strict=True):
        decl.add(date, MAKER, FRONT, "TW", "TW", "TW", rng.choice(MODELS), value, MAKER)
    indirect_dates = spread_dates(rng, dt.date(2023, 6, 5), dt.date(2023, 12, 20), 49)
    hubs = ["CN"] * 28 + ["TR"] * 21
    rng.shuffle(hubs)
    for date, value, hub in zip(
        indirect_dates, split_total(rng, Decimal("15830000.00"), 49), hubs, strict=True
    ):
        trader = HUB_CN if hub == "CN" else HUB_TR
        decl.add(date, trader, FRONT, "TW", hub, hub, rng.choice(MODELS), value, MAKER)
    # Before the war: direct supply from Taiwan and Germany to the second importer.
    for date in spread_dates(rng, dt.date(2021, 1, 15), dt.date(2022, 2, 15), 18):
        maker = rng.choice([MAKER2, MAKER_DE])
        value = Decimal(rng.randint(90_000, 320_000))
        decl.add(
            date,
            maker,
            IMPORTER2,
            maker["country"],
            maker["country"],
            maker["country"],
            rng.choice(MODELS),
            value,
            maker,
        )
    # After the invasion: Jade River machines re-routed through Kazakhstan.
    for date in spread_dates(rng, dt.date(2022, 5, 10), dt.date(2024, 6, 20), 16):
        value = Decimal(rng.randint(110_000, 280_000))
        decl.add(date, HUB_KZ, IMPORTER2, "TW", "KZ", "KZ", rng.choice(MODELS), value, MAKER2)
    # Innocent trade: uncontrolled goods (furniture, plastic fittings) from China, all period.
    innocent = [
        ("940360", "9403 60 100 0", "МЕБЕЛЬ ДЕРЕВЯННАЯ ОФИСНАЯ", ""),
        ("392690", "3926 90 970 9", "ИЗДЕЛИЯ ИЗ ПЛАСТМАСС ПРОЧИЕ", ""),
    ]
    for date in spread_dates(rng, dt.date(2021, 3, 1), dt.date(2024, 6, 1), 30):
        decl.add(
            date,
            HUB_CN,
            IMPORTER2,
            "CN",
            "CN",
            "CN",
            rng.choice(innocent),
            Decimal(rng.randint(8_000, 60_000)),
            None,
            qty=rng.randint(10, 200),
        )
    rows = decl.rows
    rows.sort(key=lambda r: dt.datetime.strptime(r[-1], "%d.%m.%Y"))
    # Two deliberately bad rows, so the quarantine is visible in the demo.
    bad_date = list(rows[5])
    bad_date[0], bad_date[-1] = "10013160/310223/0099901", "31.02.2023"
    bad_country = list(rows[6])
    bad_country[0], bad_country[12] = "10013160/010323/0099902", "НАРНИЯ"
    rows.extend([bad_date, bad_country])
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "declarations" / "ru_imports_2021_2024.csv").open(
        "w", encoding="cp1251", newline=""
    ) as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    write_statistics(rows)
    write_registry()
    write_designations()


def write_statistics(rows: list[list[str]]) -> None:
    """Taiwan's reported exports to Russia (FOB) by HS-6 and month: the direct shipments only."""
    totals: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        if row[13] not in ("TW", "ТАЙВАНЬ (КИТАЙ)") or row[12] not in ("TW", "ТАЙВАНЬ (КИТАЙ)"):
            continue
        try:
            date = dt.datetime.strptime(row[-1], "%d.%m.%Y")
        except ValueError:
            continue
        hs6 = row[19].replace(" ", "").replace(".", "")[:6]
        value = Decimal(row[28].replace(" ", "").replace(",", "."))
        key = (f"{date:%Y-%m}", hs6)
        totals[key] = totals.get(key, Decimal(0)) + (value / Decimal("1.06")).quantize(Decimal("0.01"))
    with (OUT / "statistics" / "tw_exports_to_ru_hs6_monthly.csv").open(
        "w", encoding="utf-8", newline=""
    ) as h:
        writer = csv.writer(h)
        writer.writerow(
            [
                "reporter",
                "partner",
                "flow",
                "commodity_code",
                "period",
                "value",
                "currency",
                "valuation",
                "quantity",
                "quantity_unit",
                "net_kg",
            ]
        )
        for (period, hs6), value in sorted(totals.items()):
            writer.writerow(
                ["Other Asia, nes", "RU", "export", hs6, period, f"{value:.2f}", "USD", "FOB", "", "", ""]
            )


def write_registry() -> None:
    folder = OUT / "registry"
    companies = [MAKER, MAKER2, MAKER_DE, FRONT, IMPORTER2, HUB_CN, HUB_TR, HUB_KZ, *END_USERS]
    with (folder / "companies.csv").open("w", encoding="utf-8", newline="") as h:
        writer = csv.writer(h)
        writer.writerow(
            [
                "company_id",
                "name",
                "alt_names",
                "country",
                "incorporation_date",
                "dissolution_date",
                "address",
                "phone",
                "website",
                "inn",
                "ogrn",
                "kpp",
                "ubn",
                "uscc",
                "vkn",
                "lei",
                "imo",
                "registration_number",
            ]
        )
        for c in companies:
            alts = ";".join(v for k in ("alt", "ru", "en", "tr") if (v := c.get(k)))  # type: ignore[arg-type]
            writer.writerow(
                [
                    c["id"],
                    c["name"],
                    alts,
                    c["country"],
                    c.get("incorporated", ""),
                    "",
                    c.get("address", ""),
                    "",
                    "",
                    c.get("inn", ""),
                    c.get("ogrn", ""),
                    "",
                    c.get("ubn", ""),
                    c.get("uscc", ""),
                    c.get("vkn", ""),
                    "",
                    "",
                    "",
                ]
            )
    with (folder / "officers.csv").open("w", encoding="utf-8", newline="") as h:
        writer = csv.writer(h)
        writer.writerow(["company_id", "person_id", "person_name", "role", "start_date", "end_date"])
        writer.writerow(["lotus-peak", "p-chen-weilun", "Chen Wei-Lun", "Sales Director", "2016-03-01", ""])
        writer.writerow(
            ["lotus-pik-tech", "p-bredin", "Бредин Алексей Викторович", "General Director", "2011-04-12", ""]
        )
        writer.writerow(["bright-harbor", "p-lin-hao", "Lin Hao", "Legal Representative", "2022-06-20", ""])
    with (folder / "owners.csv").open("w", encoding="utf-8", newline="") as h:
        writer = csv.writer(h)
        writer.writerow(
            ["company_id", "owner_id", "owner_name", "owner_type", "percent", "start_date", "end_date"]
        )
        writer.writerow(
            ["lotus-pik-tech", "p-chen-weilun", "Chen Wei-Lun", "person", "30", "2011-04-12", "2015-06-30"]
        )
        writer.writerow(
            ["lotus-pik-tech", "p-bredin", "Бредин Алексей Викторович", "person", "100", "2015-07-01", ""]
        )
        writer.writerow(["anka-makine", "p-kaya", "Mert Kaya", "person", "100", "2022-09-14", ""])
    with (folder / "payments.csv").open("w", encoding="utf-8", newline="") as h:
        writer = csv.writer(h)
        writer.writerow(["payer_id", "payee_id", "amount", "currency", "date"])
        rng = random.Random(SEED + 1)
        for month in range(1, 8):
            for plant in END_USERS:
                writer.writerow(
                    [
                        plant["id"],
                        "lotus-pik-tech",
                        f"{rng.randint(2_000_000, 9_000_000)}.00",
                        "USD",
                        f"2023-{month:02d}-{rng.randint(1, 28):02d}",
                    ]
                )


def write_designations() -> None:
    """A fictional sanctions list in FollowTheMoney JSON lines (the OpenSanctions exchange format)."""
    lines = []
    for party, listed in ((END_USERS[0], "2023-02-24"), (HUB_TR, "2023-11-02")):
        names = [party["name"], *(v for k in ("ru", "tr") if (v := party.get(k)))]
        props: dict[str, list[str]] = {
            "name": [names[0]],
            "alias": names[1:],
            "country": [party["country"].lower()],
        }
        if party.get("inn"):
            props["innCode"] = [party["inn"]]
        if party.get("vkn"):
            props["taxNumber"] = [party["vkn"]]
        entity_id = f"demo-sdn-{party['id']}"
        lines.append(
            {"id": entity_id, "schema": "Company", "properties": props, "datasets": ["demo_sanctions"]}
        )
        lines.append(
            {
                "id": f"{entity_id}-sanction",
                "schema": "Sanction",
                "datasets": ["demo_sanctions"],
                "properties": {
                    "entity": [entity_id],
                    "authority": ["Demo Office of Sanctions"],
                    "program": ["DEMO-RUSSIA"],
                    "listingDate": [listed],
                },
            }
        )
    with (OUT / "sanctions" / "demo_sanctions.ftm.json").open("w", encoding="utf-8") as h:
        for line in lines:
            h.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    for sub in ("declarations", "statistics", "registry", "sanctions"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    build()
