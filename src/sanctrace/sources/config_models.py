"""Schemas of the YAML data files (baskets, control events, country aliases, maker aliases).

Config is data: these models are the only place that says what a valid file looks like, and
``parse_config`` turns any violation into one line naming the file and the field.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sanctrace.errors import UserError

from .loading import read_yaml

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
Iso2 = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_text(value: Any) -> Any:
    """YAML reads ``version: 2024-02`` as text but ``2024-02-23`` as a date; both mean a label."""
    if isinstance(value, date | int | float) and not isinstance(value, bool):
        return str(value)
    return value


class BasketEntry(_Strict):
    hs_prefix: Annotated[str, Field(pattern=r"^\d{2,10}$")]
    tier: str | None = None
    description: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None

    @field_validator("hs_prefix", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        # Unquoted 0101 is octal 65 in YAML 1.1: only a quoted string keeps leading zeros.
        if isinstance(value, int):
            raise ValueError("must be a quoted string, e.g. '845710' (unquoted numbers lose leading zeros)")
        return value

    @field_validator("tier", mode="before")
    @classmethod
    def _tier_text(cls, value: Any) -> Any:
        return _as_text(value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> BasketEntry:
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError(
                f"effective_to {self.effective_to} is before effective_from {self.effective_from}"
            )
        return self


class BasketFile(_Strict):
    name: Slug
    version: str
    description: str
    source: str | None = None
    reference: str | None = None
    entries: Annotated[list[BasketEntry], Field(min_length=1)]

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return _as_text(value)

    @model_validator(mode="after")
    def _no_overlapping_duplicates(self) -> BasketFile:
        seen: dict[str, list[BasketEntry]] = {}
        for entry in self.entries:
            for other in seen.get(entry.hs_prefix, []):
                if _overlap(entry, other):
                    raise ValueError(f"hs_prefix {entry.hs_prefix} is listed twice for overlapping dates")
            seen.setdefault(entry.hs_prefix, []).append(entry)
        return self


def _overlap(a: BasketEntry, b: BasketEntry) -> bool:
    a_from, b_from = a.effective_from or date.min, b.effective_from or date.min
    a_to, b_to = a.effective_to or date.max, b.effective_to or date.max
    return a_from <= b_to and b_from <= a_to


class ControlEvent(_Strict):
    event_id: Slug
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,6}(,[A-Z0-9]{2,6})*$")]
    event_date: date
    date_precision: Literal["day", "month"] = "day"
    description: Annotated[str, Field(min_length=1)]
    basket: Slug | None = None
    reference: str | None = None


class ControlEventsFile(_Strict):
    events: Annotated[list[ControlEvent], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> ControlEventsFile:
        ids = [event.event_id for event in self.events]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate event_id: {', '.join(duplicates)}")
        return self


class GroupMember(_Strict):
    iso2: Iso2
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive

    @model_validator(mode="after")
    def _ordered(self) -> GroupMember:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError(
                f"{self.iso2}: valid_to {self.valid_to} is not after valid_from {self.valid_from}"
            )
        return self


class CountryGroup(_Strict):
    group: Annotated[str, Field(pattern=r"^[A-Z0-9_]{2,20}$")]
    description: Annotated[str, Field(min_length=1)]
    reference: str | None = None
    members: Annotated[list[GroupMember], Field(min_length=1)]

    @model_validator(mode="after")
    def _members_once(self) -> CountryGroup:
        codes = [m.iso2 for m in self.members]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(
                f"group {self.group}: listed more than once: {', '.join(repeated)} (one entry per member;"
                " a country that left and rejoined needs a second group id)"
            )
        return self


class CountryGroupsFile(_Strict):
    groups: Annotated[list[CountryGroup], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_groups(self) -> CountryGroupsFile:
        ids = [g.group for g in self.groups]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate group: {', '.join(duplicates)}")
        return self


AliasKind = Literal["name_en", "name_ru", "comtrade", "custom"]


class CountryAliasSet(_Strict):
    name_en: list[str] = []
    name_ru: list[str] = []
    comtrade: list[str] = []
    custom: list[str] = []

    @field_validator("comtrade", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        return [_as_text(v) for v in value] if isinstance(value, list) else value

    def by_kind(self) -> list[tuple[AliasKind, str]]:
        kinds: tuple[AliasKind, ...] = ("name_en", "name_ru", "comtrade", "custom")
        return [(kind, alias) for kind in kinds for alias in getattr(self, kind)]


class CountryAliasesFile(_Strict):
    countries: dict[Iso2, CountryAliasSet]


class Maker(_Strict):
    """One maker: its headquarters country and every spelling of its name and brands."""

    id: Slug
    name: Annotated[str, Field(min_length=1)]
    hq_country: Iso2
    names: list[Annotated[str, Field(min_length=1)]] = []
    brands: list[Annotated[str, Field(min_length=1)]] = []
    note: str | None = None

    @field_validator("names", "brands", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        # A brand such as 1000 or a date-like model name is still a spelling, not a number.
        return [_as_text(v) for v in value] if isinstance(value, list) else value

    def aliases(self) -> list[tuple[str, str]]:
        """(kind, alias) pairs: the display name and names as ``name``, brands as ``brand``."""
        seen: set[tuple[str, str]] = set()
        out: list[tuple[str, str]] = []
        pairs = [("name", self.name), *(("name", n) for n in self.names)]
        pairs += [("brand", b) for b in self.brands]
        for kind, alias in pairs:
            if (kind, alias) not in seen:
                seen.add((kind, alias))
                out.append((kind, alias))
        return out


class MakersFile(_Strict):
    """A maker alias file: makers with HQ country and aliases, plus texts that mean "none given"."""

    description: str
    source: str | None = None
    makers: Annotated[list[Maker], Field(min_length=1)]
    placeholders: list[Annotated[str, Field(min_length=1)]] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> MakersFile:
        ids = [maker.id for maker in self.makers]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate maker id: {', '.join(duplicates)}")
        owners: dict[str, str] = {}
        for maker in self.makers:
            for _, alias in maker.aliases():
                folded = " ".join(alias.casefold().split())
                other = owners.setdefault(folded, maker.id)
                if other != maker.id:
                    raise ValueError(f"alias {alias!r} is listed for two makers: {other} and {maker.id}")
        return self


Model = TypeVar("Model", bound=BaseModel)


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def format_validation_error(path: Path, exc: ValidationError, limit: int = 3) -> str:
    """One line: ``file: field: problem``; the first few problems, then a count of the rest."""
    problems = []
    for error in exc.errors()[:limit]:
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{_location(tuple(error['loc']))}: {message}")
    rest = exc.error_count() - limit
    suffix = f" (and {rest} more)" if rest > 0 else ""
    return f"{path}: " + "; ".join(problems) + suffix


def looks_like_config(path: Path, head: str, *top_keys: str) -> bool:
    """A YAML file whose head has each of ``top_keys`` at the start of a line (what a sniffer needs
    to tell baskets, control events, country groups and makers apart)."""
    return path.suffix.lower() in (".yaml", ".yml") and all(
        re.search(rf"^{re.escape(key)}:", head, re.MULTILINE) for key in top_keys
    )


def parse_config(path: Path, model: type[Model]) -> Model:
    """Read a YAML file and validate it, or raise a UserError naming the file and the field."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping at the top level, found {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(path, exc)) from exc
