-- Aggregates that every import rebuilds before its store is swapped in, so pages read
-- small tables instead of joining millions of rows.
--
-- Only current rows count: a registration or episode superseded by a later full extract of
-- its source (ended_batch_id set) stays in its table as history but leaves the aggregates.
--
-- persons: one row per person_key with the attributes of their latest registration
--   (latest registered_on, then latest import batch, then source and record_id).
-- coverage_cube: one row per month end x province x sex x age band x occupation x
--   source_mask x service_mask, counting persons. A person enters the cube from the month
--   of their first registration (or first active episode, if earlier) up to the last
--   complete month on or before store_meta.data_as_of. source_mask has a bit per registry
--   the person is in by that month end; service_mask a bit per service with an active
--   episode on that month end (started_on <= month end and ended_on empty or >= month end).
--   Age is the month end's year minus birth year.

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

create or replace table coverage_cube as
with
bounds as (
    select max(month_idx) as last_idx from coverage_months
),

episode_spans as (
    select
        u.person_key,
        s.service_bit,
        greatest(0, (year(u.started_on) - 2019) * 12 + month(u.started_on) - 1) as start_idx,
        case
            when u.ended_on is null then b.last_idx
            else least(
                b.last_idx,
                (year(u.ended_on) - 2019) * 12 + month(u.ended_on) - 1
                - (case when u.ended_on = last_day(u.ended_on) then 0 else 1 end)
            )
        end as end_idx
    from uptake as u
    inner join services as s on u.service_code = s.service_code
    cross join bounds as b
    where u.ended_batch_id is null
),

service_months as (
    select
        person_key,
        unnest(range(start_idx, end_idx + 1)) as month_idx,
        service_bit
    from episode_spans
    where end_idx >= start_idx
),

service_masks as (
    select
        person_key,
        month_idx,
        bit_or(1::ubigint << service_bit) as service_mask
    from service_months
    group by person_key, month_idx
),

source_steps as (
    select
        r.person_key,
        greatest(0, (year(r.registered_on) - 2019) * 12 + month(r.registered_on) - 1) as month_idx,
        (1::usmallint << s.source_bit) as bits
    from registrations as r
    inner join sources as s on r.source = s.source
    where r.ended_batch_id is null
    union all
    select
        person_key,
        min(start_idx) as month_idx,
        0::usmallint as bits
    from episode_spans
    where end_idx >= start_idx
    group by person_key
),

source_changes as (
    select
        person_key,
        month_idx,
        bit_or(bits) as bits
    from source_steps
    cross join bounds
    where month_idx <= last_idx
    group by person_key, month_idx
),

source_intervals as (
    select
        c.person_key,
        c.month_idx as from_idx,
        coalesce(
            lead(c.month_idx) over (partition by c.person_key order by c.month_idx) - 1,
            b.last_idx
        ) as to_idx,
        bit_or(c.bits) over (
            partition by c.person_key order by c.month_idx
            rows between unbounded preceding and current row
        ) as source_mask
    from source_changes as c
    cross join bounds as b
),

person_months as (
    select
        person_key,
        unnest(range(from_idx, to_idx + 1)) as month_idx,
        source_mask
    from source_intervals
)

select
    m.month_end,
    p.province_code,
    p.sex,
    coalesce(a.age_band, 'unknown') as age_band,
    coalesce(p.occupation, 'none') as occupation,
    pm.source_mask,
    coalesce(sm.service_mask, 0::ubigint) as service_mask,
    count(*) as persons
from person_months as pm
inner join persons as p on pm.person_key = p.person_key
inner join coverage_months as m on pm.month_idx = m.month_idx
left join service_masks as sm
    on pm.person_key = sm.person_key and pm.month_idx = sm.month_idx
left join age_bands as a
    on year(m.month_end) - p.birth_year between a.min_age and a.max_age
group by all
order by m.month_end, p.province_code;
