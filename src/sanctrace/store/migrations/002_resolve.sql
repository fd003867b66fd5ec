-- Version 2: results of screening declaration parties against designated parties (resolve/screening.py).
-- Additive only. One row per (query party, designated party, as_of) scoring at least the report floor;
-- `match` says whether the score reached the threshold used. `list` and `program` hold the designations
-- in force at as_of, '; '-joined when several. `explanation` is JSON: feature -> contribution, plus notes.
CREATE TABLE screening_matches (
    query_party_id VARCHAR NOT NULL,
    query_caption  VARCHAR,
    entity_id      VARCHAR NOT NULL,
    caption        VARCHAR NOT NULL,
    score          DOUBLE NOT NULL,
    match          BOOLEAN NOT NULL,
    threshold      DOUBLE NOT NULL,
    explanation    VARCHAR NOT NULL,
    list           VARCHAR,
    program        VARCHAR,
    as_of          DATE NOT NULL
);
