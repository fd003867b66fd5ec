-- price_anomalies: declaration lines whose price is far from the norm, and lots that look split.
--
-- Computes one row per (line, reason); a line can have several reasons, each on its own row.
--   Unit value: value_usd per piece when the line declares a quantity > 0 in pieces (quantity_unit
--   ШТ, ШТ., 796 (OKEI code of "piece"), PCS, PC, PCE, PIECE, PIECES, EA, EACH, U, UNIT, UNITS, NAR,
--   case-insensitive), else value_usd per net kg when net_kg > 0, else none; basis says which
--   ('per_unit' / 'per_kg'). Lines need an hs6 and a value_usd > 0 to be considered at all.
--
--   reason 'undervalued' / 'marked_up' (robust z-score, per hs6 and basis):
--     On the log of the unit value (prices are skewed: half and double are equally far), per group
--     (hs6, basis) of at least $price_min_lines lines: m = median(ln u), MAD = median(|ln u - m|),
--     robust_z = 0.6745 * (ln u - m) / MAD (Iglewicz and Hoaglin's modified z-score).
--     'undervalued' when robust_z <= -$price_z, 'marked_up' when robust_z >= $price_z.
--     reference_value = exp(m) (the median unit value for an odd-sized group), dispersion = MAD,
--     group_lines = lines in the group, score = |robust_z|. A group whose MAD is 0 (more than half
--     the lines at one price) flags nothing.
--   reason 'resale_markup' (same maker and goods, bought via a hub dearer than from the maker):
--     For a maker attributed by maker_attribution (any method) with at least $price_min_lines
--     lines shipped from its HQ country (dispatch_country = hq_country: bought from the maker) in
--     the same hs6 and basis, a line of that maker, hs6 and basis shipped from elsewhere (a hub:
--     dispatch_country <> hq_country) whose unit value is at least $markup_ratio times the median
--     unit value of the lines from the HQ country. The declared origin is not used: it is what
--     relabelling changes.
--     reference_value = that median, group_lines = the direct lines, score = unit_value / median.
--     This is the chain the declarations can show (maker -> hub trader -> importer); resales inside
--     the destination country are not in customs data.
--   reason 'split' (one shipment declared as several small lots):
--     Lines with the same shipper key, consignee key (party id, else upper(trim(name))) and hs6, all
--     with a registration_date. A line is 'split' when
--       (a) at least $split_min_lines such lines (itself included) are registered within
--           $split_window_days days of it (before or after), and
--       (b) its own value_usd is below the median value_usd per line of its hs6 (over every valued
--           line of that hs6, at least $price_min_lines of them): each lot is smaller than a
--           typical shipment, and
--       (c) those lines together are worth at least that median: together they make one, and
--       (d) the pair ships that hs6 less than once per window on average: its line count times
--           the window length (2 * $split_window_days + 1 days) is below the number of days the
--           keyed lines of the warehouse span. A pair trading every few days anyway (a regular
--           distributor) is not flagged for lines that happen to fall close together.
--     reference_value = the median line value, group_lines = lines in the window, score = their
--     summed value / reference_value.
--
-- Parameters:
--   $price_z            robust z-score threshold (positive; 3.5 by default).
--   $price_min_lines    minimum lines in a reference group (hs6 + basis; a maker's direct lines; an
--                       hs6's valued lines).
--   $markup_ratio       resale mark-up threshold (> 1).
--   $split_window_days  days either side of a line counted as the same burst.
--   $split_min_lines    lines in a burst needed to call it split (>= 2).
--
-- Output columns: line_id, reason ('undervalued' / 'marked_up' / 'resale_markup' / 'split'), hs6,
--   basis (NULL when the line has no unit value), unit_value (DOUBLE, NULL likewise), value_usd,
--   reference_kind ('hs6_log_median' / 'maker_direct_median' / 'hs6_median_line_value'),
--   reference_value, dispersion (MAD of ln unit value; NULL except for the z-score reasons),
--   group_lines, robust_z (z-score reasons only), score, threshold (the parameter the score was held
--   against), maker (from maker_attribution; NULL when unattributed), source_id, row_number.
--
-- Evidence (the lines behind a row): for the z-score reasons, every line of the same hs6 and basis;
--   for 'resale_markup', SELECT d.* FROM declarations d JOIN maker_attribution m USING (line_id)
--   WHERE m.maker = ? AND d.hs6 = ? AND d.dispatch_country = m.hq_country; for 'split',
--   the lines of the same shipper, consignee and hs6 registered within $split_window_days days.
--
-- Caveats:
--   * Lines of every flow and destination form the norms; a warehouse mixing imports and exports
--     of very different goods under one hs6 gives wide groups (large MAD) and few flags.
--   * Quantities in other units (sets, metres, pairs) are not converted; such lines fall back to
--     per kg, or have no unit value.
--   * value_usd is as declared (usually customs value, CIF); freight is part of it.
--   * "Shipped from the HQ country" includes traders in that country, not only the maker itself.
--   * No "just under a round threshold" rule: reporting thresholds differ by country and are not
--     configured; splitting is judged against the hs6's typical line value instead.
--   * Rule (d) uses the span of the whole warehouse: loading a longer period makes more pairs count
--     as occasional.
--   * The split window is a self-join within each (shipper, consignee, hs6): a pair with thousands
--     of lines costs the square of that.
-- Performance: the lines come from the view price_lines (unit values, keys, maker); each CTE reads
--   it with its own filter, and only flagged lines are carried to the output.
WITH groups AS (
    SELECT hs6, basis, count(*) AS group_lines, median(ln(unit_value)) AS log_median
    FROM price_lines
    WHERE basis IS NOT NULL
    GROUP BY hs6, basis
    HAVING count(*) >= $price_min_lines
),
spreads AS (
    SELECT p.hs6, p.basis, median(abs(ln(p.unit_value) - g.log_median)) AS mad
    FROM price_lines AS p
    JOIN groups AS g ON g.hs6 = p.hs6 AND g.basis = p.basis
    GROUP BY p.hs6, p.basis
),
outliers AS (
    SELECT
        p.*,
        g.group_lines,
        g.log_median,
        s.mad,
        0.6745 * (ln(p.unit_value) - g.log_median) / s.mad AS robust_z
    FROM price_lines AS p
    JOIN groups AS g ON g.hs6 = p.hs6 AND g.basis = p.basis
    JOIN spreads AS s ON s.hs6 = p.hs6 AND s.basis = p.basis
    WHERE s.mad > 0
        AND abs(0.6745 * (ln(p.unit_value) - g.log_median) / s.mad) >= $price_z
),
direct_norms AS (
    SELECT maker, hs6, basis, count(*) AS group_lines, median(unit_value) AS direct_median
    FROM price_lines
    WHERE basis IS NOT NULL AND maker IS NOT NULL AND dispatch_country = hq_country
    GROUP BY maker, hs6, basis
    HAVING count(*) >= $price_min_lines
),
line_norms AS (
    SELECT hs6, median(value_double) AS median_line_value
    FROM price_lines
    GROUP BY hs6
    HAVING count(*) >= $price_min_lines
),
pairs AS (
    SELECT shipper_key, consignee_key, hs6, count(*) AS pair_lines
    FROM price_lines
    WHERE shipper_key IS NOT NULL AND consignee_key IS NOT NULL AND registration_date IS NOT NULL
    GROUP BY shipper_key, consignee_key, hs6
),
span AS (
    SELECT date_diff('day', min(registration_date), max(registration_date)) + 1 AS days
    FROM price_lines
    WHERE shipper_key IS NOT NULL AND consignee_key IS NOT NULL AND registration_date IS NOT NULL
),
-- Only pairs that ship rarely (rule (d) of the split rule) can be flagged, so only their lines
-- enter the self-join: a regular distributor's thousands of lines would make it quadratic.
rare AS (
    SELECT k.*, pr.pair_lines
    FROM price_lines AS k
    JOIN pairs AS pr
        ON pr.shipper_key = k.shipper_key AND pr.consignee_key = k.consignee_key AND pr.hs6 = k.hs6
    CROSS JOIN span
    WHERE k.registration_date IS NOT NULL
        AND pr.pair_lines * (2 * $split_window_days + 1) < span.days
),
bursts AS (
    SELECT
        a.line_id,
        count(*) AS burst_lines,
        sum(b.value_double) AS burst_value
    FROM rare AS a
    JOIN rare AS b
        ON b.shipper_key = a.shipper_key
        AND b.consignee_key = a.consignee_key
        AND b.hs6 = a.hs6
        AND b.registration_date >= a.registration_date - INTERVAL ($split_window_days) DAY
        AND b.registration_date <= a.registration_date + INTERVAL ($split_window_days) DAY
    GROUP BY a.line_id
)
SELECT
    line_id,
    hs6,
    basis,
    unit_value,
    value_usd,
    CASE WHEN robust_z < 0 THEN 'undervalued' ELSE 'marked_up' END AS reason,
    'hs6_log_median' AS reference_kind,
    exp(log_median) AS reference_value,
    mad AS dispersion,
    group_lines,
    robust_z,
    abs(robust_z) AS score,
    CAST($price_z AS DOUBLE) AS threshold,
    maker,
    source_id,
    row_number
FROM outliers
UNION ALL
SELECT
    a.line_id,
    a.hs6,
    a.basis,
    a.unit_value,
    a.value_usd,
    'resale_markup',
    'maker_direct_median',
    n.direct_median,
    CAST(NULL AS DOUBLE),
    n.group_lines,
    CAST(NULL AS DOUBLE),
    a.unit_value / n.direct_median,
    CAST($markup_ratio AS DOUBLE),
    a.maker,
    a.source_id,
    a.row_number
FROM price_lines AS a
JOIN direct_norms AS n ON n.maker = a.maker AND n.hs6 = a.hs6 AND n.basis = a.basis
WHERE a.dispatch_country <> a.hq_country
    AND a.unit_value >= $markup_ratio * n.direct_median
UNION ALL
SELECT
    k.line_id,
    k.hs6,
    k.basis,
    k.unit_value,
    k.value_usd,
    'split',
    'hs6_median_line_value',
    n.median_line_value,
    CAST(NULL AS DOUBLE),
    b.burst_lines,
    CAST(NULL AS DOUBLE),
    b.burst_value / n.median_line_value,
    CAST($split_min_lines AS DOUBLE),
    k.maker,
    k.source_id,
    k.row_number
FROM rare AS k
JOIN bursts AS b ON b.line_id = k.line_id
JOIN line_norms AS n ON n.hs6 = k.hs6
WHERE b.burst_lines >= $split_min_lines
    AND k.value_double < n.median_line_value
    AND b.burst_value >= n.median_line_value
