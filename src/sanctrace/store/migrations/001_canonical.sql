-- Canonical warehouse, version 1.
-- Table and column names are a contract: tests, reports and users' own SQL rely on them.
-- Add columns in later migrations; never rename or drop. Meanings: docs/ARCHITECTURE.md.

CREATE SEQUENCE IF NOT EXISTS source_id_seq START 1;

-- One row per loaded file. A file is identified by (sha256, format, dataset): loading it again is a no-op.
CREATE TABLE sources (
    source_id        INTEGER PRIMARY KEY,
    path             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    format           VARCHAR NOT NULL,
    dataset          VARCHAR NOT NULL,
    loaded_at        TIMESTAMP NOT NULL,
    rows_read        BIGINT NOT NULL DEFAULT 0,
    rows_accepted    BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    encoding         VARCHAR,
    publisher        VARCHAR,
    licence          VARCHAR,
    as_of            DATE,
    UNIQUE (sha256, format, dataset)
);

-- Bad rows: never dropped silently. row_number is the 1-based line of the file (header = line 1).
CREATE TABLE quarantine (
    source_id   INTEGER NOT NULL,
    row_number  BIGINT,
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,
    raw_text    VARCHAR
);

-- One row per customs declaration line (goods item). No FollowTheMoney equivalent.
CREATE TABLE declarations (
    line_id              VARCHAR NOT NULL,   -- declaration_number || '/' || item_number
    declaration_number   VARCHAR NOT NULL,
    item_number          INTEGER NOT NULL,
    source_id            INTEGER NOT NULL,
    row_number           BIGINT NOT NULL,
    flow                 VARCHAR,            -- import | export
    registration_date    DATE,
    release_date         DATE,
    commodity_code       VARCHAR,            -- national code, digits only (TN VED 10, CN 8, ...)
    hs6                  VARCHAR,            -- first six digits, comparable across countries
    description          VARCHAR,
    manufacturer_text    VARCHAR,
    trademark_text       VARCHAR,
    origin_country       VARCHAR,            -- ISO-2, where made (G34 / G16)
    dispatch_country     VARCHAR,            -- ISO-2, where shipped from (G15)
    trading_country      VARCHAR,            -- ISO-2, seller's country (G11)
    destination_country  VARCHAR,            -- ISO-2 (G17)
    shipper_name         VARCHAR,
    shipper_identifier   VARCHAR,
    shipper_address      VARCHAR,
    shipper_country      VARCHAR,
    shipper_party_id     VARCHAR,            -- filled by resolve
    consignee_name       VARCHAR,
    consignee_identifier VARCHAR,
    consignee_address    VARCHAR,
    consignee_country    VARCHAR,
    consignee_party_id   VARCHAR,            -- filled by resolve
    invoice_value        DECIMAL(18, 2),
    invoice_currency     VARCHAR,
    customs_value        DECIMAL(18, 2),
    value_usd            DECIMAL(18, 2),
    net_kg               DOUBLE,
    gross_kg             DOUBLE,
    quantity             DOUBLE,
    quantity_unit        VARCHAR,
    incoterms            VARCHAR
);

-- Official trade statistics (Comtrade, Comext, national customs). No FollowTheMoney equivalent.
CREATE TABLE trade_flows (
    source_id      INTEGER NOT NULL,
    row_number     BIGINT NOT NULL,
    reporter       VARCHAR NOT NULL,  -- ISO-2 (Taiwan is TW whatever the source calls it)
    partner        VARCHAR NOT NULL,  -- ISO-2
    flow           VARCHAR NOT NULL,  -- export | import | re-export | re-import
    commodity_code VARCHAR NOT NULL,
    code_level     INTEGER NOT NULL,  -- number of digits: 2, 4, 6, 8, 10
    hs6            VARCHAR,           -- NULL when code_level < 6
    period         VARCHAR NOT NULL,  -- 'YYYY-MM' or 'YYYY'
    period_type    VARCHAR NOT NULL,  -- month | year
    period_start   DATE NOT NULL,
    value          DECIMAL(20, 2) NOT NULL,
    currency       VARCHAR NOT NULL,
    valuation      VARCHAR,           -- FOB | CIF
    quantity       DOUBLE,
    quantity_unit  VARCHAR,
    net_kg         DOUBLE
);

