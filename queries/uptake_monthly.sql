-- Monthly uptake: persons with an active episode of each service on every month end.
-- Grain: one row per month end x province (25, then the national row 'KH') x service,
-- with the registered persons of the cut beside (the same on every service of a month and
-- province), so that the caller can suppress each month and service exactly as the
-- coverage table of that month and that programme alone is suppressed.
-- Counts are distinct persons in informal work from series_cube and series_service_cube
-- (coverage_cube rolled up for the monthly series). Suppression is applied by the caller.
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

registered as (
    -- series_cube holds informal occupations only, month and province as small integers
    select
        c.month_idx,
        c.province_no,
        sum(c.persons) as registered_count
    from series_cube as c
    cross join selected_source as src
    where
        ($occupation::varchar is null or c.occupation = $occupation)
        and ($sex::varchar is null or c.sex = $sex)
        and ($age_band::varchar is null or c.age_band = $age_band)
        and ($source::varchar is null or (c.source_mask & src.source_bits) <> 0)
    group by c.month_idx, c.province_no
),

receiving as (
    -- series_service_cube: a row per service a person of the cut receives
    select
        c.month_idx,
        c.province_no,
        c.service_bit,
        sum(c.persons) as receiving_count
    from series_service_cube as c
    cross join selected_source as src
    where
        ($occupation::varchar is null or c.occupation = $occupation)
        and ($sex::varchar is null or c.sex = $sex)
        and ($age_band::varchar is null or c.age_band = $age_band)
        and ($source::varchar is null or (c.source_mask & src.source_bits) <> 0)
    group by c.month_idx, c.province_no, c.service_bit
),

province_rows as (
    select
        m.month_end,
        p.province_code,
        s.service_code,
        coalesce(rc.receiving_count, 0)::bigint as receiving_count,
        coalesce(rg.registered_count, 0)::bigint as registered_count
    from coverage_months as m
    cross join provinces as p
    cross join services as s
    left join receiving as rc
        on
            m.month_idx = rc.month_idx
            and p.province_code::utinyint = rc.province_no
            and s.service_bit = rc.service_bit
    left join registered as rg
        on m.month_idx = rg.month_idx and p.province_code::utinyint = rg.province_no
)

select * from province_rows
union all
select
    month_end,
    'KH' as province_code,
    service_code,
    sum(receiving_count)::bigint as receiving_count,
    sum(registered_count)::bigint as registered_count
from province_rows
group by month_end, service_code
order by month_end, service_code, province_code;
