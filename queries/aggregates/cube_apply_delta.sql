-- reads: cube_scan_parts
-- writes: area_cube, coverage_cube
-- Add the signed counts of cube_scan_parts (the touched persons' new rows minus their old
-- ones) to coverage_cube and area_cube, and drop the rows that fall to zero. cube_scan_parts
-- is kept for aggregates/series_apply_delta, which drops it.
merge into coverage_cube as c
using (
    select
        month_end,
        province_code,
        sex,
        age_band,
        occupation,
        poverty_level,
        disability,
        eligible_mask,
        source_mask,
        service_mask,
        sum(persons) as persons,
        sum(key_sum) as key_sum
    from cube_scan_parts
    where not is_area_row
    group by all
    having sum(persons) <> 0 or sum(key_sum) <> 0
) as d
    on
        c.month_end = d.month_end
        and c.province_code = d.province_code
        and c.sex is not distinct from d.sex
        and c.age_band = d.age_band
        and c.occupation = d.occupation
        and c.poverty_level = d.poverty_level
        and c.disability is not distinct from d.disability
        and c.eligible_mask = d.eligible_mask
        and c.source_mask = d.source_mask
        and c.service_mask = d.service_mask
when matched then update set persons = c.persons + d.persons, key_sum = c.key_sum + d.key_sum
when not matched then insert (
    month_end, province_code, sex, age_band, occupation, poverty_level, disability,
    eligible_mask, source_mask, service_mask, persons, key_sum
) values (
    d.month_end, d.province_code, d.sex, d.age_band, d.occupation, d.poverty_level,
    d.disability, d.eligible_mask, d.source_mask, d.service_mask, d.persons, d.key_sum
);

merge into area_cube as c
using (
    select
        month_end,
        province_code,
        district_code,
        commune_code,
        is_informal,
        service_mask,
        sum(persons) as persons,
        sum(key_sum) as key_sum
    from cube_scan_parts
    where is_area_row
    group by all
    having sum(persons) <> 0 or sum(key_sum) <> 0
) as d
    on
        c.month_end = d.month_end
        and c.province_code = d.province_code
        and c.district_code = d.district_code
        and c.commune_code = d.commune_code
        and c.is_informal = d.is_informal
        and c.service_mask = d.service_mask
when matched then update set persons = c.persons + d.persons, key_sum = c.key_sum + d.key_sum
when not matched then insert (
    month_end, province_code, district_code, commune_code, is_informal, service_mask, persons,
    key_sum
) values (
    d.month_end, d.province_code, d.district_code, d.commune_code, d.is_informal,
    d.service_mask, d.persons, d.key_sum
);

delete from coverage_cube
where persons = 0;

delete from area_cube
where persons = 0;
