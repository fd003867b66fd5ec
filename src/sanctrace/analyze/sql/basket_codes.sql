-- basket_codes: which (commodity code, registration date) pairs belong to which goods basket.
--
-- Computes: the basket membership rule of basket_lines (read its header), once per distinct
--   (code, registration_date) of the declarations instead of once per line: code is the line's
--   national commodity_code, or its hs6 when it has none. basket_lines joins the lines to it.
--
-- Parameters:
--   $basket  one basket name, or NULL for every basket in table baskets.
--
-- Output columns: basket, code, registration_date, hs_prefix, tier, controlled_on_date,
--   entries_matched (as in basket_lines).
--
-- Provenance: basket + hs_prefix -> baskets (source_id of the basket file); the lines are those of
--   declarations with coalesce(commodity_code, hs6) = code and the same registration_date (NULL
--   matching NULL).
--
-- Performance: thousands of rows where basket_lines has one per line; the analyses join
--   declarations (or shipment_routes) to this table on code and date, a hash join with a small side.
WITH codes AS (
    SELECT DISTINCT coalesce(commodity_code, hs6) AS code, registration_date
    FROM declarations
    WHERE coalesce(commodity_code, hs6) IS NOT NULL
),
picked AS (
    SELECT
        basket,
        code,
        registration_date,
        hs_prefix,
        tier,
        CASE
            WHEN registration_date IS NULL THEN NULL
            ELSE any_in_force = 1
        END AS controlled_on_date,
        entries_matched
    FROM (
        SELECT
            b.basket,
            c.code,
            b.hs_prefix,
            b.tier,
            c.registration_date,
            max(CASE
                WHEN (b.effective_from IS NULL OR c.registration_date >= b.effective_from)
                    AND (b.effective_to IS NULL OR c.registration_date < b.effective_to) THEN 1
                ELSE 0
            END) OVER (PARTITION BY b.basket, c.code, c.registration_date) AS any_in_force,
            count(*) OVER (PARTITION BY b.basket, c.code, c.registration_date) AS entries_matched,
            row_number() OVER (
                PARTITION BY b.basket, c.code, c.registration_date
                ORDER BY
                    length(b.hs_prefix) DESC,
                    CASE
                        WHEN (b.effective_from IS NULL OR c.registration_date >= b.effective_from)
                            AND (b.effective_to IS NULL OR c.registration_date < b.effective_to) THEN 0
                        ELSE 1
                    END ASC,
                    b.effective_from DESC NULLS LAST,
                    b.version ASC NULLS LAST,
                    b.tier ASC NULLS LAST
            ) AS pick
        FROM codes AS c
        -- Equi-join on the code cut to each prefix length in use (a hash join), instead of a
        -- prefix comparison against every basket entry (a nested loop over codes x entries).
        CROSS JOIN (SELECT DISTINCT length(hs_prefix) AS prefix_length FROM baskets) AS lengths
        JOIN baskets AS b
            ON b.hs_prefix = left(c.code, lengths.prefix_length)
            AND length(b.hs_prefix) = lengths.prefix_length
        WHERE $basket IS NULL OR b.basket = $basket
    ) AS matched
    WHERE pick = 1
)
SELECT * FROM picked
