"""The entities of a world: makers, hub traders, importers, end users, innocents, and their ties."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sanctrace.errors import UserError
from sanctrace.resolve.identifiers import is_valid
from sanctrace.simulate.names import TW_CITIES, WORDS, variants
from sanctrace.simulate.ownership import blocked_by_ownership
from sanctrace.simulate.scenario import Scenario

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_PHONE_PREFIX = {
    "RU": "+7 495",
    "TW": "+886 4",
    "CN": "+86 21",
    "TR": "+90 212",
    "KZ": "+7 727",
    "DE": "+49 711",
}
_RU_STREETS = ["Лесная", "Садовая", "Советская", "Заводская", "Парковая", "Молодёжная", "Школьная"]


@dataclass
class Entity:
    id: str
    role: str  # maker | hub_trader | front_importer | importer | end_user | innocent | owner
    country: str
    names: list[str]
    schema: str = "Company"
    identifiers: dict[str, str] = field(default_factory=dict)
    incorporated: dt.date | None = None
    address: str = ""
    phone: str = ""
    brand: str = ""
    designated: dt.date | None = None
    schemes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Tie:
    kind: str  # ownership | officer | payment
    subject: str
    object: str
    percent: float | None = None
    role: str | None = None
    amount: float | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class World:
    entities: dict[str, Entity] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)

    def add(self, entity: Entity) -> Entity:
        self.entities[entity.id] = entity
        return entity

    def blocked(self, on: dt.date) -> set[str]:
        listed = [e.id for e in self.entities.values() if e.designated and e.designated <= on]
        stakes = [
            (t.subject, t.object, t.percent or 0.0)
            for t in self.ties
            if t.kind == "ownership" and (t.start is None or t.start <= on) and (t.end is None or t.end >= on)
        ]
        return blocked_by_ownership(listed, stakes)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def valid_identifier(scheme: str, rng: random.Random) -> str:
    """A well-formed number with correct check digits (INN 10, OGRN 13, UBN, VKN, USCC)."""
    shapes = {"inn": 9, "ogrn": 12, "ubn": 7, "vkn": 9}
    while True:
        if scheme == "uscc":
            base = "9144" + _digits(rng, 4) + "MA" + "".join(rng.choice(_USCC_CHARS) for _ in range(7))
            for last in _USCC_CHARS:
                if is_valid("uscc", base + last):
                    return base + last
            continue
        base = ("1" if scheme == "ogrn" else "") + _digits(
            rng, shapes[scheme] - (1 if scheme == "ogrn" else 0)
        )
        for last in "0123456789":
            if is_valid(scheme, base + last):
                return base + last


class WorldBuilder:
    """Creates entities with unique fictional names from a seeded random source."""

    def __init__(self, scenario: Scenario, rng: random.Random) -> None:
        self.scenario, self.rng, self.world = scenario, rng, World()
        self.used: set[tuple[str, ...]] = set()
        self.counter = 0

    def core(self) -> list[str]:
        """Two distinct words not used before; three once the pairs run out (large worlds)."""
        pairs = len(WORDS) * (len(WORDS) - 1)
        size = 2 if len(self.used) < pairs else 3
        if len(self.used) >= pairs + pairs * (len(WORDS) - 2):
            raise UserError("the simulated world ran out of company names; ask for fewer lines")
        while True:
            words = tuple(self.rng.sample(WORDS, size))
            if words not in self.used:
                self.used.add(words)
                return list(words)

    def entity(self, role: str, country: str, core: list[str], *, since: dt.date | None = None) -> Entity:
        self.counter += 1
        schemes = {"RU": "inn", "TW": "ubn", "CN": "uscc", "TR": "vkn"}
        ids = {schemes[country]: valid_identifier(schemes[country], self.rng)} if country in schemes else {}
        if country == "RU":
            ids["ogrn"] = valid_identifier("ogrn", self.rng)
        incorporated = since or dt.date(
            self.rng.randint(1995, 2015), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )
        street = f"{self.rng.choice(WORDS)} Street {self.rng.randint(1, 200)}"
        prefix = _PHONE_PREFIX.get(country, "+1 212")
        phone = f"{prefix} {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"
        return self.world.add(
            Entity(
                f"E{self.counter:04d}",
                role,
                country,
                variants(core, country, self.rng),
                identifiers=ids,
                incorporated=incorporated,
                address=f"{street}, {country}",
                phone=phone,
            )
        )

    def maker(self, country: str) -> Entity:
        core = self.core()
        city = self.rng.choice(sorted(TW_CITIES)) if country == "TW" else ""
        maker = self.entity("maker", country, [*([city] if city else []), *core, "Machinery"])
        maker.brand = " ".join(core).upper()
        if city:  # the pinyin spelling of the same firm appears too
            maker.names.append(maker.names[0].replace(city, TW_CITIES[city]))
        return maker

    def since(self, *, new: bool, dormant: bool) -> dt.date | None:
        """Incorporation: after 2022-02-24 for a new consignee, 2006-2012 for a dormant one."""
        if new:
            return dt.date(2022, self.rng.randint(4, 12), self.rng.randint(1, 28))
        if dormant:
            return dt.date(self.rng.randint(2006, 2012), self.rng.randint(1, 12), self.rng.randint(1, 28))
        return None

    def place(self, entity: Entity, kind: str) -> None:
        """A residential flat, or a mass-registration address shared with shell companies."""
        rng = self.rng
        street = f"г. Москва, ул. {rng.choice(_RU_STREETS)}, д. {rng.randint(1, 90)}"
        if kind == "residential":
            entity.address = f"{street}, кв. {rng.randint(1, 240)}"
        elif kind == "shared":
            entity.address = f"{street}, офис {rng.randint(1, 9)}"
            for _ in range(3):
                shell = self.entity("innocent", entity.country, [*self.core(), "Consulting"])
                shell.address, shell.phone = entity.address, entity.phone  # one office, one line

    def front_importer(self, maker: Entity, *, new: bool, dormant: bool = False) -> Entity:
        core = list(maker.brand.title().split())
        since = self.since(new=new, dormant=dormant)
        importer = self.entity("front_importer", "RU", [*core, "Technology"], since=since)
        owner = self.world.add(
            Entity(f"P{self.counter:04d}", "owner", "TW", [f"Chen {self.rng.choice(WORDS)}"], schema="Person")
        )
        stake_end = dt.date(2015, 6, 30)
        self.world.ties += [
            Tie("ownership", owner.id, importer.id, 30.0, start=importer.incorporated, end=stake_end),
            Tie("officer", owner.id, maker.id, role="Sales Director", start=dt.date(2016, 3, 1)),
        ]
        return importer

    def end_users(self, count: int, designated: int, listed_on: dt.date) -> list[Entity]:
        plants = []
        for i in range(count):
            plant = self.entity("end_user", "RU", [*self.core(), "Precision"])
            if i < designated:
                plant.designated = listed_on
            plants.append(plant)
        return plants
