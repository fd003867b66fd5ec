-- maker_combinations: the maker attribution of every distinct (manufacturer text, trademark text,
-- declared origin, dispatch country) found in the declarations.
--
-- Computes: the rules of maker_attribution (read its header: method, confidence, relabel_reasons),
--   once per distinct combination of the four inputs they depend on, instead of once per line.
--   maker_attribution and shipment_routes join the lines to this table on those four columns
--   (NULL matching NULL).
--
-- Parameters: none.
--
-- Output columns: manufacturer_text, trademark_text, origin_country, dispatch_country (the key),
--   maker, maker_name, hq_country, method, match, confidence, relabel_suspect, relabel_reasons,
--   manufacturer_maker, manufacturer_alias, manufacturer_status, trademark_maker, trademark_alias,
--   trademark_status, alias_source_id.
--
-- Evidence: the lines of a combination are those of declarations with the same four values;
--   alias_source_id and SELECT * FROM maker_aliases WHERE maker = ? give the alias data used.
WITH alias_makers AS (
    SELECT
        alias_key,
        count(DISTINCT maker) AS makers,
        min(maker) AS maker,
        min(alias) AS alias,
        min(source_id) AS alias_source_id
    FROM maker_aliases
    WHERE alias_key IS NOT NULL
    GROUP BY alias_key
),
makers AS (
    SELECT maker, min(maker_name) AS maker_name, min(hq_country) AS hq_country
    FROM maker_aliases
    WHERE maker IS NOT NULL
    GROUP BY maker
),
texts AS (
    SELECT
        k.text,
        k.match,
        CASE
            WHEN k.text_key IS NULL OR (a.alias_key IS NOT NULL AND a.makers = 0) THEN 'absent'
            WHEN k.match = 'ambiguous' OR a.makers > 1 THEN 'ambiguous'
            WHEN a.makers = 1 THEN 'known'
            ELSE 'unknown'
        END AS status,
        CASE WHEN a.makers = 1 THEN a.maker END AS maker,
        CASE WHEN a.makers = 1 THEN a.alias END AS alias,
        CASE WHEN a.makers = 1 THEN a.alias_source_id END AS alias_source_id
    FROM maker_text_keys AS k
    LEFT JOIN alias_makers AS a ON a.alias_key = k.alias_key
),
sides AS (
    SELECT
        d.manufacturer_text,
        d.trademark_text,
        d.origin_country,
        d.dispatch_country,
        CASE
            WHEN nullif(trim(d.manufacturer_text), '') IS NULL THEN 'absent'
            ELSE coalesce(m.status, 'unknown')
        END AS manufacturer_status,
        m.maker AS manufacturer_maker,
        m.alias AS manufacturer_alias,
        m.match AS manufacturer_match,
        m.alias_source_id AS manufacturer_source_id,
        t.maker AS trademark_maker,
        t.alias AS trademark_alias,
        t.match AS trademark_match,
        t.alias_source_id AS trademark_source_id,
        CASE
            WHEN nullif(trim(d.trademark_text), '') IS NULL THEN 'absent'
            ELSE coalesce(t.status, 'unknown')
        END AS trademark_status
    FROM (
        SELECT DISTINCT manufacturer_text, trademark_text, origin_country, dispatch_country
        FROM declarations
    ) AS d
    LEFT JOIN texts AS m ON m.text = d.manufacturer_text
    LEFT JOIN texts AS t ON t.text = d.trademark_text
),
attributed AS (
    SELECT
        s.*,
        coalesce(s.manufacturer_maker, s.trademark_maker) AS maker,
        CASE
            WHEN s.manufacturer_maker IS NOT NULL THEN 'manufacturer'
            WHEN s.trademark_maker IS NOT NULL THEN 'trademark'
            ELSE 'none'
        END AS method,
        CASE
            WHEN s.manufacturer_maker IS NOT NULL THEN s.manufacturer_match
            WHEN s.trademark_maker IS NOT NULL THEN s.trademark_match
        END AS match,
        CASE
            WHEN s.manufacturer_maker IS NOT NULL THEN s.manufacturer_source_id
            ELSE s.trademark_source_id
        END AS alias_source_id,
        CASE
            WHEN s.manufacturer_maker IS NOT NULL AND s.manufacturer_maker = s.trademark_maker
                THEN CAST(1.0 AS DOUBLE)
            WHEN s.manufacturer_maker IS NOT NULL AND s.trademark_maker IS NOT NULL THEN CAST(0.5 AS DOUBLE)
            WHEN s.manufacturer_maker IS NOT NULL AND s.manufacturer_match = 'exact' THEN CAST(0.9 AS DOUBLE)
            WHEN s.manufacturer_maker IS NOT NULL THEN CAST(0.75 AS DOUBLE)
            WHEN s.trademark_maker IS NOT NULL AND s.trademark_match = 'exact' THEN CAST(0.8 AS DOUBLE)
            WHEN s.trademark_maker IS NOT NULL THEN CAST(0.6 AS DOUBLE)
        END AS confidence
    FROM sides AS s
),
flagged AS (
    SELECT
        a.*,
        mk.maker_name,
        mk.hq_country,
        nullif(concat_ws(
            ';',
            CASE
                WHEN a.manufacturer_maker IS NOT NULL AND a.trademark_status = 'unknown' THEN 'unknown_brand'
            END,
            CASE
                WHEN a.manufacturer_maker IS NOT NULL AND a.trademark_maker IS NOT NULL
                    AND a.manufacturer_maker <> a.trademark_maker THEN 'brand_of_other_maker'
            END,
            CASE
                WHEN mk.hq_country IS NOT NULL AND a.origin_country IS NOT NULL
                    AND a.origin_country <> mk.hq_country
                    AND a.origin_country = a.dispatch_country THEN 'origin_not_hq'
            END
        ), '') AS relabel_reasons
    FROM attributed AS a
    LEFT JOIN makers AS mk ON mk.maker = a.maker
)
SELECT
    manufacturer_text,
    trademark_text,
    origin_country,
    dispatch_country,
    maker,
    maker_name,
    hq_country,
    method,
    match,
    confidence,
    relabel_reasons IS NOT NULL AS relabel_suspect,
    relabel_reasons,
    manufacturer_maker,
    manufacturer_alias,
    manufacturer_status,
    trademark_maker,
    trademark_alias,
    trademark_status,
    alias_source_id
FROM flagged
