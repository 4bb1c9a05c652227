-- reads: age_bands, coverage_months, cube_persons, eligibility_rules (through the macro
--   service_eligibility: macros/service_eligibility), occupations, registrations, services,
--   sources, uptake
-- writes: cube_scan_parts
-- The cube rows of the persons in cube_persons (see aggregates/aggregates.sql): one province's
-- share of coverage_cube and area_cube, or the touched persons' rows of an incremental
-- refresh, counted with $sign.
-- $before bigint: count the registrations and episodes current before this batch (those
--   added by earlier batches and not ended by one of them); a number above every batch
--   gives the store as it is.
-- $sign integer: 1 to add the rows, -1 to take them away.
-- Months before a person's floor_idx (cube_persons) are not counted.
insert into cube_scan_parts
with
province_persons as (
    select
        person_key,
        floor_idx
    from cube_persons
),

bounds as (
    select max(month_idx) as last_idx from coverage_months
),

episode_spans as (
    select
        u.person_key,
        s.service_bit,
        greatest(0, datediff('month', $series_start::date, u.started_on)) as start_idx,
        case
            when u.ended_on is null then b.last_idx
            else least(
                b.last_idx,
                datediff('month', $series_start::date, u.ended_on)
                - (case when u.ended_on = last_day(u.ended_on) then 0 else 1 end)
            )
        end as end_idx,
        pp.floor_idx
    from uptake as u
    inner join province_persons as pp on u.person_key = pp.person_key
    inner join services as s on u.service_code = s.service_code
    cross join bounds as b
    where
        u.batch_id < $before
        and coalesce(u.ended_batch_id, $before) >= $before
),

service_months as (
    select
        person_key,
        unnest(range(greatest(start_idx, floor_idx), end_idx + 1)) as month_idx,
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
        greatest(0, datediff('month', $series_start::date, r.registered_on)) as month_idx,
        (1::usmallint << s.source_bit) as bits
    from registrations as r
    inner join sources as s on r.source = s.source
    where
        r.batch_id < $before
        and coalesce(r.ended_batch_id, $before) >= $before
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
        i.person_key,
        unnest(range(greatest(i.from_idx, pp.floor_idx), i.to_idx + 1)) as month_idx,
        i.source_mask
    from source_intervals as i
    inner join province_persons as pp on i.person_key = pp.person_key
),

cube_years as (
    select distinct year(month_end) as year from coverage_months
),

-- read by name by the macro service_eligibility, below (sqlfluff cannot see that use)
eligibility_keys as (  -- noqa: ST03
    select distinct
        p.poverty_level,
        p.disability,
        p.sex,
        p.birth_year,
        y.year
    from cube_persons as p
    cross join cube_years as y
),

eligible_masks as (
    select
        c.poverty_level,
        c.disability,
        c.sex,
        c.birth_year,
        c.year,
        bit_or(1::ubigint << s.service_bit) as eligible_mask
    -- the catalogue's rules, applied by the one macro (macros/service_eligibility)
    from service_eligibility(eligibility_keys) as c
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
        count(*) * $sign as persons,
        grouping(p.commune_code) = 0 as is_area_row,
        sum(p.record_key) * $sign as key_sum
    from person_months as pm
    inner join cube_persons as p on pm.person_key = p.person_key
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
            -- grouped as shown: a person with no known occupation is not informal either
            m.month_end, p.province_code, p.district_code, p.commune_code,
            coalesce(o.is_informal, false), sm.service_mask
        )
    )
)

select * from cube_rows;  -- noqa: AM04
