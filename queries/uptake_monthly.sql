-- Monthly uptake: persons with an active episode of each service on every month end.
-- Grain: one row per month end x province (25, then the national row 'KH') x service,
-- with the registered persons of the cut beside (the same on every service of a month and
-- province), so that the caller can suppress each month and service exactly as the
-- coverage table of that month and that programme alone is suppressed.
-- Counts are distinct persons in informal work from coverage_cube. Suppression is applied
-- by the caller.
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

cube as (
    select
        c.month_end,
        c.province_code,
        c.persons,
        c.service_mask
    from coverage_cube as c
    cross join selected_source as src
    where
        c.occupation in (
            select o.occupation from occupations as o
            where o.is_informal
        )
        and ($occupation::varchar is null or c.occupation = $occupation)
        and ($sex::varchar is null or c.sex = $sex)
        and ($age_band::varchar is null or c.age_band = $age_band)
        and ($source::varchar is null or (c.source_mask & src.source_bits) <> 0)
),

service_masks as (
    -- few distinct masks a month and province: fold the cube's rows (one scan) before the
    -- bit join
    select
        month_end,
        province_code,
        service_mask,
        sum(persons) as persons
    from cube
    group by month_end, province_code, service_mask
),

registered as (
    select
        month_end,
        province_code,
        sum(persons) as registered_count
    from service_masks
    group by month_end, province_code
),

receiving as (
    select
        c.month_end,
        c.province_code,
        s.service_code,
        sum(c.persons) as receiving_count
    from service_masks as c
    inner join services as s on (c.service_mask & (1::ubigint << s.service_bit)) <> 0
    group by c.month_end, c.province_code, s.service_code
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
            m.month_end = rc.month_end
            and p.province_code = rc.province_code
            and s.service_code = rc.service_code
    left join registered as rg
        on m.month_end = rg.month_end and p.province_code = rg.province_code
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
