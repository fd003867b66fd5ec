-- Version 3: what changed between two versions of a sanctions list loaded into the same dataset.
-- One row per party added, removed or changed; `fields_changed` is ';'-joined (name;programs;aliases;...).
CREATE TABLE list_changes (
    dataset            VARCHAR NOT NULL,
    list               VARCHAR NOT NULL,
    source_id          INTEGER NOT NULL,  -- the newer file
    previous_source_id INTEGER NOT NULL,  -- the file it was compared with
    party_id           VARCHAR NOT NULL,
    change             VARCHAR NOT NULL,  -- added | removed | changed
    fields_changed     VARCHAR,
    detected_at        TIMESTAMP NOT NULL
);

-- The entries of every list version loaded, as a comparable signature (JSON of the fields that
-- matter), so the next version can be compared with this one without re-reading the old file.
CREATE TABLE list_entries (
    dataset   VARCHAR NOT NULL,
    list      VARCHAR NOT NULL,
    source_id INTEGER NOT NULL,
    party_id  VARCHAR NOT NULL,
    signature VARCHAR NOT NULL
);
