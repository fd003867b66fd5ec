-- Version 9: an empty description is NULL. Loads before decision 0024 stored '' for a declaration
-- line with no description when the mapping appended no extras (concat_ws of NULLs gives '');
-- clean_text never yields '', so every '' in this column came from that. Later loads store NULL.
UPDATE declarations SET description = NULL WHERE description = '';
