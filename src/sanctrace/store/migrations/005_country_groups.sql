-- Version 5: country groups (config/country_groups.yaml), read by hub_indicators.
-- Additive only. Meanings: docs/ARCHITECTURE.md.

-- One row per (group, member country, validity). valid_to is exclusive; NULL bounds are open.
CREATE TABLE country_groups (
    country_group  VARCHAR NOT NULL,  -- e.g. EU27: used as hub_indicators.reporter_group
    iso2           VARCHAR NOT NULL,  -- member country
    valid_from     DATE,
    valid_to       DATE,
    description    VARCHAR,
    source_id      INTEGER            -- the YAML file (table sources)
);
