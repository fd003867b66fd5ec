"""Declaration lines of a world, with the truth of each: route, hub, maker, scheme, typologies."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from sanctrace.simulate.scenario import Leg, Scenario, Scheme
from sanctrace.simulate.world import Entity, Tie, WorldBuilder

CNC = [
    ("845710", "8457101000", "ОБРАБАТЫВАЮЩИЙ ЦЕНТР ВЕРТИКАЛЬНЫЙ С ЧПУ"),
    ("845811", "8458114100", "ТОКАРНЫЙ СТАНОК ГОРИЗОНТАЛЬНЫЙ С ЧПУ"),
    ("845961", "8459611000", "ФРЕЗЕРНЫЙ СТАНОК С ЧПУ"),
]
PARTS = ("846693", "8466939000", "ЧАСТИ И ПРИНАДЛЕЖНОСТИ К СТАНКАМ")
UNCONTROLLED = [
    ("940360", "9403601000", "МЕБЕЛЬ ДЕРЕВЯННАЯ ОФИСНАЯ"),
    ("392690", "3926909709", "ИЗДЕЛИЯ ИЗ ПЛАСТМАСС ПРОЧИЕ"),
    ("732690", "7326909807", "ИЗДЕЛИЯ ИЗ ЧЕРНЫХ МЕТАЛЛОВ ПРОЧИЕ"),
]


@dataclass
class Line:
    number: int
    date: dt.date
    shipper: Entity
    consignee: Entity
    maker: Entity | None
    true_origin: str
    declared_origin: str
    dispatch: str
    trading: str
    hs: tuple[str, str, str]  # hs6, national code, description (as declared)
    true_hs6: str
    value_usd: Decimal  # as declared
    quantity: int
    trademark: str
    route: str
    hub: str
    scheme_id: str = ""
    typologies: list[str] = field(default_factory=list)
    layout: str = "declaration"  # or "bill_of_lading": which file of the world carries the line

    @cached_property
    def declaration_number(self) -> str:
        """Customs post / date ddmmyy / serial, as on a Russian declaration; a vendor's bill number."""
        if self.layout == "bill_of_lading":
            return f"SIMU{self.number:010d}"
        d = self.date
        return f"10013160/{d.day:02d}{d.month:02d}{d.year % 100:02d}/{self.number:07d}"

    @property
    def line_id(self) -> str:
        return f"{self.declaration_number}/1"


