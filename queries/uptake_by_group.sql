-- Uptake by service, province and group on an as-of month end.
-- Grain: one row per province (25, then the national row 'KH') x service x value of the
-- chosen group (every value found in the month, for every province and service). Counts
-- are distinct persons in informal work with an active episode of the service on the
-- month end, from coverage_cube. The values of a group partition the persons: they add up
-- to the service's receiving count. Suppression is applied by the caller.
-- Parameters:
--   $as_of      date     any day of the month to report on (its last day is used)
--   $group_by   varchar  'sex', 'age_band', 'occupation', 'disability' or 'poverty'
--   $occupation varchar  an informal occupation, or null for all informal work
--   $sex        varchar  'F', 'M' or null
--   $age_band   varchar  an age band such as '25-34', or null
--   $source     varchar  a source registry, or null for all
with
month as (
    select last_day($as_of::date) as month_end
),

selected_source as (
    select coalesce(max(1::usmallint << source_bit), 0::usmallint) as source_bits
    from sources
    where source = $source
),

cube as (
    select
        c.province_code,
        c.persons,
        c.key_sum,
        c.service_mask,
        coalesce(
            case $group_by::varchar
                when 'sex' then c.sex
                when 'age_band' then c.age_band
                when 'occupation' then c.occupation
                when 'poverty' then c.poverty_level
                when 'disability'
                    then case when c.disability then 'yes' when not c.disability then 'no' end
            end,
            'unknown'
        ) as group_value
    from coverage_cube as c
    cross join month as m
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
),

receiving as (
    select
        c.province_code,
        s.service_code,
        c.group_value,
        sum(c.persons) as receiving_count,
        sum(c.key_sum) as receiving_ksum
    from cube as c
    inner join services as s on (c.service_mask & (1::ubigint << s.service_bit)) <> 0
    group by c.province_code, s.service_code, c.group_value
),

group_values as (
    select distinct group_value from cube
),

province_rows as (
    select
        p.province_code,
        p.name_en as province_name_en,
        s.service_code,
        g.group_value,
        coalesce(r.receiving_count, 0)::bigint as receiving_count,
        coalesce(r.receiving_ksum, 0)::bigint as receiving_ksum
    from provinces as p
    cross join services as s
    cross join group_values as g
    left join receiving as r
        on
            p.province_code = r.province_code
            and s.service_code = r.service_code
            and g.group_value = r.group_value
)

select * from province_rows
union all
select
    'KH' as province_code,
    'Cambodia' as province_name_en,
    service_code,
    group_value,
    sum(receiving_count)::bigint as receiving_count,
    sum(receiving_ksum)::bigint as receiving_ksum
from province_rows
group by service_code, group_value
order by service_code, province_code, group_value;
