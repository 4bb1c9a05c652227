-- Schema of the coverage store. Idempotent: every statement is "if not exists".
-- No table holds a name or a raw national ID: persons are known by a surrogate person_key.

create table if not exists store_meta (
    key varchar primary key,
    value varchar
);

create table if not exists provinces (
    province_code varchar primary key,
    iso_3166_2 varchar not null,
    name_en varchar not null,
    name_km varchar not null
);

create table if not exists districts (
    district_code varchar primary key,
    province_code varchar not null,
    name_en varchar,
    name_km varchar
);

create table if not exists communes (
    commune_code varchar primary key,
    district_code varchar not null,
    province_code varchar not null,
    name_en varchar,
    name_km varchar
);

create table if not exists sources (
    source varchar primary key,
    source_bit utinyint not null unique,
    name_en varchar not null,
    name_km varchar,
    agency varchar
);

create table if not exists services (
    service_code varchar primary key,
    service_bit utinyint not null unique,
    name_en varchar not null,
    name_km varchar,
    ministry varchar,
    pillar varchar,
    sector varchar,
    started_on date,
    ended_on date
);

create table if not exists occupations (
    occupation varchar primary key,
    name_en varchar not null,
    name_km varchar,
    is_informal boolean not null,
    informal_share double,
    share_source varchar,
    share_reference_date date
);

create table if not exists age_bands (
    age_band varchar primary key,
    min_age integer not null,
    max_age integer not null
);

create table if not exists population_estimates (
    province_code varchar not null,
    year integer not null,
    sex varchar not null,
    age_band varchar not null,
    population bigint not null,
    informal_workers bigint not null,
    source varchar not null,
    reference_date date not null,
    is_modelled boolean not null,
    batch_id bigint
);

create table if not exists import_batches (
    batch_id bigint primary key,
    file_name varchar,
    sha256 varchar,
    kind varchar not null,
    source varchar,
    rows_read bigint,
    rows_loaded bigint,
    result varchar not null,
    user_name varchar,
    imported_at timestamp not null,
    key_fingerprint varchar,
    note varchar
);

create table if not exists registrations (
    person_key bigint not null,
    source varchar not null,
    record_id varchar not null,
    sex varchar,
    birth_year smallint,
    province_code varchar not null,
    district_code varchar,
    commune_code varchar,
    occupation varchar,
    registered_on date not null,
    poverty_level varchar,
    disability boolean,
    batch_id bigint not null
);

create table if not exists uptake (
    person_key bigint not null,
    source varchar not null,
    record_id varchar not null,
    service_code varchar not null,
    started_on date not null,
    ended_on date,
    batch_id bigint not null
);

-- History of full extracts: a record superseded by a later extract of its source keeps its
-- row, with the batch that ended it; aggregates count only rows whose ended_batch_id is null.
alter table registrations add column if not exists ended_batch_id bigint;
alter table registrations add column if not exists link_method varchar;
alter table uptake add column if not exists ended_batch_id bigint;
-- Validity of each import attempt: file rows with at least one problem.
alter table import_batches add column if not exists invalid_rows bigint;

-- Deterministic linkage: the keyed hash (HMAC-SHA-256) of a normalised national ID and the
-- person it belongs to. The raw ID is never stored. One row per id_hash: the only writer
-- (imports/new_person_ids) adds hashes not yet here, once each. No primary-key index: it
-- made adding a million hashes cost 2 s instead of 0.1 s, and lookups are hash joins.
-- (Stores created before keep their index; it changes nothing but that time.)
create table if not exists person_ids (
    id_hash varchar not null,
    person_key bigint not null,
    batch_id bigint not null
);

-- Privacy-preserving linkage features of each registration record, kept so that records
-- arriving later without an ID can still be linked: a keyed Bloom filter (CLK) of the
-- name's q-grams, keyed hashes of two name tokens (alphabetically first and last) and of the
-- birth date (and of the date with day and month swapped), sex and place. No name, no raw
-- date. See dashboard/features.py.
create table if not exists linkage_features (
    source varchar not null,
    record_id varchar not null,
    person_key bigint not null,
    id_hash varchar,
    name_clk blob,
    token_min_hash varchar,
    token_max_hash varchar,
    birth_hash varchar,
    birth_swap_hash varchar,
    birth_year smallint,
    sex varchar,
    province_code varchar,
    commune_code varchar,
    batch_id bigint not null,
    ended_batch_id bigint
);

-- Issue 17, linkage that survives dirty data: keyed hashes of the birth date's variants
-- (one digit masked, year-month, month-day) and of the ID's one-deletion variants, so that
-- near dates and IDs one typo apart can be compared (linkage/features.py); and, for review,
-- the probability of a probabilistic or id_typo link, and the most probable stored person
-- a record was not linked to (below the threshold, or taken by another record of its file)
-- with that pair's probability.
alter table linkage_features add column if not exists birth_variants varchar;
alter table linkage_features add column if not exists id_variants varchar;
alter table linkage_features add column if not exists match_probability double;
alter table linkage_features add column if not exists review_person_key bigint;
alter table linkage_features add column if not exists review_probability double;

-- Who a programme is meant for: a person is eligible for a service when every criterion
-- listed for it holds (several rows of one criterion are alternatives). Criteria:
-- poverty_level (IDPoor level, e.g. '1'), disability ('true'/'false'), sex ('F'/'M'),
-- min_age and max_age (age on the month end, in years). The rules are data
-- (data/reference/eligibility_rules.csv), not code.
create table if not exists eligibility_rules (
    service_code varchar not null,
    criterion varchar not null,
    value varchar not null,
    note varchar
);

-- Disclosure control (cell-key method): each person's record key, a uniform random integer
-- 0-255 drawn with a cryptographic generator when the person is first stored
-- (store/storage.py: assign_record_keys). A cell's key is the sum of its persons' record
-- keys mod 256. Linking keeps the surviving person_key, and with it its key. Never shown,
-- never exported.
create table if not exists record_keys (
    person_key bigint not null,
    record_key utinyint not null
);

-- Clerical review (issue 17): a data manager's decision on a pair of records from the review
-- queue (linkage/review.py): 'same' (one person) or 'different'. Applied at once (persons
-- merged, or a record split off to a person of its own) and kept, so that later imports
-- respect it (linkage/matching.py). Records are named by source and agency record number:
-- no name, ID or birth date. `kind`: 'id_typo' (a link by IDs one typo apart) or
-- 'below_threshold' (a pair scored below the match threshold); `probability` the pair's.
create table if not exists review_decisions (
    source_l varchar not null,
    record_id_l varchar not null,
    source_r varchar not null,
    record_id_r varchar not null,
    decision varchar not null,
    kind varchar not null,
    probability double,
    decided_by varchar not null,
    decided_at timestamp not null
);
