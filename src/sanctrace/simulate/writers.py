"""Write a world as the files users receive (and record every name as written, for the truth)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import yaml

from sanctrace.simulate.scenario import Scenario
from sanctrace.simulate.shipments import Line
from sanctrace.simulate.world import Entity, World, valid_identifier
from sanctrace.sources.trade_flows import TEMPLATE_COLUMNS

COUNTRY_RU = {
    "TW": "ТАЙВАНЬ (КИТАЙ)",
    "CN": "КИТАЙ",
    "TR": "ТУРЦИЯ",
    "RU": "РОССИЯ",
    "DE": "ГЕРМАНИЯ",
    "KZ": "КАЗАХСТАН",
    "IN": "ИНДИЯ",
    "IT": "ИТАЛИЯ",
}
COUNTRY_EN = {
    "TW": "Taiwan",
    "CN": "China",
    "TR": "Turkey",
    "RU": "Russian Federation",
    "DE": "Germany",
    "KZ": "Kazakhstan",
    "IN": "India",
    "IT": "Italy",
}
BILL_OF_LADING_HEADER = [
    "Bill of Lading Number",
    "Item Number",
    "Arrival Date",
    "Shipper",
    "Shipper Address",
    "Shipper Country",
    "Consignee",
    "Consignee Address",
    "Consignee Country",
    "Notify Party",
    "Country of Origin",
    "Country of Dispatch",
    "Destination Country",
    "HS Code",
    "Product Description",
    "Brand",
    "Manufacturer",
    "Quantity",
    "Quantity Unit",
    "Weight (kg)",
    "Value (USD)",
    "Vessel",
    "Port of Lading",
]
DESCRIPTION_EN = {
    "845710": "VERTICAL MACHINING CENTRE CNC",
    "845811": "CNC HORIZONTAL LATHE",
    "845961": "CNC MILLING MACHINE",
    "846693": "PARTS AND ACCESSORIES FOR MACHINE TOOLS",
    "940360": "WOODEN OFFICE FURNITURE",
    "392690": "ARTICLES OF PLASTICS NES",
    "732690": "ARTICLES OF IRON OR STEEL NES",
}
PORTS = {"TR": "Mersin", "CN": "Shanghai", "KZ": "Aktau"}
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


RUB_PER_USD = Decimal("92.5")


def _whole(kg: int) -> str:
    """Whole kilograms the Russian way: 12 345,00."""
    return f"{kg:,}".replace(",", " ") + ",00"


def money(value: Decimal) -> str:
    """12 345,67: a space between thousands and a decimal comma, as Russian exports print."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def spaced(code: str, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.3:
        return f"{code[:4]} {code[4:6]} {code[6:9]} {code[9:]}"
    if style < 0.5:
        return f"{code[:4]}.{code[4:6]}.{code[6:9]}.{code[9:]}"
    return code


