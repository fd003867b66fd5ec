-- Version 7: declarations.line_id is computed from declaration_number and item_number when read
-- (a VIRTUAL generated column) instead of stored. It was always exactly declaration_number || '/' ||
-- item_number; storing ten million unique strings cost ~10 % of a declarations load (compression
-- analysis and writing), and reading it back costs about what the concatenation costs.
-- DuckDB cannot add a generated column to a table, so the table is rebuilt: same columns, same
-- order, same rows (insertion order kept). Meanings: docs/ARCHITECTURE.md; why: docs/decisions/0022.
ALTER TABLE declarations RENAME TO declarations_v6;

CREATE TABLE declarations (
    line_id              VARCHAR GENERATED ALWAYS AS (declaration_number || '/' || CAST(item_number AS VARCHAR)) VIRTUAL,
    declaration_number   VARCHAR NOT NULL,
    item_number          INTEGER NOT NULL,
    source_id            INTEGER NOT NULL,
    row_number           BIGINT NOT NULL,
    flow                 VARCHAR,            -- import | export
    registration_date    DATE,
    release_date         DATE,
    commodity_code       VARCHAR,            -- national code, digits only (TN VED 10, CN 8, ...)
    hs6                  VARCHAR,            -- first six digits, comparable across countries
    description          VARCHAR,
    manufacturer_text    VARCHAR,
    trademark_text       VARCHAR,
    origin_country       VARCHAR,            -- ISO-2, where made (G34 / G16)
    dispatch_country     VARCHAR,            -- ISO-2, where shipped from (G15)
    trading_country      VARCHAR,            -- ISO-2, seller's country (G11)
    destination_country  VARCHAR,            -- ISO-2 (G17)
    shipper_name         VARCHAR,
    shipper_identifier   VARCHAR,
    shipper_address      VARCHAR,
    shipper_country      VARCHAR,
    shipper_party_id     VARCHAR,            -- filled by resolve
    consignee_name       VARCHAR,
    consignee_identifier VARCHAR,
    consignee_address    VARCHAR,
    consignee_country    VARCHAR,
    consignee_party_id   VARCHAR,            -- filled by resolve
    invoice_value        DECIMAL(18, 2),
    invoice_currency     VARCHAR,
    customs_value        DECIMAL(18, 2),
    value_usd            DECIMAL(18, 2),
    net_kg               DOUBLE,
    gross_kg             DOUBLE,
    quantity             DOUBLE,
    quantity_unit        VARCHAR,
    incoterms            VARCHAR
);

INSERT INTO declarations BY NAME SELECT * EXCLUDE (line_id) FROM declarations_v6;

DROP TABLE declarations_v6;
