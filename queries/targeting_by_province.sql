-- Targeting of programmes that have an eligibility rule, by province, on an as-of month end.
-- Grain: one row per province (and the national row 'KH') x service with a rule in
-- eligibility_rules. Counts are distinct registered persons in informal work (the cut of
-- the sidebar filters) from coverage_cube: eligible (meets the rule on the month end, by
-- eligible_mask), receiving (an active episode of the service), and both. People
-- registered nowhere are invisible here: the caller shows the estimated unregistered.
-- Suppression is applied by the caller.
-- Parameters:
--   $as_of      date     any day of the month to report on (its last day is used)
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

rule_services as (
    select
        s.service_code,
        s.name_en as service_name_en,
        (1::ubigint << s.service_bit) as service_bits
    from services as s
    where s.service_code in (select r.service_code from eligibility_rules as r)
),

cube as (
    -- the month's cells summed by their masks (a few thousand rows), before each is
    -- crossed with the programmes
    select
        c.province_code,
        c.eligible_mask,
        c.service_mask,
        sum(c.persons) as persons,
        sum(c.key_sum) as key_sum
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
    group by c.province_code, c.eligible_mask, c.service_mask
),

flags as (
    select
        c.province_code,
        rs.service_code,
        c.persons,
        c.key_sum,
        (c.eligible_mask & rs.service_bits) <> 0 as is_eligible,
        (c.service_mask & rs.service_bits) <> 0 as is_receiving
    from cube as c
    cross join rule_services as rs
),

counts as (
    select
        province_code,
        service_code,
        coalesce(sum(persons) filter (where is_eligible), 0) as eligible_count,
        coalesce(sum(persons) filter (where is_receiving), 0) as receiving_count,
        coalesce(sum(persons) filter (where is_eligible and is_receiving), 0)
            as eligible_receiving_count,
        coalesce(sum(key_sum) filter (where is_eligible), 0) as eligible_ksum,
        coalesce(sum(key_sum) filter (where is_receiving), 0) as receiving_ksum,
        coalesce(sum(key_sum) filter (where is_eligible and is_receiving), 0)
            as eligible_receiving_ksum
    from flags
    group by province_code, service_code
),

province_rows as (
    select
        p.province_code,
        p.name_en as province_name_en,
        rs.service_code,
        rs.service_name_en,
        coalesce(c.eligible_count, 0)::bigint as eligible_count,
        coalesce(c.receiving_count, 0)::bigint as receiving_count,
        coalesce(c.eligible_receiving_count, 0)::bigint as eligible_receiving_count,
        coalesce(c.eligible_ksum, 0)::bigint as eligible_ksum,
        coalesce(c.receiving_ksum, 0)::bigint as receiving_ksum,
        coalesce(c.eligible_receiving_ksum, 0)::bigint as eligible_receiving_ksum
    from provinces as p
    cross join rule_services as rs
    left join counts as c
        on p.province_code = c.province_code and rs.service_code = c.service_code
),

all_rows as (
    select * from province_rows
    union all
    select
        'KH' as province_code,
        'Cambodia' as province_name_en,
        service_code,
        service_name_en,
        sum(eligible_count)::bigint as eligible_count,
        sum(receiving_count)::bigint as receiving_count,
        sum(eligible_receiving_count)::bigint as eligible_receiving_count,
        sum(eligible_ksum)::bigint as eligible_ksum,
        sum(receiving_ksum)::bigint as receiving_ksum,
        sum(eligible_receiving_ksum)::bigint as eligible_receiving_ksum
    from province_rows
    group by service_code, service_name_en
)

select
    r.province_code,
    r.province_name_en,
    r.service_code,
    r.service_name_en,
    r.eligible_count,
    r.receiving_count,
    r.eligible_receiving_count,
    r.eligible_count - r.eligible_receiving_count as eligible_not_receiving_count,
    r.receiving_count - r.eligible_receiving_count as receiving_not_eligible_count,
    r.eligible_ksum,
    r.receiving_ksum,
    r.eligible_receiving_ksum,
    r.eligible_ksum - r.eligible_receiving_ksum as eligible_not_receiving_ksum,
    r.receiving_ksum - r.eligible_receiving_ksum as receiving_not_eligible_ksum,
    m.month_end as numerator_reference_date
from all_rows as r
cross join month as m
order by r.service_code, r.province_code;