def split_total(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """``parts`` positive amounts summing exactly to ``total`` (to the cent)."""
    if parts == 0:
        return []
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / Decimal(str(sum(weights)))
    values = [(Decimal(str(w)) * scale).quantize(Decimal("0.01")) for w in weights]
    values[-1] += total - sum(values)
    return values


def spread(rng: random.Random, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    days = (end - start).days
    return sorted(start + dt.timedelta(days=rng.randint(0, days)) for _ in range(n))


class SchemeLines:
    """The lines of one scheme: direct supply, then the route through hubs, with its typologies."""

    def __init__(self, builder: WorldBuilder, scheme: Scheme, target: str, counter: list[int]) -> None:
        self.b, self.s, self.target, self.counter = builder, scheme, target, counter
        rng = builder.rng
        self.maker = builder.maker(scheme.maker_country)
        since = builder.since(new=scheme.new_consignee, dormant=scheme.dormant_importer)
        self.importer = (
            builder.front_importer(self.maker, new=scheme.new_consignee, dormant=scheme.dormant_importer)
            if scheme.front_company
            else builder.entity("importer", target, [*builder.core(), "Trading"], since=since)
        )
        builder.place(self.importer, scheme.importer_address)
        # What the consignee itself shows, on every line of the scheme.
        self.party_typologies = [
            name
            for name, on in (
                ("front_company", scheme.front_company),
                ("new_consignee", scheme.new_consignee),
                ("dormant_company", scheme.dormant_importer),
                ("residential_address", scheme.importer_address == "residential"),
                ("shared_address", scheme.importer_address == "shared"),
            )
            if on
        ]
        hubs = sorted(scheme.indirect.hubs if scheme.indirect else {})
        self.traders = {
            h: builder.entity(
                "hub_trader",
                h,
                [*builder.core(), "Trading"],
                since=dt.date(2022, rng.randint(3, 12), rng.randint(1, 28)),
            )
            for h in hubs
        }
        self.relabel_brand = f"{rng.choice(['NOVA', 'TEKRA', 'VEKTOR', 'STANKOPRO'])}-{rng.randint(10, 99)}"
        if scheme.hub_listed_on and self.traders:
            self.traders[hubs[0]].designated = scheme.hub_listed_on
        for entity in (self.maker, self.importer, *self.traders.values()):
            entity.schemes.append(scheme.id)
        plants = builder.end_users(scheme.end_users, scheme.designated_end_users, dt.date(2023, 2, 24))
        for plant in plants:
            plant.schemes.append(scheme.id)
            builder.world.ties.append(
                Tie(
                    "payment",
                    plant.id,
                    self.importer.id,
                    amount=float(rng.randint(2_000_000, 9_000_000)),
                    start=dt.date(2023, 7, 1),
                )
            )
        if scheme.ownership_chain and plants:
            self._chain(plants[-1])

    def _chain(self, buyer: Entity) -> None:
        """A listed person owns 50 % of a holding that owns 50 % of the buyer: blocked, not listed."""
        b = self.b
        person = b.world.add(
            Entity(
                f"P{b.counter + 1:04d}X",
                "owner",
                "RU",
                ["Ivanov Sergei Petrovich", "ИВАНОВ СЕРГЕЙ ПЕТРОВИЧ"],
                schema="Person",
                designated=dt.date(2022, 4, 6),
                schemes=[self.s.id],
            )
        )
        holding = b.entity("innocent", "RU", [*b.core(), "Group"])
        holding.schemes.append(self.s.id)
        b.world.ties += [
            Tie("ownership", person.id, holding.id, 50.0, start=dt.date(2018, 1, 1)),
            Tie("ownership", holding.id, buyer.id, 50.0, start=dt.date(2019, 1, 1)),
        ]

    def _line(
        self,
        date: dt.date,
        shipper: Entity,
        value: Decimal,
        route: str,
        hub: str,
        typologies: list[str],
        hs: tuple[str, str, str] | None = None,
    ) -> Line:
        rng = self.b.rng
        self.counter[0] += 1
        hs = hs or rng.choice(CNC)
        line = Line(
            self.counter[0],
            date,
            shipper,
            self.importer,
            self.maker,
            self.maker.country,
            self.maker.country,
            hub or self.maker.country,
            hub or self.maker.country,
            hs,
            hs[0],
            value,
            rng.randint(1, 3),
            self.maker.brand,
            route,
            hub,
            self.s.id,
            [*typologies, *self.party_typologies],
        )
        return line

    def lines(self) -> Iterator[Line]:
        rng, s = self.b.rng, self.s
        if s.direct and s.direct.shipments:
            for date, value in zip(*self._leg(s.direct), strict=True):
                yield self._line(date, self.maker, value, "direct", "", ["direct_supply"])
        if s.indirect and s.indirect.shipments:
            hubs = [h for h, k in sorted(s.indirect.hubs.items()) for _ in range(k)]
            hubs += (
                [sorted(s.indirect.hubs)[0]] * (s.indirect.shipments - len(hubs)) if s.indirect.hubs else []
            )
            rng.shuffle(hubs)
            for (date, value), hub in zip(zip(*self._leg(s.indirect), strict=True), hubs, strict=True):
                yield from self._indirect(date, value, hub)

    def _leg(self, leg: Leg) -> tuple[list[dt.date], list[Decimal]]:
        rng = self.b.rng
        return spread(rng, leg.start, leg.end, leg.shipments), split_total(
            rng, Decimal(str(leg.total_usd)), leg.shipments
        )

    def _indirect(self, date: dt.date, value: Decimal, hub: str) -> Iterator[Line]:
        rng, s = self.b.rng, self.s
        machine = rng.choice(CNC)  # one shipment: its lots carry the same goods
        typologies = ["route_switch"]
        declared = (value * Decimal(str(s.price_factor))).quantize(Decimal("0.01"))
        if s.price_factor < 1:
            typologies.append("undervaluation")
        elif s.price_factor > 1:
            typologies.append("markup")
        lots = split_total(rng, declared, s.split_factor) if s.split_factor > 1 else [declared]
        if s.split_factor > 1:
            typologies.append("splitting")
        for lot in lots:
            line = self._line(date, self.traders[hub], lot, "indirect", hub, typologies, machine)
            if rng.random() < s.relabel_share:
                line.trademark, line.declared_origin = self.relabel_brand, hub
                line.typologies.append("relabelling")
            if rng.random() < s.misdeclared_share:
                line.hs = PARTS
                line.typologies.append("misdeclared_hs")
            yield line


INNOCENT_MAKER_COUNTRIES = ("CN", "CN", "TR", "IN", "DE", "IT")
CONTROLLING = {"DE", "IT", "TW", "JP", "US", "KR"}  # their machine tools to the target are controlled
SANCTIONS_START = dt.date(2022, 2, 24)


def innocent_lines(
    builder: WorldBuilder, scenario: Scenario, count: int, counter: list[int]
) -> Iterator[Line]:
    """The base rate: uncontrolled goods from anywhere, machine tools from origins that do not control
    them (or before the controls), and legitimate re-exports of uncontrolled goods through hubs.

    The population grows with the line count (one importer per 2,000 lines, one maker per 10,000)
    so a large world is not five firms trading millions of times; capped so names do not run out.
    """
    rng = builder.rng
    importers = [
        builder.entity("innocent", scenario.target, [*builder.core(), "Service"])
        for _ in range(min(3_000, max(5, count // 2_000)))
    ]
    makers = [
        builder.maker(INNOCENT_MAKER_COUNTRIES[i % len(INNOCENT_MAKER_COUNTRIES)])
        for i in range(min(600, max(6, count // 10_000)))
    ]
    hubs = sorted({h for s in scenario.schemes if s.indirect for h in s.indirect.hubs}) or ["KZ"]
    traders = {h: builder.entity("innocent", h, [*builder.core(), "Logistics"]) for h in hubs}
    days = (scenario.end - scenario.start).days
    for _ in range(count):
        counter[0] += 1
        maker = rng.choice(makers)
        date = scenario.start + dt.timedelta(days=rng.randint(0, days))
        may_ship_machines = maker.country not in CONTROLLING or date < SANCTIONS_START
        machines = may_ship_machines and rng.random() < 0.3
        hs = rng.choice(CNC) if machines else rng.choice(UNCONTROLLED)
        # A machine tool costs tens to hundreds of thousands a piece; other goods ship by the lot.
        quantity = rng.randint(1, 3) if machines else rng.randint(1, 50)
        value = Decimal(rng.randint(40_000, 250_000) * quantity if machines else rng.randint(5_000, 120_000))
        shipper, dispatch, route, hub = maker, maker.country, "direct", ""
        if rng.random() < scenario.innocent_hub_share and hs in UNCONTROLLED:
            hub = rng.choice(hubs)
            if hub != maker.country:
                shipper, dispatch, route = traders[hub], hub, "indirect"
            else:
                hub = ""
        yield Line(
            counter[0],
            date,
            shipper,
            rng.choice(importers),
            maker,
            maker.country,
            maker.country,
            dispatch,
            dispatch,
            hs,
            hs[0],
            value,
            quantity,
            maker.brand,
            route,
            hub,
        )
