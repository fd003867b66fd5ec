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
-- Parameters: none here; the basket scope ($basket) is applied in basket_codes.
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
-- once per distinct (code, date) in basket_codes (thousands of rows), and this is a view joining
-- the lines to it: computed when read, never ten million rows written.
-- materialize: view
SELECT
    p.basket,
    d.line_id,
    p.hs_prefix,
    p.tier,
    p.controlled_on_date,
    p.entries_matched
FROM declarations AS d
JOIN basket_codes AS p
    ON p.code = coalesce(d.commodity_code, d.hs6)
    AND p.registration_date IS NOT DISTINCT FROM d.registration_date
