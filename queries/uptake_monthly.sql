-- Monthly uptake: persons with an active episode of each service on every month end.
-- Grain: one row per month end x province (25, then the national row 'KH') x service.
-- Counts are distinct persons in informal work from series_service_cube (coverage_cube
-- rolled up for the monthly series; series_service_totals when no occupation, sex or age
-- band is chosen), each with the sum of its persons' record keys
-- (receiving_ksum): the caller perturbs them (cell-key method), so a month's count for one
-- programme is the very value the coverage page shows with that programme alone chosen.
-- Parameters:
--   $occupation varchar  an informal occupation, or null for all informal work
--   $sex        varchar  'F', 'M' or null
--   $age_band   varchar  an age band such as '25-34', or null
--   $source     varchar  a source registry, or null for all
with
selected_source as (
    select coalesce(max(1::usmallint << source_bit), 0::usmallint) as source_bits
    from sources
    where source = $source
),

cells as (
    -- series_service_cube: a row per service a person of the cut receives; with no
    -- occupation, sex or age band chosen, series_service_totals (the same without them)
    -- gives the same sums from 43 times fewer rows. Exactly one branch's guard holds
    -- (DuckDB folds the bound parameters, so the other costs nothing).
    select
        t.month_idx,
        t.province_no,
        t.source_mask,
        t.service_bit,
        t.persons,
        t.key_sum
    from series_service_totals as t
    where
        $occupation::varchar is null
        and $sex::varchar is null
        and $age_band::varchar is null
    union all
    select
        c.month_idx,
        c.province_no,
        c.source_mask,
        c.service_bit,
        c.persons,
        c.key_sum
    from series_service_cube as c
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

receiving as (
    select
        c.month_idx,
        c.province_no,
        c.service_bit,
        sum(c.persons) as receiving_count,
        sum(c.key_sum) as receiving_ksum
    from cells as c
    cross join selected_source as src
    where $source::varchar is null or (c.source_mask & src.source_bits) <> 0
    group by c.month_idx, c.province_no, c.service_bit
),

province_rows as (
    select
        m.month_end,
        p.province_code,
        s.service_code,
        coalesce(rc.receiving_count, 0)::bigint as receiving_count,
        coalesce(rc.receiving_ksum, 0)::bigint as receiving_ksum
    from coverage_months as m
    cross join provinces as p
    cross join services as s
    left join receiving as rc
        on
            m.month_idx = rc.month_idx
            and p.province_code::utinyint = rc.province_no
            and s.service_bit = rc.service_bit
)

select * from province_rows
union all
select
    month_end,
    'KH' as province_code,
    service_code,
    sum(receiving_count)::bigint as receiving_count,
    sum(receiving_ksum)::bigint as receiving_ksum
from province_rows
group by month_end, service_code
order by month_end, service_code, province_code;
