-- Drill-down of one province: its districts and communes, on an as-of month end.
-- Grain: one row for the province (level 'province'), one per district ('district') and
-- one per commune ('commune') of the reference lists, plus 'unknown' rows for persons
-- whose district or commune code is missing (commune rows: 'unknown-' || district code).
-- Counts are distinct persons in informal work from area_cube: registered, and covered
-- by at least one chosen programme (an active episode on the month end). No population
-- estimate exists below the province, so there are no rates of estimates here. Only the
-- month and programme filters apply (area_cube has no other dimensions). Suppression is
-- applied by the caller.
-- Parameters:
--   $as_of     date       any day of the month to report on (its last day is used)
--   $services  varchar[]  service codes; covered by at least one (empty: any service)
--   $province  varchar    the province code, e.g. '12'
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

cube as (
    select
        a.district_code,
        case
            when a.commune_code = 'unknown' then 'unknown-' || a.district_code
            else a.commune_code
        end as commune_code,
        a.persons,
        a.key_sum,
        (a.service_mask & s.service_bits) <> 0 as is_covered
    from area_cube as a
    cross join month as m
    cross join selected_services as s
    where
        a.month_end = m.month_end
        and a.province_code = $province
        and a.is_informal
),

areas as (
    select
        'province' as level,
        p.province_code as area_code,
        null as parent_code,
        p.name_en,
        p.name_km
    from provinces as p
    where p.province_code = $province
    union all
    select
        'district' as level,
        d.district_code as area_code,
        d.province_code as parent_code,
        d.name_en,
        d.name_km
    from districts as d
    where d.province_code = $province
    union all
    select
        'commune' as level,
        c.commune_code as area_code,
        c.district_code as parent_code,
        c.name_en,
        c.name_km
    from communes as c
    where c.province_code = $province
    union all
    select distinct
        'district' as level,
        cu.district_code as area_code,
        $province as parent_code,
        null as name_en,
        null as name_km
    from cube as cu
    where cu.district_code not in (select d.district_code from districts as d)
    union all
    select distinct
        'commune' as level,
        cu.commune_code as area_code,
        cu.district_code as parent_code,
        null as name_en,
        null as name_km
    from cube as cu
    where cu.commune_code not in (select c.commune_code from communes as c)
),

counts as (
    select
        $province as area_code,
        sum(persons) as registered_count,
        sum(persons) filter (where is_covered) as covered_count,
        sum(key_sum) as registered_ksum,
        sum(key_sum) filter (where is_covered) as covered_ksum
    from cube
    union all
    select
        district_code as area_code,
        sum(persons) as registered_count,
        sum(persons) filter (where is_covered) as covered_count,
        sum(key_sum) as registered_ksum,
        sum(key_sum) filter (where is_covered) as covered_ksum
    from cube
    group by district_code
    union all
    select
        commune_code as area_code,
        sum(persons) as registered_count,
        sum(persons) filter (where is_covered) as covered_count,
        sum(key_sum) as registered_ksum,
        sum(key_sum) filter (where is_covered) as covered_ksum
    from cube
    group by commune_code
)

select
    a.level,
    a.area_code,
    a.parent_code,
    a.name_en,
    a.name_km,
    coalesce(c.covered_count, 0)::bigint as covered_count,
    coalesce(c.registered_count, 0)::bigint as registered_count,
    (coalesce(c.registered_count, 0) - coalesce(c.covered_count, 0))::bigint
        as registered_not_covered_count,
    coalesce(c.covered_ksum, 0)::bigint as covered_ksum,
    coalesce(c.registered_ksum, 0)::bigint as registered_ksum,
    (coalesce(c.registered_ksum, 0) - coalesce(c.covered_ksum, 0))::bigint
        as registered_not_covered_ksum,
    m.month_end as numerator_reference_date
from areas as a
cross join month as m
left join counts as c on a.area_code = c.area_code
order by
    case a.level when 'province' then 0 when 'district' then 1 else 2 end,
    a.area_code;
