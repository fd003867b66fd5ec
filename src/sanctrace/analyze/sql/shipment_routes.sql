-- shipment_routes: one row per declaration line, with its route.
--
-- Computes: the four country views of each line (origin = where made, dispatch = where shipped
--   from, trading = seller's country, destination) side by side, never collapsed, and a route:
--     1. 'unknown'  origin_country is NULL
--     2. 'domestic' origin_country = destination_country (made in the destination country)
--     3. 'unknown'  dispatch_country is NULL
--     4. 'direct'   dispatch_country = origin_country
--     5. 'indirect' otherwise; hub_country = dispatch_country (the third country it came through)
--   The rules are applied in this order, so a line made and shipped from Russia to Russia is
--   'domestic', not 'direct'. hub_country is NULL unless the route is 'indirect'.
--   maker_route / maker_hub_country: the same rules with the maker's HQ country (maker_attribution)
--   in place of the declared origin, NULL when no maker was attributed. A relabelled machine (a TW
--   maker's goods declared as made in the hub they were shipped from) is route 'direct' but
--   maker_route 'indirect' via that hub. maker_relabel_suspect copies maker_attribution's flag.
--   assessed_route / assessed_hub_country: the declared route, except for a line that is 'direct'
--   as declared, 'indirect' by its maker's HQ and a relabel suspect: then the maker route and hub.
--   This is the route the analyses of behaviour (route_switches) use; route stays as declared.
--
-- Parameters:
--   $period_from, $period_to  first and last registration date kept (inclusive), or NULL for no
--                             bound. With either bound set, lines without a registration_date are
--                             left out (they cannot be placed in the period).
--
-- Output columns: line_id, registration_date, month (DATE, first day of the registration month),
--   hs6, commodity_code, flow, value_usd, origin_country, dispatch_country, trading_country,
--   destination_country, maker_hq_country, route, hub_country, maker_route, maker_hub_country,
--   maker_relabel_suspect, shipper_party_id,
--   consignee_party_id, shipper_name, consignee_name, manufacturer_text, source_id, row_number, assessed_route,
--   assessed_hub_country.
--
-- Provenance: source_id + row_number point to the line of the loaded file (table sources);
--   maker_attribution (same line_id) says how maker_hq_country was found.
--
-- Caveats:
--   * maker_hq_country is the HQ country of the maker that maker_attribution found from the
--     manufacturer and trademark texts (NULL when none); it is a fourth view and does not enter the
--     route (compare it with origin_country to spot relabelled origins: maker_attribution does).
--   * The trading country does not enter the route; a TW-made machine dispatched from TW but sold
--     by a Chinese trader is 'direct'. Compare trading_country yourself to find such cases.
--   * month is NULL when registration_date is missing; such lines still count in every total.
-- Performance: a view (computed when read): every reader needs a few of its columns, and writing
--   ten million wide rows cost more than the readers' own scans. maker_combinations (one row per
--   distinct manufacturer, trademark, origin and dispatch) gives the maker's HQ.
-- materialize: view
WITH routed AS (
    SELECT
        d.*,
        ma.hq_country AS maker_hq_country,
        coalesce(ma.relabel_suspect, FALSE) AS maker_relabel_suspect,
        -- the same rules twice: from the declared origin, and from the maker's HQ country
        CASE
            WHEN d.origin_country IS NULL THEN 'unknown'
            WHEN d.origin_country = d.destination_country THEN 'domestic'
            WHEN d.dispatch_country IS NULL THEN 'unknown'
            WHEN d.dispatch_country = d.origin_country THEN 'direct'
            ELSE 'indirect'
        END AS route,
        CASE
            WHEN ma.hq_country IS NULL THEN NULL
            WHEN ma.hq_country = d.destination_country THEN 'domestic'
            WHEN d.dispatch_country IS NULL THEN 'unknown'
            WHEN d.dispatch_country = ma.hq_country THEN 'direct'
            ELSE 'indirect'
        END AS maker_route
    FROM declarations AS d
    LEFT JOIN maker_combinations AS ma
        ON ma.manufacturer_text IS NOT DISTINCT FROM d.manufacturer_text
        AND ma.trademark_text IS NOT DISTINCT FROM d.trademark_text
        AND ma.origin_country IS NOT DISTINCT FROM d.origin_country
        AND ma.dispatch_country IS NOT DISTINCT FROM d.dispatch_country
    WHERE ($period_from IS NULL OR d.registration_date >= $period_from)
        AND ($period_to IS NULL OR d.registration_date <= $period_to)
),
assessed AS (
    SELECT
        *,
        CASE WHEN route = 'direct' AND maker_route = 'indirect' AND maker_relabel_suspect
            THEN 'indirect' ELSE route END AS assessed_route
    FROM routed
)
SELECT
    line_id,
    registration_date,
    CAST(date_trunc('month', registration_date) AS DATE) AS month,
    hs6,
    commodity_code,
    flow,
    value_usd,
    origin_country,
    dispatch_country,
    trading_country,
    destination_country,
    maker_hq_country,
    route,
    CASE WHEN route = 'indirect' THEN dispatch_country END AS hub_country,
    maker_route,
    CASE WHEN maker_route = 'indirect' THEN dispatch_country END AS maker_hub_country,
    maker_relabel_suspect,
    shipper_party_id,
    consignee_party_id,
    shipper_name,
    consignee_name,
    manufacturer_text,
    source_id,
    row_number,
    assessed_route,
    CASE WHEN assessed_route = 'indirect' THEN dispatch_country END AS assessed_hub_country
FROM assessed
