-- Coverage of informal workers by province and vulnerable group on an as-of month end:
-- the needs index inputs and the SDG 1.3.1-style coverage by group.
-- Grain: one row per province (25) and the national row 'KH', times group_code:
--   all; women / not_women (sex 'F' / anything else); older / not_older (an age band whose
--   min_age >= $older_min_age / any other band); poor / not_poor (IDPoor status: poverty
--   level 1 or 2 / anything else); disability / no_disability (recorded disability / not).
-- Each split adds up to 'all', so totals and parts can be suppressed together.
-- Counts are distinct persons from coverage_cube; informal_workers_est is the estimate of
-- the same cut for all, women and older (no population estimate of IDPoor status or
-- disability exists: null there), or null where no estimate of the cut exists.
-- Parameters (as queries/coverage_by_province.sql, plus one):
--   $as_of         date       any day of the month to report on (its last day is used)
--   $services      varchar[]  service codes; covered by at least one (empty: any service)
--   $occupation    varchar    an informal occupation, or null for all informal work
--   $sex           varchar    'F', 'M' or null
--   $age_band      varchar    an age band such as '25-34', or null
--   $source        varchar    a source registry, or null for all
--   $older_min_age integer    the youngest age band start that counts as older persons
with
month as (
    select last_day($as_of::date) as month_end
),

selected_services as (
    select coalesce(bit_or(1::ubigint << service_bit), 0::ubigint) as service_bits
    from services
    where
        len($services::varchar[]) = 0
        or list_contains($services::varchar[], service_code)
),

selected_source as (
    select coalesce(max(1::usmallint << source_bit), 0::usmallint) as source_bits
    from sources
    where source = $source
),

occupation_share as (
    select
        case
            when $occupation::varchar is null then 1.0
            else max(informal_share) filter (where occupation = $occupation)
        end as share
    from occupations
),

older_bands as (
    select age_band from age_bands
    where min_age >= $older_min_age::integer
),

cube as (
    -- the month's cells summed by what the groups need (a few hundred rows per province),
    -- so that the groups' unnest below works on those sums, not on every cell
    select
        c.province_code,
        (c.service_mask & s.service_bits) <> 0 as is_covered,
        c.sex = 'F' as is_woman,
        c.age_band in (select ob.age_band from older_bands as ob) as is_older,
        c.poverty_level in ('1', '2') as is_poor,
        coalesce(c.disability, false) as has_disability,
        sum(c.persons) as persons,
        sum(c.key_sum) as key_sum
    from coverage_cube as c
    cross join month as m
    cross join selected_services as s
    cross join selected_source as src
    where
        c.month_end = m.month_end
        and c.occupation in (
            select o.occupation from occupations as o
            where o.is_informal
        )
        and ($occupation::varchar is null or c.occupation = $occupation)
        and ($sex::varchar is null or c.sex = $sex)
        and ($age_band::varchar is null or c.age_band = $age_band)
        and ($source::varchar is null or (c.source_mask & src.source_bits) <> 0)
    group by province_code, is_covered, is_woman, is_older, is_poor, has_disability
),

counts as (
    select
        province_code,
        group_code,
        sum(persons) as registered_count,
        coalesce(sum(persons) filter (where is_covered), 0) as covered_count,
        sum(key_sum) as registered_ksum,
        coalesce(sum(key_sum) filter (where is_covered), 0) as covered_ksum
    from (
        select
            province_code,
            persons,
            key_sum,
            is_covered,
            unnest([
                'all',
                case when is_woman then 'women' else 'not_women' end,
                case when is_older then 'older' else 'not_older' end,
                case when is_poor then 'poor' else 'not_poor' end,
                case when has_disability then 'disability' else 'no_disability' end
            ]) as group_code
        from cube
    ) as cube_groups
    group by province_code, group_code
),

estimate_year as (
    select coalesce(max(year) filter (where year <= year(m.month_end)), min(year)) as year
    from population_estimates
    cross join month as m
),

estimates as (
    select
        pe.province_code,
        sum(pe.informal_workers) as est_all,
        sum(pe.informal_workers) filter (where pe.sex = 'F') as est_women,
        sum(pe.informal_workers) filter (
            where pe.age_band in (select ob.age_band from older_bands as ob)
        ) as est_older,
        max(pe.reference_date) as reference_date,
        string_agg(distinct pe.source, '; ') as source
    from population_estimates as pe
    inner join estimate_year as ey on pe.year = ey.year
    where
        ($sex::varchar is null or pe.sex = $sex)
        and ($age_band::varchar is null or pe.age_band = $age_band)
    group by pe.province_code
),

groups as (
    select
        v.group_code,
        v.group_order
    from (
        values
        ('all', 0), ('women', 1), ('not_women', 2), ('older', 3), ('not_older', 4),
        ('poor', 5), ('not_poor', 6), ('disability', 7), ('no_disability', 8)
    ) as v (group_code, group_order)
),

province_rows as (
    select
        p.province_code,
        p.name_en as province_name_en,
        g.group_code,
        g.group_order,
        coalesce(c.covered_count, 0)::bigint as covered_count,
        coalesce(c.registered_count, 0)::bigint as registered_count,
        coalesce(c.covered_ksum, 0)::bigint as covered_ksum,
        coalesce(c.registered_ksum, 0)::bigint as registered_ksum,
        case
            when $source::varchar is not null or e.est_all is null then null
            when g.group_code = 'all' then round(e.est_all * os.share)
            -- no women in the cut: zero women estimated, not unknown
            when g.group_code = 'women' then round(coalesce(e.est_women, 0) * os.share)
            when g.group_code = 'older' then round(coalesce(e.est_older, 0) * os.share)
        end::bigint as informal_workers_est,
        e.reference_date as denominator_reference_date,
        e.source as denominator_source
    from provinces as p
    cross join groups as g
    cross join occupation_share as os
    left join counts as c
        on p.province_code = c.province_code and g.group_code = c.group_code
    left join estimates as e on p.province_code = e.province_code
),

all_rows as (
    select * from province_rows
    union all
    select
        'KH' as province_code,
        'Cambodia' as province_name_en,
        group_code,
        group_order,
        sum(covered_count)::bigint as covered_count,
        sum(registered_count)::bigint as registered_count,
        sum(covered_ksum)::bigint as covered_ksum,
        sum(registered_ksum)::bigint as registered_ksum,
        case
            when count(informal_workers_est) = count(*) then sum(informal_workers_est)
        end::bigint as informal_workers_est,
        max(denominator_reference_date) as denominator_reference_date,
        string_agg(distinct denominator_source, '; ') as denominator_source
    from province_rows
    group by group_code, group_order
)

select
    r.province_code,
    r.province_name_en,
    r.group_code,
    r.covered_count,
    r.registered_count,
    r.registered_count - r.covered_count as registered_not_covered_count,
    r.covered_ksum,
    r.registered_ksum,
    r.registered_ksum - r.covered_ksum as registered_not_covered_ksum,
    r.informal_workers_est,
    m.month_end as numerator_reference_date,
    r.denominator_reference_date,
    r.denominator_source
from all_rows as r
cross join month as m
order by r.province_code, r.group_order;
