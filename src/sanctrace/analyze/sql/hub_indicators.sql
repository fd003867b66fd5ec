-- hub_indicators: is a third country a transit hub for a basket? Surge, pass-through, share.
--
-- Computes: per basket, hub country and reporter group (the supplying, controlling side), from
--   the monthly rows of basket_flows, in one currency per row (values are never converted):
--     surge        the group's reported exports to the hub in the post period against the
--                  baseline: baseline_value and post_value are ANNUALISED (sum x 12 / months
--                  covered), so periods of different length compare; surge_ratio = post / baseline
--                  (NULL when the baseline is 0 or unknown), surge_increase = post - baseline.
--                  This is the mirror view: it needs only the suppliers' statistics, e.g. Eurostat
--                  Comext (EU reporters -> RU, BY, KZ, KG, AM, GE, UZ), where the hub is the partner.
--     pass_through the hub's exports to $target / the hub's imports from the reporter group, both
--                  as the HUB reports them (reporter = hub), over the hub's post window. Near 1
--                  means what comes in goes on to the target. NULL when the data hold no imports
--                  reported by the hub from the group (as with Comext, which has EU reporters only),
--                  and for the row whose hub is the target itself.
--     share_to_target  the hub's reported exports to $target / all its reported exports of the
--                  basket, over its post window (NULL without hub-reported exports).
--     transit_gap  post_value - hub_imports_from_group / $cif_fob_low: what the group says it
--                  sent the hub (FOB, annualised) beyond what the hub says it received (CIF,
--                  annualised, taken at the smallest uplift so the gap is not overstated); NULL
--                  unless both sides report in this currency, and for the target's own row.
--   Groups: the members of each group in table country_groups (config/country_groups.yaml: 'EU27',
--   the 27 EU member states since 2020-02-01) in force on $post_from form one reporter_group; every
--   other country is its own group (reporter_group = its ISO-2 code). A country in two groups
--   counts in the alphabetically first. Flows inside a group (an EU member as partner of EU27) are
--   left out.
--   Months covered: a window is clipped to the months the reporters have any monthly row in
--   trade_flows in this currency (any goods, any partner): baseline = [$baseline_from,
--   $baseline_to] and post = [$post_from, $post_to or the last month with data], both bounds
--   inclusive months. Inside the coverage a month without a row counts as 0. The hub's own
--   measures use the hub's own coverage (hub_post_from .. hub_post_to).
--   The row whose hub is $target (hub_is_target) is the direct flow, kept for comparison (e.g. EU
--   exports to Russia collapsing while those to Kyrgyzstan surge).
--
-- Parameters:
--   $target         ISO-2 country the goods are suspected to go on to (e.g. 'RU').
--   $baseline_from  first month of the baseline (DATE, first day; default 2019-01-01).
--   $baseline_to    last month of the baseline (DATE, first day; default 2021-12-01).
--   $post_from      first month after the invasion (DATE, first day; default 2022-03-01).
--   $post_to        last month of the post period (DATE, first day) or NULL for the latest month.
--   $cif_fob_low    smallest CIF/FOB uplift, used by transit_gap.
--
-- Output columns: basket, hub, reporter_group, currency, hub_is_target, baseline_from,
--   baseline_to, baseline_months, post_from, post_to, post_months (the periods actually used,
--   NULL when the data do not reach into the window), baseline_total, post_total (plain sums),
--   baseline_rows, post_rows, baseline_value, post_value, surge_ratio, surge_increase,
--   hub_post_from, hub_post_to, hub_post_months, hub_exports_to_target, hub_exports_total,
--   hub_imports_from_group (annualised, NULL when the hub reports nothing in this currency),
--   pass_through, share_to_target, transit_gap (DOUBLE).
--
-- Evidence (the rows behind a figure):
--   group side: SELECT * FROM basket_flows WHERE basket = ? AND partner = hub AND flow = 'export'
--               AND currency = ? AND period_type = 'month' AND reporter IN (<the group's members>)
--               AND period_start BETWEEN baseline_from AND baseline_to   -- (post: post_from/_to)
--   hub side:   SELECT * FROM basket_flows WHERE basket = ? AND reporter = hub AND currency = ?
--               AND period_type = 'month' AND period_start BETWEEN hub_post_from AND hub_post_to
--
-- Caveats:
--   * A warehouse created before country_groups existed (schema version 5) has no groups, so every
--     EU member is its own reporter_group: `sanctrace ingest <package>/config/country_groups.yaml
--     --dataset reference` loads the bundled ones.
--   * $origin does not apply: every reporter group is shown.
--   * Yearly rows are not used; load monthly statistics.
--   * A surge is a pattern to check: demand in the hub may have grown for its own reasons.
--   * Coverage is inferred from the rows present: a reporter whose data stop early in one file but
--     not another is assumed covered up to its latest row.
WITH member_of AS (
    SELECT iso2, min(country_group) AS country_group
    FROM country_groups
    WHERE (valid_from IS NULL OR valid_from <= CAST($post_from AS DATE))
        AND (valid_to IS NULL OR valid_to > CAST($post_from AS DATE))
    GROUP BY iso2
),
monthly AS (
    SELECT
        f.basket,
        f.reporter,
        coalesce(rg.country_group, f.reporter) AS reporter_group,
        f.partner,
        coalesce(pg.country_group, f.partner) AS partner_group,
        f.flow,
        f.period_start,
        f.value,
        f.currency
    FROM basket_flows AS f
    LEFT JOIN member_of AS rg ON rg.iso2 = f.reporter
    LEFT JOIN member_of AS pg ON pg.iso2 = f.partner
    WHERE f.period_type = 'month'
),
coverage AS (
    SELECT
        t.reporter,
        coalesce(g.country_group, t.reporter) AS reporter_group,
        t.currency,
        min(t.period_start) AS first_month,
        max(t.period_start) AS last_month
    FROM trade_flows AS t
    LEFT JOIN member_of AS g ON g.iso2 = t.reporter
    WHERE t.period_type = 'month'
    GROUP BY t.reporter, coalesce(g.country_group, t.reporter), t.currency
),
group_bounds AS (
    SELECT
        reporter_group,
        currency,
        greatest(CAST($baseline_from AS DATE), min(first_month)) AS baseline_from,
        least(CAST($baseline_to AS DATE), max(last_month)) AS baseline_to,
        greatest(CAST($post_from AS DATE), min(first_month)) AS post_from,
        least(coalesce(CAST($post_to AS DATE), max(last_month)), max(last_month)) AS post_to
    FROM coverage
    GROUP BY reporter_group, currency
),
group_windows AS (
    SELECT
        reporter_group,
        currency,
        CASE WHEN baseline_to >= baseline_from THEN baseline_from END AS baseline_from,
        CASE WHEN baseline_to >= baseline_from THEN baseline_to END AS baseline_to,
        CASE
            WHEN baseline_to >= baseline_from
                THEN (year(baseline_to) * 12 + month(baseline_to)) - (year(baseline_from) * 12 + month(baseline_from)) + 1
        END AS baseline_months,
        CASE WHEN post_to >= post_from THEN post_from END AS post_from,
        CASE WHEN post_to >= post_from THEN post_to END AS post_to,
        CASE
            WHEN post_to >= post_from
                THEN (year(post_to) * 12 + month(post_to)) - (year(post_from) * 12 + month(post_from)) + 1
        END AS post_months
    FROM group_bounds
),
hub_bounds AS (
    SELECT
        reporter AS hub,
        currency,
        greatest(CAST($post_from AS DATE), first_month) AS post_from,
        least(coalesce(CAST($post_to AS DATE), last_month), last_month) AS post_to
    FROM coverage
),
hub_windows AS (
    SELECT
        hub,
        currency,
        post_from AS hub_post_from,
        post_to AS hub_post_to,
        (year(post_to) * 12 + month(post_to)) - (year(post_from) * 12 + month(post_from)) + 1
            AS hub_post_months
    FROM hub_bounds
    WHERE post_to >= post_from
),
group_side AS (
    SELECT
        m.basket,
        m.reporter_group,
        m.partner AS hub,
        m.currency,
        sum(CASE WHEN m.period_start BETWEEN w.baseline_from AND w.baseline_to THEN m.value END)
            AS baseline_total,
        count(CASE WHEN m.period_start BETWEEN w.baseline_from AND w.baseline_to THEN 1 END)
            AS baseline_rows,
        sum(CASE WHEN m.period_start BETWEEN w.post_from AND w.post_to THEN m.value END) AS post_total,
        count(CASE WHEN m.period_start BETWEEN w.post_from AND w.post_to THEN 1 END) AS post_rows
    FROM monthly AS m
    JOIN group_windows AS w ON w.reporter_group = m.reporter_group AND w.currency = m.currency
    WHERE m.flow = 'export' AND m.partner_group <> m.reporter_group
    GROUP BY m.basket, m.reporter_group, m.partner, m.currency
),
hub_imports AS (
    SELECT
        m.basket,
        m.partner_group AS reporter_group,
        m.reporter AS hub,
        m.currency,
        sum(CASE WHEN m.period_start BETWEEN h.hub_post_from AND h.hub_post_to THEN m.value END)
            AS imports_from_group
    FROM monthly AS m
    JOIN hub_windows AS h ON h.hub = m.reporter AND h.currency = m.currency
    WHERE m.flow = 'import' AND m.partner_group <> m.reporter_group
    GROUP BY m.basket, m.partner_group, m.reporter, m.currency
),
hub_exports AS (
    SELECT
        m.basket,
        m.reporter AS hub,
        m.currency,
        sum(CASE
            WHEN m.partner = $target AND m.period_start BETWEEN h.hub_post_from AND h.hub_post_to
                THEN m.value
        END) AS exports_to_target,
        sum(CASE WHEN m.period_start BETWEEN h.hub_post_from AND h.hub_post_to THEN m.value END)
            AS exports_total
    FROM monthly AS m
    JOIN hub_windows AS h ON h.hub = m.reporter AND h.currency = m.currency
    WHERE m.flow = 'export'
    GROUP BY m.basket, m.reporter, m.currency
),
keys AS (
    SELECT basket, reporter_group, hub, currency FROM group_side
    UNION
    SELECT basket, reporter_group, hub, currency FROM hub_imports
),
joined AS (
    SELECT
        k.basket,
        k.hub,
        k.reporter_group,
        k.currency,
        k.hub = $target AS hub_is_target,
        w.baseline_from,
        w.baseline_to,
        w.baseline_months,
        w.post_from,
        w.post_to,
        w.post_months,
        CASE WHEN w.baseline_months IS NOT NULL THEN coalesce(g.baseline_total, 0) END AS baseline_total,
        CASE WHEN w.post_months IS NOT NULL THEN coalesce(g.post_total, 0) END AS post_total,
        coalesce(g.baseline_rows, 0) AS baseline_rows,
        coalesce(g.post_rows, 0) AS post_rows,
        hw.hub_post_from,
        hw.hub_post_to,
        hw.hub_post_months,
        CASE WHEN hw.hub_post_months IS NOT NULL THEN coalesce(he.exports_to_target, 0) END
            AS hub_exports_to_target_total,
        CASE WHEN hw.hub_post_months IS NOT NULL THEN coalesce(he.exports_total, 0) END
            AS hub_exports_total_sum,
        CASE WHEN hw.hub_post_months IS NOT NULL THEN coalesce(hi.imports_from_group, 0) END
            AS hub_imports_from_group_total
    FROM keys AS k
    LEFT JOIN group_side AS g
        ON g.basket = k.basket AND g.reporter_group = k.reporter_group AND g.hub = k.hub
        AND g.currency = k.currency
    LEFT JOIN group_windows AS w ON w.reporter_group = k.reporter_group AND w.currency = k.currency
    LEFT JOIN hub_windows AS hw ON hw.hub = k.hub AND hw.currency = k.currency
    LEFT JOIN hub_exports AS he ON he.basket = k.basket AND he.hub = k.hub AND he.currency = k.currency
    LEFT JOIN hub_imports AS hi
        ON hi.basket = k.basket AND hi.reporter_group = k.reporter_group AND hi.hub = k.hub
        AND hi.currency = k.currency
),
annualised AS (
    SELECT
        *,
        CAST(baseline_total AS DOUBLE) * 12 / baseline_months AS baseline_value,
        CAST(post_total AS DOUBLE) * 12 / post_months AS post_value,
        CAST(hub_exports_to_target_total AS DOUBLE) * 12 / hub_post_months AS hub_exports_to_target,
        CAST(hub_exports_total_sum AS DOUBLE) * 12 / hub_post_months AS hub_exports_total,
        CAST(hub_imports_from_group_total AS DOUBLE) * 12 / hub_post_months AS hub_imports_from_group
    FROM joined
)
SELECT
    basket,
    hub,
    reporter_group,
    currency,
    hub_is_target,
    baseline_from,
    baseline_to,
    baseline_months,
    post_from,
    post_to,
    post_months,
    baseline_total,
    post_total,
    baseline_rows,
    post_rows,
    baseline_value,
    post_value,
    post_value / nullif(baseline_value, 0) AS surge_ratio,
    post_value - baseline_value AS surge_increase,
    hub_post_from,
    hub_post_to,
    hub_post_months,
    hub_exports_to_target,
    hub_exports_total,
    hub_imports_from_group,
    CASE
        WHEN hub_is_target THEN NULL
        ELSE CAST(hub_exports_to_target_total AS DOUBLE) / nullif(CAST(hub_imports_from_group_total AS DOUBLE), 0)
    END AS pass_through,
    CASE
        WHEN hub_is_target THEN NULL
        ELSE CAST(hub_exports_to_target_total AS DOUBLE) / nullif(CAST(hub_exports_total_sum AS DOUBLE), 0)
    END AS share_to_target,
    CASE
        WHEN hub_is_target THEN NULL
        ELSE post_value - hub_imports_from_group / CAST($cif_fob_low AS DOUBLE)
    END AS transit_gap
FROM annualised
