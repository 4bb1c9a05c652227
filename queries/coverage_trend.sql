-- Coverage of informal workers on every month end, by province: the series behind targets.
-- Grain: one row per month end x province (25, then the national row 'KH'). Counts as in
-- coverage_by_province (distinct persons, here from series_cube or, with no occupation, sex
-- or age band chosen, series_totals: coverage_cube rolled up for the monthly series); the
-- denominator of each month
-- is the estimate of the latest year on or before it (else the earliest year), so that
-- every month matches the coverage table of that month. Suppression is applied by the
-- caller, month by month, exactly as on the coverage table.
-- Parameters:
--   $services   varchar[]  service codes; covered by at least one (empty: any service)
--   $occupation varchar    an informal occupation, or null for all informal work
--   $sex        varchar    'F', 'M' or null
--   $age_band   varchar    an age band such as '25-34', or null
--   $source     varchar    a source registry, or null for all
with
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

cells as (
    -- series_cube holds informal occupations only, month and province as small integers;
    -- with no occupation, sex or age band chosen, series_totals (the same without them) gives
    -- the same sums from 25 times fewer rows. Exactly one branch's guard holds (DuckDB
    -- folds the bound parameters, so the other costs nothing).
    select
        t.month_idx,
        t.province_no,
        t.source_mask,
        t.service_mask,
        t.persons,
        t.key_sum
    from series_totals as t
    where
        $occupation::varchar is null
        and $sex::varchar is null
        and $age_band::varchar is null
    union all
    select
        c.month_idx,
        c.province_no,
        c.source_mask,
        c.service_mask,
        c.persons,
        c.key_sum
    from series_cube as c
    where
        (
            $occupation::varchar is not null
            or $sex::varchar is not null
            or $age_band::varchar is not null
        )
        and ($occupation::varchar is null or c.occupation = $occupation)
        and ($sex::varchar is null or c.sex = $sex)
        and ($age_band::varchar is null or c.age_band = $age_band)
),

counts as (
    select
        c.month_idx,
        c.province_no,
        sum(c.persons) as registered_count,
        coalesce(sum(c.persons) filter (where (c.service_mask & s.service_bits) <> 0), 0)
            as covered_count,
        sum(c.key_sum) as registered_ksum,
        coalesce(sum(c.key_sum) filter (where (c.service_mask & s.service_bits) <> 0), 0)
            as covered_ksum
    from cells as c
    cross join selected_services as s
    cross join selected_source as src
    where $source::varchar is null or (c.source_mask & src.source_bits) <> 0
    group by c.month_idx, c.province_no
),

years as (
    select distinct year from population_estimates
),

month_years as (
    select
        m.month_end,
        coalesce(
            max(y.year) filter (where y.year <= year(m.month_end)),
            min(y.year)
        ) as year
    from coverage_months as m
    cross join years as y
    group by m.month_end
),

estimates as (
    select
        pe.province_code,
        pe.year,
        sum(pe.informal_workers) as informal_workers
    from population_estimates as pe
    where
        ($sex::varchar is null or pe.sex = $sex)
        and ($age_band::varchar is null or pe.age_band = $age_band)
    group by pe.province_code, pe.year
),

province_rows as (
    select
        m.month_end,
        p.province_code,
        coalesce(c.covered_count, 0)::bigint as covered_count,
        coalesce(c.registered_count, 0)::bigint as registered_count,
        coalesce(c.covered_ksum, 0)::bigint as covered_ksum,
        coalesce(c.registered_ksum, 0)::bigint as registered_ksum,
        case
            when $source::varchar is null then round(e.informal_workers * os.share)::bigint
        end as informal_workers_est
    from coverage_months as m
    cross join provinces as p
    cross join occupation_share as os
    left join month_years as my on m.month_end = my.month_end
    left join counts as c
        on m.month_idx = c.month_idx and p.province_code::utinyint = c.province_no
    left join estimates as e
        on p.province_code = e.province_code and my.year = e.year
)

select * from province_rows
union all
select
    month_end,
    'KH' as province_code,
    sum(covered_count)::bigint as covered_count,
    sum(registered_count)::bigint as registered_count,
    sum(covered_ksum)::bigint as covered_ksum,
    sum(registered_ksum)::bigint as registered_ksum,
    case
        when count(informal_workers_est) = count(*) then sum(informal_workers_est)
    end::bigint as informal_workers_est
from province_rows
group by month_end
order by month_end, province_code;
