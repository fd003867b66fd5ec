-- Version 10: the declaration lines are stored in the table declaration_lines; declarations is a
-- view over it that adds the two columns computed from others, so every reader sees what it saw:
--   line_id  declaration_number || '/' || item_number (a VIRTUAL column of the table since version 7);
--   hs6      the stored hs6 where there is one, else the first six digits of commodity_code.
-- Why (docs/decisions/0027): DuckDB evaluates a table's generated columns for every row inserted, to
-- check that they can be computed, and a declarations load had to store hs6 although the loaders
-- derive it from the national code; the two cost ~7 % of a declarations load's CPU time. Loads since
-- this version store hs6 only when no national code gives it (a line with an HS-6 code alone).
-- Writers (loaders, resolve) write declaration_lines; readers read declarations.
-- The rows stay as they are: hs6 stored by earlier loads equals the derived value.
ALTER TABLE declarations DROP COLUMN line_id;

ALTER TABLE declarations RENAME TO declaration_lines;

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
    origin_country,
    dispatch_country,
    trading_country,
    destination_country,
    shipper_name,
    shipper_identifier,
    shipper_address,
    shipper_country,
    shipper_party_id,
    consignee_name,
    consignee_identifier,
    consignee_address,
    consignee_country,
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
