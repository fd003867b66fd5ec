-- control_event_windows: what each control event changed, basket by basket and route by route.
--
-- Computes: for every control event and every basket it concerns (its own basket, or every basket
--   in table baskets when control_events.basket is NULL), the value and number of lines in scope
--   (destination_country = $target, origin_country = $origin or every origin when $origin is NULL)
--   registered in the $months months before the event, [event_date - $months months, event_date),
--   and in the $months months from it, [event_date, event_date + $months months), per route.
--
-- Parameters:
--   $target  ISO-2 destination country.
--   $origin  ISO-2 origin country, or NULL for all origins.
--   $months  window length in calendar months on each side of the event date (positive integer).
--   $event   one event_id of control_events, or NULL for every event.
--
-- Output columns: event_id, jurisdiction, event_date, basket, route, window_start (first day
--   counted before), window_end (first day no longer counted after), value_before, lines_before,
--   value_after, lines_after. value_* is 0 when the window has no line of that route, NULL when it
--   has lines but none with a value_usd.
--
-- Evidence (the lines behind one row):
--   SELECT sr.* FROM basket_lines bl JOIN shipment_routes sr ON sr.line_id = bl.line_id
--   WHERE bl.basket = ? AND sr.route = ? AND sr.registration_date >= window_start
--     AND sr.registration_date < event_date            -- (before; after: >= event_date, < window_end)
--     AND sr.destination_country = $target AND ($origin IS NULL OR sr.origin_country = $origin)
--
-- Caveats:
--   * A route appears only if it has at least one line in one of the two windows; an event and
--     basket with no line in either window has no row at all.
--   * An event naming a basket that is not in table baskets yields no row; check control_events.
--   * Month arithmetic clips to the month's end (2023-08-31 minus 6 months is 2023-02-28).
--   * Lines without a registration_date cannot be placed in a window and are not counted here.
WITH events AS (
    SELECT
        e.event_id,
        e.jurisdiction,
        e.event_date,
        b.basket,
        CAST(e.event_date - INTERVAL ($months) MONTH AS DATE) AS window_start,
        CAST(e.event_date + INTERVAL ($months) MONTH AS DATE) AS window_end
    FROM control_events AS e
    JOIN (SELECT DISTINCT basket FROM baskets) AS b
        ON e.basket IS NULL OR e.basket = b.basket
    WHERE $event IS NULL OR e.event_id = $event
),
scoped AS (
    SELECT bl.basket, sr.route, sr.registration_date, sr.value_usd
    FROM shipment_routes AS sr
    JOIN basket_codes AS bl
        ON bl.code = coalesce(sr.commodity_code, sr.hs6)
        AND bl.registration_date IS NOT DISTINCT FROM sr.registration_date
    WHERE sr.destination_country = $target
        AND ($origin IS NULL OR sr.origin_country = $origin)
),
windowed AS (
    SELECT
        ev.event_id,
        ev.jurisdiction,
        ev.event_date,
        ev.basket,
        ev.window_start,
        ev.window_end,
        sc.route,
        sc.value_usd,
        sc.registration_date < ev.event_date AS is_before
    FROM events AS ev
    JOIN scoped AS sc
        ON sc.basket = ev.basket
        AND sc.registration_date >= ev.window_start
        AND sc.registration_date < ev.window_end
)
SELECT
    event_id,
    jurisdiction,
    event_date,
    basket,
    route,
    window_start,
    window_end,
    CASE
        WHEN count(CASE WHEN is_before THEN 1 END) = 0 THEN 0
        ELSE sum(CASE WHEN is_before THEN value_usd END)
    END AS value_before,
    count(CASE WHEN is_before THEN 1 END) AS lines_before,
    CASE
        WHEN count(CASE WHEN NOT is_before THEN 1 END) = 0 THEN 0
        ELSE sum(CASE WHEN NOT is_before THEN value_usd END)
    END AS value_after,
    count(CASE WHEN NOT is_before THEN 1 END) AS lines_after
FROM windowed
GROUP BY event_id, jurisdiction, event_date, basket, route, window_start, window_end
