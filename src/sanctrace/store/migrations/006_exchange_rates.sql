-- Version 6: monthly exchange rates to the US dollar, read by indirect_estimates.
-- Additive only. Meanings: docs/ARCHITECTURE.md.

-- One row per (currency, month): how many US dollars one unit of the currency was worth on
-- average that month (for EUR, the ECB's monthly average of its USD reference rate).
CREATE TABLE exchange_rates (
    currency      VARCHAR NOT NULL,  -- ISO 4217, e.g. EUR
    month         DATE NOT NULL,     -- first day of the month
    usd_per_unit  DOUBLE NOT NULL,
    source_id     INTEGER,           -- the file (table sources)
    row_number    BIGINT             -- its line in that file
);
