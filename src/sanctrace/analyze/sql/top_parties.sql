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
    FROM basket_lines AS bl
    JOIN shipment_routes AS sr ON sr.line_id = bl.line_id
    WHERE sr.destination_country = $target
        AND ($origin IS NULL OR sr.origin_country = $origin)
),
scoped AS (
    SELECT 'all' AS period, * FROM in_scope
    UNION ALL
    SELECT CAST(year(registration_date) AS VARCHAR) AS period, * FROM in_scope
    WHERE registration_date IS NOT NULL
),
totals AS (
    SELECT basket, period, sum(value_usd) AS basket_value
    FROM scoped
    GROUP BY basket, period
),
roles AS (
    SELECT basket, period, 'maker' AS role, CAST(NULL AS VARCHAR) AS party_id,
        manufacturer_text AS raw_name, value_usd, registration_date, line_id
    FROM scoped
    UNION ALL
    SELECT basket, period, 'shipper' AS role, shipper_party_id, shipper_name, value_usd,
        registration_date, line_id
    FROM scoped
    UNION ALL
    SELECT basket, period, 'consignee' AS role, consignee_party_id, consignee_name, value_usd,
        registration_date, line_id
    FROM scoped
    UNION ALL
    SELECT basket, period, 'hub' AS role, CAST(NULL AS VARCHAR), hub_country, value_usd,
        registration_date, line_id
    FROM scoped
    WHERE route = 'indirect'
),
keyed AS (
    SELECT
        basket,
        period,
        role,
        coalesce(party_id, nullif(upper(trim(raw_name)), '')) AS party_key,
        party_id IS NOT NULL AS resolved,
        raw_name,
        value_usd,
        registration_date,
        line_id
    FROM roles
),
per_party AS (
    SELECT
        basket,
        period,
        role,
        party_key,
        max(resolved) AS resolved,
        sum(value_usd) AS value_usd,
        count(*) AS lines,
        min(registration_date) AS first_date,
        max(registration_date) AS last_date
    FROM keyed
    WHERE party_key IS NOT NULL
    GROUP BY basket, period, role, party_key
),
edges AS (
    SELECT
        basket,
        period,
        role,
        party_key,
        min(line_id) FILTER (WHERE earliest = 1) AS first_line_id,
        min(line_id) FILTER (WHERE latest = 1) AS last_line_id
    FROM (
        SELECT
            basket,
            period,
            role,
            party_key,
            line_id,
            row_number() OVER (
                PARTITION BY basket, period, role, party_key ORDER BY registration_date ASC, line_id ASC
            ) AS earliest,
            row_number() OVER (
                PARTITION BY basket, period, role, party_key ORDER BY registration_date DESC, line_id DESC
            ) AS latest
        FROM keyed
        WHERE party_key IS NOT NULL AND registration_date IS NOT NULL
    ) AS numbered
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
            ORDER BY count(*) DESC, raw_name ASC
        ) AS pick
    FROM keyed
    WHERE party_key IS NOT NULL AND raw_name IS NOT NULL
    GROUP BY basket, period, role, party_key, raw_name
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
        e.first_line_id,
        e.last_line_id,
        row_number() OVER (
            PARTITION BY p.basket, p.period, p.role
            ORDER BY p.value_usd DESC NULLS LAST, p.party_key ASC
        ) AS rank
    FROM per_party AS p
    JOIN totals AS t ON t.basket = p.basket AND t.period = p.period
    LEFT JOIN edges AS e
        ON e.basket = p.basket AND e.period = p.period AND e.role = p.role AND e.party_key = p.party_key
    LEFT JOIN spellings AS s
        ON s.basket = p.basket AND s.period = p.period AND s.role = p.role AND s.party_key = p.party_key
        AND s.pick = 1
)
SELECT
    basket, period, role, party_key, resolved, label, value_usd, lines, share, first_date, last_date,
    first_line_id, last_line_id, rank
FROM ranked
WHERE rank <= $top_n
