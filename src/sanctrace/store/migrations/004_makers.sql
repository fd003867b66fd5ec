-- Version 4: makers, their brands and headquarters (brand attribution, issue 6).
-- Additive only. Meanings: docs/ARCHITECTURE.md.

-- Every spelling of a maker or its brands, from YAML files (src/sanctrace/config/makers/ or the
-- user's own, loaded with `sanctrace ingest`). kind: name (a company name of the maker) | brand (a
-- trademark it sells under) | placeholder (a text that means "no maker/brand given", maker NULL).
-- alias_key is the language-independent key of the alias (resolve.names.name_key), filled by the
-- resolve step (resolve/makers.py) like declarations.shipper_party_id; NULL until it has run.
CREATE TABLE maker_aliases (
    maker       VARCHAR,            -- slug id of the maker, NULL for placeholders
    maker_name  VARCHAR,            -- display name
    hq_country  VARCHAR,            -- ISO-2 of the headquarters
    alias       VARCHAR NOT NULL,   -- the spelling as written in the file
    kind        VARCHAR NOT NULL,   -- name | brand | placeholder
    alias_key   VARCHAR,            -- filled by resolve
    source_id   INTEGER             -- the YAML file (table sources)
);

-- One row per distinct manufacturer_text / trademark_text of declarations, written by the resolve
-- step: the text's key and the key of the maker alias it matched (exact key, or every word of the
-- alias found in the text). SQL joins on alias_key only; the matching itself is Python.
CREATE TABLE maker_text_keys (
    text       VARCHAR NOT NULL,    -- raw text exactly as in declarations
    text_key   VARCHAR,             -- resolve.names.name_key(text)
    alias_key  VARCHAR,             -- key of the matched maker_aliases row(s); NULL: no match
    match      VARCHAR NOT NULL     -- exact | contains | ambiguous | none
);
