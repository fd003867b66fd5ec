"""The appendix: every file loaded, what happened to its rows, and the licences that apply.

The licence table is data (``attributions.yaml``) so that supporting a new source means adding
an entry, not editing code.
"""

from __future__ import annotations

import re
from importlib import resources

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict

from sanctrace.present.report import fmt
from sanctrace.present.report.data import Row, fetch
from sanctrace.present.report.tables import Column, table

TOP_REASONS = 5
_WORD = re.compile(r"[^a-z0-9]+")


class Attribution(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    keys: list[str]
    licence: str
    attribution: str


def load_attributions() -> list[Attribution]:
    text = resources.files("sanctrace.present.report").joinpath("attributions.yaml").read_text("utf-8")
    return [Attribution.model_validate(entry) for entry in yaml.safe_load(text)]


def _words(*values: object) -> set[str]:
    words: set[str] = set()
    for value in values:
        lowered = str(value or "").lower()
        words.add(lowered)
        words.update(w for w in _WORD.split(lowered) if w)
    return words


def matching_attributions(
    sources: list[Row], entries: list[Attribution]
) -> list[tuple[Attribution, list[str]]]:
    """Each entry that applies to a loaded file, with the names of the files it covers."""
    found: list[tuple[Attribution, list[str]]] = []
    for entry in entries:
        keys = {k.lower() for k in entry.keys}
        files = [fmt.file_name(s["path"]) for s in sources if keys & _words(s["format"], s["dataset"])]
        if files:
            found.append((entry, files))
    return found


SOURCES_SQL = """SELECT source_id, path, format, dataset, sha256, loaded_at, rows_read, rows_accepted,
    rows_quarantined, encoding, publisher, licence
FROM sources
ORDER BY source_id"""

REASONS_SQL = """SELECT source_id, reason, count(*) AS n
FROM quarantine
GROUP BY source_id, reason
QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY count(*) DESC, reason) <= $top
ORDER BY source_id, n DESC, reason"""


def _reasons_by_source(con: duckdb.DuckDBPyConnection) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = {}
    for row in fetch(con, REASONS_SQL, {"top": TOP_REASONS}):
        found.setdefault(int(row["source_id"]), []).append(row)
    return found


def _reasons_cell(reasons: list[Row]) -> str:
    if not reasons:
        return "–"
    items = "".join(f"<li>{fmt.esc(r['reason'])} ({fmt.count(r['n'])})</li>" for r in reasons)
    return f'<ul class="reasons">{items}</ul>'


def _file_cell(row: Row) -> str:
    return f'{fmt.esc(fmt.file_name(row["path"]))}<div class="path">{fmt.esc(row["path"])}</div>'


def sources_section(con: duckdb.DuckDBPyConnection) -> str:
    sources = fetch(con, SOURCES_SQL)
    if not sources:
        return '<p class="note">No source file is recorded in this warehouse.</p>'
    reasons = _reasons_by_source(con)
    columns = [
        Column("id", lambda r: fmt.count(r["source_id"]), numeric=True),
        Column("file", _file_cell),
        Column("format", lambda r: fmt.esc(r["format"])),
        Column("dataset", lambda r: fmt.esc(r["dataset"])),
        Column("sha256", lambda r: f'<code class="sha">{fmt.esc(r["sha256"])}</code>'),
        Column("loaded at", lambda r: fmt.esc(str(r["loaded_at"])[:19])),
        Column("read", lambda r: fmt.count(r["rows_read"]), numeric=True),
        Column("accepted", lambda r: fmt.count(r["rows_accepted"]), numeric=True),
        Column("quarantined", lambda r: fmt.count(r["rows_quarantined"]), numeric=True),
        Column("top quarantine reasons", lambda r: _reasons_cell(reasons.get(int(r["source_id"]), []))),
        Column("licence (as loaded)", lambda r: fmt.esc(r["licence"] or r["publisher"] or "")),
    ]
    return table(columns, sources, css="data sources") + licences_section(sources)


def licences_section(sources: list[Row]) -> str:
    matched = matching_attributions(sources, load_attributions())
    covered = {f for _, files in matched for f in files}
    rows: list[Row] = [
        {"name": e.name, "licence": e.licence, "attribution": e.attribution, "files": ", ".join(files)}
        for e, files in matched
    ]
    unknown = [fmt.file_name(s["path"]) for s in sources if fmt.file_name(s["path"]) not in covered]
    if unknown:
        rows.append(
            {
                "name": "Other inputs",
                "licence": "not recorded",
                "attribution": "Check the terms agreed with the provider of these files before publishing.",
                "files": ", ".join(unknown),
            }
        )
    columns = [
        Column("data", lambda r: fmt.esc(r["name"])),
        Column("licence", lambda r: fmt.esc(r["licence"])),
        Column("attribution", lambda r: fmt.esc(r["attribution"])),
        Column("files", lambda r: fmt.esc(r["files"])),
    ]
    return "<h3>Licences and attributions</h3>\n" + table(columns, rows, css="data licences")
