-- route_monthly: monthly value of each basket arriving in the target country, by route and hub.
--
-- Computes: for lines with destination_country = $target (and origin_country = $origin, or every
--   origin when $origin is NULL), the sum of value_usd and the number of lines per basket, month,
--   route ('direct', 'indirect', 'domestic', 'unknown') and hub_country (NULL unless indirect).
--   This is the transaction-level direct/indirect split of case A, month by month.
--
-- Parameters:
--   $target  ISO-2 destination country, e.g. 'RU'.
--   $origin  ISO-2 origin country, e.g. 'TW'; NULL for all origins.
--
-- Output columns: basket, month (DATE, first day), route, hub_country, value_usd, lines,
--   lines_without_value (lines counted in `lines` whose value_usd is NULL, so not in value_usd),
--   share (DOUBLE, 0..1: value_usd over the basket's value that month, every route; NULL when the
--   month has no value), the month's route shares add up to 1.
--
-- Evidence (the lines behind one figure):
--   SELECT sr.* FROM basket_lines bl JOIN shipment_routes sr ON sr.line_id = bl.line_id
--   WHERE bl.basket = ? AND sr.month = ? AND sr.route = ? AND sr.hub_country IS NOT DISTINCT FROM ?
--     AND sr.destination_country = $target AND ($origin IS NULL OR sr.origin_country = $origin)
--   and each line's source_id + row_number lead back to the file.
--
-- Caveats:
--   * Every line of the basket is counted, whether or not the control was in force on its date;
--     basket_lines.controlled_on_date tells which ones were.
--   * Lines without a registration_date form a month = NULL group instead of being dropped.
--   * value_usd is whatever the source declared or converted (usually customs value, CIF); do not
--     compare it with FOB export statistics without a valuation band.
WITH monthly AS (
    SELECT
        bl.basket,
        sr.month,
        sr.route,
        sr.hub_country,
        sum(sr.value_usd) AS value_usd,
        count(*) AS lines,
        count(*) - count(sr.value_usd) AS lines_without_value
    FROM shipment_routes AS sr
    JOIN basket_codes AS bl
        ON bl.code = coalesce(sr.commodity_code, sr.hs6)
        AND bl.registration_date IS NOT DISTINCT FROM sr.registration_date
    WHERE sr.destination_country = $target
        AND ($origin IS NULL OR sr.origin_country = $origin)
    GROUP BY bl.basket, sr.month, sr.route, sr.hub_country
)
SELECT
    m.*,
    CAST(m.value_usd AS DOUBLE) / nullif(CAST(t.month_value AS DOUBLE), 0) AS share
FROM monthly AS m
JOIN (
    SELECT basket, month, sum(value_usd) AS month_value FROM monthly GROUP BY basket, month
) AS t ON t.basket = m.basket AND t.month IS NOT DISTINCT FROM m.month
