-- basket_flows: which official trade-statistics rows count towards which goods basket, once each.
--
-- Computes: for every basket in table baskets, the trade_flows rows whose commodity code starts
--   with one of the basket's HS prefixes, keeping only rows that can be added up without counting
--   the same goods twice. Statistics mix levels (Comext has HS4 aggregates next to the CN8 codes
--   under them; Comtrade has HS2/HS4/HS6), so two rules apply:
--     1. Overlapping prefixes of one basket are reduced to the shortest: a basket listing 8457 and
--        84571010 is matched on 8457 only (every entry's effective dates are ignored here:
--        statistics describe all trade in the goods, controlled or not).
--     2. The coarsest row wins: a row is dropped when another matched row of the same basket,
--        reporter, partner, flow, period and currency has a code that is a proper prefix of its
--        code (an HS4 total 8457 drops the CN8 rows 8457xxxx of the same month; the CN8 rows are
--        used in the months where the HS4 total is missing, e.g. confidential). What is kept is a
--        set of codes none of which contains another, so the sum over it counts nothing twice and
--        is as complete as the file allows.
--   Rows coarser than the basket's prefix (an HS4 total for a 6-digit prefix) never match: the
--   total cannot be split, and adding it would overstate the basket.
--
-- Parameters: none.
--
-- Output columns: basket, hs_prefix (the basket prefix matched), source_id, row_number, reporter,
--   partner, flow, commodity_code, code_level, period, period_type, period_start, month_index
--   (year * 12 + month - 1, so that month arithmetic is integer arithmetic on every engine), value,
--   currency, valuation.
--
-- Provenance: source_id + row_number -> trade_flows -> the line of the loaded file. The rows a
--   basket total left out as covered by a coarser row:
--   SELECT DISTINCT f.* FROM trade_flows f JOIN baskets b ON starts_with(f.commodity_code, b.hs_prefix)
--   WHERE b.basket = ? AND (f.source_id, f.row_number) NOT IN
--     (SELECT source_id, row_number FROM basket_flows WHERE basket = ?)
--
-- Caveats:
--   * Currencies are never converted and monthly and yearly rows are both kept (period_type tells
--     them apart): the queries reading this table select one currency and monthly rows.
--   * The same flow loaded from two different publications (e.g. Comtrade and a national office)
--     is not recognised as the same: load one source per reporter and flow.
--   * A basket mixing code lists (HS 2017 vs HS 2022, national codes) matches textually; check
--     which nomenclature the data uses before reading a break in a series as a change in trade.
WITH prefixes AS (
    SELECT DISTINCT basket, hs_prefix FROM baskets
),
nested_prefixes AS (
    SELECT DISTINCT p.basket, p.hs_prefix
    FROM prefixes AS p
    JOIN prefixes AS q
        ON q.basket = p.basket
        AND length(q.hs_prefix) < length(p.hs_prefix)
        AND left(p.hs_prefix, length(q.hs_prefix)) = q.hs_prefix
),
effective AS (
    SELECT p.basket, p.hs_prefix
    FROM prefixes AS p
    LEFT JOIN nested_prefixes AS n ON n.basket = p.basket AND n.hs_prefix = p.hs_prefix
    WHERE n.hs_prefix IS NULL
),
matched AS (
    SELECT
        b.basket,
        b.hs_prefix,
        f.source_id,
        f.row_number,
        f.reporter,
        f.partner,
        f.flow,
        f.commodity_code,
        f.code_level,
        f.period,
        f.period_type,
        f.period_start,
        f.value,
        f.currency,
        f.valuation
    FROM trade_flows AS f
    -- Equi-join on the code cut to each prefix length in use, as in basket_lines.
    CROSS JOIN (SELECT DISTINCT length(hs_prefix) AS prefix_length FROM effective) AS lengths
    JOIN effective AS b
        ON b.hs_prefix = left(f.commodity_code, lengths.prefix_length)
        AND length(b.hs_prefix) = lengths.prefix_length
        AND length(f.commodity_code) >= lengths.prefix_length
),
ancestors AS (
    SELECT
        m.basket,
        m.source_id,
        m.row_number,
        m.reporter,
        m.partner,
        m.flow,
        m.period,
        m.currency,
        left(m.commodity_code, levels.ancestor_length) AS ancestor_code
    FROM matched AS m
    JOIN (SELECT DISTINCT length(commodity_code) AS ancestor_length FROM matched) AS levels
        ON levels.ancestor_length < length(m.commodity_code)
),
covered AS (
    SELECT DISTINCT a.basket, a.source_id, a.row_number
    FROM ancestors AS a
    JOIN matched AS p
        ON p.basket = a.basket
        AND p.reporter = a.reporter
        AND p.partner = a.partner
        AND p.flow = a.flow
        AND p.period = a.period
        AND p.currency = a.currency
        AND p.commodity_code = a.ancestor_code
)
SELECT
    m.basket,
    m.hs_prefix,
    m.source_id,
    m.row_number,
    m.reporter,
    m.partner,
    m.flow,
    m.commodity_code,
    m.code_level,
    m.period,
    m.period_type,
    m.period_start,
    year(m.period_start) * 12 + month(m.period_start) - 1 AS month_index,
    m.value,
    m.currency,
    m.valuation
FROM matched AS m
LEFT JOIN covered AS c
    ON c.basket = m.basket AND c.source_id = m.source_id AND c.row_number = m.row_number
WHERE c.row_number IS NULL
