-- route_switches: consignees whose deliveries of a basket moved from direct to indirect (case B).
--
-- Computes: per basket and consignee, over the lines in scope (destination_country = $target,
--   origin_country = $origin or every origin when $origin is NULL), the dates, values and counts of
--   direct and of indirect lines, the hub countries used, and whether the consignee switched.
--   The consignee is keyed on consignee_party_id, else upper(trim(consignee_name)); lines with
--   neither are left out.
--   Routes are shipment_routes.assessed_route: the declared route, except that a line declared
--   'direct' whose maker's HQ says 'indirect' and that maker_attribution flags as a relabel suspect
--   counts as indirect via its dispatch country (relabel_lines says how many). Without this, a TW
--   maker's machine declared "made in" the hub it was shipped from reads as direct and hides the
--   switch. With $origin set, such a line is in scope when its maker's HQ is $origin.
--
-- The switch rule (a clean switch):
--   switched = TRUE  when the consignee has at least one direct and one indirect line (both with a
--                    registration_date) and first_indirect_date > last_direct_date, i.e. every
--                    dated indirect line came after the last direct one;
--              FALSE otherwise, including consignees that used both routes side by side.
--   overlap_lines counts indirect lines dated on or before last_direct_date, so an analyst can spot
--   a switch with a few early indirect shipments (switched = FALSE, overlap_lines small).
--
-- The strength of a switch (score, 0..1, for ranking; 0 without both routes):
--   score = cleanliness * balance * support, rounded to 4 places, where
--     cleanliness = 1 - overlap_lines / indirect_lines   (1 = every indirect line after the last direct)
--     balance     = 0.5 + least(direct_value, indirect_value) / (direct_value + indirect_value)
--                   (0.5..1: both routes carried real value, not one stray line)
--     support     = least(1, (direct_lines + indirect_lines) / 10)   (ten lines or more: full weight)
--   Case B's importer (14 direct lines, $4.47M, then 49 indirect, $15.8M, no overlap) scores 0.72.
--   switch_rank is 1..N per basket by score (largest first, ties by consignee_key).
--
-- Parameters:
--   $target  ISO-2 destination country.
--   $origin  ISO-2 origin country, or NULL for all origins (then "direct" means shipped from
--            wherever the goods were made, whatever the country).
--
-- Output columns: basket, consignee_key, consignee_party_id (the resolved party, NULL when the key is
--   a raw name), consignee_label (most frequent raw spelling),
--   first_direct_date, last_direct_date, first_indirect_date, last_indirect_date, direct_value,
--   indirect_value, direct_lines, indirect_lines (relabel_lines of them counted by maker_route),
--   other_lines (domestic or unknown route),
--   overlap_lines, hubs (distinct hub countries of the indirect lines, sorted, comma-joined; NULL
--   when none), last_direct_line_id, first_indirect_line_id, switched, score, switch_rank.
--
-- Evidence: last_direct_line_id and first_indirect_line_id point at the two lines that date the
--   switch (ties on a date: the highest, resp. lowest, line_id). All lines behind a row:
--   SELECT sr.* FROM basket_lines bl JOIN shipment_routes sr ON sr.line_id = bl.line_id
--   WHERE bl.basket = ? AND coalesce(sr.consignee_party_id, upper(trim(sr.consignee_name))) = ?
--     AND sr.destination_country = $target AND ($origin IS NULL OR sr.origin_country = $origin
--       OR (sr.assessed_route <> sr.route AND sr.maker_hq_country = $origin))
--
-- Caveats:
--   * Lines without a registration_date count in the values and lines but cannot date a switch.
--   * A route switch is a pattern to check, not proof: a consignee may simply have changed supplier.
-- Performance: lines are first summed per consignee spelling, route, hub and day (far fewer rows
-- than lines); every step below works on those sums.
WITH routed AS (
    SELECT
        bl.basket,
        sr.consignee_party_id,
        sr.consignee_name,
        sr.registration_date,
        sr.value_usd,
        sr.line_id,
        sr.assessed_route AS route,
        sr.assessed_hub_country AS hub_country,
        (sr.assessed_route <> sr.route) AS relabelled
    FROM shipment_routes AS sr
    JOIN basket_codes AS bl
        ON bl.code = coalesce(sr.commodity_code, sr.hs6)
        AND bl.registration_date IS NOT DISTINCT FROM sr.registration_date
    WHERE sr.destination_country = $target
        AND ($origin IS NULL OR sr.origin_country = $origin
            OR (sr.assessed_route <> sr.route AND sr.maker_hq_country = $origin))
),
daily AS (
    SELECT
        basket,
        consignee_party_id,
        consignee_name,
        route,
        hub_country,
        registration_date,
        sum(value_usd) AS value_usd,
        count(*) AS lines,
        count(*) FILTER (WHERE relabelled) AS relabel_lines,
        min(line_id) AS min_line_id,
        max(line_id) AS max_line_id
    FROM routed
    GROUP BY basket, consignee_party_id, consignee_name, route, hub_country, registration_date
),
keyed AS (
    SELECT *
    FROM (
        SELECT
            *,
            coalesce(consignee_party_id, nullif(upper(trim(consignee_name)), '')) AS consignee_key
        FROM daily
    ) AS k
    WHERE consignee_key IS NOT NULL
),
summary AS (
    SELECT
        basket,
        consignee_key,
        max(consignee_party_id) AS consignee_party_id,
        min(CASE WHEN route = 'direct' THEN registration_date END) AS first_direct_date,
        max(CASE WHEN route = 'direct' THEN registration_date END) AS last_direct_date,
        min(CASE WHEN route = 'indirect' THEN registration_date END) AS first_indirect_date,
        max(CASE WHEN route = 'indirect' THEN registration_date END) AS last_indirect_date,
        sum(CASE WHEN route = 'direct' THEN value_usd END) AS direct_value,
        sum(CASE WHEN route = 'indirect' THEN value_usd END) AS indirect_value,
        CAST(coalesce(sum(CASE WHEN route = 'direct' THEN lines END), 0) AS BIGINT) AS direct_lines,
        CAST(coalesce(sum(CASE WHEN route = 'indirect' THEN lines END), 0) AS BIGINT) AS indirect_lines,
        CAST(coalesce(sum(relabel_lines), 0) AS BIGINT) AS relabel_lines,
        CAST(coalesce(sum(CASE WHEN route NOT IN ('direct', 'indirect') THEN lines END), 0) AS BIGINT)
            AS other_lines,
        -- The line that dates each side (ties on a date: the highest, resp. lowest, line_id): the
        -- ISO date (10 characters) and '|' prefix the line_id, so a max/min finds it.
        substr(max(CASE WHEN route = 'direct' THEN
            CAST(registration_date AS VARCHAR) || '|' || max_line_id END), 12) AS last_direct_line_id,
        substr(min(CASE WHEN route = 'indirect' THEN
            CAST(registration_date AS VARCHAR) || '|' || min_line_id END), 12) AS first_indirect_line_id
    FROM keyed
    GROUP BY basket, consignee_key
),
hub_list AS (
    SELECT
        basket,
        consignee_key,
        string_agg(DISTINCT hub_country, ',' ORDER BY hub_country) AS hubs
    FROM keyed
    WHERE route = 'indirect' AND hub_country IS NOT NULL
    GROUP BY basket, consignee_key
),
spellings AS (
    SELECT
        basket,
        consignee_key,
        consignee_name AS consignee_label,
        row_number() OVER (
            PARTITION BY basket, consignee_key
            ORDER BY sum(lines) DESC, consignee_name ASC
        ) AS pick
    FROM keyed
    WHERE consignee_name IS NOT NULL
    GROUP BY basket, consignee_key, consignee_name
),
overlap AS (
    SELECT s.basket, s.consignee_key, CAST(sum(k.lines) AS BIGINT) AS overlap_lines
    FROM summary AS s
    JOIN keyed AS k
        ON k.basket = s.basket
        AND k.consignee_key = s.consignee_key
        AND k.route = 'indirect'
        AND k.registration_date <= s.last_direct_date
    GROUP BY s.basket, s.consignee_key
),
switches AS (
SELECT
    s.basket,
    s.consignee_key,
    s.consignee_party_id,
    coalesce(n.consignee_label, s.consignee_key) AS consignee_label,
    s.first_direct_date,
    s.last_direct_date,
    s.first_indirect_date,
    s.last_indirect_date,
    s.direct_value,
    s.indirect_value,
    s.direct_lines,
    s.indirect_lines,
    s.relabel_lines,
    s.other_lines,
    coalesce(o.overlap_lines, 0) AS overlap_lines,
    h.hubs,
    s.last_direct_line_id,
    s.first_indirect_line_id,
    coalesce(s.first_indirect_date > s.last_direct_date, FALSE) AS switched,
    CASE
        WHEN s.direct_lines = 0 OR s.indirect_lines = 0 THEN 0.0
        ELSE round(
            (1.0 - coalesce(o.overlap_lines, 0) / s.indirect_lines)
            * (0.5 + coalesce(
                least(coalesce(s.direct_value, 0), coalesce(s.indirect_value, 0))
                / nullif(coalesce(s.direct_value, 0) + coalesce(s.indirect_value, 0), 0),
                0
            ))
            * least(1.0, (s.direct_lines + s.indirect_lines) / 10.0),
            4
        )
    END AS score
FROM summary AS s
LEFT JOIN hub_list AS h ON h.basket = s.basket AND h.consignee_key = s.consignee_key
LEFT JOIN overlap AS o ON o.basket = s.basket AND o.consignee_key = s.consignee_key
LEFT JOIN spellings AS n ON n.basket = s.basket AND n.consignee_key = s.consignee_key AND n.pick = 1
)
SELECT
    *,
    row_number() OVER (PARTITION BY basket ORDER BY score DESC, consignee_key ASC) AS switch_rank
FROM switches