class NameLog:
    """Every (entity id, name) written to any file: truth/names.csv."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], set[str]] = defaultdict(set)

    def use(self, entity: Entity, name: str, file: str) -> str:
        self.seen[(entity.id, name)].add(file)
        return name


class DeclarationWriter:
    def __init__(self, path: Path, scenario: Scenario, rng: random.Random, names: NameLog) -> None:
        self.scenario, self.rng, self.names = scenario, rng, names
        self.handle = path.open("w", encoding=scenario.encoding, newline="")
        self.writer = csv.writer(self.handle, delimiter=";")
        self.writer.writerow(HEADER)
        self.file = path.name
        self._usable_names: dict[str, list[str]] = {}

    def _encodable(self, text: str) -> bool:
        try:
            text.encode(self.scenario.encoding)
        except UnicodeEncodeError:
            return False
        return True

    def _usable(self, entity: Entity) -> list[str]:
        """The entity's names this file's encoding can carry (cached: the names never change)."""
        found = self._usable_names.get(entity.id)
        if found is None:
            found = [n for n in entity.names if self._encodable(n)] or [
                entity.names[0].encode("ascii", "ignore").decode()
            ]
            self._usable_names[entity.id] = found
        return found

    def _name(self, entity: Entity, *, upper: bool = False) -> str:
        usable = self._usable(entity)
        name = (
            usable[0]
            if self.rng.random() >= self.scenario.noise.name_variant_rate
            else self.rng.choice(usable)
        )
        return self.names.use(entity, name.upper() if upper else name, self.file)

    def _identifier(self, entity: Entity) -> str:
        noise, rng = self.scenario.noise, self.rng
        value = next(iter(entity.identifiers.values()), "")
        draw = rng.random()
        if not value or draw < noise.missing_identifier_rate:
            return ""
        if draw < noise.missing_identifier_rate + noise.wrong_identifier_rate:
            scheme = next(iter(entity.identifiers))
            return valid_identifier(scheme, rng)  # well-formed, valid check digits, someone else's
        return value

    def _country(self, code: str) -> str:
        use_name = self.rng.random() < self.scenario.noise.country_as_name_rate and code in COUNTRY_RU
        return COUNTRY_RU[code] if use_name else code

    def write(self, line: Line) -> None:
        rng = self.rng
        model = f"{line.trademark[:2]}-{rng.choice([650, 850, 1050, 1300])}"
        description = f"{line.hs[2]} МОДЕЛЬ {model}, {line.quantity} ШТ"
        maker = self._name(line.maker, upper=True) if line.maker else "ОТСУТСТВУЕТ"
        net = rng.randint(2500, 9000) * line.quantity
        value = money(line.value_usd)
        self.writer.writerow(
            [
                line.declaration_number,
                "1",
                "ИМ",
                self._identifier(line.shipper),
                self._name(line.shipper),
                line.shipper.address,
                self._country(line.shipper.country),
                self._identifier(line.consignee),
                self._name(line.consignee),
                line.consignee.address,
                self._country(line.consignee.country),
                self._country(line.trading),
                self._country(line.dispatch),
                self._country(line.declared_origin),
                self._country(line.declared_origin),
                self._country(self.scenario.target),
                description,
                maker.upper(),
                line.trademark,
                spaced(line.hs[1], rng),
                _whole(net * 108 // 100),
                _whole(net),
                str(line.quantity),
                "ШТ",
                rng.choice(["FCA", "CIP", "DAP", "EXW"]),
                "USD",
                value,
                money(line.value_usd * RUB_PER_USD),
                value,
                line.date.strftime("%d.%m.%Y"),
            ]
        )

    def close(self) -> None:
        self.handle.close()


class BillOfLadingWriter(DeclarationWriter):
    """The vendor's bill-of-lading export: English headers, Latin names, US-style dates and numbers."""

    def __init__(self, path: Path, scenario: Scenario, rng: random.Random, names: NameLog) -> None:
        self.scenario, self.rng, self.names = scenario, rng, names
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(BILL_OF_LADING_HEADER)
        self.file = path.name
        self._usable_names = {}

    def _encodable(self, text: str) -> bool:
        return text.isascii()  # vendors print names in Latin letters

    def write(self, line: Line) -> None:
        rng = self.rng
        maker = self._name(line.maker, upper=True) if line.maker else ""
        hs6 = line.hs[0]
        self.writer.writerow(
            [
                line.declaration_number,
                "1",
                line.date.strftime("%m/%d/%Y"),
                self._name(line.shipper, upper=True),
                line.shipper.address,
                COUNTRY_EN.get(line.shipper.country, line.shipper.country),
                self._name(line.consignee, upper=True),
                line.consignee.address,
                COUNTRY_EN.get(line.consignee.country, line.consignee.country),
                "SAME AS CONSIGNEE",
                COUNTRY_EN.get(line.declared_origin, line.declared_origin),
                COUNTRY_EN.get(line.dispatch, line.dispatch),
                COUNTRY_EN.get(self.scenario.target, self.scenario.target),
                f"{hs6[:4]}.{hs6[4:]}",
                f"{DESCRIPTION_EN.get(hs6, 'GOODS')} MODEL {line.trademark[:2]}-{rng.choice([650, 1050])}",
                line.trademark,
                maker,
                str(line.quantity),
                "PCS",
                f"{rng.randint(2500, 9000) * line.quantity:,}",
                f"{line.value_usd:,.2f}",
                f"SIM {rng.choice(['STAR', 'WAVE', 'HORIZON'])}",
                PORTS.get(line.dispatch, ""),
            ]
        )


