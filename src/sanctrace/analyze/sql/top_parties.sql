-- top_parties: the largest makers, shippers, consignees and hub countries of each basket.
--
-- Computes: within the lines in scope (destination_country = $target, origin_country = $origin or
--   every origin when $origin is NULL), value and lines per basket, role and party:
--     role 'maker'     party = manufacturer_text (no maker resolution yet: raw name key only)
--     role 'shipper'   party = shipper_party_id, else the shipper_name key
--     role 'consignee' party = consignee_party_id, else the consignee_name key
--     role 'hub'       party = hub_country of indirect lines
--   party_key is the resolved party id when there is one, otherwise upper(trim(raw name)); lines
--   with neither are left out of that role (they stay in the basket total). label is the most
--   frequent raw spelling seen for the key (ties: alphabetically first). share is value_usd over the
--   basket's total value in scope, so the hub shares of a basket add up to its indirect share.
--   rank is 1..N per basket and role, by value_usd (largest first, NULL values last, ties broken
--   by party_key); only ranks <= $top_n are kept.
--
-- Parameters:
--   $target  ISO-2 destination country.
--   $origin  ISO-2 origin country, or NULL for all origins.
--   $top_n   how many parties to keep per basket and role.
--
-- Periods: every ranking is made for period 'all' (every line in scope, dated or not) and for
--   each calendar year of registration_date ('2023', ...); share is then of that year's basket
--   total. Filter period = 'all' for the overall ranking.
--
-- Output columns: basket, period, role, party_key, resolved (TRUE when party_key is a party id),
--   label, value_usd, lines, share (DOUBLE, 0..1), first_date, last_date, first_line_id and
--   last_line_id (the party's earliest and latest dated lines: where to start reading), rank.
--
-- Evidence (the lines behind one row), e.g. for role 'consignee':
--   SELECT sr.* FROM basket_lines bl JOIN shipment_routes sr ON sr.line_id = bl.line_id
--   WHERE bl.basket = ? AND coalesce(sr.consignee_party_id, upper(trim(sr.consignee_name))) = ?
--     AND sr.destination_country = $target AND ($origin IS NULL OR sr.origin_country = $origin)
--     [AND year(sr.registration_date) = <period> for a year's row]
--   (shipper: shipper_party_id / shipper_name; maker: upper(trim(manufacturer_text));
--   hub: sr.route = 'indirect' AND sr.hub_country = ?).
--
-- Caveats:
--   * Raw-name keys only merge spellings that differ in case and outer spaces; "OOO X" and "X LLC"
--     stay apart until the resolve step assigns party ids.
--   * Makers are keyed on the manufacturer text as declared; brand attribution comes later.
WITH in_scope AS (
    SELECT bl.basket, sr.*
    FROM shipment_routes AS sr
    JOIN basket_codes AS bl
        ON bl.code = coalesce(sr.commodity_code, sr.hs6)
        AND bl.registration_date IS NOT DISTINCT FROM sr.registration_date
    WHERE sr.destination_country = $target
        AND ($origin IS NULL OR sr.origin_country = $origin)
),
-- Lines are first summed per combination of the four parties (and year): there are far fewer
-- combinations than lines, so the per-role split below works on a small table.
yearly AS (
    SELECT
        basket,
        year(registration_date) AS year,
        route,
        hub_country,
        manufacturer_text,
        shipper_party_id,
        shipper_name,
        consignee_party_id,
        consignee_name,
        sum(value_usd) AS value_usd,
        count(*) AS lines,
        min(registration_date) AS first_date,
        max(registration_date) AS last_date,
        -- Earliest / latest dated line, ties by line_id: the ISO date (10 characters) and '|'
        -- prefix the line_id, so one min/max finds it without ranking every line.
        min(CAST(registration_date AS VARCHAR) || '|' || line_id) AS first_key,
        max(CAST(registration_date AS VARCHAR) || '|' || line_id) AS last_key
    FROM in_scope
    GROUP BY basket, year(registration_date), route, hub_country, manufacturer_text, shipper_party_id,
        shipper_name, consignee_party_id, consignee_name
),
scoped AS (
    SELECT
        basket, 'all' AS period, route, hub_country, manufacturer_text, shipper_party_id, shipper_name,
        consignee_party_id, consignee_name, sum(value_usd) AS value_usd, sum(lines) AS lines,
        min(first_date) AS first_date, max(last_date) AS last_date, min(first_key) AS first_key,
        max(last_key) AS last_key
    FROM yearly
    GROUP BY basket, route, hub_country, manufacturer_text, shipper_party_id, shipper_name,
        consignee_party_id, consignee_name
    UNION ALL
    SELECT
        basket, CAST(year AS VARCHAR) AS period, route, hub_country, manufacturer_text, shipper_party_id,
        shipper_name, consignee_party_id, consignee_name, value_usd, lines, first_date, last_date,
        first_key, last_key
    FROM yearly
    WHERE year IS NOT NULL
),
totals AS (
    SELECT basket, period, sum(value_usd) AS basket_value
    FROM scoped
    GROUP BY basket, period
),
roles AS (
    SELECT basket, period, 'maker' AS role, CAST(NULL AS VARCHAR) AS party_id,
        manufacturer_text AS raw_name, value_usd, lines, first_date, last_date, first_key, last_key
    FROM scoped
    UNION ALL
    SELECT basket, period, 'shipper' AS role, shipper_party_id, shipper_name, value_usd, lines,
        first_date, last_date, first_key, last_key
    FROM scoped
    UNION ALL
    SELECT basket, period, 'consignee' AS role, consignee_party_id, consignee_name, value_usd, lines,
        first_date, last_date, first_key, last_key
    FROM scoped
    UNION ALL
    SELECT basket, period, 'hub' AS role, CAST(NULL AS VARCHAR), hub_country, value_usd, lines,
        first_date, last_date, first_key, last_key
    FROM scoped
    WHERE route = 'indirect'
),
spelled AS (
    -- Per raw spelling first: the name key (upper/trim) is then computed once per distinct
    -- spelling instead of once per line.
    SELECT
        basket,
        period,
        role,
        party_id,
        raw_name,
        sum(value_usd) AS value_usd,
        sum(lines) AS lines,
        min(first_date) AS first_date,
        max(last_date) AS last_date,
        min(first_key) AS first_key,
        max(last_key) AS last_key
    FROM roles
    GROUP BY basket, period, role, party_id, raw_name
),
keyed AS (
    SELECT
        *,
        coalesce(party_id, nullif(upper(trim(raw_name)), '')) AS party_key
    FROM spelled
),
per_party AS (
    SELECT
        basket,
        period,
        role,
        party_key,
        max(party_id IS NOT NULL) AS resolved,
        sum(value_usd) AS value_usd,
        CAST(sum(lines) AS BIGINT) AS lines,
        min(first_date) AS first_date,
        max(last_date) AS last_date,
        substr(min(first_key), 12) AS first_line_id,
        substr(max(last_key), 12) AS last_line_id
    FROM keyed
    WHERE party_key IS NOT NULL
    GROUP BY basket, period, role, party_key
),
spellings AS (
    SELECT
        basket,
        period,
        role,
        party_key,
        raw_name AS label,
        row_number() OVER (
            PARTITION BY basket, period, role, party_key
            ORDER BY lines DESC, raw_name ASC
        ) AS pick
    FROM (
        SELECT basket, period, role, party_key, raw_name, sum(lines) AS lines
        FROM keyed
        WHERE party_key IS NOT NULL AND raw_name IS NOT NULL
        GROUP BY basket, period, role, party_key, raw_name
    ) AS counted
),
ranked AS (
    SELECT
        p.basket,
        p.period,
        p.role,
        p.party_key,
        p.resolved,
        coalesce(s.label, p.party_key) AS label,
        p.value_usd,
        p.lines,
        CAST(p.value_usd AS DOUBLE) / nullif(CAST(t.basket_value AS DOUBLE), 0) AS share,
        p.first_date,
        p.last_date,
        p.first_line_id,
        p.last_line_id,
        row_number() OVER (
            PARTITION BY p.basket, p.period, p.role
            ORDER BY p.value_usd DESC NULLS LAST, p.party_key ASC
        ) AS rank
    FROM per_party AS p
    JOIN totals AS t ON t.basket = p.basket AND t.period = p.period
    LEFT JOIN spellings AS s
        ON s.basket = p.basket AND s.period = p.period AND s.role = p.role AND s.party_key = p.party_key
        AND s.pick = 1
)
SELECT
    basket, period, role, party_key, resolved, label, value_usd, lines, share, first_date, last_date,
    first_line_id, last_line_id, rank
FROM ranked
WHERE rank <= $top_n
