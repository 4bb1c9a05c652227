-- Coverage of informal workers by province on the last day of an as-of month.
-- Grain: one row per province (25 rows), then one national row (province_code 'KH').
-- Numerators are distinct persons (linked across registries) from coverage_cube;
-- the denominator is the estimated informal workers of the same cut, or null with a
-- note where no estimate of that cut exists. Beside each count, the sum of its persons'
-- record keys (`*_ksum`, cell-key method); the caller perturbs counts and derives rates.
-- Parameters:
--   $as_of      date       any day of the month to report on (its last day is used)
--   $services   varchar[]  service codes; covered by at least one (empty: any service)
--   $occupation varchar    an informal occupation, or null for all informal work
--   $sex        varchar    'F', 'M' or null
--   $age_band   varchar    an age band such as '25-34', or null
--   $source     varchar    a source registry, or null for all
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

cube as (
    select
        c.province_code,
        c.persons,
        c.key_sum,
        (c.service_mask & s.service_bits) <> 0 as is_covered
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
),

counts as (
    select
        province_code,
        sum(persons) as registered_count,
        coalesce(sum(persons) filter (where is_covered), 0) as covered_count,
        sum(key_sum) as registered_ksum,
        coalesce(sum(key_sum) filter (where is_covered), 0) as covered_ksum
    from cube
    group by province_code
),

estimate_year as (
    select coalesce(max(year) filter (where year <= year(m.month_end)), min(year)) as year
    from population_estimates
    cross join month as m
),

estimates as (
    select
        pe.province_code,
        sum(pe.informal_workers) as informal_workers,
        max(pe.reference_date) as reference_date,
        string_agg(distinct pe.source, '; ') as source,
        bool_or(pe.is_modelled) as is_modelled
    from population_estimates as pe
    inner join estimate_year as ey on pe.year = ey.year
    where
        ($sex::varchar is null or pe.sex = $sex)
        and ($age_band::varchar is null or pe.age_band = $age_band)
    group by pe.province_code
),

province_rows as (
    select
        p.province_code,
        p.name_en as province_name_en,
        p.name_km as province_name_km,
        coalesce(c.covered_count, 0)::bigint as covered_count,
        coalesce(c.registered_count, 0)::bigint as registered_count,
        coalesce(c.covered_ksum, 0)::bigint as covered_ksum,
        coalesce(c.registered_ksum, 0)::bigint as registered_ksum,
        case
            when $source::varchar is null
                then round(e.informal_workers * os.share)::bigint
        end as informal_workers_est,
        e.reference_date as denominator_reference_date,
        e.source as denominator_source,
        e.is_modelled as denominator_is_modelled
    from provinces as p
    cross join occupation_share as os
    left join counts as c on p.province_code = c.province_code
    left join estimates as e on p.province_code = e.province_code
),

all_rows as (
    select * from province_rows
    union all
    select
        'KH' as province_code,
        'Cambodia' as province_name_en,
        'កម្ពុជា' as province_name_km,
        sum(covered_count)::bigint as covered_count,
        sum(registered_count)::bigint as registered_count,
        sum(covered_ksum)::bigint as covered_ksum,
        sum(registered_ksum)::bigint as registered_ksum,
        case
            when count(informal_workers_est) = count(*) then sum(informal_workers_est)
        end::bigint as informal_workers_est,
        max(denominator_reference_date) as denominator_reference_date,
        string_agg(distinct denominator_source, '; ') as denominator_source,
        bool_or(denominator_is_modelled) as denominator_is_modelled
    from province_rows
)

select
    r.province_code,
    r.province_name_en,
    r.province_name_km,
    r.covered_count,
    r.registered_count,
    r.registered_count - r.covered_count as registered_not_covered_count,
    r.covered_ksum,
    r.registered_ksum,
    r.registered_ksum - r.covered_ksum as registered_not_covered_ksum,
    r.informal_workers_est,
    r.covered_count / nullif(r.informal_workers_est, 0) as coverage_rate,
    r.registered_count / nullif(r.informal_workers_est, 0) as registration_rate,
    r.informal_workers_est - r.covered_count as coverage_gap_count,
    r.covered_count / nullif(r.registered_count, 0) as covered_share_of_registered,
    m.month_end as numerator_reference_date,
    r.denominator_reference_date,
    r.denominator_source,
    r.denominator_is_modelled,
    case
        when $source::varchar is not null
            then 'No population estimate exists for the persons of one registry'
        when (select os.share from occupation_share as os) is null
            then 'No estimate of informal workers exists for this occupation'
        when r.informal_workers_est is null
            then 'No population estimate exists for this cut'
    end as denominator_note
from all_rows as r
cross join month as m
order by r.province_code;
