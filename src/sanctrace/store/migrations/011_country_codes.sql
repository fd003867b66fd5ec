-- Version 11: the six country columns of declaration_lines are stored as the ENUM country_code
-- instead of VARCHAR; the view declarations gives them as VARCHAR again, so readers see what they saw.
-- Why (docs/decisions/0028): a declarations load stores six country codes a line. DuckDB appends,
-- compresses and keeps statistics for a text cell at ~3 times the CPU cost of an ENUM value
-- (10M rows of seven code columns: 7.1-8.4 CPU-s as VARCHAR, 2.7-2.9 as an ENUM); in paired runs of the
-- whole ingest of 2M lines, the ENUM columns took 0.94 CPU-s off ~16 (median of 8 pairs).
-- The labels: every pair of capital letters (any ISO 3166-1 alpha-2 code, assigned or user-assigned
-- such as XK, fits without a new type), and chr(1) first, the direct write's mark for a cell the SQL
-- path must read again (declaration_direct.MARK); a committed row never keeps it. Any other text
-- stored in these columns is refused by the cast, as a writer's bug should be. Every writer so far
-- stored codes of country_aliases.iso2 (two capitals), so existing rows convert.
CREATE TYPE country_code AS ENUM (
    SELECT chr(1)
    UNION ALL
    (SELECT chr(65 + first.range::INTEGER) || chr(65 + second.range::INTEGER)
     FROM range(26) AS first, range(26) AS second
     ORDER BY 1)
);

DROP VIEW declarations;

ALTER TABLE declaration_lines ALTER COLUMN origin_country TYPE country_code;

ALTER TABLE declaration_lines ALTER COLUMN dispatch_country TYPE country_code;

ALTER TABLE declaration_lines ALTER COLUMN trading_country TYPE country_code;

ALTER TABLE declaration_lines ALTER COLUMN destination_country TYPE country_code;

ALTER TABLE declaration_lines ALTER COLUMN shipper_country TYPE country_code;

ALTER TABLE declaration_lines ALTER COLUMN consignee_country TYPE country_code;

CREATE VIEW declarations AS
SELECT
    declaration_number || '/' || CAST(item_number AS VARCHAR) AS line_id,
    declaration_number,
    item_number,
    source_id,
    row_number,
    flow,
    registration_date,
    release_date,
    commodity_code,
    coalesce(hs6, left(commodity_code, 6)) AS hs6,
    description,
    manufacturer_text,
    trademark_text,
    CAST(origin_country AS VARCHAR) AS origin_country,
    CAST(dispatch_country AS VARCHAR) AS dispatch_country,
    CAST(trading_country AS VARCHAR) AS trading_country,
    CAST(destination_country AS VARCHAR) AS destination_country,
    shipper_name,
    shipper_identifier,
    shipper_address,
    CAST(shipper_country AS VARCHAR) AS shipper_country,
    shipper_party_id,
    consignee_name,
    consignee_identifier,
    consignee_address,
    CAST(consignee_country AS VARCHAR) AS consignee_country,
    consignee_party_id,
    invoice_value,
    invoice_currency,
    customs_value,
    value_usd,
    net_kg,
    gross_kg,
    quantity,
    quantity_unit,
    incoterms
FROM declaration_lines;
