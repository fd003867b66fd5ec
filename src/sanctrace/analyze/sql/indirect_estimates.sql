-- indirect_estimates: the difference method (case A), as a band per basket, origin and month.
--
-- Computes: per basket, origin country, target ($target) and month t, how much of the target's
--   imports of origin-made goods did NOT come as the origin's own reported exports to the target:
--     indirect ~ target's imports of origin goods (CIF) - origin's exports to the target (FOB).
--   Two sources for the imports side, one row each (column method):
--     'statistics'    trade statistics reported by the target: basket_flows rows with
--                     reporter = $target, flow 'import', partner = the origin (in import statistics
--                     the partner is the country of origin), monthly rows, per currency.
--     'declarations'  the target's declaration lines (basket_lines x shipment_routes) with
--                     destination_country = $target and origin_country = the origin, summed in
--                     value_usd (currency 'USD'), split by route: declared_direct (dispatched from
--                     the origin), declared_indirect (dispatched from a third country; the hubs are
--                     in route_monthly), declared_unknown_route (no dispatch country).
--   The exports side is the same for both: basket_flows rows with reporter = the origin,
--   partner = $target, flow 'export', monthly, in the same currency as the imports.
--   Two allowances turn the point into a band:
--     * valuation: imports are CIF, exports FOB; the imports are divided by an uplift factor in
--       [$cif_fob_low, $cif_fob_high] (default 1.00-1.12).
--     * shipping lag: goods exported in month m arrive in m .. m + $lag_months (default 2), so the
--       direct arrivals of month t are E(t - k) for some k in 0..$lag_months; a month with no
--       export row counts as 0 (statistics omit empty cells).
--   indirect_low  = target_imports / $cif_fob_high - origin_exports_max
--   indirect_high = target_imports / $cif_fob_low  - origin_exports_min
--   indirect_central = target_imports / (($cif_fob_low + $cif_fob_high) / 2) - origin_exports
--   where origin_exports is the mean of E(t - k) over k = 0..$lag_months (a uniform lag),
--   origin_exports_min / _max the smallest / largest of them (every shipment taking k months).
--   A row exists for every month in which the imports side has data; months with exports only
--   have no estimate (nothing to subtract from).
--
-- Parameters:
--   $target        ISO-2 destination (importing) country.
--   $origin        ISO-2 origin country, or NULL for every origin seen (except the target itself).
--   $cif_fob_low   smallest CIF/FOB uplift (e.g. 1.00), > 0.
--   $cif_fob_high  largest CIF/FOB uplift (e.g. 1.12), >= $cif_fob_low.
--   $lag_months    longest shipping lag in months (0..12).
--
-- Output columns: method, basket, origin, target, period (DATE, first day of month t), currency,
--   target_imports, import_rows (statistics rows or declaration lines), import_sources (the
--   source_ids they come from, comma-joined, sorted as text), import_lines_without_value,
--   declared_direct, declared_indirect, declared_unknown_route (NULL for 'statistics'),
--   origin_exports, origin_exports_min, origin_exports_max, export_months_reported (how many of
--   the months t-$lag_months .. t have an export row; less than $lag_months + 1 near the start of
--   the origin's data means the exports side may be short), export_rows, export_sources (NULL when
--   no export row is in the window), exports_converted_from (the currencies converted to USD with
--   exchange_rates, comma-joined; NULL when none), indirect_low,
--   indirect_central, indirect_high (DOUBLE; may be negative: the imports do not exceed what the
--   origin reported sending, so the data show no indirect trade), cif_fob_low, cif_fob_high,
--   lag_months (the parameters used, so a stored row says how it was made).
--
-- Evidence (the rows behind one estimate):
--   imports, statistics:   SELECT * FROM basket_flows WHERE basket = ? AND reporter = target
--                          AND partner = origin AND flow = 'import' AND period_start = period
--                          AND currency = ? AND period_type = 'month'
--   imports, declarations: SELECT sr.* FROM basket_lines bl JOIN shipment_routes sr ON
--                          sr.line_id = bl.line_id WHERE bl.basket = ? AND sr.month = period
--                          AND sr.destination_country = target AND sr.origin_country = origin
--   exports:               SELECT * FROM basket_flows WHERE basket = ? AND reporter = origin
--                          AND partner = target AND flow = 'export' AND currency = ?
--                          AND month_index BETWEEN <index of period> - lag_months AND <index>
--   and each row's source_id + row_number lead back to the file.
--
-- Caveats:
--   * Currencies: imports are never converted. Exports are compared in the imports' currency: as
--     reported, and, for USD imports (declarations, or statistics in USD), also converted from
--     another currency with the monthly rate in table exchange_rates (loaded by the user, e.g. the
--     ECB's USD reference rate) when the origin reports no USD row for that basket and month;
--     exports_converted_from names the currencies converted (NULL: none). Without a rate for a
--     month the row is not converted and that month counts as no comparable exports
--     (export_months_reported is lower).
--   * Russia stopped publishing detailed trade statistics in April 2022; Taiwan does not report to
--     Comtrade (load Taiwan's own statistics, reporter TW). Compare at HS-6 or coarser: baskets
--     with national prefixes (> 6 digits) match different goods in different countries.
--   * Declaration lines without a registration_date have no month and are left out here (they
--     remain in route_monthly's month = NULL group); lines without origin_country likewise.
--   * A negative bound is kept as computed, not clipped at 0, so that the band stays honest.
WITH stat_imports AS (
    SELECT
        'statistics' AS method,
        basket,
        partner AS origin,
        reporter AS target,
        period_start AS period,
        month_index,
        currency,
        sum(value) AS target_imports,
        count(*) AS import_rows,
        string_agg(DISTINCT CAST(source_id AS VARCHAR), ',' ORDER BY CAST(source_id AS VARCHAR))
            AS import_sources,
        0 AS import_lines_without_value,
        CAST(NULL AS DECIMAL(38, 2)) AS declared_direct,
        CAST(NULL AS DECIMAL(38, 2)) AS declared_indirect,
        CAST(NULL AS DECIMAL(38, 2)) AS declared_unknown_route
    FROM basket_flows
    WHERE reporter = $target
        AND flow = 'import'
        AND period_type = 'month'
        AND partner <> $target
        AND ($origin IS NULL OR partner = $origin)
    GROUP BY basket, partner, reporter, period_start, month_index, currency
),
decl_imports AS (
    SELECT
        'declarations' AS method,
        bl.basket,
        sr.origin_country AS origin,
        sr.destination_country AS target,
        sr.month AS period,
        year(sr.month) * 12 + month(sr.month) - 1 AS month_index,
        'USD' AS currency,
        sum(sr.value_usd) AS target_imports,
        count(*) AS import_rows,
        string_agg(DISTINCT CAST(sr.source_id AS VARCHAR), ',' ORDER BY CAST(sr.source_id AS VARCHAR))
            AS import_sources,
        count(*) - count(sr.value_usd) AS import_lines_without_value,
        CAST(coalesce(sum(CASE WHEN sr.route = 'direct' THEN sr.value_usd END), 0) AS DECIMAL(38, 2))
            AS declared_direct,
        CAST(coalesce(sum(CASE WHEN sr.route = 'indirect' THEN sr.value_usd END), 0) AS DECIMAL(38, 2))
            AS declared_indirect,
        CAST(coalesce(sum(CASE WHEN sr.route = 'unknown' THEN sr.value_usd END), 0) AS DECIMAL(38, 2))
            AS declared_unknown_route
    FROM shipment_routes AS sr
    JOIN basket_codes AS bl
        ON bl.code = coalesce(sr.commodity_code, sr.hs6)
        AND bl.registration_date IS NOT DISTINCT FROM sr.registration_date
    WHERE sr.destination_country = $target
        AND sr.origin_country IS NOT NULL
        AND sr.origin_country <> $target
        AND sr.month IS NOT NULL
        AND ($origin IS NULL OR sr.origin_country = $origin)
    GROUP BY bl.basket, sr.origin_country, sr.destination_country, sr.month
),
imports AS (
    SELECT
        method,
        basket,
        origin,
        target,
        period,
        month_index,
        currency,
        CAST(target_imports AS DECIMAL(38, 2)) AS target_imports,
        import_rows,
        import_sources,
        import_lines_without_value,
        declared_direct,
        declared_indirect,
        declared_unknown_route
    FROM stat_imports
    UNION ALL
    SELECT
        method,
        basket,
        origin,
        target,
        period,
        month_index,
        currency,
        CAST(target_imports AS DECIMAL(38, 2)) AS target_imports,
        import_rows,
        import_sources,
        import_lines_without_value,
        declared_direct,
        declared_indirect,
        declared_unknown_route
    FROM decl_imports
),
native_exports AS (
    SELECT basket, reporter, partner, month_index, period_start, currency, value, source_id
    FROM basket_flows
    WHERE partner = $target
        AND flow = 'export'
        AND period_type = 'month'
        AND ($origin IS NULL OR reporter = $origin)
),
-- Every export row as reported, plus its US-dollar equivalent (value x exchange_rates.usd_per_unit
-- of its month) when it is in another currency and the origin reports no USD row for that basket,
-- partner and month: so declarations (USD) meet exports reported in EUR.
export_rows_in AS (
    SELECT
        basket, reporter, partner, month_index, currency, value, source_id,
        CAST(NULL AS VARCHAR) AS converted_from
    FROM native_exports
    UNION ALL
    SELECT
        n.basket, n.reporter, n.partner, n.month_index, 'USD' AS currency,
        CAST(CAST(n.value AS DOUBLE) * r.usd_per_unit AS DECIMAL(20, 2)) AS value, n.source_id,
        n.currency AS converted_from
    FROM native_exports AS n
    JOIN exchange_rates AS r ON r.currency = n.currency AND r.month = n.period_start
    WHERE n.currency <> 'USD'
        AND NOT EXISTS (
            SELECT 1
            FROM native_exports AS u
            WHERE u.currency = 'USD'
                AND u.basket = n.basket
                AND u.reporter = n.reporter
                AND u.month_index = n.month_index
        )
),
exports AS (
    SELECT
        basket,
        reporter AS origin,
        partner AS target,
        month_index,
        currency,
        sum(value) AS origin_exports,
        count(*) AS export_rows,
        string_agg(DISTINCT converted_from, ',' ORDER BY converted_from) AS converted_from
    FROM export_rows_in
    GROUP BY basket, reporter, partner, month_index, currency
),
lags AS (
    SELECT lag_k
    FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) AS all_lags (lag_k)
    WHERE lag_k <= $lag_months
),
export_sources AS (
    SELECT
        i.method,
        i.basket,
        i.origin,
        i.period,
        i.currency,
        string_agg(DISTINCT CAST(f.source_id AS VARCHAR), ',' ORDER BY CAST(f.source_id AS VARCHAR))
            AS export_sources
    FROM imports AS i
    CROSS JOIN lags AS l
    JOIN export_rows_in AS f
        ON f.basket = i.basket
        AND f.reporter = i.origin
        AND f.partner = i.target
        AND f.currency = i.currency
        AND f.month_index = i.month_index - l.lag_k
    GROUP BY i.method, i.basket, i.origin, i.period, i.currency
),
windowed AS (
    SELECT
        i.method,
        i.basket,
        i.origin,
        i.target,
        i.period,
        i.currency,
        i.target_imports,
        i.import_rows,
        i.import_sources,
        i.import_lines_without_value,
        i.declared_direct,
        i.declared_indirect,
        i.declared_unknown_route,
        l.lag_k,
        CAST(coalesce(e.origin_exports, 0) AS DOUBLE) AS exports_k,
        e.export_rows,
        e.converted_from
    FROM imports AS i
    CROSS JOIN lags AS l
    LEFT JOIN exports AS e
        ON e.basket = i.basket
        AND e.origin = i.origin
        AND e.target = i.target
        AND e.currency = i.currency
        AND e.month_index = i.month_index - l.lag_k
),
banded AS (
    SELECT
        method,
        basket,
        origin,
        target,
        period,
        currency,
        target_imports,
        import_rows,
        import_sources,
        import_lines_without_value,
        declared_direct,
        declared_indirect,
        declared_unknown_route,
        avg(exports_k) AS origin_exports,
        min(exports_k) AS origin_exports_min,
        max(exports_k) AS origin_exports_max,
        count(export_rows) AS export_months_reported,
        CAST(coalesce(sum(export_rows), 0) AS BIGINT) AS export_rows,
        string_agg(DISTINCT converted_from, ',' ORDER BY converted_from) AS exports_converted_from
    FROM windowed
    GROUP BY
        method,
        basket,
        origin,
        target,
        period,
        currency,
        target_imports,
        import_rows,
        import_sources,
        import_lines_without_value,
        declared_direct,
        declared_indirect,
        declared_unknown_route
)
SELECT
    b.method,
    b.basket,
    b.origin,
    b.target,
    b.period,
    b.currency,
    b.target_imports,
    b.import_rows,
    b.import_sources,
    b.import_lines_without_value,
    b.declared_direct,
    b.declared_indirect,
    b.declared_unknown_route,
    b.origin_exports,
    b.origin_exports_min,
    b.origin_exports_max,
    b.export_months_reported,
    b.export_rows,
    s.export_sources,
    b.exports_converted_from,
    CAST(b.target_imports AS DOUBLE) / CAST($cif_fob_high AS DOUBLE) - b.origin_exports_max AS indirect_low,
    CAST(b.target_imports AS DOUBLE) / ((CAST($cif_fob_low AS DOUBLE) + CAST($cif_fob_high AS DOUBLE)) / 2)
        - b.origin_exports AS indirect_central,
    CAST(b.target_imports AS DOUBLE) / CAST($cif_fob_low AS DOUBLE) - b.origin_exports_min AS indirect_high,
    CAST($cif_fob_low AS DOUBLE) AS cif_fob_low,
    CAST($cif_fob_high AS DOUBLE) AS cif_fob_high,
    CAST($lag_months AS INTEGER) AS lag_months
FROM banded AS b
LEFT JOIN export_sources AS s
    ON s.method = b.method
    AND s.basket = b.basket
    AND s.origin = b.origin
    AND s.period = b.period
    AND s.currency = b.currency
