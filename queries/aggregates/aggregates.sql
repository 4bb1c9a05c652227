-- reads: nothing
-- writes: persons, touched_persons
-- Aggregates that every import rebuilds before its store is swapped in, so pages read
-- small tables instead of joining millions of rows.
--
-- Only current rows count: a registration or episode superseded by a later full extract of
-- its source (ended_batch_id set) stays in its table as history but leaves the aggregates.
--
-- persons: one row per person_key with the attributes of their latest registration
--   (latest registered_on, then latest import batch, then source and record_id), and the
--   registries they are in (source_count, source_mask).
-- coverage_cube: one row per month end x province x sex x age band x occupation x
--   poverty_level x disability x eligible_mask x source_mask x service_mask, counting
--   persons. A person enters the cube from the month of their first registration (or
--   first active episode, if earlier) up to the last complete month on or before
--   store_meta.data_as_of. source_mask has a bit per registry the person is in by that
--   month end; service_mask a bit per service with an active episode on that month end
--   (started_on <= month end and ended_on empty or >= month end); eligible_mask a bit per
--   service whose rule in eligibility_rules the person meets on that month end (every
--   criterion of the service holds; several values of one criterion are alternatives).
--   Age is the month end's year minus birth year. poverty_level is 'unknown' when empty.
-- area_cube: one row per month end x commune (with its district and province) x
--   is_informal x service_mask, counting persons: the province -> district -> commune
--   drill-down. Persons without a commune code count under district or commune 'unknown'.
--   Built from the same scan as coverage_cube (grouping sets), so both always agree.
-- series_cube, series_service_cube, series_totals, series_service_totals: coverage_cube
--   rolled up for the monthly series (see aggregates/series_cubes), rebuilt and refreshed
--   with it.
-- source_quality: per source and province, the completeness of current records, records
--   that could not be linked and duplicates (queries/source_quality_by_province.sql).
--   Each record's counts depend on its own person only, so it is refreshed like the cubes.
-- lineage_rows: per import batch x use (registrations, uptake) x province x source x month,
--   the rows (superseded ones included) that lineage_batches.sql traces a figure to.
-- Both cubes are built one province at a time (aggregates/coverage_cube_part, then
-- aggregates/coverage_cube_final) so that memory stays bounded at national scale.
--
-- An import of registrations or uptake refreshes them incrementally instead
-- (store/aggregates.py): every count is a sum over persons, so the new cube = the old cube
-- - the rows of the persons the import touched, computed on the store as it was + their
-- rows computed on the store as it is (touched_persons, persons_rows, coverage_cube_part
-- with $before and $sign, cube_apply_delta, series_apply_delta; see README.md here).

create or replace table persons (
    person_key bigint,
    sex varchar,
    birth_year smallint,
    province_code varchar,
    district_code varchar,
    commune_code varchar,
    occupation varchar,
    poverty_level varchar,
    disability boolean,
    first_registered_on date,
    source_count bigint,
    source_mask usmallint,
    record_key utinyint
);

create or replace temp table touched_persons (person_key bigint);
