-- reads: coverage_months, cube_scan_parts, occupations, services
-- writes: series_cube, series_delta, series_service_cube, series_service_totals, series_totals
-- Add the signed counts of cube_scan_parts (see aggregates/cube_apply_delta) to series_cube,
-- series_service_cube, series_totals and series_service_totals, rolled up as
-- aggregates/series_cubes does, drop the rows that fall to zero, and drop cube_scan_parts.
-- A totals row is the sum of its cube rows (persons never negative), so it falls to zero
-- exactly when they all do: the result is the full rebuild's, row for row.
create or replace temp table series_delta as
select
    m.month_idx::usmallint as month_idx,
    d.province_code::utinyint as province_no,
    d.sex,
    d.age_band,
    d.occupation,
    d.source_mask,
    d.service_mask,
    sum(d.persons)::bigint as persons,
    sum(d.key_sum)::bigint as key_sum
from cube_scan_parts as d
inner join coverage_months as m on d.month_end = m.month_end
where
    not d.is_area_row
    and d.occupation in (
        select o.occupation from occupations as o
        where o.is_informal
    )
group by all
having sum(d.persons) <> 0 or sum(d.key_sum) <> 0;

merge into series_cube as c
using series_delta as d
    on
        c.month_idx = d.month_idx
        and c.province_no = d.province_no
        and c.sex is not distinct from d.sex
        and c.age_band = d.age_band
        and c.occupation = d.occupation
        and c.source_mask = d.source_mask
        and c.service_mask = d.service_mask
when matched then update set persons = c.persons + d.persons, key_sum = c.key_sum + d.key_sum
when not matched then insert (
    month_idx, province_no, sex, age_band, occupation, source_mask, service_mask, persons, key_sum
) values (
    d.month_idx, d.province_no, d.sex, d.age_band, d.occupation, d.source_mask,
    d.service_mask, d.persons, d.key_sum
);

merge into series_service_cube as c
using (
    select
        d.month_idx,
        d.province_no,
        d.sex,
        d.age_band,
        d.occupation,
        d.source_mask,
        s.service_bit::utinyint as service_bit,
        sum(d.persons)::bigint as persons,
        sum(d.key_sum)::bigint as key_sum
    from series_delta as d
    inner join services as s on (d.service_mask & (1::ubigint << s.service_bit)) <> 0
    group by all
    having sum(d.persons) <> 0 or sum(d.key_sum) <> 0
) as d
    on
        c.month_idx = d.month_idx
        and c.province_no = d.province_no
        and c.sex is not distinct from d.sex
        and c.age_band = d.age_band
        and c.occupation = d.occupation
        and c.source_mask = d.source_mask
        and c.service_bit = d.service_bit
when matched then update set persons = c.persons + d.persons, key_sum = c.key_sum + d.key_sum
when not matched then insert (
    month_idx, province_no, sex, age_band, occupation, source_mask, service_bit, persons, key_sum
) values (
    d.month_idx, d.province_no, d.sex, d.age_band, d.occupation, d.source_mask,
    d.service_bit, d.persons, d.key_sum
);

merge into series_totals as c
using (
    select
        d.month_idx,
        d.province_no,
        d.source_mask,
        d.service_mask,
        sum(d.persons)::bigint as persons,
        sum(d.key_sum)::bigint as key_sum
    from series_delta as d
    group by all
    having sum(d.persons) <> 0 or sum(d.key_sum) <> 0
) as d
    on
        c.month_idx = d.month_idx
        and c.province_no = d.province_no
        and c.source_mask = d.source_mask
        and c.service_mask = d.service_mask
when matched then update set persons = c.persons + d.persons, key_sum = c.key_sum + d.key_sum
when not matched then insert (
    month_idx, province_no, source_mask, service_mask, persons, key_sum
) values (
    d.month_idx, d.province_no, d.source_mask, d.service_mask, d.persons, d.key_sum
);

merge into series_service_totals as c
using (
    select
        d.month_idx,
        d.province_no,
        d.source_mask,
        s.service_bit::utinyint as service_bit,
        sum(d.persons)::bigint as persons,
        sum(d.key_sum)::bigint as key_sum
    from series_delta as d
    inner join services as s on (d.service_mask & (1::ubigint << s.service_bit)) <> 0
    group by all
    having sum(d.persons) <> 0 or sum(d.key_sum) <> 0
) as d
    on
        c.month_idx = d.month_idx
        and c.province_no = d.province_no
        and c.source_mask = d.source_mask
        and c.service_bit = d.service_bit
when matched then update set persons = c.persons + d.persons, key_sum = c.key_sum + d.key_sum
when not matched then insert (
    month_idx, province_no, source_mask, service_bit, persons, key_sum
) values (
    d.month_idx, d.province_no, d.source_mask, d.service_bit, d.persons, d.key_sum
);

delete from series_cube
where persons = 0;

delete from series_service_cube
where persons = 0;

delete from series_totals
where persons = 0;

delete from series_service_totals
where persons = 0;

drop table series_delta;

drop table cube_scan_parts;
