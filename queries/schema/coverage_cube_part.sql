-- One province's share of coverage_cube (see schema/aggregates.sql for the grain).
-- $province varchar: the province whose persons (by their latest registration) are added.
insert into coverage_cube_parts
with
province_persons as (
    select person_key from persons
    where province_code = $province
),

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
    where
        u.ended_batch_id is null
        and u.person_key in (select pp.person_key from province_persons as pp)
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
    where
        r.ended_batch_id is null
        and r.person_key in (select pp.person_key from province_persons as pp)
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
group by all;
