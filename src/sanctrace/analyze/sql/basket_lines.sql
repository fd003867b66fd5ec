-- basket_lines: which declaration lines belong to which goods basket.
--
-- Computes: for every basket in table baskets, the declaration lines whose national commodity
--   code starts with one of the basket's HS prefixes (the hs6 column is used when the line has no
--   commodity_code). A line appears at most once per basket; it may appear in several baskets.
--   When several entries of one basket match, the longest prefix is reported (ties: the entry in
--   force on the registration date, then the latest effective_from, then the lowest version).
--   controlled_on_date is TRUE when ANY matching entry of the basket was in force on the line's
--   registration_date: effective_from <= date < effective_to, a NULL bound meaning open-ended.
--
-- Parameters:
--   $basket  one basket name, or NULL for every basket in table baskets.
--
-- Output columns: basket, line_id, hs_prefix, tier, controlled_on_date (BOOLEAN; NULL when the line
--   has no registration_date), entries_matched (how many basket entries matched the line).
--
-- Provenance: line_id -> declarations (source_id, row_number); basket + hs_prefix -> baskets
--   (source_id of the basket file).
--
-- Caveats:
--   * Prefixes longer than six digits only match lines that carry a national commodity_code, and
--     national codes differ between countries (TN VED 10, CN 8, CCC 11): check which code list a
--     basket's long prefixes were written for.
--   * effective_to is exclusive: a control lifted on 2024-01-01 does not cover that day.
-- Performance: the match depends only on the code and the registration date, so the ranking runs
-- once per distinct (code, date) (thousands) and lines join to it, instead of ranking every line.
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
SELECT
    p.basket,
    d.line_id,
    p.hs_prefix,
    p.tier,
    p.controlled_on_date,
    p.entries_matched
FROM declarations AS d
JOIN picked AS p
    ON p.code = coalesce(d.commodity_code, d.hs6)
    AND p.registration_date IS NOT DISTINCT FROM d.registration_date
