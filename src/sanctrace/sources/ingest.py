"""Load a file or a folder: pick each file's format (given or sniffed) and call its loader.

The registry is a list of (format name, sniff, load) entries, tried in order: the first whose sniff
accepts a file's head decides, so narrow layouts come before broad ones. Modules written alongside
this one are imported by name; one that does not exist (yet) simply contributes no entries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb

from sanctrace.errors import UserError
from sanctrace.sources import declarations, trade_flows
from sanctrace.sources.base import LoadOptions, LoadReport
from sanctrace.sources.descriptors import apply_descriptor
from sanctrace.sources.encoding import read_head

SniffFunction = Callable[[Path, str], bool]
LoadFunction = Callable[[duckdb.DuckDBPyConnection, Path, LoadOptions], LoadReport]
SKIPPED_NAMES = ("README", "LICENSE", "LICENCE", "METADATA")  # sidecars are read by their loaders
SKIPPED_SUFFIXES = (".md",)


@dataclass(frozen=True)
class FormatEntry:
    name: str
    sniff: SniffFunction
    load: LoadFunction


def _sniff_is(sniff_format: Callable[[Path, str], str | None], fmt: str) -> SniffFunction:
    return lambda path, head: sniff_format(path, head) == fmt


def _optional(module: str) -> ModuleType | None:
    """The module, or None when it does not exist; an error inside an existing module propagates."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def _single(module: ModuleType) -> list[FormatEntry]:
    """A module with the plain contract: FORMAT, sniff(path, head), load(con, path, options)."""
    return [FormatEntry(module.FORMAT, module.sniff, module.load)]


def _multi(module: ModuleType) -> list[FormatEntry]:
    """A module with several formats: FORMATS, sniff_format(path, head), load(con, path, options, fmt)."""
    load: Any = module.load
    return [
        FormatEntry(fmt, _sniff_is(module.sniff_format, fmt), partial(load, fmt=fmt))
        for fmt in module.FORMATS
    ]


def registry() -> list[FormatEntry]:
    """Every known format, in sniffing order."""
    entries: list[FormatEntry] = []
    ofac = _optional("sanctrace.sources.ofac_sdn")
    if ofac is not None:  # sniffed by exact file name and shape: before every broader CSV layout
        entries.append(FormatEntry(ofac.FORMAT, ofac.sniff, ofac.load))
        entries.append(FormatEntry(ofac.PART_FORMAT, ofac.sniff_part, ofac.load_part))
    uk = _optional("sanctrace.sources.uk_sanctions")
    if uk is not None:
        entries.append(FormatEntry(uk.FORMAT, uk.sniff, uk.load))
        entries.append(FormatEntry(uk.PART_FORMAT, uk.sniff_part, uk.load_part))
    for name in ("sanctrace.sources.ofac_flat", "sanctrace.sources.eu_journal"):
        module = _optional(name)
        if module is not None:
            entries.extend(_single(module))
    # --- formats written by other engineers (reference data, registries, FtM) -------------------
    # Structured/narrow layouts first: YAML config, FtM JSON, registry and reference CSV layouts.
    for name, kind in (
        ("sanctrace.sources.baskets", _single),
        ("sanctrace.sources.control_events", _single),
        ("sanctrace.sources.country_groups", _single),
        ("sanctrace.sources.exchange_rates", _single),
        ("sanctrace.sources.maker_aliases", _single),
        ("sanctrace.sources.ftm", _single),
        ("sanctrace.sources.countries", _single),
        ("sanctrace.sources.hs_nomenclature", _single),
        ("sanctrace.sources.registry", _multi),
    ):
        module = _optional(name)
        if module is not None:
            entries.extend(kind(module))
    # --- end of the block of other engineers' formats ---------------------------------------------
    entries.extend(_multi(trade_flows))
    entries.append(FormatEntry(declarations.FORMAT, declarations.sniff, declarations.load))
    return entries


def format_names() -> list[str]:
    return [entry.name for entry in registry()]


def ensure_reference(con: duckdb.DuckDBPyConnection) -> list[LoadReport]:
    """Load the bundled reference data (countries and their aliases, ...) into an empty warehouse.

    Country texts in every input are resolved through ``country_aliases``; without it every row
    would be quarantined as "unknown country".
    """
    row = con.execute("SELECT count(*) FROM country_aliases").fetchone()
    if row is not None and int(row[0]) > 0:
        return []
    bundled = _optional("sanctrace.sources.bundled")
    if bundled is None:
        return []
    reports: list[LoadReport] = bundled.load_bundled_reference(con)
    return reports


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise UserError(f"{path}: no such file or folder")
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
        and not p.name.upper().startswith(SKIPPED_NAMES)
        and p.suffix.lower() not in SKIPPED_SUFFIXES
    )


def _choose(path: Path, entries: list[FormatEntry], fmt: str | None) -> FormatEntry:
    names = [e.name for e in entries]
    if fmt is not None:
        for entry in entries:
            if entry.name == fmt:
                return entry
        raise UserError(f"unknown format {fmt!r}; one of {', '.join(names)}")
    head = read_head(path)
    for entry in entries:
        if entry.sniff(path, head):
            return entry
    raise UserError(f"cannot tell the format of {path}; pass --format (one of {', '.join(names)})")


def ingest_path(
    con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, fmt: str | None = None
) -> list[LoadReport]:
    """Load one file, or every file under a folder (sorted; README, LICENSE and .md files skipped).

    Every file's format is settled before any is loaded, so an unrecognised file stops the run
    before it changes anything. Each file is loaded in its own transaction.
    """
    reports = ensure_reference(con)
    entries = registry()
    plan = [(p, _choose(p, entries, fmt)) for p in _files(path)]
    # A file that belongs to a set (OFAC's add.csv, alt.csv ...) is loaded by the set's main file:
    # load main files first so each report says what happened to its own file.
    plan.sort(key=lambda item: item[1].name.endswith("-part"))
    for file, entry in plan:
        report = entry.load(con, file, options)
        apply_descriptor(con, report)
        reports.append(report)
    return reports
