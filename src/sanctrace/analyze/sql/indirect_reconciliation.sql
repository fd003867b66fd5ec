-- indirect_reconciliation: the two difference-method estimates side by side, month by month.
--
-- Computes: per basket, origin, target and month, the 'statistics' and the 'declarations' rows
--   of indirect_estimates in USD (declarations are valued in USD; statistics in other currencies
--   are not converted and so not reconciled), joined on basket, origin, target and period (a
--   month present in only one of them still gets a row, the other side NULL):
--     coverage          = declarations_imports / statistics_imports: how much of what the target
--                         reports importing the loaded declarations account for (a vendor extract
--                         rarely holds every line; above 1 means the statistics are short instead).
--     declared_within_band = TRUE when declared_indirect (what the declarations show arriving
--                         from third countries) lies inside the statistics band
--                         [statistics_indirect_low, statistics_indirect_high]; NULL when a side
--                         is missing. FALSE is a question to investigate, not a verdict: both
--                         sources cover the goods differently.
--
-- Parameters: none (the valuation band and lag are those stored in indirect_estimates).
--
-- Output columns: basket, origin, target, period, statistics_imports, declarations_imports,
--   coverage (DOUBLE), origin_exports (the lag-mean exports, USD, from either row: both methods
--   subtract the same exports), statistics_indirect_low, statistics_indirect_high,
--   declarations_indirect_low, declarations_indirect_high, declared_direct, declared_indirect,
--   declared_within_band.
--
-- Evidence: the two indirect_estimates rows (method 'statistics' and 'declarations', currency
--   'USD') with the same basket, origin, target and period; their headers give the lines behind.
--
-- Caveats:
--   * Declarations record the origin per line; statistics record the partner as the origin for
--     imports, but some countries record the country of consignment instead: check the
--     reporter's methodology before reading coverage above 1 as missing declarations.
WITH stat AS (
    SELECT * FROM indirect_estimates WHERE method = 'statistics' AND currency = 'USD'
),
decl AS (
    SELECT * FROM indirect_estimates WHERE method = 'declarations' AND currency = 'USD'
)
SELECT
    coalesce(s.basket, d.basket) AS basket,
    coalesce(s.origin, d.origin) AS origin,
    coalesce(s.target, d.target) AS target,
    coalesce(s.period, d.period) AS period,
    s.target_imports AS statistics_imports,
    d.target_imports AS declarations_imports,
    CAST(d.target_imports AS DOUBLE) / nullif(CAST(s.target_imports AS DOUBLE), 0) AS coverage,
    coalesce(s.origin_exports, d.origin_exports) AS origin_exports,
    s.indirect_low AS statistics_indirect_low,
    s.indirect_high AS statistics_indirect_high,
    d.indirect_low AS declarations_indirect_low,
    d.indirect_high AS declarations_indirect_high,
    d.declared_direct,
    d.declared_indirect,
    CASE
        WHEN s.indirect_low IS NULL OR d.declared_indirect IS NULL THEN NULL
        ELSE CAST(d.declared_indirect AS DOUBLE) >= s.indirect_low
            AND CAST(d.declared_indirect AS DOUBLE) <= s.indirect_high
    END AS declared_within_band
FROM stat AS s
FULL OUTER JOIN decl AS d
    ON d.basket = s.basket AND d.origin = s.origin AND d.target = s.target AND d.period = s.period
