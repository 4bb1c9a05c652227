-- Aggregates that every import rebuilds before its store is swapped in, so pages read
-- small tables instead of joining millions of rows.
--
-- Only current rows count: a registration or episode superseded by a later full extract of
-- its source (ended_batch_id set) stays in its table as history but leaves the aggregates.
--
-- persons: one row per person_key with the attributes of their latest registration
--   (latest registered_on, then latest import batch, then source and record_id).
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
-- Both cubes are built one province at a time (schema/coverage_cube_part, then
-- schema/coverage_cube_final) so that memory stays bounded at national scale.

create or replace table persons as
with
latest as (
    select
        r.person_key,
        arg_max(
            struct_pack(
                r.sex, r.birth_year, r.province_code, r.district_code, r.commune_code,
                r.occupation, r.poverty_level, r.disability
            ),
            struct_pack(r.registered_on, r.batch_id, r.source, r.record_id)
        ) as attrs,
        min(r.registered_on) as first_registered_on,
        count(distinct r.source) as source_count
    from registrations as r
    where r.ended_batch_id is null
    group by r.person_key
)

select
    l.person_key,
    unnest(l.attrs),  -- noqa: AL03
    l.first_registered_on,
    l.source_count
from latest as l;

create or replace table coverage_months as
with
as_of as (
    select coalesce(
        (
            select max(try_cast(value as date)) from store_meta
            where key = 'data_as_of'
        ),
        current_date
    ) as data_as_of
),

bounds as (
    select
        (year(data_as_of) - 2019) * 12 + month(data_as_of) - 1
        - (case when data_as_of = last_day(data_as_of) then 0 else 1 end) as last_idx
    from as_of
)

select
    t.month_idx,
    last_day(date '2019-01-01' + to_months(t.month_idx::integer)) as month_end
from bounds as b
cross join range(0, b.last_idx + 1) as t (month_idx);

create or replace table cube_scan_parts (
    month_end date,
    province_code varchar,
    sex varchar,
    age_band varchar,
    occupation varchar,
    poverty_level varchar,
    disability boolean,
    eligible_mask ubigint,
    source_mask usmallint,
    service_mask ubigint,
    district_code varchar,
    commune_code varchar,
    is_informal boolean,
    persons bigint,
    is_area_row boolean
);
