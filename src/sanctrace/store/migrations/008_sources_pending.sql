-- Version 8: sources.pending marks a load written in two transactions whose second has not
-- committed yet: the declarations' direct write commits its rows first and numbers and checks them
-- in a second transaction (an UPDATE of rows inserted in the same transaction made DuckDB rewrite
-- them at commit, 4.5 s per 10M lines; decision 0024). A pending load's rows are removed when the
-- warehouse is next opened for writing (sources.base.discard_unfinished_loads); a finished load is
-- never pending. Meanings: docs/ARCHITECTURE.md.
ALTER TABLE sources ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false;
