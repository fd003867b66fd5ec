-- maker_attribution: one row per declaration line, with the maker behind it and relabelling signs.
--
-- Computes: the maker and its headquarters country from the declared manufacturer (G31_11) and
--   trademark (G31_12) texts, through the maker alias table (YAML data, table maker_aliases). The
--   string matching is done in Python by the resolve step (resolve/makers.py: case, punctuation,
--   word order, legal forms and script are normalised away; an alias matches a text exactly or
--   by all its words being in the text) and stored in maker_text_keys; here there are only
--   equality joins: declarations.text -> maker_text_keys.text, alias_key -> maker_aliases.alias_key.
--   An alias key that two different makers share attributes to neither (its status reads
--   'ambiguous', as does a text containing two makers' aliases equally well); placeholder texts ("ОТСУТСТВУЕТ", "NO BRAND") count as
--   not given.
--
--   method and confidence (the declared manufacturer is preferred to the trademark):
--     'manufacturer'  the manufacturer text names a maker:
--                       1.0  the trademark names the same maker
--                       0.5  the trademark names another maker (see brand_of_other_maker)
--                       0.9  otherwise, exact key match; 0.75 matched by containment
--     'trademark'     only the trademark names a maker: 0.8 exact, 0.6 by containment
--     'none'          neither does: maker, hq_country and confidence are NULL
--
--   relabel_reasons (';'-joined in this order, NULL when none; relabel_suspect = any reason):
--     unknown_brand         a known maker's goods under a trademark that is given (not empty, not
--                           a placeholder) but is no known maker's brand
--     brand_of_other_maker  manufacturer and trademark name two different makers
--     origin_not_hq         the maker is known, the declared origin_country differs from its
--                           hq_country and equals the dispatch_country: the goods are declared as
--                           made in the country they were shipped from (a TW maker's machine
--                           "made in" the hub CN or TR)
--
-- Parameters: none.
--
-- Output columns: line_id, maker (slug id), maker_name, hq_country, method, match (exact /
--   contains of the text used; NULL for 'none'), confidence (DOUBLE), relabel_suspect (BOOLEAN),
--   relabel_reasons, manufacturer_text, manufacturer_maker, manufacturer_alias (the alias matched),
--   manufacturer_status, trademark_text, trademark_maker, trademark_alias, trademark_status (each
--   status: absent = empty or a placeholder / known / unknown / ambiguous), origin_country, dispatch_country, alias_source_id (the maker_aliases file that gave
--   the attribution: table sources), source_id, row_number (the declaration line).
--
-- Evidence: line_id, source_id and row_number give the declaration line; alias_source_id and
--   SELECT * FROM maker_aliases WHERE maker = ? give the alias data used.
--
-- Caveats:
--   * maker_text_keys is written by `sanctrace resolve`; lines loaded (or alias files added) after the
--     last resolve run are attributed only after the next one.
--   * A maker producing abroad (a Japanese brand's Chinese plant) is flagged origin_not_hq when its
--     goods are shipped from that plant's country: the rule is a pointer for review, not a finding.
--   * A trademark field holding a model number instead of a brand reads as an unknown brand.
--   * When alias files give one maker id two HQ countries, the alphabetically first is used.
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
        d.line_id,
        d.manufacturer_text,
        d.trademark_text,
        d.origin_country,
        d.dispatch_country,
        d.source_id,
        d.row_number,
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
    FROM declarations AS d
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
    line_id,
    maker,
    maker_name,
    hq_country,
    method,
    match,
    confidence,
    relabel_reasons IS NOT NULL AS relabel_suspect,
    relabel_reasons,
    manufacturer_text,
    manufacturer_maker,
    manufacturer_alias,
    manufacturer_status,
    trademark_text,
    trademark_maker,
    trademark_alias,
    trademark_status,
    origin_country,
    dispatch_country,
    alias_source_id,
    source_id,
    row_number
FROM flagged