-- Parties: companies, people, vessels. FtM: LegalEntity / Company / Organization / Person / Vessel.
CREATE TABLE parties (
    party_id           VARCHAR PRIMARY KEY,
    schema             VARCHAR NOT NULL,  -- FtM schema name
    caption            VARCHAR NOT NULL,
    country            VARCHAR,
    incorporation_date DATE,
    dissolution_date   DATE,
    address            VARCHAR,
    phone              VARCHAR,
    website            VARCHAR,
    dataset            VARCHAR NOT NULL,
    source_id          INTEGER,
    row_number         BIGINT
);

-- FtM: name / alias / weakAlias / previousName.
CREATE TABLE party_names (
    party_id   VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    name_type  VARCHAR NOT NULL,  -- primary | alias | weak_alias | previous
    script     VARCHAR,           -- ISO 15924: Latn, Cyrl, Hani, ...
    source_id  INTEGER,
    row_number BIGINT
);

-- FtM: registrationNumber, innCode, ogrnCode, kppCode, leiCode, taxNumber, imoNumber, ...
CREATE TABLE party_identifiers (
    party_id   VARCHAR NOT NULL,
    scheme     VARCHAR NOT NULL,  -- inn | ogrn | kpp | ubn | uscc | vkn | lei | imo | other
    value      VARCHAR NOT NULL,
    valid      BOOLEAN,           -- check digits verified (NULL: scheme has none)
    source_id  INTEGER,
    row_number BIGINT
);

-- Edges between parties. FtM: Ownership (owner -> asset), Directorship (director -> organization),
-- Payment (payer -> beneficiary), UnknownLink (subject -> object) for shared address/phone and "linked to".
CREATE TABLE relations (
    relation_id VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,  -- ownership | officer | payment | shared_address | shared_phone | linked
    subject_id  VARCHAR NOT NULL,  -- owner, officer, payer
    object_id   VARCHAR NOT NULL,  -- owned company, organisation, beneficiary
    percent     DOUBLE,
    role        VARCHAR,
    amount      DECIMAL(18, 2),
    currency    VARCHAR,
    start_date  DATE,
    end_date    DATE,
    source_id   INTEGER,
    row_number  BIGINT
);

-- FtM: Sanction (entity, authority, program, listingDate, endDate).
CREATE TABLE designations (
    party_id      VARCHAR NOT NULL,
    list          VARCHAR NOT NULL,  -- e.g. us_ofac_sdn, eu_fsf, gb_fcdo
    program       VARCHAR,
    listed_date   DATE,
    delisted_date DATE,
    source_id     INTEGER,
    row_number    BIGINT
);

-- Goods baskets: versioned data, one row per HS prefix, with the dates the control was in force.
CREATE TABLE baskets (
    basket         VARCHAR NOT NULL,
    hs_prefix      VARCHAR NOT NULL,
    tier           VARCHAR,
    description    VARCHAR,
    effective_from DATE,
    effective_to   DATE,
    version        VARCHAR,
    source_id      INTEGER
);

CREATE TABLE control_events (
    event_id     VARCHAR NOT NULL,
    jurisdiction VARCHAR NOT NULL,
    event_date   DATE NOT NULL,
    description  VARCHAR NOT NULL,
    basket       VARCHAR,
    reference    VARCHAR,
    source_id    INTEGER
);

-- Reference data used to normalise inputs.
CREATE TABLE countries (
    iso2      VARCHAR PRIMARY KEY,
    iso3      VARCHAR,
    numeric   VARCHAR,
    name_en   VARCHAR,
    name_ru   VARCHAR,
    source_id INTEGER
);

-- Every spelling of a country seen in inputs (codes, English/Russian names, Comtrade codes) -> ISO-2.
CREATE TABLE country_aliases (
    alias     VARCHAR NOT NULL,  -- upper-cased, trimmed
    iso2      VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL   -- iso2 | iso3 | numeric | name_en | name_ru | comtrade | custom
);

CREATE TABLE hs_codes (
    code        VARCHAR NOT NULL,
    level       INTEGER NOT NULL,
    description VARCHAR,
    parent      VARCHAR,
    edition     VARCHAR NOT NULL,
    source_id   INTEGER
);
