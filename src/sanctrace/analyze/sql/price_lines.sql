-- price_lines: every declaration line that can be priced, with its unit value, maker and party keys.
--
-- Computes: for each line with an hs6 and a value_usd > 0, the unit value and its basis (the rule
--   is in price_anomalies' header: per piece when a quantity in pieces is declared, else per net
--   kg), the shipper and consignee keys (party id, else upper(trim(name))) and the maker and HQ
--   country (maker_combinations, the same attribution as maker_attribution).
--
-- Parameters: none.
--
-- Output columns: line_id, hs6, registration_date, value_usd, value_double, origin_country,
--   dispatch_country, shipper_key, consignee_key, basis ('per_unit' / 'per_kg' / NULL), quantity,
--   net_kg, maker, hq_country, source_id, row_number, unit_value (DOUBLE; NULL without a basis).
--
-- Provenance: line_id, source_id and row_number give the declaration line.
--
-- Performance: a view, computed when read. price_anomalies reads it several times with different
--   filters and columns; each read is a column scan of declarations, cheaper than materialising ten
--   million wide rows once.
-- materialize: view
WITH based AS (
    SELECT
        d.line_id,
        d.hs6,
        d.registration_date,
        d.value_usd,
        CAST(d.value_usd AS DOUBLE) AS value_double,
        d.origin_country,
        d.dispatch_country,
        coalesce(d.shipper_party_id, nullif(upper(trim(d.shipper_name)), '')) AS shipper_key,
        coalesce(d.consignee_party_id, nullif(upper(trim(d.consignee_name)), '')) AS consignee_key,
        CASE
            WHEN d.quantity > 0 AND upper(trim(d.quantity_unit)) IN (
                'ШТ', 'ШТ.', '796', 'PCS', 'PC', 'PCE', 'PIECE', 'PIECES', 'EA', 'EACH', 'U', 'UNIT',
                'UNITS', 'NAR'
            ) THEN 'per_unit'
            WHEN d.net_kg > 0 THEN 'per_kg'
        END AS basis,
        d.quantity,
        d.net_kg,
        m.maker,
        m.hq_country,
        d.source_id,
        d.row_number
    FROM declarations AS d
    LEFT JOIN maker_combinations AS m
        ON m.manufacturer_text IS NOT DISTINCT FROM d.manufacturer_text
        AND m.trademark_text IS NOT DISTINCT FROM d.trademark_text
        AND m.origin_country IS NOT DISTINCT FROM d.origin_country
        AND m.dispatch_country IS NOT DISTINCT FROM d.dispatch_country
    WHERE d.hs6 IS NOT NULL AND d.value_usd > 0
)
SELECT
    b.*,
    CASE
        WHEN b.basis = 'per_unit' THEN b.value_double / b.quantity
        WHEN b.basis = 'per_kg' THEN b.value_double / b.net_kg
    END AS unit_value
FROM based AS b
