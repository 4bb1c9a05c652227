-- reads: cube_scan_parts
-- writes: area_cube, coverage_cube
-- Finish coverage_cube and area_cube from the provinces' parts, each sorted by month so
-- that a page reading one month skips every other month's row groups.
create or replace table coverage_cube as
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
    persons,
    key_sum
from cube_scan_parts
where not is_area_row
order by month_end, province_code;

create or replace table area_cube as
select
    month_end,
    province_code,
    district_code,
    commune_code,
    is_informal,
    service_mask,
    persons,
    key_sum
from cube_scan_parts
where is_area_row
order by month_end, province_code, district_code, commune_code;

drop table cube_scan_parts;
