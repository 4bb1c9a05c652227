-- Aggregates that every import rebuilds before its store is swapped in, so pages read
-- small tables instead of joining millions of rows.
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

create or replace temp table cube_scan as
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
),

cube_years as (
    select distinct year(month_end) as year from coverage_months
),

eligibility_keys as (
    select distinct
        p.poverty_level,
        p.disability,
        p.sex,
        p.birth_year,
        y.year
    from persons as p
    cross join cube_years as y
),

rule_checks as (
    -- one row per key x service x criterion: does any listed value of the criterion hold?
    select
        k.poverty_level,
        k.disability,
        k.sex,
        k.birth_year,
        k.year,
        r.service_code,
        r.criterion,
        bool_or(
            case r.criterion
                when 'poverty_level' then k.poverty_level = r.value
                when 'disability' then coalesce(k.disability, false) = (r.value = 'true')
                when 'sex' then k.sex = r.value
                when 'min_age' then k.year - k.birth_year >= try_cast(r.value as integer)
                when 'max_age' then k.year - k.birth_year <= try_cast(r.value as integer)
                else false
            end
        ) as passes
    from eligibility_keys as k
    cross join eligibility_rules as r
    group by all
),

eligible_services as (
    select
        poverty_level,
        disability,
        sex,
        birth_year,
        year,
        service_code,
        bool_and(coalesce(passes, false)) as eligible
    from rule_checks
    group by all
),

eligible_masks as (
    select
        c.poverty_level,
        c.disability,
        c.sex,
        c.birth_year,
        c.year,
        bit_or(1::ubigint << s.service_bit) as eligible_mask
    from eligible_services as c
    inner join services as s on c.service_code = s.service_code
    where c.eligible
    group by all
),

cube_rows as (
    select
        m.month_end,
        p.province_code,
        p.sex,
        coalesce(a.age_band, 'unknown') as age_band,
        coalesce(p.occupation, 'none') as occupation,
        coalesce(p.poverty_level, 'unknown') as poverty_level,
        p.disability,
        coalesce(e.eligible_mask, 0::ubigint) as eligible_mask,
        pm.source_mask,
        coalesce(sm.service_mask, 0::ubigint) as service_mask,
        coalesce(p.district_code, 'unknown') as district_code,
        coalesce(p.commune_code, 'unknown') as commune_code,
        coalesce(o.is_informal, false) as is_informal,
        count(*) as persons,
        grouping(p.commune_code) = 0 as is_area_row
    from person_months as pm
    inner join persons as p on pm.person_key = p.person_key
    inner join coverage_months as m on pm.month_idx = m.month_idx
    left join service_masks as sm
        on pm.person_key = sm.person_key and pm.month_idx = sm.month_idx
    left join age_bands as a
        on year(m.month_end) - p.birth_year between a.min_age and a.max_age
    left join occupations as o on p.occupation = o.occupation
    left join eligible_masks as e
        on
            p.poverty_level is not distinct from e.poverty_level
            and p.disability is not distinct from e.disability
            and p.sex is not distinct from e.sex
            and p.birth_year is not distinct from e.birth_year
            and year(m.month_end) = e.year
    group by grouping sets (
        (
            m.month_end, p.province_code, p.sex, a.age_band, p.occupation, p.poverty_level,
            p.disability, e.eligible_mask, pm.source_mask, sm.service_mask
        ),
        (
            m.month_end, p.province_code, p.district_code, p.commune_code, o.is_informal,
            sm.service_mask
        )
    )
)

select * from cube_rows;

create or replace table coverage_cube as
select
    month_end,
    province_code,
    sex,
    age_band,
    occupation,
    poverty_level,
    disability,
    eligible_mask,
    source_mask,
    service_mask,
    persons
from cube_scan
where not is_area_row
order by month_end, province_code;

create or replace table area_cube as
select
    month_end,
    province_code,
    district_code,
    commune_code,
    is_informal,
    service_mask,
    persons
from cube_scan
where is_area_row
order by month_end, province_code, district_code, commune_code;

drop table cube_scan;
