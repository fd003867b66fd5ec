"""The scenario YAML: which typologies a world contains and how they are tuned."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sanctrace.errors import UserError


class Leg(BaseModel):
    """One phase of a scheme's shipments: how many, how much in all, when, through which hubs."""

    model_config = ConfigDict(extra="forbid")
    shipments: int = Field(ge=0)
    total_usd: float = Field(ge=0)
    start: dt.date
    end: dt.date
    hubs: dict[str, int] = Field(default_factory=dict)  # hub country -> shipments (indirect legs)


class Scheme(BaseModel):
    """A maker's goods reaching a target importer, direct then re-routed, with its typologies."""

    model_config = ConfigDict(extra="forbid")
    id: str
    maker_country: str = "TW"
    direct: Leg | None = None
    indirect: Leg | None = None
    front_company: bool = True  # importer named like the maker, with a former shared owner
    relabel_share: float = Field(0.0, ge=0, le=1)  # indirect lines under a new brand, origin = hub
    split_factor: int = Field(1, ge=1)  # each indirect shipment split into this many small lots
    price_factor: float = Field(1.0, gt=0)  # declared value / true value on indirect lines
    misdeclared_share: float = Field(0.0, ge=0, le=1)  # lines declared as parts (846693)
    new_consignee: bool = False  # importer incorporated after 2022-02-24
    end_users: int = Field(3, ge=0)
    designated_end_users: int = Field(1, ge=0)
    ownership_chain: bool = False  # a holding owned 50/50 by a designated person blocks a buyer
    hub_listed_on: dt.date | None = None  # the first hub trader is designated on this date
    dormant_importer: bool = False  # importer registered years ago, silent until the scheme starts
    importer_address: Literal["ordinary", "residential", "shared"] = "ordinary"  # shared: mass address

    @model_validator(mode="after")
    def _consistent(self) -> Scheme:
        if self.dormant_importer and self.new_consignee:
            raise ValueError(f"scheme {self.id}: an importer cannot be both dormant and newly incorporated")
        return self


class Noise(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name_variant_rate: float = Field(default=0.3, ge=0, le=1)
    missing_identifier_rate: float = Field(default=0.15, ge=0, le=1)
    wrong_identifier_rate: float = Field(default=0.02, ge=0, le=1)
    country_as_name_rate: float = Field(default=0.5, ge=0, le=1)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str
    encoding: str = "cp1251"
    target: str = "RU"
    start: dt.date
    end: dt.date
    schemes: list[Scheme]
    innocent_lines: int = Field(0, ge=0)  # scaled up by --lines
    innocent_hub_share: float = Field(0.1, ge=0, le=1)  # innocent lines re-exported through a hub
    # Indirect lines dispatched from these hubs are known only from a shipment-data vendor's bills
    # of lading (declarations/bills_of_lading.csv), not from the target's declarations.
    bill_of_lading_hubs: list[str] = Field(default_factory=list)
    target_imports: bool = False  # also write the target's own import statistics by origin (CIF)
    noise: Noise = Noise()


def load_scenario(name: str) -> Scenario:
    """A scenario shipped with the package (``config/scenarios/NAME.yaml``) or a YAML path."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        text, origin = path.read_text("utf-8"), str(path)
    else:
        entry = resources.files("sanctrace").joinpath("config", "scenarios", f"{name}.yaml")
        if not entry.is_file():
            known = sorted(
                e.name[:-5]
                for e in resources.files("sanctrace").joinpath("config", "scenarios").iterdir()
                if e.name.endswith(".yaml")
            )
            raise UserError(f"no scenario {name!r}; shipped: {', '.join(known)} (or pass a YAML path)")
        text, origin = entry.read_text("utf-8"), f"scenario {name}"
    try:
        return Scenario.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise UserError(f"{origin}: {' '.join(str(exc).splitlines()[:3])}") from exc
