"""Column mappings: which header of a vendor's file feeds which column of ``declarations``.

A mapping is a YAML file (schema: ``ColumnMapping``), so supporting a new vendor layout means writing
a file, not code. Presets ship in ``sanctrace/config/mappings``; users pass a preset name or the path
of their own file, or let the loader pick the preset whose headers fit the file. The user guide is
docs/inputs/declarations.md.

Headers are compared after trimming, case folding, ``ё`` -> ``е`` and collapsing spaces, so
``Номер  ДТ`` and ``номер дт`` are the same header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from sanctrace.errors import UserError
from sanctrace.sources.loading import read_yaml

Kind = Literal["text", "integer", "flow", "date", "code", "country", "decimal", "number"]

# The columns of ``declarations`` a mapping may fill, with how their text is read.
DECLARATION_FIELDS: dict[str, Kind] = {
    "declaration_number": "text",
    "item_number": "integer",
    "flow": "flow",
    "registration_date": "date",
    "release_date": "date",
    "commodity_code": "code",
    "description": "text",
    "manufacturer_text": "text",
    "trademark_text": "text",
    "origin_country": "country",
    "dispatch_country": "country",
    "trading_country": "country",
    "destination_country": "country",
    "shipper_name": "text",
    "shipper_identifier": "text",
    "shipper_address": "text",
    "shipper_country": "country",
    "consignee_name": "text",
    "consignee_identifier": "text",
    "consignee_address": "text",
    "consignee_country": "country",
    "invoice_value": "decimal",
    "invoice_currency": "text",
    "customs_value": "decimal",
    "value_usd": "decimal",
    "net_kg": "number",
    "gross_kg": "number",
    "quantity": "number",
    "quantity_unit": "text",
    "incoterms": "text",
}
ALWAYS_REQUIRED = ("declaration_number", "item_number")


def normalise_header(text: str) -> str:
    cleaned = text.replace("\ufeff", "").strip().strip('"').casefold().replace("ё", "е")
    return " ".join(cleaned.split())


class FieldSpec(BaseModel):
    """Headers that may hold a field; ``fallback`` headers are used where the preferred cell is empty."""

    model_config = ConfigDict(extra="forbid")
    headers: list[str]
    fallback: list[str] = []


class ParseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delimiter: str | None = None  # None: the most frequent of ; , tab | in the header line
    decimal_comma: bool = True  # a lone comma in a number is the decimal mark
    day_first: bool = True  # 01.02.2023 is 1 February (used when date_formats is empty)
    date_formats: list[str] = []  # strptime formats tried in order; ISO dates are always accepted

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError("delimiter must be one character")
        return value


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    parse: ParseSettings = ParseSettings()
    required: list[str] = list(ALWAYS_REQUIRED)
    defaults: dict[str, str] = {}
    flow_values: dict[str, Literal["import", "export"]] = {}
    fields: dict[str, FieldSpec]
    description_extras: dict[str, list[str]] = {}

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``field: [header, ...]`` is short for ``field: {headers: [header, ...]}``."""
        if isinstance(value, dict):
            return {k: {"headers": v} if isinstance(v, list) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> ColumnMapping:
        named = set(self.fields) | set(self.required) | set(self.defaults)
        unknown = sorted(named - set(DECLARATION_FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(DECLARATION_FIELDS)}")
        for name in ALWAYS_REQUIRED:
            if name not in self.required:
                self.required.append(name)
        missing = [f for f in self.required if f not in self.fields and f not in self.defaults]
        if missing:
            raise ValueError(f"required field(s) {', '.join(missing)} have no headers")
        self.flow_values = {normalise_header(k).upper(): v for k, v in self.flow_values.items()}
        return self


@dataclass
class ResolvedMapping:
    """A mapping applied to one file's header: field -> column positions (0-based), best first."""

    mapping: ColumnMapping
    columns: dict[str, list[int]] = field(default_factory=dict)
    extras: dict[str, int] = field(default_factory=dict)
    missing_required: list[str] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return not self.missing_required


def _find(aliases: list[str], positions: dict[str, int]) -> int | None:
    for alias in aliases:
        position = positions.get(normalise_header(alias))
        if position is not None:
            return position
    return None


def resolve(mapping: ColumnMapping, header: list[str]) -> ResolvedMapping:
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(normalise_header(name), i)
    resolved = ResolvedMapping(mapping)
    for name, spec in mapping.fields.items():
        found = [
            p for p in (_find(spec.headers, positions), _find(spec.fallback, positions)) if p is not None
        ]
        if found:
            resolved.columns[name] = found
    for label, aliases in mapping.description_extras.items():
        position = _find(aliases, positions)
        if position is not None:
            resolved.extras[label] = position
    resolved.missing_required = [
        f for f in mapping.required if f not in resolved.columns and f not in mapping.defaults
    ]
    return resolved


def _presets_folder() -> Path:
    return Path(str(resources.files("sanctrace").joinpath("config", "mappings")))


def preset_names() -> list[str]:
    return sorted(p.stem for p in _presets_folder().glob("*.yaml"))


def load_mapping_file(path: Path) -> ColumnMapping:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: a column mapping must be a YAML mapping (name:, fields:, ...)")
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise UserError(f"{path}: invalid column mapping at {where}: {first['msg']}") from exc


def load_mapping(spec: str) -> ColumnMapping:
    """A preset name (``ru-declarations``) or the path of a mapping YAML file."""
    candidate = Path(spec)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise UserError(f"{spec}: no such mapping file")
        return load_mapping_file(candidate)
    preset = _presets_folder() / f"{spec}.yaml"
    if not preset.is_file():
        raise UserError(
            f"unknown column mapping {spec!r}; presets: {', '.join(preset_names())} (or a YAML path)"
        )
    return load_mapping_file(preset)


def best_preset(header: list[str]) -> ResolvedMapping | None:
    """The preset that finds every required column and the most columns overall."""
    fitting = [r for r in (resolve(load_mapping(n), header) for n in preset_names()) if r.fits]
    if not fitting:
        return None
    return max(fitting, key=lambda r: len(r.columns) + len(r.extras))
