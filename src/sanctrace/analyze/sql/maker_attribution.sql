-- maker_attribution: one row per declaration line, with the maker behind it and relabelling signs.
--
-- Computes: the maker and its headquarters country from the declared manufacturer (G31_11) and
--   trademark (G31_12) texts, through the maker alias table (YAML data, table maker_aliases). The
--   string matching is done in Python by the resolve step (resolve/makers.py: case, punctuation,
--   word order, legal forms and script are normalised away; an alias matches a text exactly or
--   by all its words being in the text) and stored in maker_text_keys; here there are only
--   equality joins: declarations.text -> maker_text_keys.text, alias_key -> maker_aliases.alias_key.
--   An alias key that two different makers share attributes to neither (its status reads
--   'ambiguous', as does a text containing two makers' aliases equally well); placeholder texts ("ОТСУТСТВУЕТ", "NO BRAND") count as
--   not given.
--
--   method and confidence (the declared manufacturer is preferred to the trademark):
--     'manufacturer'  the manufacturer text names a maker:
--                       1.0  the trademark names the same maker
--                       0.5  the trademark names another maker (see brand_of_other_maker)
--                       0.9  otherwise, exact key match; 0.75 matched by containment
--     'trademark'     only the trademark names a maker: 0.8 exact, 0.6 by containment
--     'none'          neither does: maker, hq_country and confidence are NULL
--
--   relabel_reasons (';'-joined in this order, NULL when none; relabel_suspect = any reason):
--     unknown_brand         a known maker's goods under a trademark that is given (not empty, not
--                           a placeholder) but is no known maker's brand
--     brand_of_other_maker  manufacturer and trademark name two different makers
--     origin_not_hq         the maker is known, the declared origin_country differs from its
--                           hq_country and equals the dispatch_country: the goods are declared as
--                           made in the country they were shipped from (a TW maker's machine
--                           "made in" the hub CN or TR)
--
-- Parameters: none.
--
-- Output columns: line_id, maker (slug id), maker_name, hq_country, method, match (exact /
--   contains of the text used; NULL for 'none'), confidence (DOUBLE), relabel_suspect (BOOLEAN),
--   relabel_reasons, manufacturer_text, manufacturer_maker, manufacturer_alias (the alias matched),
--   manufacturer_status, trademark_text, trademark_maker, trademark_alias, trademark_status (each
--   status: absent = empty or a placeholder / known / unknown / ambiguous), origin_country, dispatch_country, alias_source_id (the maker_aliases file that gave
--   the attribution: table sources), source_id, row_number (the declaration line).
--
-- Evidence: line_id, source_id and row_number give the declaration line; alias_source_id and
--   SELECT * FROM maker_aliases WHERE maker = ? give the alias data used.
--
-- Caveats:
--   * maker_text_keys is written by `sanctrace resolve`; lines loaded (or alias files added) after the
--     last resolve run are attributed only after the next one.
--   * A maker producing abroad (a Japanese brand's Chinese plant) is flagged origin_not_hq when its
--     goods are shipped from that plant's country: the rule is a pointer for review, not a finding.
--   * A trademark field holding a model number instead of a brand reads as an unknown brand.
--   * When alias files give one maker id two HQ countries, the alphabetically first is used.
-- Performance: the rules run once per distinct (manufacturer, trademark, origin, dispatch) in
--   maker_combinations; this is a view joining the lines to it, computed when read.
-- materialize: view
SELECT
    d.line_id,
    c.maker,
    c.maker_name,
    c.hq_country,
    coalesce(c.method, 'none') AS method,
    c.match,
    c.confidence,
    coalesce(c.relabel_suspect, FALSE) AS relabel_suspect,
    c.relabel_reasons,
    d.manufacturer_text,
    c.manufacturer_maker,
    c.manufacturer_alias,
    c.manufacturer_status,
    d.trademark_text,
    c.trademark_maker,
    c.trademark_alias,
    c.trademark_status,
    d.origin_country,
    d.dispatch_country,
    c.alias_source_id,
    d.source_id,
    d.row_number
FROM declarations AS d
LEFT JOIN maker_combinations AS c
    ON c.manufacturer_text IS NOT DISTINCT FROM d.manufacturer_text
    AND c.trademark_text IS NOT DISTINCT FROM d.trademark_text
    AND c.origin_country IS NOT DISTINCT FROM d.origin_country
    AND c.dispatch_country IS NOT DISTINCT FROM d.dispatch_country