FOB_FROM_CIF = Decimal("1.06")  # freight and insurance to the target, on the declared CIF value
HUB_MARGIN = Decimal("1.08")  # what a hub trader adds between buying from the maker and selling on
ONE = Decimal(1)


class Statistics:
    """Official trade statistics implied by the lines, summed per reporter, partner, flow, HS-6, month.

    For each line: the dispatching country reports an export to the target (FOB); for an indirect
    line the true origin also reports an export to the hub one month earlier, at the hub's purchase
    price and under the true HS code; and, when the scenario asks, the target reports its import by
    declared origin (CIF, as declared). Held as totals, so memory does not grow with the lines.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        # Declared (CIF) values summed per key and divisor; divided once when written (it is linear).
        self.totals: dict[tuple[str, str, str, str, str], dict[Decimal, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )

    def add(self, line: Line) -> None:
        target, d = self.scenario.target, line.date
        if line.dispatch == target:
            return
        month = f"{d.year}-{d.month:02d}"
        self.totals[(line.dispatch, target, "export", line.hs[0], month)][FOB_FROM_CIF] += line.value_usd
        if line.route == "indirect" and line.true_origin != line.dispatch:
            earlier = f"{d.year - 1}-12" if d.month == 1 else f"{d.year}-{d.month - 1:02d}"
            key = (line.true_origin, line.dispatch, "export", line.true_hs6, earlier)
            self.totals[key][FOB_FROM_CIF * HUB_MARGIN] += line.value_usd
        if self.scenario.target_imports:
            self.totals[(target, line.declared_origin, "import", line.hs[0], month)][ONE] += line.value_usd

    def write(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(TEMPLATE_COLUMNS)
            for (reporter, partner, flow, hs6, period), sums in sorted(self.totals.items()):
                value = sum((total / divisor for divisor, total in sums.items()), Decimal(0))
                # Taiwan appears under UN Comtrade's name for it, as in real statistics.
                name = "Other Asia, nes" if reporter == "TW" else reporter
                valuation = "FOB" if flow == "export" else "CIF"
                writer.writerow(
                    [name, partner, flow, hs6, period, f"{value:.2f}", "USD", valuation, "", "", ""]
                )


def write_registry(folder: Path, world: World, names: NameLog) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    companies = [e for e in world.entities.values() if e.schema == "Company"]
    with (folder / "companies.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(
            [
                "company_id",
                "name",
                "alt_names",
                "country",
                "incorporation_date",
                "address",
                "phone",
                "inn",
                "ogrn",
                "ubn",
                "uscc",
                "vkn",
            ]
        )
        for e in companies:
            for name in e.names:
                names.use(e, name, "companies.csv")
            w.writerow(
                [
                    e.id,
                    e.name,
                    ";".join(e.names[1:]),
                    e.country,
                    e.incorporated.isoformat() if e.incorporated else "",
                    e.address,
                    e.phone,
                    *(e.identifiers.get(s, "") for s in ("inn", "ogrn", "ubn", "uscc", "vkn")),
                ]
            )
    people = {e.id: e for e in world.entities.values() if e.schema == "Person"}
    with (folder / "officers.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(["company_id", "person_id", "person_name", "role", "start_date", "end_date"])
        for t in (t for t in world.ties if t.kind == "officer"):
            w.writerow(
                [
                    t.object,
                    t.subject,
                    names.use(people[t.subject], people[t.subject].name, "officers.csv"),
                    t.role,
                    _d(t.start),
                    _d(t.end),
                ]
            )
    with (folder / "owners.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(
            ["company_id", "owner_id", "owner_name", "owner_type", "percent", "start_date", "end_date"]
        )
        for t in (t for t in world.ties if t.kind == "ownership"):
            owner = world.entities[t.subject]
            w.writerow(
                [
                    t.object,
                    t.subject,
                    names.use(owner, owner.name, "owners.csv"),
                    "person" if owner.schema == "Person" else "company",
                    f"{t.percent:g}",
                    _d(t.start),
                    _d(t.end),
                ]
            )
    with (folder / "payments.csv").open("w", encoding="utf-8", newline="") as h:
        w = csv.writer(h)
        w.writerow(["payer_id", "payee_id", "amount", "currency", "date"])
        for t in (t for t in world.ties if t.kind == "payment"):
            w.writerow([t.subject, t.object, f"{t.amount:.2f}", "USD", _d(t.start)])


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def write_sanctions(folder: Path, world: World, names: NameLog) -> None:
    """The designated parties as FtM JSON lines and as an OFAC-style legacy CSV set."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = sorted((e for e in world.entities.values() if e.designated), key=lambda e: e.id)
    with (folder / "sanctions.ftm.json").open("w", encoding="utf-8") as h:
        for e in listed:
            props: dict[str, list[str]] = {
                "name": [names.use(e, e.name, "sanctions.ftm.json")],
                "alias": [names.use(e, n, "sanctions.ftm.json") for n in e.names[1:]],
                "country": [e.country.lower()],
            }
            if "inn" in e.identifiers:
                props["innCode"] = [e.identifiers["inn"]]
            h.write(
                json.dumps(
                    {
                        "id": f"sim-{e.id}",
                        "schema": e.schema,
                        "properties": props,
                        "datasets": ["sim_sanctions"],
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                )
                + "\n"
            )
            h.write(
                json.dumps(
                    {
                        "id": f"sim-{e.id}-sanction",
                        "schema": "Sanction",
                        "datasets": ["sim_sanctions"],
                        "properties": {
                            "entity": [f"sim-{e.id}"],
                            "program": ["SIM-RUSSIA"],
                            "listingDate": [e.designated.isoformat()] if e.designated else [],
                        },
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                )
                + "\n"
            )
    ofac = folder / "ofac"
    ofac.mkdir(exist_ok=True)
    empty = "-0- "
    sdn, alt, add = [], [], []
    for number, e in enumerate(listed, start=90001):
        latin = [n for n in e.names if n.isascii()] or [e.name]
        primary = names.use(e, latin[0].upper(), "sdn.csv")
        remarks = f'"Tax ID No. {e.identifiers["inn"]} (Russia)."' if "inn" in e.identifiers else empty
        kind = '"individual"' if e.schema == "Person" else empty
        sdn.append(f'{number},"{primary}",{kind},"SIM-RUSSIA",' + ",".join([empty] * 7) + f",{remarks}")
        add.append(f'{number},{number},{empty},"Moscow","Russia",{empty}')
        for index, alias in enumerate(latin[1:], start=1):
            alt.append(
                f'{number},{number * 10 + index},"aka","{names.use(e, alias.upper(), "alt.csv")}",{empty}'
            )
    for name, rows in (("sdn.csv", sdn), ("add.csv", add), ("alt.csv", alt)):
        (ofac / name).write_bytes(("\r\n".join(rows) + "\r\n").encode("ascii", "replace") + b"\x1a")
    (ofac / "sdn_comments.csv").write_bytes(b"\x1a")  # OFAC publishes it even when it has no rows


def write_makers(folder: Path, world: World) -> None:
    """The makers an analyst would know, as a maker alias file (``sanctrace ingest`` reads it).

    Each maker's official name, its Chinese-script and pinyin-city spellings and its brand, with
    its country as HQ: not the typos, abbreviations or relabelled brands the declarations carry
    (finding those is the analysis' job). Uses no randomness, so the other files stay as they were.
    """
    folder.mkdir(parents=True, exist_ok=True)
    makers = []
    for e in world.entities.values():
        if e.role != "maker":
            continue
        first = e.names[0].split()
        # the Chinese-script name, and the pinyin spelling of a Taiwanese city (first word swapped)
        names = [
            n
            for n in e.names[1:]
            if not n.isascii() or (n.split()[1:] == first[1:] and n.split()[0] != first[0])
        ]
        entry: dict[str, object] = {"id": f"sim-{e.id.lower()}", "name": e.names[0], "hq_country": e.country}
        if names:
            entry["names"] = names
        if e.brand:
            entry["brands"] = [e.brand]
        makers.append(entry)
    document = {
        "description": "Makers of a simulated world (fictional companies)",
        "source": "sanctrace simulate",
        "makers": makers,
    }
    with (folder / "makers.yaml").open("w", encoding="utf-8") as handle:
        handle.write("# Fictional makers of a simulated world.\n")
        handle.write("# Schema: sanctrace.sources.config_models.MakersFile\n")
        yaml.safe_dump(document, handle, allow_unicode=True, sort_keys=False, width=100)
