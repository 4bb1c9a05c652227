-- reads: nothing
-- writes: cube_scan_parts
-- Where the cube passes put their rows (aggregates/coverage_cube_part) before
-- aggregates/coverage_cube_final or aggregates/cube_apply_delta turns them into the cubes.
create or replace table cube_scan_parts (
    month_end date,
    province_code varchar,
    sex varchar,
    age_band varchar,
    occupation varchar,
    poverty_level varchar,
    disability boolean,
    eligible_mask ubigint,
    source_mask usmallint,
    service_mask ubigint,
    district_code varchar,
    commune_code varchar,
    is_informal boolean,
    persons bigint,
    is_area_row boolean,
    key_sum bigint
);
